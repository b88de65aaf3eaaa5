"""Helpers for the outbound tests: a fixed, movable clock and every record of a table's stream so far."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from backend.outbound.checkpoints import CheckpointStore
from backend.outbound.streams import STREAMS_CONFIG, StreamReader, stream_arn_of
from backend.store.dynamo import Table

START = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def stream_reader(table: Table, clock: FakeClock, *, region: str = "us-east-1") -> StreamReader:
    arn, label = stream_arn_of(table.client, table.name)
    streams = boto3.client("dynamodbstreams", region_name=region, config=STREAMS_CONFIG)
    return StreamReader(streams, arn, CheckpointStore(table, label, clock=clock), limit=1000)


def all_records(reader: StreamReader) -> list[dict[str, Any]]:
    """Every record not read yet, in order (reads until a poll returns nothing)."""
    records: list[dict[str, Any]] = []
    while True:
        batches = reader.read()
        if not batches:
            return records
        for batch in batches:
            records.extend(batch.records)
