"""Helpers for the outbound tests: a fixed, movable clock and every record of a table's stream so far."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import boto3

from backend.catalog import Catalog
from backend.outbound.checkpoints import CheckpointStore
from backend.outbound.streams import STREAMS_CONFIG, StreamReader, stream_arn_of
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.shopping import Shopping
from backend.store.dynamo import Table
from tests.support import clock

START = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


class FakeClock(clock.FakeClock):
    def __init__(self, start: datetime = START) -> None:
        super().__init__(start)


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


def backend_on(table: Table, settings: Settings, catalog: Catalog, clock: FakeClock) -> Backend:
    """The whole backend over the test's table (whatever table ``settings`` name), on the fake clock."""
    on_table = dataclasses.replace(settings, table_name=table.name)
    return build_backend(on_table, client=table.client, clock=clock, catalog=catalog, create_tables=False)


def shopping_on(table: Table, settings: Settings, catalog: Catalog, clock: FakeClock) -> Shopping:
    return backend_on(table, settings, catalog, clock).shopping
