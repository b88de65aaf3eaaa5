"""Assembling the outbound pieces from settings and injected clients, in one place, for the worker and the Lambda.

``start_outbound_worker`` is the hook ``voicecart serve`` calls once the store is reachable and before the demo
data is loaded; it returns the running worker, whose ``stop()`` ends it. Call it only where no Lambda consumes the
stream (the embedded store, DynamoDB Local).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import requests

from backend.catalog import Catalog
from backend.clock import utc_now
from backend.outbound.checkpoints import CheckpointStore
from backend.outbound.consumer import StreamConsumer
from backend.outbound.emailing import EmailDelivery
from backend.outbound.eventbridge import EventBridgePublisher, FanOut
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.mailers import make_mailer
from backend.outbound.reminders import ReminderScheduler, ReminderSweep
from backend.outbound.streams import StreamReader, make_streams_client, stream_arn_of
from backend.outbound.subscriptions import SubscriptionDirectory, SubscriptionStore
from backend.outbound.webhooks import WebhookDispatcher, WebhookSender
from backend.outbound.worker import OutboundWorker
from backend.profile.erasure import Tombstones
from backend.settings import Settings
from backend.store.dynamo import Table


@dataclass(frozen=True)
class Outbound:
    consumer: StreamConsumer
    sweep: ReminderSweep
    subscriptions: SubscriptionDirectory


def build_outbound(
    settings: Settings,
    *,
    table: Table,
    catalog: Catalog | None = None,
    ses_client: Any = None,
    events_client: Any = None,
    http: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
    subscription_refresh_seconds: float = 30.0,
) -> Outbound:
    ledger = DeliveryLedger(table, clock=clock)
    mailer = make_mailer(settings, ses_client=ses_client)
    email = EmailDelivery(table, mailer, sender=settings.email_from, ledger=ledger, clock=clock) if mailer else None
    store = SubscriptionStore(table, clock=clock, allow_loopback=settings.webhook_allow_loopback)
    directory = SubscriptionDirectory(store, refresh_seconds=subscription_refresh_seconds)
    webhooks = WebhookDispatcher(table, directory, WebhookSender(session=http, sleep=sleep), ledger=ledger, clock=clock)
    events: WebhookDispatcher | FanOut = webhooks
    if settings.eventbridge_bus:
        if events_client is None:
            session = boto3.session.Session()
            events_client = session.client("events", region_name=settings.aws_region or session.region_name)
        events = FanOut(webhooks, EventBridgePublisher(events_client, bus_name=settings.eventbridge_bus, ledger=ledger))
    idle = timedelta(minutes=settings.cart_reminder_after_minutes)
    return Outbound(
        consumer=StreamConsumer(
            email=email,
            events=events,
            carts=ReminderScheduler(table, idle=idle, clock=clock),
            on_subscriptions_changed=directory.invalidate,
            erased=Tombstones(table).is_erased,  # the tombstone rule: nothing of an erased customer goes out
        ),
        sweep=ReminderSweep(table, idle=idle, clock=clock, catalog=catalog, seller_name=settings.seller_name),
        subscriptions=directory,
    )


def start_outbound_worker(
    settings: Settings,
    *,
    table: Table,
    catalog: Catalog | None = None,
    streams_client: Any = None,
    ses_client: Any = None,
    clock: Callable[[], datetime] = utc_now,
    poll_seconds: float = 1.0,
) -> OutboundWorker:
    """Start the background worker over the table's stream (embedded store, DynamoDB Local, or AWS) and return it."""
    arn, label = stream_arn_of(table.client, table.name)
    reader = StreamReader(
        streams_client or make_streams_client(settings), arn, CheckpointStore(table, label, clock=clock)
    )
    # The worker sees subscription changes on the stream; the periodic re-read is only a safety net.
    outbound = build_outbound(
        settings, table=table, catalog=catalog, ses_client=ses_client, clock=clock, subscription_refresh_seconds=600
    )
    # Read the subscriptions while the table is small (call this before loading demo data): in moto every index
    # query scans the whole table, and from here on the stream says when they change.
    outbound.subscriptions.load()
    return OutboundWorker(outbound.consumer, reader, sweep=outbound.sweep, poll_seconds=poll_seconds).start()
