"""The worker beside the embedded store: moto's server on loopback, its DynamoDB stream read with shard iterators,
checkpoints that survive a restart, and a clean stop. Also the Lambda handlers on recorded stream events."""

from __future__ import annotations

import email
import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from backend.catalog import Catalog
from backend.identity.store import IdentityKind, IdentityStore
from backend.outbound import lambda_entry
from backend.outbound.checkpoints import CheckpointStore
from backend.outbound.consumer import StreamConsumer
from backend.outbound.reminders import SCHEDULE_POINTER_KIND
from backend.outbound.runtime import build_outbound, start_outbound_worker
from backend.outbound.streams import StreamReader, make_streams_client, stream_arn_of
from backend.outbound.worker import OutboundWorker
from backend.resolver import Resolver
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.dynamo import Table
from backend.store.embedded import EmbeddedDynamoDB
from tests.support.outbound import FakeClock, all_records, shopping_on, stream_reader

MILK = "27845"


@pytest.fixture
def local(
    embedded: EmbeddedDynamoDB, aws_credentials: None, tmp_path: Path, catalog: Catalog, resolver: Resolver,
    request: pytest.FixtureRequest,
) -> Backend:  # fmt: skip
    settings = Settings.load(
        env={},
        dynamodb_endpoint=embedded.endpoint,
        aws_region="us-east-1",
        table_name=f"worker-{request.node.name[:30]}",
        load_demo_data=False,
        email_folder=tmp_path / "mail",
    )
    return build_backend(settings, catalog=catalog, resolver=resolver)


