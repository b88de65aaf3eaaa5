"""The order summary comes along with the turn's one batch read on the turns that read it (a history question, the
yes that places an order): no read of its own there, and no summary read at all on the other turns. The checkout
still folds the order into the newest summary when another write moved it after the turn's read."""

from __future__ import annotations

from collections import Counter
from typing import Any

from conftest import sign_up
from talking import Conversation

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory
from backend.resolver import Resolver
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.shopping.order_summary import summarize, summary_key, summary_to_item
from backend.store import keys
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"


class RecordingClient:
    """The real client, recording each call by operation and the sort keys each batch read asked for."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: Counter[str] = Counter()
        self.batch_sks: list[set[str]] = []
        self.got_sks: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("_") or name in {"exceptions", "meta", "can_paginate"}:
            return attribute

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            if name == "batch_get_item":
                for request in kwargs["RequestItems"].values():
                    self.batch_sks.append({key["sk"]["S"] for key in request["Keys"]})
            if name == "get_item":
                self.got_sks.append(kwargs["Key"]["sk"]["S"])
            return attribute(*args, **kwargs)

        return recorded

    def take(self) -> tuple[Counter[str], list[set[str]]]:
        taken = self.calls, self.batch_sks
        self.calls, self.batch_sks, self.got_sks = Counter(), [], []
        return taken


def _talk(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> tuple[Backend, RecordingClient, Conversation]:
    client = RecordingClient(dynamodb_client)
    backend = build_backend(settings, client=client, catalog=catalog, resolver=resolver)  # type: ignore[arg-type]
    talk = Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))
    talk.launch()  # the token is remembered from here on: each turn's first read is the batch read
    client.take()
    return backend, client, talk


def _comparable(item: dict[str, Any] | None) -> dict[str, Any]:
    assert item is not None
    return {k: v for k, v in item.items() if k not in ("rev", "updated_at")}


def test_a_history_question_reads_the_summary_in_the_turns_batch_read(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    backend, client, talk = _talk(dynamodb_client, settings, catalog, resolver, histories)
    newest = backend.shopping.orders(CUSTOMER)[0]
    client.take()

    said = talk.intent("LastOrderIntent")
    calls, batches = client.take()
    assert calls["batch_get_item"] == 1 and calls["get_item"] == 0 and calls["query"] == 0
    assert any(keys.ORDER_SUMMARY in sks for sks in batches)
    assert f"{newest.item_count} items" in said or f"{newest.item_count} item" in said

    talk.intent("OrderStatusIntent")
    calls, _ = client.take()
    assert calls["batch_get_item"] == 1 and calls["get_item"] == 0 and calls["query"] == 0


def test_turns_that_do_not_ask_about_history_leave_the_summary_out(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    _, client, talk = _talk(dynamodb_client, settings, catalog, resolver, histories)
    talk.intent("ReadCartIntent")
    talk.intent("AddToCartIntent", product="bananas")
    talk.intent("AMAZON.YesIntent")  # no question pending: "anything else?", no order
    talk.intent("AMAZON.NoIntent")
    gets = list(client.got_sks)
    calls, batches = client.take()
    assert calls["batch_get_item"] >= 4 and calls["transact_write_items"] >= 1  # the add was written
    assert not any(keys.ORDER_SUMMARY in sks for sks in batches) and keys.ORDER_SUMMARY not in gets


def test_the_yes_that_places_the_order_folds_it_into_the_summary_the_turn_read(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    backend, client, talk = _talk(dynamodb_client, settings, catalog, resolver, histories)
    before = len(backend.shopping.orders(CUSTOMER))
    rev = int(backend.table.get(summary_key(CUSTOMER))["rev"])  # type: ignore[index]
    added = talk.intent("AddToCartIntent", product="string cheese", quantity="3")
    quoted = talk.intent("CheckoutIntent")
    assert talk.pending.get("kind") == "checkout", (added, quoted)
    client.take()

    talk.intent("AMAZON.YesIntent")
    calls, batches = client.take()
    assert calls["get_item"] == 0 and calls["batch_get_item"] == 1
    assert keys.ORDER_SUMMARY in batches[0]
    orders = backend.shopping.orders(CUSTOMER)
    assert len(orders) == before + 1
    stored = backend.table.get(summary_key(CUSTOMER))
    assert stored is not None and int(stored["rev"]) == rev + 1
    assert _comparable(stored) == _comparable(summary_to_item(CUSTOMER, summarize(orders), rev=0, updated_at=""))


def test_a_summary_moved_after_the_turns_read_still_counts_the_order_once(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    """The state (with the summary) was read, then another write moved the summary (a merge's rebuild): the order
    is placed once, and the summary is the one the orders say, not the stale one with the order folded in."""
    backend, _, _ = _talk(dynamodb_client, settings, catalog, resolver, histories)
    shopping = backend.shopping
    cart = shopping.add_items(CUSTOMER, [("24852", 2)], request_id="add").cart
    state = shopping.state(CUSTOMER, summary=True)
    assert state.order_summary is not None and state.order_summary.rev is not None
    read_rev = state.order_summary.rev
    shopping.rebuild_order_summary(CUSTOMER)  # one revision on, after the turn's read
    placed = shopping.place_order(CUSTOMER, request_id="buy", expected_version=cart.version, state=state)
    assert not placed.repeated
    orders = shopping.orders(CUSTOMER)
    assert sum(order.order_id == placed.order.order_id for order in orders) == 1
    stored = backend.table.get(summary_key(CUSTOMER))
    assert stored is not None and int(stored["rev"]) == read_rev + 2
    assert _comparable(stored) == _comparable(summary_to_item(CUSTOMER, summarize(orders), rev=0, updated_at=""))


def test_reordering_a_product_reads_its_history_in_the_turns_batch_read(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    backend, client, talk = _talk(dynamodb_client, settings, catalog, resolver, histories)
    newest = backend.shopping.orders(CUSTOMER)[0]
    bought = backend.shopping.product_histories(CUSTOMER, [line.product_id for line in newest.lines])
    product_id = max(bought, key=lambda pid: bought[pid].times)  # the one they buy most: their own version
    client.take()

    talk.intent("ReorderProductIntent", product=catalog.get(product_id).name.lower())
    gets = list(client.got_sks)
    _, batches = client.take()
    assert product_id in {line.product_id for line in backend.shopping.cart(CUSTOMER).lines}
    assert keys.ORDER_SUMMARY in batches[0] and keys.ORDER_SUMMARY not in gets


def test_the_yes_that_cancels_an_order_rebuilds_the_summary_over_the_revision_the_turn_read(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    backend, client, talk = _talk(dynamodb_client, settings, catalog, resolver, histories)
    talk.intent("AddToCartIntent", product="string cheese", quantity="3")
    talk.intent("CheckoutIntent")
    talk.intent("AMAZON.YesIntent")
    asked = talk.intent("CancelOrderIntent")
    assert talk.pending.get("kind") == "cancel_order", asked
    rev = int(backend.table.get(summary_key(CUSTOMER))["rev"])  # type: ignore[index]
    client.take()

    done = talk.intent("AMAZON.YesIntent")
    gets = list(client.got_sks)
    _, batches = client.take()
    assert "cancelled your order" in done
    assert keys.ORDER_SUMMARY in batches[0] and keys.ORDER_SUMMARY not in gets
    orders = backend.shopping.orders(CUSTOMER)
    assert orders[0].status == "cancelled"
    stored = backend.table.get(summary_key(CUSTOMER))
    assert stored is not None and int(stored["rev"]) == rev + 1
    assert _comparable(stored) == _comparable(summary_to_item(CUSTOMER, summarize(orders), rev=0, updated_at=""))


def test_a_cancellation_over_a_summary_moved_after_the_turns_read_rebuilds_over_the_newer_one(
    dynamodb_client: Any,
    settings: Settings,
    catalog: Catalog,
    resolver: Resolver,
    histories: dict[str, CustomerHistory],
) -> None:
    backend, _, _ = _talk(dynamodb_client, settings, catalog, resolver, histories)
    shopping = backend.shopping
    shopping.add_items(CUSTOMER, [("24852", 2)], request_id="add")
    placed = shopping.place_order(CUSTOMER, request_id="buy").order
    state = shopping.state(CUSTOMER, summary=True)
    assert state.order_summary is not None and state.order_summary.rev is not None
    read_rev = state.order_summary.rev
    shopping.rebuild_order_summary(CUSTOMER)  # one revision on, after the turn's read
    check = shopping.cancellations.cancel(CUSTOMER, placed.order_id, request_id="cancel", summary=state.order_summary)
    assert check is not None and check.order.status == "cancelled"
    orders = shopping.orders(CUSTOMER)
    stored = backend.table.get(summary_key(CUSTOMER))
    assert stored is not None and int(stored["rev"]) == read_rev + 2
    assert _comparable(stored) == _comparable(summary_to_item(CUSTOMER, summarize(orders), rev=0, updated_at=""))
