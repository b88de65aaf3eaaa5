"""Reading requests defensively: bounded JSON bodies, strict query parameters, the bearer key."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import request

from backend.api.errors import ApiError, unauthorized
from backend.errors import ValidationError
from backend.profile.events import Channel, parse_timestamp

MAX_BODY_BYTES = 16 * 1024
MAX_QUERY_VALUE = 1024


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


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
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "malformed_json", "the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object")
    return data


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
    return None if raw is None else parse_timestamp(raw, field=name)


def int_param(raw: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
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
