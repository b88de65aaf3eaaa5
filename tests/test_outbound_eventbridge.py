"""Outbound events on an EventBridge bus (moto): each event once, routed by a rule like any AWS event."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from backend.catalog import Catalog
from backend.outbound.errors import DeliveryFailed
from backend.outbound.eventbridge import EventBridgePublisher
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.runtime import build_outbound
from backend.outbound.translate import OutboundEvent
from backend.settings import Settings
from backend.store.dynamo import Table
from tests.support.outbound import FakeClock, all_records, shopping_on, stream_reader

MILK = "27845"
BUS = "voicecart-test-bus"


@pytest.fixture
def routed(mocked_aws: None) -> Any:
    """A bus with a rule sending every voicecart order event to an SQS queue."""
    events = boto3.client("events", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    events.create_event_bus(Name=BUS)
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="orders",
        EventBusName=BUS,
        EventPattern=json.dumps({"source": ["voicecart"], "detail-type": ["order.placed"]}),
    )
    events.put_targets(Rule="orders", EventBusName=BUS, Targets=[{"Id": "queue", "Arn": queue_arn}])
    return events, sqs, queue_url


def received(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_an_order_reaches_the_bus_once_and_the_rule_routes_it(
    routed: Any, table: Table, catalog: Catalog, settings: Settings
) -> None:
    events, sqs, queue_url = routed
    clock = FakeClock()
    outbound_settings = Settings.load(env={}, email_sender="none", eventbridge_bus=BUS, aws_region="us-east-1")
    outbound = build_outbound(outbound_settings, table=table, events_client=events, clock=clock)
    shopping = shopping_on(table, settings, catalog, clock)
    shopping.add_items("1285", [(MILK, 2)], request_id="a")
    order = shopping.place_order("1285", request_id="b").order
    records = all_records(stream_reader(table, clock))

    outbound.consumer.handle(records)
    outbound.consumer.handle(records)  # seen twice, published once

    (delivered,) = received(sqs, queue_url)  # only order.placed matches the rule
    assert delivered["source"] == "voicecart" and delivered["detail-type"] == "order.placed"
    assert delivered["detail"]["id"] == f"order:{order.order_id}" and delivered["detail"]["customer_id"] == "1285"


def test_a_refused_event_fails_its_record_and_can_be_published_later(mocked_aws: None, table: Table) -> None:
    clock = FakeClock()
    events = boto3.client("events", region_name="us-east-1")
    publisher = EventBridgePublisher(events, bus_name="no-such-bus", ledger=DeliveryLedger(table, clock=clock))
    event = OutboundEvent("order:1", "order.placed", "1285", "2026-11-20T15:30:00Z", {"order_id": "1"})
    with pytest.raises(DeliveryFailed):
        publisher.dispatch(event)
    events.create_event_bus(Name="no-such-bus")
    assert publisher.dispatch(event) == 1
    assert publisher.dispatch(event) == 0
