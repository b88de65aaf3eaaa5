"""Cancelling the latest order: the cut-off rule, the cancellation as one transaction (status, profile event, e-mail,
request marker), what the API shows afterwards, and the voice flow whose yes lives exactly one turn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from conftest import sign_up
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from talking import Conversation

from backend.catalog import Catalog
from backend.profile import Channel, EventOrigin, Outcome
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.shopping import CancelState, Order
from backend.shopping.cancellation import cancel_deadline
from backend.shopping.orders import recent_orders
from backend.shopping.service import order_id_for
from backend.store import keys
from skill.app import create_app
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill
from tests.support.clock import FakeClock as Clock
from tests.support.properties import examples

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.resolver import Resolver

PLACED_AT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # a Friday: delivered Sunday, cancellable until Saturday 8 pm
MILK = "27845"
CUSTOMER = "4321"


@pytest.fixture
def clock() -> Clock:
    return Clock(PLACED_AT)


@pytest.fixture
def world(
    settings: Settings,
    dynamodb_client: DynamoDBClient,
    catalog: Catalog,
    shared_resolver: Callable[[], Resolver],
    clock: Clock,
) -> Backend:
    return build_backend(settings, client=dynamodb_client, catalog=catalog, resolver=shared_resolver, clock=clock)


def place(backend: Backend, customer_id: str = CUSTOMER, request_id: str = "place-1") -> Order:
    backend.shopping.add_items(customer_id, [(MILK, 2)], request_id=None)
    return backend.shopping.place_order(customer_id, request_id=request_id).order


def outbox(backend: Backend, customer_id: str = CUSTOMER) -> list[dict[str, object]]:
    items = backend.table.query_all("pk = :pk", values={":pk": keys.customer_pk(customer_id)}, consistent=True)
    return [item for item in items if item.get("kind") == "outbox"]


def test_an_order_can_be_cancelled_until_8_pm_the_day_before_its_delivery(world: Backend, clock: Clock) -> None:
    order = place(world)
    cancellations = world.shopping.cancellations
    assert cancel_deadline(order) == datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    moments = {
        PLACED_AT: CancelState.CANCELLABLE,
        datetime(2026, 11, 21, 19, 59, 59, tzinfo=UTC): CancelState.CANCELLABLE,
        datetime(2026, 11, 21, 20, 0, tzinfo=UTC): CancelState.TOO_LATE,
        datetime(2026, 11, 22, 9, 0, tzinfo=UTC): CancelState.DELIVERED,
    }
    for moment, state in moments.items():
        clock.now = moment
        check = cancellations.latest(CUSTOMER)
        assert check is not None and check.state is state, moment


def test_cancelling_writes_the_status_the_event_and_the_email_once(world: Backend, settings: Settings) -> None:
    order = place(world)
    turn = world.shopping.cancellations
    origin = _origin(world, "cancel-1")
    done = turn.cancel(CUSTOMER, order.order_id, request_id="cancel-1", origin=origin)
    assert done is not None and done.state is CancelState.CANCELLED
    again = turn.cancel(CUSTOMER, order.order_id, request_id="cancel-1", origin=origin)  # Alexa's retry
    other = turn.cancel(CUSTOMER, order.order_id, request_id="cancel-2", origin=_origin(world, "cancel-2"))
    assert again is not None and again.state is CancelState.CANCELLED
    assert other is not None and other.state is CancelState.CANCELLED
    stored = world.shopping.order(CUSTOMER, order.order_id)
    assert stored is not None and stored.status == "cancelled"
    cancelled = [e for e in world.profiles.events(CUSTOMER).events if e.outcome == Outcome.CANCELLED]
    assert len(cancelled) == 1 and cancelled[0].order_id == order.order_id
    assert {line.product_id for line in cancelled[0].lines} == {MILK}
    mails = [item for item in outbox(world) if item.get("template") == "order_cancelled"]
    assert len(mails) == 1 and "won't be charged" in str(mails[0]["body"])
    # the web shop sees it through the API
    key = world.clients.create(name="web shop", channel="web").key
    http = create_app(settings, backend=world).test_client()
    listed = http.get(f"/api/v1/customers/{CUSTOMER}/orders", headers={"Authorization": f"Bearer {key}"})
    assert listed.status_code == 200
    assert [o["status"] for o in listed.get_json()["orders"] if o["order_id"] == order.order_id] == ["cancelled"]


def test_the_latest_of_two_orders_placed_in_one_second_is_the_newer(world: Backend, clock: Clock) -> None:
    first = place(world, request_id="place-2")
    clock.advance(milliseconds=300)
    newer = place(world, request_id="place-4")
    # The newer order's hash suffix sorts first: ids of seconds only put the older order "latest".
    assert newer.order_id.rsplit("-", 1)[1] < first.order_id.rsplit("-", 1)[1]
    check = world.shopping.cancellations.latest(CUSTOMER)
    assert check is not None and check.order.order_id == newer.order_id
    assert [order.order_id for order in recent_orders(world.table, CUSTOMER, limit=2)] == [
        newer.order_id,
        first.order_id,
    ]
    assert [order.order_id for order in world.shopping.recent_orders(CUSTOMER, limit=2)] == [
        newer.order_id,
        first.order_id,
    ]


_MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))
_REQUEST_IDS = st.none() | st.text(min_size=1, max_size=40)


@given(_MOMENTS, _REQUEST_IDS, st.integers(min_value=1, max_value=10**9), _REQUEST_IDS)
@hypothesis_settings(max_examples=examples(200), deadline=None)
def test_order_ids_sort_by_placing_time_to_the_microsecond(
    earlier: datetime, earlier_request: str | None, gap_microseconds: int, later_request: str | None
) -> None:
    later = earlier + timedelta(microseconds=gap_microseconds)
    assert order_id_for(earlier, earlier_request) < order_id_for(later, later_request)
    # An id of seconds only (an older order, imported history) sorts before every id of its own second and in
    # place against every other second.
    legacy = f"{earlier:%Y%m%d%H%M%S}-{'f' * 10}"
    assert legacy < order_id_for(earlier.replace(microsecond=0), later_request)
    if later.replace(microsecond=0) > earlier.replace(microsecond=0):
        assert order_id_for(earlier, earlier_request) < f"{later:%Y%m%d%H%M%S}-{'0' * 10}"


def test_past_the_cut_off_nothing_is_written(world: Backend, clock: Clock) -> None:
    order = place(world)
    before = len(outbox(world))
    clock.now = cancel_deadline(order) + timedelta(minutes=1)
    check = world.shopping.cancellations.cancel(CUSTOMER, order.order_id, request_id="late", origin=_origin(world))
    assert check is not None and check.state is CancelState.TOO_LATE
    stored = world.shopping.order(CUSTOMER, order.order_id)
    assert stored is not None and stored.status == "placed" and len(outbox(world)) == before
    assert world.shopping.cancellations.cancel(CUSTOMER, "20261120000000-nope", request_id="x") is None


def test_by_voice_only_a_yes_right_after_the_question_cancels(world: Backend) -> None:
    token = sign_up(world, CUSTOMER)
    place(world)
    talk = Conversation(SkillRuntime(build_skill(world)), token)
    asked = talk.intent("CancelOrderIntent")
    assert "until 8 pm tomorrow" in asked and asked.endswith("Should I cancel it?")
    assert talk.pending["kind"] == "cancel_order"
    # another request drops the question (a reply not understood would ask it again)
    assert talk.intent("ReadCartIntent").startswith("I didn't cancel your order.")
    assert "what would you like?" in talk.intent("AMAZON.YesIntent").lower()
    assert world.shopping.recent_orders(CUSTOMER, limit=1)[0].status == "placed"
    talk.intent("CancelOrderIntent")
    assert "Okay, I didn't cancel it" in talk.intent("AMAZON.NoIntent")
    talk.intent("CancelOrderIntent")
    done = talk.intent("AMAZON.YesIntent")
    assert "I cancelled your order of 2 items" in done and "won't be charged" in done
    assert talk.last["response"]["card"]["title"] == "Order cancelled"
    assert world.shopping.recent_orders(CUSTOMER, limit=1)[0].status == "cancelled"
    assert "already cancelled" in talk.intent("CancelOrderIntent")
    assert "was cancelled" in talk.intent("OrderStatusIntent")


def test_by_voice_no_orders_and_too_late_are_said_plainly(world: Backend, clock: Clock) -> None:
    token = sign_up(world, CUSTOMER)
    talk = Conversation(SkillRuntime(build_skill(world)), token)
    assert "don't have any orders to cancel" in talk.intent("CancelOrderIntent")
    order = place(world)
    clock.now = cancel_deadline(order) + timedelta(hours=1)
    late = talk.intent("CancelOrderIntent")
    assert "can no longer be cancelled" in late and "customer support" in late and late.endswith("?")
    assert talk.pending == {}


def _origin(backend: Backend, request_id: str = "r") -> EventOrigin:
    return EventOrigin(
        event_id=f"voice-{request_id}",
        customer_id=CUSTOMER,
        channel=Channel.VOICE,
        type="voice_turn",
        occurred_at=backend.clock(),
    )
