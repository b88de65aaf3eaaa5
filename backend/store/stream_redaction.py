"""Redact an erased customer's records from the stream of a table held by moto in this process (the embedded store,
and the tests' ``mock_aws``).

On AWS the stream keeps records for 24 hours and cannot be edited: consumers follow the tombstone rule
(``backend.profile.erasure``). moto keeps every stream record for as long as the process runs, so the embedded store
would go on serving the erased data to any stream reader. Each of the customer's records is replaced in place by a
record that points at the tombstone and carries no image: sequence numbers and shard iterators stay valid (moto
numbers records by their position), nothing personal is left.

For a table moto does not hold (AWS, DynamoDB Local, any other endpoint) this does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from backend.store import keys


def _moto_tables(table_name: str) -> Iterator[Any]:
    models = sys.modules.get("moto.dynamodb.models")
    if models is None:  # moto was never loaded: the table is not in this process
        return
    for account in list(models.dynamodb_backends.values()):
        for backend in list(account.values()):
            table = backend.tables.get(table_name)
            if table is not None:
                yield table


def redact_customer_records(table_name: str, belongs: Callable[[dict[str, Any]], bool], customer_id: str) -> int:
    """Replace every stream record ``belongs`` says is the customer's; the number replaced."""
    replaced = 0
    tombstone_keys = {"pk": {"S": keys.tombstone_pk(customer_id)}, "sk": {"S": keys.TOMBSTONE}}
    for table in _moto_tables(table_name):
        shard = getattr(table, "stream_shard", None)
        for stream_record in list(getattr(shard, "items", None) or ()):
            record = stream_record.record
            data = record.get("dynamodb") or {}
            if data.get("Keys", {}).get("sk", {}).get("S") == keys.TOMBSTONE or not belongs(record):
                continue
            record["dynamodb"] = {
                "StreamViewType": data.get("StreamViewType"),
                "ApproximateCreationDateTime": data.get("ApproximateCreationDateTime"),
                "SequenceNumber": data.get("SequenceNumber"),
                "SizeBytes": 1,
                "Keys": dict(tombstone_keys),
            }
            replaced += 1
    return replaced
