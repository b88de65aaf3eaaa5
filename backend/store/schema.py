"""The DynamoDB schema, defined once: table creation and ``infra/template.yaml`` both follow it (a test checks).

Single-table design, partitioned by customer. The item kinds and the access pattern each serves:

| access pattern                               | key / index                                                   |
|----------------------------------------------|---------------------------------------------------------------|
| a voice turn reads its state                 | BatchGetItem (1 call) of CART, PROFILE, VOICECODE, ORDERSTATS, |
|                                              | and on a new session the userId alias: a key range would also |
|                                              | return every event and order, growing with time               |
| imported orders' per-product counts          | pk = CUST#<id>, sk = ORDERSTATS (one compact string attribute) |
| events of a customer by time                 | pk = CUST#<id>, sk begins_with EVENT#  (sk = EVENT#<ts>#<id>)  |
| events of a customer by channel and time     | gsi1: gsi1pk = CUST#<id>#CH#<channel>, gsi1sk = <ts>#<id>      |
| an event written once (idempotency)          | pk = CUST#<id>, sk = EVENTID#<event id> (conditional put)      |
| an event's raw heard words (expire by TTL)   | pk = CUST#<id>, sk = EVENT#<ts>#<id>#HEARD (after its event)  |
| API clients scoped to a customer (deletion)  | pk = CUST#<id>, sk begins_with GRANT#                         |
| orders of a customer, newest first           | pk = CUST#<id>, sk begins_with ORDER# (order ids sort by time) |
| history questions, recent orders (summary)   | pk = CUST#<id>, sk = ORDERSUMMARY (GetItem, with projection)   |
| one order and its lines                      | pk = CUST#<id>, sk begins_with ORDER#<order id>                |
| an Alexa request applied once                | pk = CUST#<id>, sk = REQ#<request id> (conditional put, TTL)   |
| customer by access token / web / store id    | pk = IDENT#<kind>#<value>, sk = IDENT  (GetItem)              |
| a customer's linked ids (to unlink/delete)   | pk = CUST#<id>, sk begins_with IDENT#                         |
| outbox messages (order confirmations)        | pk = CUST#<id>, sk begins_with OUTBOX#; sent from the stream  |
| API client by key hash                       | pk = APIKEY#<sha256>, sk = APIKEY (GetItem)                   |

TTL attribute ``expires_at`` (epoch seconds) removes raw heard words, request markers and stale sessions.
Streams (new and old images) let other systems consume every change; ``backend/outbound`` turns them into e-mail
and webhooks, and keeps its own items (delivery markers, subscriptions, checkpoints) by the keys in its ``keys``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str | None = None
    projection: str = "ALL"


@dataclass(frozen=True)
class TableSpec:
    """One table: its logical name (suffix of the physical name), keys, indexes, TTL and stream settings."""

    logical_name: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    stream_view_type: str | None = None

    def key_attributes(self) -> list[str]:
        names = [self.partition_key] + ([self.sort_key] if self.sort_key else [])
        for index in self.indexes:
            names.append(index.partition_key)
            if index.sort_key:
                names.append(index.sort_key)
        return list(dict.fromkeys(names))

    def key_schema(self) -> list[dict[str, str]]:
        return _key_schema(self.partition_key, self.sort_key)

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        """Arguments for ``client.create_table`` (on-demand billing, as infra/ deploys it)."""
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in self.key_attributes()],
            "KeySchema": self.key_schema(),
        }
        if self.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.indexes
            ]
        if self.stream_view_type:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.stream_view_type}
        return kwargs


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


GSI1 = IndexSpec(name="gsi1", partition_key="gsi1pk", sort_key="gsi1sk")

MAIN_TABLE = TableSpec(
    logical_name="main",
    partition_key="pk",
    sort_key="sk",
    indexes=(GSI1,),
    ttl_attribute="expires_at",
    stream_view_type="NEW_AND_OLD_IMAGES",
)

# Add a table by adding a spec here; creation, infra checks and the reset helpers pick it up.
TABLES: tuple[TableSpec, ...] = (MAIN_TABLE,)
