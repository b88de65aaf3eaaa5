"""Turn a hostile-corpus case (see ``tests.support.hostile``) into the body and headers to send: the bench's
interpreter (``skill.bench.hostile_cases``) on the tests' base requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skill.bench.hostile_cases import case_request as bench_case_request
from skill.simulator.signing import LocalSigner
from tests.support.envelopes import alexa_request
from tests.support.hostile import HOSTILE_DIR


def hostile_cases() -> list[Path]:
    return sorted(HOSTILE_DIR.glob("*.json"))


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def case_request(case: dict[str, Any], signer: LocalSigner, stranger: LocalSigner) -> tuple[bytes, dict[str, str]]:
    return bench_case_request(case, signer, stranger, alexa_request)
