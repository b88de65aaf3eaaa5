"""The order summary: always what the orders say (a property test against the rules written out plainly over the
orders), kept in the transaction of every order change, rebuilt for customers without one, within DynamoDB's item
limit for the longest histories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import mean, median
from typing import Any

import pytest
from conftest import NOW, TODAY, FailingClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory, PastOrder
from backend.demo.history_import import import_histories, import_history, past_order
from backend.errors import StoreUnavailable
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.shopping import CancelState, Shopping, cancel_deadline
from backend.shopping import order_summary as summary_module
from backend.shopping.model import IMPORTED_SOURCE, Order, OrderLine
from backend.shopping.order_summary import (
    DATE_CAP,
    MAX_BYTES,
    ProductHistory,
    item_bytes,
    load_summary,
    summarize,
    summary_from_item,
    summary_key,
    summary_to_item,
)
from backend.shopping.usual import UsualItem, usual_basket, usual_from
from backend.store.dynamo import Table
from tests.support.properties import examples

MILK = "27845"
BANANA = "24852"


# -- the rules, written out over the orders (what the summary must always agree with) ----------------------------
def plain_product_history(orders: Sequence[Order], product_id: str) -> ProductHistory:
    bought = [o for o in orders if o.status != "cancelled"]
    dates = sorted(o.placed_on for o in bought if product_id in o.product_ids)
    quantities = [ln.quantity for o in bought for ln in o.lines if ln.product_id == product_id]
    kept = dates[-DATE_CAP:]
    return ProductHistory(
        product_id=product_id,
        times=len(dates),
        orders=len(bought),
        last_on=dates[-1] if dates else None,
        first_on=dates[0] if dates else None,
        typical_days_between=(kept[-1] - kept[0]).days / (len(kept) - 1) if len(kept) > 1 else None,
        typical_quantity=max(1, int(median(quantities))) if quantities else 1,
    )


def plain_usual(orders: Sequence[Order], window: int = 10) -> tuple[UsualItem, ...]:
    """usual.py's rule 1-5 over a list of orders, as it was written before the summary existed."""
    newest_first = sorted((o for o in orders if o.status != "cancelled"), key=lambda o: (o.placed_at, o.order_id))
    newest_first.reverse()
    recent = newest_first[:window]
    if not recent:
        return ()

    def counts(some: Sequence[Order]) -> dict[str, int]:
        found: dict[str, int] = {}
        for order in some:
            for pid in set(order.product_ids):
                found[pid] = found.get(pid, 0) + 1
        return found

    in_recent, in_all = counts(recent), counts(newest_first)
    seen: dict[str, list[int]] = {}
    for order in newest_first:
        for position, pid in enumerate(order.product_ids):
            seen.setdefault(pid, []).append(position)
    positions = {pid: mean(places) for pid, places in seen.items()}
    needed = max(2, 0.4 * len(recent))
    core = sorted((p for p, c in in_recent.items() if c >= needed), key=lambda p: (-in_recent[p], positions[p], p))
    if len(core) < 3:
        extra = sorted(
            (p for p, c in in_all.items() if c >= 2 and p not in core), key=lambda p: (-in_all[p], positions[p], p)
        )
        core.extend(extra[: 3 - len(core)])

    def quantity(pid: str) -> int:
        found = [ln.quantity for o in newest_first for ln in o.lines if ln.product_id == pid]
        return max(1, int(median(found))) if found else 1

    return tuple(UsualItem(p, quantity(p), min(1.0, in_recent.get(p, 0) / len(recent))) for p in core[:15])


# -- random histories ---------------------------------------------------------------------------------------------
PRODUCTS = [str(n) for n in range(1, 13)]


