"""Key builders for every item kind: the only place that knows how keys are spelled."""

from __future__ import annotations

import hashlib

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


# --- outbound (backend/outbound): deliveries, webhook subscriptions, stream checkpoints, idle-cart reminders -------
# No key here is shared by every writer: per-customer items live in the customer's partition, subscriptions in their
# owner's, the subscription index and the reminder schedule are spread over fixed shards, checkpoints over shards.
#
# | item                                   | key                                                                    |
# |----------------------------------------|------------------------------------------------------------------------|
# | a message delivered once (per target)  | pk = CUST#<id>, sk = DELIVERY#<target>#<message id> (conditional put)  |
# | a webhook delivery that gave up        | pk = CUST#<id>, sk = WHDEAD#<sub>#<event id>; gsi1 WHSUB#<sub>#DEAD    |
# | a client's webhook subscriptions       | pk = WHCLIENT#<client id>, sk = WHSUB#<sub id>                         |
# | every subscription (the consumer)      | gsi1: gsi1pk = WHSUBS#<0..7> (by hash of the sub id), gsi1sk = sub id  |
# | stream checkpoint, per shard           | pk = OUTBOUND#STREAM#<stream label>, sk = SHARD#<shard id>             |
# | carts to look at when they may be idle | pk = REMIND#<5-minute bucket>#<0..3>, sk = CUST#<id> (TTL)             |
# | ... and where it is, for an erase      | pk = CUST#<id>, sk = REMINDDUE#<its pk>, schedule_pk (TTL)             |
# | how far the reminder sweep has got     | pk = OUTBOUND#REMINDERS, sk = SWEPT                                    |
# | one reminder per cart episode          | pk = CUST#<id>, sk = REMINDER#CART#<first line added at>               |

DELIVERY_PREFIX = "DELIVERY#"
DEAD_LETTER_PREFIX = "WHDEAD#"
SUBSCRIPTION_PREFIX = "WHSUB#"
REMINDER_PREFIX = "REMINDER#CART#"
SUBSCRIPTION_SHARDS = 8
SCHEDULE_SHARDS = 4
REMINDER_STATE_PK = "OUTBOUND#REMINDERS"
REMINDER_STATE_SK = "SWEPT"


def shard_of(value: str, shards: int) -> int:
    """A stable shard number for ``value`` (not Python's salted ``hash``: every process must agree)."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big") % shards


def delivery_sk(target: str, message_id: str) -> str:
    return f"{DELIVERY_PREFIX}{target}#{message_id}"


def dead_letter_sk(subscription_id: str, event_id: str) -> str:
    return f"{DEAD_LETTER_PREFIX}{subscription_id}#{event_id}"


def dead_letter_gsi1pk(subscription_id: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{subscription_id}#DEAD"


def client_subscriptions_pk(client_id: str) -> str:
    return f"WHCLIENT#{client_id}"


def subscription_sk(subscription_id: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{subscription_id}"


def subscription_gsi1pk(shard: int) -> str:
    return f"WHSUBS#{shard}"


def checkpoint_pk(stream_label: str) -> str:
    return f"OUTBOUND#STREAM#{stream_label}"


def checkpoint_sk(shard_id: str) -> str:
    return f"SHARD#{shard_id}"


def schedule_pk(due_minute: str, shard: int) -> str:
    return f"REMIND#{due_minute}#{shard}"


def schedule_pointer_sk(schedule_pk_: str) -> str:
    """In the customer's partition: where their entry in the reminder schedule (outside it) is, for their erase."""
    return f"REMINDDUE#{schedule_pk_}"


def reminder_sk(episode: str) -> str:
    return f"{REMINDER_PREFIX}{episode}"