def wait_for(condition: Any, timeout: float = 20.0) -> None:
    """Poll ``condition`` until it holds (the worker runs in its own thread)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not get there")
        time.sleep(0.05)


def kind_of(record: dict[str, Any]) -> str:
    image = record["dynamodb"].get("NewImage") or record["dynamodb"].get("OldImage") or {}
    return str(image.get("kind", {}).get("S", ""))


def mail_in(backend: Backend) -> list[Path]:
    return sorted(backend.settings.email_folder.glob("*.eml"))


def test_a_checkout_beside_the_embedded_store_is_mailed_once_across_a_restart(local: Backend) -> None:
    worker = start_outbound_worker(local.settings, table=local.table, catalog=local.catalog, poll_seconds=0.05)
    try:
        local.shopping.add_items("1285", [(MILK, 2)], request_id="add")
        order = local.shopping.place_order("1285", request_id="buy").order
        wait_for(lambda: len(mail_in(local)) == 1)
    finally:
        worker.stop()
    assert not worker.running
    (first,) = mail_in(local)
    assert first.name == f"{order.order_id}.eml"
    assert "2 x Organic Whole Milk" in email.message_from_bytes(first.read_bytes()).get_payload(decode=True).decode()
    # A reader resuming from the checkpoints finds only the worker's own bookkeeping after them, not the order.
    arn, label = stream_arn_of(local.table.client, local.table.name)
    resumed = StreamReader(
        make_streams_client(local.settings), arn, CheckpointStore(local.table, label, clock=FakeClock())
    )
    tail = {(kind_of(record), record["eventName"]) for batch in resumed.read() for record in batch.records}
    # (A reminder's schedule entry is written with its pointer, which lets an erase find it.)
    bookkeeping = {"stream_checkpoint", "delivery", "reminder_sweep", "cart_reminder_due", SCHEDULE_POINTER_KIND}
    assert tail and {kind for kind, _ in tail} <= bookkeeping | {"outbox"}
    assert ("outbox", "INSERT") not in tail  # only its change to "sent"

    restarted = start_outbound_worker(local.settings, table=local.table, catalog=local.catalog, poll_seconds=0.05)
    try:
        local.shopping.add_items("1285", [(MILK, 1)], request_id="add-2")
        second = local.shopping.place_order("1285", request_id="buy-2").order
        wait_for(lambda: len(mail_in(local)) == 2)
    finally:
        restarted.stop()
    assert {path.name for path in mail_in(local)} == {f"{order.order_id}.eml", f"{second.order_id}.eml"}


def test_the_worker_waits_when_the_stream_is_quiet(local: Backend) -> None:
    worker = start_outbound_worker(local.settings, table=local.table, poll_seconds=0.2)
    try:
        # Settle: the setup's records, the first sweep's state write, then the checkpoint writes they cause.
        wait_for(lambda: worker.polls >= 10)
        polls, seen = worker.polls, worker.records_seen
        time.sleep(1.0)
        assert worker.records_seen == seen
        assert worker.polls - polls <= 7  # about one poll per 0.2 s: waiting, not spinning
    finally:
        worker.stop()


def test_stop_wakes_a_waiting_worker(local: Backend) -> None:
    worker = start_outbound_worker(local.settings, table=local.table, poll_seconds=600)
    wait_for(lambda: worker.polls >= 1)
    worker.stop(timeout=10)  # far less than the poll wait: only waking it ends the thread in time
    assert not worker.running


def test_a_failing_record_is_retried_then_skipped_without_blocking_the_stream(
    table: Table, tmp_path: Path, catalog: Catalog
) -> None:
    clock = FakeClock()
    settings = Settings.load(env={}, email_sender="ses", email_from="orders@shop.example", aws_region="us-east-1")
    ses = boto3.client("sesv2", region_name="us-east-1")  # sender not verified: every send is refused
    outbound = build_outbound(settings, table=table, ses_client=ses, clock=clock)
    IdentityStore(table, clock=clock).link("7", IdentityKind.EMAIL, "seven@example.com")
    shopping = shopping_on(table, settings, catalog, clock)
    shopping.add_items("7", [(MILK, 1)], request_id="a")
    shopping.place_order("7", request_id="b")
    reader = stream_reader(table, clock)
    worker = OutboundWorker(outbound.consumer, reader, max_record_failures=3)
    for _ in range(3):
        worker.poll_once()
    shopping.add_items("7", [(MILK, 3)], request_id="c")  # later records still flow
    for _ in range(3):
        worker.poll_once()
    assert all_records(reader) == []  # everything was read and checkpointed past the failing record
    (outbox,) = table.query_all("pk = :pk AND begins_with(sk, :o)", values={":pk": "CUST#7", ":o": "OUTBOX#"})
    assert outbox["state"] == "pending"


def test_the_lambda_stream_handler_answers_with_partial_batch_failures(
    table: Table, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clock = FakeClock()
    shopping_on(table, Settings.load(env={}), catalog, clock).add_items("8", [(MILK, 1)], request_id="a")
    shopping_on(table, Settings.load(env={}), catalog, clock).place_order("8", request_id="b")
    records = all_records(stream_reader(table, clock))
    # As Lambda delivers them: epoch seconds for the time, and the source ARN on each record.
    event = {"Records": [{**json.loads(json.dumps(r, default=lambda v: v.timestamp())), "eventSourceARN": "arn"}
                         for r in records]}  # fmt: skip
    table_base = table.name
    monkeypatch.setenv("VOICECART_TABLE", table_base)
    monkeypatch.setenv("VOICECART_EMAIL_FOLDER", str(tmp_path))
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("VOICECART_STORE", "aws")  # as the deployed functions are configured (moto answers here)
    lambda_entry._outbound.cache_clear()
    try:
        assert lambda_entry.stream_handler(event, None) == {"batchItemFailures": []}
        assert len(list(tmp_path.glob("*.eml"))) == 1
        assert lambda_entry.stream_handler(event, None) == {"batchItemFailures": []}
        assert len(list(tmp_path.glob("*.eml"))) == 1
        answer = lambda_entry.reminder_handler({}, None)
        assert answer["reminded"] == 0 and answer["buckets"] > 0
    finally:
        lambda_entry._outbound.cache_clear()


def test_a_busy_worker_leaves_the_store_free_half_the_time(table: Table) -> None:
    clock = FakeClock()
    worker = OutboundWorker(StreamConsumer(email=None), stream_reader(table, clock), poll_seconds=1.0)
    assert worker._pause(0, took=0.01) == 1.0  # quiet: the poll interval
    assert worker._pause(25, took=0.3) == pytest.approx(0.3)  # busy: as long again as the poll took
    assert worker._pause(25, took=5.0) == 1.0  # but never longer than a quiet wait
