"""Turn a hostile-corpus case (see ``tests.support.hostile``) into the body and headers to send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skill.simulator.signing import LocalSigner
from tests.support.envelopes import alexa_request
from tests.support.hostile import HOSTILE_DIR


def hostile_cases() -> list[Path]:
    return sorted(HOSTILE_DIR.glob("*.json"))


def load_case(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = _pointer(path)
    node: Any = document
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _delete(document: dict[str, Any], path: str) -> None:
    *parents, last = _pointer(path)
    node: Any = document
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def case_body(case: dict[str, Any]) -> bytes:
    if "raw" in case:
        return str(case["raw"]).encode("utf-8", "surrogatepass")
    if "raw_hex" in case:
        return bytes.fromhex(case["raw_hex"])
    if "repeat" in case:
        return str(case["repeat"]["unit"]).encode() * int(case["repeat"]["count"])
    if "base" not in case:
        return json.dumps(case["body"]).encode()
    envelope = alexa_request(case["base"])
    if not case.get("fresh_timestamp", True):
        envelope["request"]["timestamp"] = alexa_request(case["base"])["request"]["timestamp"]
    for path, value in case.get("set", []):
        _set(envelope, path, value)
    for path in case.get("delete", []):
        _delete(envelope, path)
    # ensure_ascii keeps lone surrogates as \\ud800 escapes: what an attacker's JSON encoder would send.
    return json.dumps(envelope, ensure_ascii=True).encode()


def case_request(case: dict[str, Any], signer: LocalSigner, stranger: LocalSigner) -> tuple[bytes, dict[str, str]]:
    body = case_body(case)
    headers = {"Content-Type": "application/json"}
    signing = case.get("signing", "unsigned")
    if signing in ("signed", "tampered"):
        headers.update(signer.headers(body))
    elif signing == "stranger":
        headers.update(stranger.headers(body))
    if signing == "tampered":
        body = body.replace(b"oat milk", b"caviar!!")
    for name in case.get("drop_headers", []):
        headers.pop(name, None)
    headers.update(case.get("headers", {}))
    return body, headers
