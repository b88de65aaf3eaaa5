"""Reading requests defensively: bounded JSON bodies, strict query parameters, the bearer key."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import request

from backend.api.errors import ApiError, unauthorized
from backend.errors import ValidationError
from backend.profile.events import Channel, parse_timestamp

MAX_BODY_BYTES = 16 * 1024
MAX_QUERY_VALUE = 1024
MAX_INT_DIGITS = 9

# Bidirectional embeddings, overrides and isolates reorder what a person reads ("Trojan source"); in an id or a
# query value they only ever disguise one. Marks (LRM, RLM, ALM) are refused there too.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_FORMATTING = _BIDI_CONTROLS - frozenset("\u061c\u200e\u200f")
_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # {"quantity": 1, "quantity": 50} means 1 to one parser and 50 to another (json.loads keeps the last): refused,
    # so a proxy or a log that reads the first never disagrees with what was applied.
    document = dict(pairs)
    if len(document) != len(pairs):
        raise DuplicateKey("a key appears twice in one object")
    return document


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object. 415 for another content type, 413 if too big, 400 if malformed."""
    raw = request.get_data(cache=True)  # bounded by request.max_content_length (set per request)
    if not raw:
        if required:
            raise ValidationError("a JSON body is required")
        return {}
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    try:
        data = json.loads(raw, parse_constant=_no_constants, object_pairs_hook=_one_value_per_key)
    except DuplicateKey as exc:
        raise ApiError(400, "malformed_json", "the body repeats a key in one object") from exc
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "malformed_json", "the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object")
    _check_body_text(data)
    return data


def check_request_text() -> None:
    """Path parameters and query values: printable text only (no controls, no bidi controls, no lone
    surrogates). Such characters are never part of an id, and stored or logged they mislead or fail."""
    for name, value in {**(request.view_args or {}), **request.args}.items():
        if isinstance(value, str):
            reason = _unsafe_text(value, allow_layout=False)
            if reason:
                raise ValidationError(f"{str(name)[:64]} {reason}", field=str(name)[:64])


def _check_body_text(data: Any) -> None:
    # Bodies are bounded (MAX_BODY_BYTES) and parsed already, so a walk without recursion is cheap and safe.
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            reason = _unsafe_text(node, allow_layout=True)
            if reason:
                raise ValidationError(f"a text value {reason}")
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _unsafe_text(value: str, *, allow_layout: bool) -> str | None:
    if value.isascii() and value.isprintable():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate"
    for char in value:
        if char in _TEXT_CONTROLS_ALLOWED and allow_layout:
            continue
        if unicodedata.category(char) == "Cc":
            return "holds a control character"
        if char in (_BIDI_FORMATTING if allow_layout else _BIDI_CONTROLS):
            return "holds a bidirectional control character"
    return None


def only_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"unknown field: {name[:64]}", field=name[:64])


def query_params(allowed: Iterable[str]) -> dict[str, str]:
    args = request.args
    unknown = set(args) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"unknown query parameter: {name[:64]}", field=name[:64])
    values: dict[str, str] = {}
    for name in args:
        all_values = args.getlist(name)
        if len(all_values) != 1 or len(all_values[0]) > MAX_QUERY_VALUE:
            raise ValidationError(f"{name} must be given once, at most {MAX_QUERY_VALUE} characters", field=name)
        values[name] = all_values[0]
    return values


def channel_param(raw: str | None) -> Channel | None:
    if raw is None:
        return None
    try:
        return Channel(raw)
    except ValueError as exc:
        raise ValidationError(f"channel must be one of {', '.join(Channel)}", field="channel") from exc


def time_param(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_timestamp(raw, field=name)
    except OverflowError as exc:  # a valid form whose offset leaves datetime's range (0001-01-01T00:00+14:00)
        raise ValidationError(f"{name} is out of range", field=name) from exc


def int_param(raw: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    # str.isdigit() is true for "²" and other digits int() refuses: ASCII digits only.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_INT_DIGITS) or not low <= int(raw) <= high:
        raise ValidationError(f"{name} must be an integer {low}..{high}", field=name)
    return int(raw)


def quantity_value(raw: object, *, field: str = "quantity") -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationError(f"{field} must be an integer", field=field)
    return raw


def bearer_key() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise unauthorized("send the API key as 'Authorization: Bearer <key>'")
    return key.strip()