@st.composite
def histories(draw: st.DrawFn) -> list[Order]:
    count = draw(st.integers(0, 40))
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    orders = []
    for n in range(count):
        lines = draw(
            st.lists(st.tuples(st.sampled_from(PRODUCTS), st.integers(1, 6)), min_size=1, max_size=6)
        )  # a product may repeat within one order, as Instacart's lines never do but a merge could
        orders.append(
            Order(
                customer_id="c1",
                order_id=f"{n:04d}",
                placed_at=start + timedelta(days=draw(st.integers(0, 400)), hours=draw(st.integers(0, 3))),
                lines=tuple(OrderLine(pid, q, Decimal("1.50")) for pid, q in lines),
                subtotal=Decimal("1.50"),
                tax=Decimal("0.11"),
                delivery=Decimal("4.99"),
                total=Decimal("6.60"),
                status=draw(st.sampled_from(["delivered", "delivered", "placed", "cancelled"])),
                source=draw(st.sampled_from([IMPORTED_SOURCE, "voice"])),
                person_id=draw(st.sampled_from([None, None, "p1", "p2"])),
            )
        )
    return orders


def test_how_often_is_the_span_of_the_purchases_not_the_gap_inside_a_run() -> None:
    """Bought in runs (three orders two days apart, then a month without): the median gap is two days, which says
    "about every 2 days" of a product bought four times in about three months."""
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    days = [0, 2, 4, 34, 36, 38, 68, 70, 72, 102]
    orders = [
        Order(
            customer_id="c1",
            order_id=f"{n:04d}",
            placed_at=start + timedelta(days=day),
            lines=(OrderLine(MILK, 1, Decimal("1.50")),),
            subtotal=Decimal("1.50"),
            tax=Decimal("0.11"),
            delivery=Decimal("4.99"),
            total=Decimal("6.60"),
            status="delivered",
        )
        for n, day in enumerate(days)
    ]
    history = summarize(orders).product_history(MILK)
    assert history.times == len(days)
    assert history.typical_days_between is not None
    assert round(history.typical_days_between) == round(102 / 9)  # 11: not the median gap of 2


@hypothesis_settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_the_summary_answers_what_the_orders_say(orders: list[Order]) -> None:
    summary = summarize(orders)
    for pid in [*PRODUCTS, "never-bought"]:
        assert summary.product_history(pid) == plain_product_history(orders, pid)
    assert usual_basket(orders) == plain_usual(orders)
    for person in ("p1", "p2"):
        own = [o for o in orders if o.person_id == person and o.status != "cancelled"]
        if len(own) >= 3:
            assert usual_from(summary.digest_of(person).usual_inputs()) == plain_usual(own)
    newest = sorted(orders, key=lambda o: (o.placed_at, o.order_id), reverse=True)
    assert summary.recent_orders(10) == newest[:10]
    live: dict[str, int] = {}
    for order in orders:
        if order.source != IMPORTED_SOURCE:  # cancelled ones too: their "ordered" event reached the profile
            for pid in set(order.product_ids):
                live[pid] = live.get(pid, 0) + 1
    assert summary.household.live_counts() == live


@hypothesis_settings(max_examples=examples(100), deadline=None)
@given(histories())
def test_folding_orders_in_one_by_one_is_the_rebuild(orders: list[Order]) -> None:
    """What placing orders keeps (one fold per order) is what a rebuild from the orders writes, to the byte."""
    folded = summarize([])
    for order in sorted(orders, key=lambda o: (o.placed_at, o.order_id)):
        after = folded.with_order(order)
        assert after is not None
        folded = after
    rebuilt = summarize(orders)
    assert summary_to_item("c1", folded, rev=1, updated_at="t") == summary_to_item("c1", rebuilt, rev=1, updated_at="t")


@hypothesis_settings(max_examples=examples(60), deadline=None)
@given(histories())
def test_the_item_reads_back_as_the_same_summary(orders: list[Order]) -> None:
    item = summary_to_item("c1", summarize(orders), rev=3, updated_at="t")
    back = summary_from_item(item)
    assert back is not None and back.rev == 3
    assert summary_to_item("c1", back, rev=3, updated_at="t") == item
    assert back.recent_orders(10) == summarize(orders).recent_orders(10)


