"""Voice and the other channels, through the real skill: voice orders reach the profile product by product, store
purchases bias the resolver and count toward "my usual", the Alexa user id is kept as an alias (linked once), and
two devices filling one cart at once lose nothing."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from conftest import sign_up
from talking import Conversation

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory
from backend.identity.store import IdentityKind
from backend.profile.events import Channel, Event, EventLine, Outcome, normalise_label
from backend.profile.summary import summary_from_item
from backend.resolver import Resolver
from backend.services import Backend, build_backend
from backend.settings import Settings
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

NEWCOMER = "70001"  # no order history at all: every bias comes from what the test records
RYE_BREAD, BREAD = "36572", "20479"


def talk_as(backend: Backend, customer_id: str, history: CustomerHistory | None = None, **ids: Any) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, customer_id, history), **ids)


def store_purchase(backend: Backend, customer_id: str, product_id: str, *, days_ago: int, number: int) -> None:
    """A till receipt from a store, as the store system posts it (a backdated "purchased" event with lines)."""
    product = backend.catalog.get(product_id)
    line = EventLine(
        product_id,
        1,
        product.name,
        normalise_label(product.aisle),
        normalise_label(product.department, field="department"),
    )
    event = Event(
        event_id=f"till-{customer_id}-{number}",
        customer_id=customer_id,
        channel=Channel.STORE,
        type="store_purchase",
        occurred_at=datetime.now(UTC) - timedelta(days=days_ago),  # whole days: the same answer at any hour
        outcome=Outcome.PURCHASED,
        lines=(line,),
    )
    assert backend.profiles.record_event(event).written


def cart_of(backend: Backend, customer_id: str) -> dict[str, int]:
    return {line.product_id: line.quantity for line in backend.shopping.cart(customer_id).lines}


# -- gap: voice orders reach the profile per product --------------------------------------------------------------
def test_a_voice_order_of_several_products_reaches_the_profile_product_by_product(backend: Backend) -> None:
    talk = talk_as(backend, NEWCOMER)
    for words in ("rye bread", "hummus", "salsa"):
        talk.intent("AddToCartIntent", product=words)
    assert cart_of(backend, NEWCOMER) == {RYE_BREAD: 1, "9422": 1, "15640": 1}
    talk.intent("CheckoutIntent")
    assert "is placed" in talk.intent("AMAZON.YesIntent")

    order = backend.shopping.orders(NEWCOMER)[0]
    assert len(order.lines) == 3
    summary = summary_from_item(backend.profiles.summary_item(NEWCOMER) or {}, NEWCOMER)
    bought = {product.product_id: product.purchases for product in summary.products}
    assert bought == dict.fromkeys(order.product_ids, 1)
    [ordered] = [event for event in backend.profiles.events(NEWCOMER).events if event.outcome == Outcome.ORDERED]
    assert ordered.order_id == order.order_id and [line.product_id for line in ordered.lines] == list(order.product_ids)
    # The favourites now hold the ordered products, and the bias counts each of them once.
    state = backend.shopping.state(NEWCOMER)
    stats = backend.shopping.purchases(state)
    assert {pid: s.count for pid, s in stats.items()} == dict.fromkeys(order.product_ids, 1)

    # ... so "bread" now brings up the bread this customer ordered, first. One order is no habit, and "bread" is
    # another product's whole name, so they are asked between the two rather than told "the one you usually buy".
    talk.new_session()
    speech = talk.intent("AddToCartIntent", product="bread")
    assert "Rye Bread or Bread." in speech and "the one you usually buy" not in speech
    assert cart_of(backend, NEWCOMER) == {}


# -- gap: purchases from every channel ---------------------------------------------------------------------------------
def test_store_purchases_make_the_resolver_prefer_that_product(backend: Backend) -> None:
    talk = talk_as(backend, NEWCOMER)
    talk.intent("AddToCartIntent", product="bread")
    assert cart_of(backend, NEWCOMER) == {BREAD: 1}  # no history: the product called just "Bread"
    talk.intent("RemoveFromCartIntent", product="bread")

    store_purchase(backend, NEWCOMER, RYE_BREAD, days_ago=3, number=1)
    store_purchase(backend, NEWCOMER, RYE_BREAD, days_ago=10, number=2)
    speech = talk.intent("AddToCartIntent", product="bread")

    assert "1 Rye Bread" in speech and "the one you usually buy" in speech
    assert cart_of(backend, NEWCOMER) == {RYE_BREAD: 1}


def test_imported_orders_and_profile_purchases_are_each_counted_once(
    backend: Backend, histories: dict[str, CustomerHistory]
) -> None:
    customer = "2706"
    talk = talk_as(backend, customer, histories[customer])
    eggs = "23341"  # Large Grade AA Eggs: in 14 of this customer's imported orders
    imported = Counter(pid for order in histories[customer].orders for pid in set(order.product_ids))
    store_purchase(backend, customer, eggs, days_ago=1, number=1)

    state = backend.shopping.state(customer)
    stats = backend.shopping.purchases(state)

    assert stats[eggs].count == imported[eggs] + 1 and stats[eggs].days_since_last <= 1
    assert {pid: s.count for pid, s in stats.items() if pid != eggs} == {
        pid: n for pid, n in imported.items() if pid != eggs
    }
    assert "Large Grade AA Eggs" in talk.intent("AddToCartIntent", product="eggs")


def test_a_product_bought_regularly_in_store_counts_toward_my_usual(
    backend: Backend, histories: dict[str, CustomerHistory], catalog: Catalog
) -> None:
    customer = "2706"
    hummus = "9422"
    ordered = {pid for order in histories[customer].orders for pid in order.product_ids}
    assert RYE_BREAD not in ordered and hummus not in ordered
    talk = talk_as(backend, customer, histories[customer])
    before = talk.intent("ReorderUsualIntent")
    assert "Should I add 5 products" in before and RYE_BREAD not in [pid for pid, _ in talk.pending["items"]]
    talk.intent("AMAZON.NoIntent")

    for number, days_ago in enumerate((2, 9, 16, 23), start=1):  # every week at the store
        store_purchase(backend, customer, RYE_BREAD, days_ago=days_ago, number=number)
    store_purchase(backend, customer, hummus, days_ago=5, number=9)  # once is not "usual"
    after = talk.intent("ReorderUsualIntent")

    offered = [pid for pid, _ in talk.pending["items"]]
    assert RYE_BREAD in offered and hummus not in offered
    assert "Should I add 6 products" in after and "Ritz Cheese Cracker Sandwich Packs" in after


# -- gap: userId kept only as an alias, linked once -------------------------------------------------------------------
class CountingClient:
    """The real client, counting the calls made through it by operation."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("_") or name in {"exceptions", "meta", "can_paginate"}:
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attribute(*args, **kwargs)

        return counted

    def take(self) -> Counter[str]:
        calls, self.calls = self.calls, Counter()
        return calls


