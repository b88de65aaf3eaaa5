"""Reading what a Lambda function wrote: Powertools' JSON log lines and CloudWatch EMF metric blobs."""

from __future__ import annotations

import json
from typing import Any


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def emf_blobs(text: str) -> list[dict[str, Any]]:
    return [line for line in json_lines(text) if "_aws" in line]


def metric_values(blobs: list[dict[str, Any]], name: str) -> list[Any]:
    """The values of metric ``name`` over every blob (one blob per flush)."""
    return [blob[name] for blob in blobs if name in blob]