def test_an_order_older_than_the_summary_asks_for_a_rebuild() -> None:
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)
    newer, older = (
        Order("c1", oid, at, (OrderLine(MILK, 1, Decimal(1)),), Decimal(1), Decimal(0), Decimal(0), Decimal(1))
        for oid, at in (("b", start), ("a", start - timedelta(days=1)))
    )
    summary = summarize([newer])
    assert summary.with_order(older) is None
    assert summary.with_order(newer) is None  # folded already


# -- size ---------------------------------------------------------------------------------------------------------
def test_the_longest_demo_history_fits_the_item_limit_with_room(
    histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    longest = max(histories.values(), key=lambda h: (len(h.orders), sum(len(o.product_ids) for o in h.orders)))
    orders = [past_order(longest.customer_id, past, catalog, settings) for past in longest.orders]
    size = item_bytes(summary_to_item(longest.customer_id, summarize(orders), rev=1, updated_at=NOW.isoformat()))
    assert 1_000 < size < 40_000, size  # 24 KB: the largest demo customer reads one small item


def test_a_five_hundred_order_customer_fits_and_a_huge_one_is_marked_overflowed(
    histories: dict[str, CustomerHistory],
    catalog: Catalog,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    baskets = [o.product_ids for h in histories.values() for o in h.orders]
    past = [
        PastOrder(f"big-{n}", n + 1, TODAY - timedelta(days=3 * (500 - n)), baskets[n % len(baskets)])
        for n in range(500)
    ]
    orders = [past_order("big", p, catalog, settings) for p in past]
    item = summary_to_item("big", summarize(orders), rev=1, updated_at="t")
    assert "overflowed" not in item and item_bytes(item) < MAX_BYTES
    monkeypatch.setattr(summary_module, "MAX_BYTES", item_bytes(item) - 1)
    trimmed = summary_to_item("big", summarize(orders), rev=1, updated_at="t")
    assert trimmed["overflowed"] is True and "household" not in trimmed
    stored = summary_from_item(trimmed)
    assert stored is not None and stored.overflowed


# -- kept with the orders, in the store -----------------------------------------------------------------------------
def _on(table: Table, like: Shopping, *, when: datetime = NOW) -> Shopping:
    """A Shopping like ``like`` on another table (a client with a fault injected) or at another moment."""
    return Shopping(
        table, like.catalog, like.settings, profiles=ProfileStore(table, clock=lambda: when), clock=lambda: when
    )


def _stored(shopping: Shopping, customer_id: str) -> dict[str, Any] | None:
    return shopping.table.get(summary_key(customer_id))


def _as_orders_say(shopping: Shopping, customer_id: str) -> dict[str, Any]:
    return summary_to_item(customer_id, summarize(shopping.orders(customer_id)), rev=0, updated_at="")


def _comparable(item: dict[str, Any] | None) -> dict[str, Any]:
    assert item is not None
    return {k: v for k, v in item.items() if k not in ("rev", "updated_at")}


def test_the_import_writes_each_summary_and_answers_from_it(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    import_histories(shopping.table, [histories["3623"], histories["1285"]], catalog, settings)
    for customer_id in ("3623", "1285"):
        assert _comparable(_stored(shopping, customer_id)) == _comparable(_as_orders_say(shopping, customer_id))
        orders = shopping.orders(customer_id)
        state = shopping.state(customer_id)
        assert [i.product_id for i in shopping.usual(state, None)] == [
            i.product_id for i in usual_basket(orders) if i.product_id in catalog
        ]
        assert shopping.product_history(customer_id, MILK) == plain_product_history(orders, MILK)
        assert shopping.recent_orders(customer_id, limit=5) == orders[:5]
    # again: same orders, same summary, one more revision
    import_history(shopping.table, histories["3623"], catalog, settings)
    assert _comparable(_stored(shopping, "3623")) == _comparable(_as_orders_say(shopping, "3623"))


def test_an_import_over_orders_already_there_counts_them_too(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    shopping.add_items("2706", [(MILK, 2)], request_id="add")
    shopping.place_order("2706", request_id="buy", expected_version=1)
    import_history(shopping.table, histories["2706"], catalog, settings)
    stored = _comparable(_stored(shopping, "2706"))
    assert stored == _comparable(_as_orders_say(shopping, "2706"))
    assert shopping.product_history("2706", MILK).times == plain_product_history(shopping.orders("2706"), MILK).times


def test_placing_an_order_folds_it_into_the_summary_in_the_same_write(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    import_history(shopping.table, histories["2706"], catalog, settings)
    rev = int(_stored(shopping, "2706")["rev"])  # type: ignore[index]
    shopping.add_items("2706", [(BANANA, 3), (MILK, 1)], request_id="add")
    placed = shopping.place_order("2706", request_id="buy", expected_version=1)
    stored = _stored(shopping, "2706")
    assert stored is not None and int(stored["rev"]) == rev + 1
    assert _comparable(stored) == _comparable(_as_orders_say(shopping, "2706"))
    assert shopping.recent_orders("2706", limit=1)[0].order_id == placed.order.order_id
    assert shopping.product_history("2706", BANANA).last_on == NOW.date()
    assert shopping.product_history("2706", BANANA).typical_quantity >= 1


def test_a_failed_checkout_leaves_the_summary_as_it_was(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    import_history(shopping.table, histories["2706"], catalog, settings)
    shopping.add_items("2706", [(MILK, 2)], request_id="add")
    before = _stored(shopping, "2706")
    failing = FailingClient(shopping.table.client)
    faulty = _on(Table(failing, shopping.table.name), shopping)  # type: ignore[arg-type]
    failing.fail_next = 1
    with pytest.raises(StoreUnavailable):
        faulty.place_order("2706", request_id="buy", expected_version=1)
    assert _stored(shopping, "2706") == before


def test_an_order_whose_summary_moved_meanwhile_is_folded_into_the_newer_one(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    """Another write (a cancellation, a merge) moved the summary between this checkout's read and its commit:
    the order is still placed, once, and the summary counts it."""
    import_history(shopping.table, histories["2706"], catalog, settings)
    shopping.add_items("2706", [(MILK, 2)], request_id="add")
    client = shopping.table.client
    moved = []

    class MovingClient(FailingClient):
        def transact_write_items(self, **kwargs: Any) -> Any:
            if not moved:
                moved.append(True)
                shopping.rebuild_order_summary("2706")  # one revision on
            return client.transact_write_items(**kwargs)

    racing = _on(Table(MovingClient(client), shopping.table.name), shopping)  # type: ignore[arg-type]
    placed = racing.place_order("2706", request_id="buy", expected_version=1)
    assert moved and not placed.repeated
    assert _comparable(_stored(shopping, "2706")) == _comparable(_as_orders_say(shopping, "2706"))
    assert len(shopping.orders("2706")) == len(histories["2706"].orders) + 1


def test_a_customer_without_a_summary_gets_one_built_from_the_orders(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    import_history(shopping.table, histories["3623"], catalog, settings)
    shopping.table.delete(summary_key("3623"))  # as data written before the summary existed
    orders = shopping.orders("3623")
    assert shopping.product_history("3623", MILK) == plain_product_history(orders, MILK)
    assert _comparable(_stored(shopping, "3623")) == _comparable(_as_orders_say(shopping, "3623"))


def test_a_summary_of_another_version_is_rebuilt(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    import_history(shopping.table, histories["3623"], catalog, settings)
    old = _stored(shopping, "3623")
    assert old is not None
    shopping.table.put({**old, "version": 0, "household": "[0,{},[]]"})  # an older format
    assert load_summary(shopping.table, "3623").summary is None
    assert shopping.product_history("3623", MILK).times == plain_product_history(shopping.orders("3623"), MILK).times
    stored = _stored(shopping, "3623")
    assert stored is not None and stored["version"] == summary_module.VERSION and stored["rev"] == old["rev"] + 1


def test_no_summary_is_written_for_a_customer_without_orders(shopping: Shopping) -> None:
    assert shopping.recent_orders("nobody", limit=1) == []
    assert shopping.product_history("nobody", MILK).times == 0
    assert _stored(shopping, "nobody") is None


def test_an_overflowed_summary_is_answered_from_the_orders(
    shopping: Shopping,
    histories: dict[str, CustomerHistory],
    catalog: Catalog,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(summary_module, "MAX_BYTES", 100)
    import_history(shopping.table, histories["3623"], catalog, settings)
    stored = _stored(shopping, "3623")
    assert stored is not None and stored["overflowed"] is True
    orders = shopping.orders("3623")
    assert shopping.product_history("3623", MILK) == plain_product_history(orders, MILK)
    assert shopping.recent_orders("3623", limit=2) == orders[:2]
    state = shopping.state("3623")
    assert [i.product_id for i in shopping.usual(state, None)] == [
        i.product_id for i in usual_basket(orders) if i.product_id in catalog
    ]


def test_the_summary_is_read_with_only_the_parts_asked_for(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    import_history(shopping.table, histories["3623"], catalog, settings)
    recent_only = load_summary(shopping.table, "3623", parts=("recent",)).summary
    assert recent_only is not None and recent_only.recent_orders(1)
    with pytest.raises(LookupError):
        _ = recent_only.household
    assert date.fromisoformat(str(recent_only.newest[0])[:10]) == TODAY


# -- cancelling ---------------------------------------------------------------------------------------------------
def _placed(shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings) -> Order:
    import_history(shopping.table, histories["2706"], catalog, settings)
    shopping.add_items("2706", [(BANANA, 3)], request_id="add")
    return shopping.place_order("2706", request_id="buy", expected_version=1).order


def _at(shopping: Shopping, when: datetime) -> Shopping:
    return _on(shopping.table, shopping, when=when)


def test_cancelling_an_order_takes_it_out_of_the_summary_in_the_same_write(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    order = _placed(shopping, histories, catalog, settings)
    assert shopping.product_history("2706", BANANA).last_on == NOW.date()
    latest = shopping.cancellations.latest("2706")
    assert latest is not None and latest.order.order_id == order.order_id
    assert latest.state is CancelState.CANCELLABLE and latest.deadline == cancel_deadline(order)
    done = shopping.cancellations.cancel("2706", order.order_id, request_id="cancel")
    assert done is not None and done.state is CancelState.CANCELLED
    assert shopping.order("2706", order.order_id).status == "cancelled"  # type: ignore[union-attr]
    assert _comparable(_stored(shopping, "2706")) == _comparable(_as_orders_say(shopping, "2706"))
    assert shopping.product_history("2706", BANANA) == plain_product_history(shopping.orders("2706"), BANANA)
    assert shopping.recent_orders("2706", limit=1)[0].status == "cancelled"  # still listed, as cancelled
    again = shopping.cancellations.cancel("2706", order.order_id, request_id="cancel")  # Alexa's retry
    assert again is not None and again.state is CancelState.CANCELLED
    assert _comparable(_stored(shopping, "2706")) == _comparable(_as_orders_say(shopping, "2706"))


def test_an_order_cannot_be_cancelled_after_its_cut_off(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    order = _placed(shopping, histories, catalog, settings)
    deadline = cancel_deadline(order)
    late = _at(shopping, deadline)
    checked = late.cancellations.cancel("2706", order.order_id, request_id="late")
    assert checked is not None and checked.state is CancelState.TOO_LATE
    assert shopping.order("2706", order.order_id).status == "placed"  # type: ignore[union-attr]
    just_in_time = _at(shopping, deadline - timedelta(seconds=1))
    done = just_in_time.cancellations.cancel("2706", order.order_id, request_id="ok")
    assert done is not None and done.state is CancelState.CANCELLED
    assert _comparable(_stored(shopping, "2706")) == _comparable(_as_orders_say(shopping, "2706"))


def test_imported_history_and_nothing_cannot_be_cancelled(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog, settings: Settings
) -> None:
    assert shopping.cancellations.latest("2706") is None
    import_history(shopping.table, histories["2706"], catalog, settings)
    latest = shopping.cancellations.latest("2706")
    assert latest is not None and latest.state is CancelState.DELIVERED  # delivered long ago
