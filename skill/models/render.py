"""Deterministic JSON for interaction models: sorted keys, two-space indent, one slot value per line.

One value per line keeps the 50,000-value PRODUCT type readable in diffs and about half the size of fully
indented JSON, which matters against Amazon's model size limit. Sample utterances are also one per line but not
indented: thousands of them, each indented twelve spaces, would cost the model about a thousand product values.
"""

from __future__ import annotations

import json
from typing import Any


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _render(value: Any, indent: int, inline_items: bool) -> str:
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = []
        for key in sorted(value):
            if key == "samples" and isinstance(value[key], list) and value[key]:
                lines = ",\n".join(_scalar(sample) for sample in value[key])
                parts.append(f"{inner}{_scalar(key)}: [\n{lines}\n{inner}]")
                continue
            # Slot type values ("types"[].values) go one per line.
            child_inline = key == "values" and isinstance(value[key], list) and "name" in value
            parts.append(f"{inner}{_scalar(key)}: {_render(value[key], indent + 1, child_inline)}")
        return "{\n" + ",\n".join(parts) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if inline_items:
            items = [json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for item in value]
        else:
            items = [_render(item, indent + 1, False) for item in value]
        return "[\n" + ",\n".join(inner + item for item in items) + "\n" + pad + "]"
    return _scalar(value)


def render_model(model: dict[str, Any]) -> str:
    """The text written to ``<locale>.json`` (ends with a newline)."""
    return _render(model, 0, False) + "\n"
