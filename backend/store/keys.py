"""Key builders for every item kind: the only place that knows how keys are spelled."""

from __future__ import annotations

PROFILE = "PROFILE"
CART = "CART"
IDENT = "IDENT"
APIKEY = "APIKEY"


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def customer_id_from_pk(pk: str) -> str:
    if not pk.startswith("CUST#"):
        raise ValueError(f"not a customer partition key: {pk!r}")
    return pk.removeprefix("CUST#")


def event_sk(timestamp: str, event_id: str) -> str:
    return f"EVENT#{timestamp}#{event_id}"


def event_id_sk(event_id: str) -> str:
    return f"EVENTID#{event_id}"


def channel_gsi1pk(customer_id: str, channel: str) -> str:
    return f"CUST#{customer_id}#CH#{channel}"


def order_sk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def order_line_sk(order_id: str, line_number: int) -> str:
    return f"ORDER#{order_id}#LINE#{line_number:03d}"


def request_sk(request_id: str) -> str:
    return f"REQ#{request_id}"


def identity_sk(kind: str, value: str) -> str:
    return f"IDENT#{kind}#{value}"


def identity_pk(kind: str, value: str) -> str:
    return f"IDENT#{kind}#{value}"


def outbox_sk(timestamp: str, message_id: str) -> str:
    return f"OUTBOX#{timestamp}#{message_id}"


def api_key_pk(key_hash: str) -> str:
    return f"APIKEY#{key_hash}"
