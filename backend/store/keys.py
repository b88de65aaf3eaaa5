"""Key builders for every item kind: the only place that knows how keys are spelled."""

from __future__ import annotations

PROFILE = "PROFILE"
CART = "CART"
ORDER_STATS = "ORDERSTATS"  # per-product counts and last dates of imported orders (one item per customer)
ORDER_SUMMARY = "ORDERSUMMARY"  # what history questions read of all orders (one item per customer)
DEMO_MARKER = "DEMO"
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


# --- profile & identity ---------------------------------------------------------------------------------------------
# An event's raw heard words live on their own small item that expires (TTL); its sort key sorts right after the
# event's own key (``#`` is below every character an event id may hold), so one query returns both, adjacent.
EVENT_PREFIX = "EVENT#"
HEARD_SUFFIX = "#HEARD"
GRANT_PREFIX = "GRANT#"


def heard_sk(timestamp: str, event_id: str) -> str:
    return f"{event_sk(timestamp, event_id)}{HEARD_SUFFIX}"


def event_gsi1sk(timestamp: str, event_id: str) -> str:
    return f"{timestamp}#{event_id}"


def heard_gsi1sk(timestamp: str, event_id: str) -> str:
    return f"{event_gsi1sk(timestamp, event_id)}{HEARD_SUFFIX}"


def grant_sk(client_id: str) -> str:
    """The reverse of an API client's customer scope: lets a customer's deletion remove it from every client."""
    return f"{GRANT_PREFIX}{client_id}"


# Shopping: the account's voice purchase code (one item: a turn's batch read gets it with the cart). Outbox
# messages have no index: the table's stream delivers them (backend/outbound), so no single partition takes every
# pending message.
VOICE_CODE = "VOICECODE"


# Erasure: one tombstone per erased customer, outside its (deleted) partition, all of them on gsi1 under ERASED so a
# stream consumer or the demo's provisioning can ask "was this customer erased?" with one GetItem, and list them all.
TOMBSTONE = "TOMBSTONE"
TOMBSTONES_GSI1PK = "ERASED"


def tombstone_pk(customer_id: str) -> str:
    return f"ERASED#{customer_id}"