def test_the_alexa_user_id_is_linked_once_as_an_alias(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    client = CountingClient(dynamodb_client)
    backend = build_backend(settings, client=client, catalog=catalog, resolver=resolver)  # type: ignore[arg-type]
    talk = talk_as(backend, "3623", histories["3623"], user_id="amzn1.ask.account.ENABLEMENT1")
    client.take()

    talk.launch()  # a new session: the one batch read also asks for the alias, missing: linked
    first = client.take()
    # Two writes: the alias link, and the launch's own event (every turn is one event, see skill.handlers.turn_events)
    assert first["batch_get_item"] == 1 and first["transact_write_items"] == 2
    assert backend.identities.resolve(IdentityKind.ALEXA_USER, "amzn1.ask.account.ENABLEMENT1") == "3623"
    [alias] = [i for i in backend.identities.identities("3623") if i.kind == IdentityKind.ALEXA_USER]

    talk.intent("ReadCartIntent")  # the same session: nothing about the alias
    talk.new_session()
    talk.intent("ReadCartIntent")  # a new session: the alias is found in the turn's read, no write
    later = client.take()
    assert later["batch_get_item"] == 2 and later["transact_write_items"] == 2  # the two turns' events, no link
    assert [i for i in backend.identities.identities("3623") if i.kind == IdentityKind.ALEXA_USER] == [alias]

    talk.user_id = "amzn1.ask.account.ENABLEMENT2"  # the skill was disabled and enabled again
    talk.new_session()
    talk.launch()
    assert client.take()["transact_write_items"] == 2  # the new link and the launch's event
    assert backend.identities.resolve(IdentityKind.ALEXA_USER, "amzn1.ask.account.ENABLEMENT2") == "3623"


def test_the_alias_never_identifies_anyone(backend: Backend, histories: dict[str, CustomerHistory]) -> None:
    talk = talk_as(backend, "3623", histories["3623"], user_id="amzn1.ask.account.SHARED")
    talk.launch()
    stranger = Conversation(SkillRuntime(build_skill(backend)), None, user_id="amzn1.ask.account.SHARED")
    assert "link your account" in stranger.launch()


# -- two devices, one cart ---------------------------------------------------------------------------------------------
@pytest.fixture
def server_backend(
    serial_moto_endpoint: str, aws_credentials: None, settings: Settings, catalog: Catalog, resolver: Resolver
) -> Backend:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=serial_moto_endpoint)
    return build_backend(settings, client=client, catalog=catalog, resolver=resolver)


def test_two_devices_adding_at_once_both_end_up_in_the_cart(
    server_backend: Backend, histories: dict[str, CustomerHistory]
) -> None:
    token = sign_up(server_backend, "3623", histories["3623"])
    runtime = SkillRuntime(build_skill(server_backend))
    adds = 3
    errors: list[Exception] = []
    spoken: list[str] = []

    def device(device_id: str, words: str) -> None:
        talk = Conversation(runtime, token, device_id=device_id)
        try:
            for _ in range(adds):
                spoken.append(talk.intent("AddToCartIntent", product=words))
        except Exception as exc:  # noqa: BLE001 - surfaced in the main thread below
            errors.append(exc)

    threads = [
        threading.Thread(target=device, args=("amzn1.ask.device.KITCHEN", "string cheese")),
        threading.Thread(target=device, args=("amzn1.ask.device.LIVINGROOM", "almond milk")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(spoken) == 2 * adds and all("the one you usually buy" in speech for speech in spoken), spoken
    assert cart_of(server_backend, "3623") == {"22035": adds, "35951": adds}
    assert server_backend.shopping.cart("3623").version == 2 * adds
