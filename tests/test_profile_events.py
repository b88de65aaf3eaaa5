"""The event model: validation of events from every channel, timestamps whose text order is time order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.errors import ValidationError
from backend.profile.events import Channel, Event, Outcome, event_from_json, format_timestamp, parse_timestamp

FIXTURES = Path(__file__).parent / "fixtures" / "api"
NOW = datetime(2026, 11, 22, 10, 5, tzinfo=UTC)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("name", ["voice_event.json", "store_purchase_event.json", "web_view_event.json",
                                  "email_click_event.json"])  # fmt: skip
def test_fixture_events_validate_and_round_trip(name: str) -> None:
    data = load(name)
    event = event_from_json(data, customer_id="1285", now=NOW)
    again = event_from_json(event.to_json(), customer_id="1285", now=NOW)
    assert again == event
    assert event.channel == Channel(data["channel"])


def test_voice_event_keeps_every_part() -> None:
    event = event_from_json(load("voice_event.json"), customer_id="1285", now=NOW)
    assert event.outcome is Outcome.ADDED
    assert event.heard == "organic hell milk"
    assert event.confidence == Decimal("0.91")
    assert event.intent == "AddToCartIntent"
    assert event.aisle == "milk" and event.department == "dairy eggs"


def test_offsets_are_converted_to_utc() -> None:
    event = event_from_json(load("email_click_event.json"), customer_id="1285", now=NOW)
    assert event.timestamp == "2026-11-22T07:00:00.000Z"


@pytest.mark.parametrize("case", sorted(json.loads((FIXTURES / "bad_events.json").read_text())))
def test_bad_events_are_refused_with_a_field(case: str) -> None:
    data = json.loads((FIXTURES / "bad_events.json").read_text())[case]
    with pytest.raises(ValidationError) as info:
        event_from_json(data, customer_id="1285", now=NOW)
    assert info.value.field


def test_labels_are_normalised() -> None:
    data = {**load("web_view_event.json"), "aisle": "  Fresh   FRUITS "}
    assert event_from_json(data, customer_id="1285", now=NOW).aisle == "fresh fruits"


def test_event_refuses_naive_time_and_bad_quantity() -> None:
    with pytest.raises(ValidationError):
        Event("e1", "1285", Channel.WEB, "view", datetime(2026, 1, 1))
    with pytest.raises(ValidationError):
        Event("e1", "1285", Channel.WEB, "view", NOW, quantity=0)


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(moments, moments)
def test_timestamp_text_order_is_time_order(a: datetime, b: datetime) -> None:
    a, b = a.replace(microsecond=a.microsecond // 1000 * 1000), b.replace(microsecond=b.microsecond // 1000 * 1000)
    assert (format_timestamp(a) < format_timestamp(b)) == (a < b)
    assert parse_timestamp(format_timestamp(a)) == a


def test_future_within_clock_skew_is_accepted() -> None:
    data = {**load("web_view_event.json"), "occurred_at": format_timestamp(NOW + timedelta(minutes=4))}
    assert event_from_json(data, customer_id="1285", now=NOW).occurred_at > NOW
