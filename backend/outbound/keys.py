"""Keys of the outbound package's own items (customer partition keys come from ``backend.store.keys``).

No key here is shared by every writer: per-customer items live in the customer's partition, subscriptions in their
owner's, the subscription index and the reminder schedule are spread over fixed shards, checkpoints over shards.

| item                                   | key                                                                    |
|----------------------------------------|------------------------------------------------------------------------|
| a message delivered once (per target)  | pk = CUST#<id>, sk = DELIVERY#<target>#<message id> (conditional put)  |
| a webhook delivery that gave up        | pk = CUST#<id>, sk = WHDEAD#<sub>#<event id>; gsi1 WHSUB#<sub>#DEAD    |
| a client's webhook subscriptions       | pk = WHCLIENT#<client id>, sk = WHSUB#<sub id>                         |
| every subscription (the consumer)      | gsi1: gsi1pk = WHSUBS#<0..7> (by hash of the sub id), gsi1sk = sub id  |
| stream checkpoint, per shard           | pk = OUTBOUND#STREAM#<stream label>, sk = SHARD#<shard id>             |
| carts to look at when they may be idle | pk = REMIND#<5-minute bucket>#<0..3>, sk = CUST#<id> (TTL)             |
| how far the reminder sweep has got     | pk = OUTBOUND#REMINDERS, sk = SWEPT                                    |
| one reminder per cart episode          | pk = CUST#<id>, sk = REMINDER#CART#<first line added at>               |
"""

from __future__ import annotations

import hashlib

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


def reminder_sk(episode: str) -> str:
    return f"{REMINDER_PREFIX}{episode}"
