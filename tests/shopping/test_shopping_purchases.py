"""Purchases on every channel, each counted once: the imported orders' statistics item, the combination with the
profile, what was bought elsewhere, the usual with store purchases, the turn's one read, and the cart probe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import NOW, TODAY, sign_up
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from backend.demo.histories import CustomerHistory
from backend.demo.history_import import import_history
from backend.identity.store import IdentityKind
from backend.profile.events import MAX_LINES, event_lines
from backend.profile.summary import summary_from_item
from backend.resolver.purchases import PurchaseStats
from backend.services import Backend
from backend.shopping import Shopping
from backend.shopping.model import IMPORTED_SOURCE, Order, OrderLine
from backend.shopping.purchases import (
    ORDER_STATS,
    bought_elsewhere,
    every_channel,
    order_stats_from_item,
    order_stats_item,
)
from backend.shopping.state import _imported_purchases
from backend.shopping.usual import ELSEWHERE_MIN_DAYS, usual_basket
from backend.store import keys
from skill.simulator.cart_probe import cart_lines
from tests.support.properties import examples


def order(number: int, product_ids: list[str], *, days_ago: int, source: str = IMPORTED_SOURCE) -> Order:
    return Order(
        customer_id="c1",
        order_id=f"o{number:03d}",
        placed_at=datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC),
        lines=tuple(OrderLine(pid, 1, Decimal("1.00")) for pid in product_ids),
        subtotal=Decimal(0),
        tax=Decimal(0),
        delivery=Decimal(0),
        total=Decimal(0),
        source=source,
    )


def profile_item(**buys: tuple[int, str]) -> dict[str, Any]:
    """A PROFILE item as the profile module writes it: ``p#<id>#buys`` and ``p#<id>#bought``."""
    item: dict[str, Any] = {"pk": "CUST#c1", "sk": "PROFILE", "customer_id": "c1"}
    for product_id, (count, stamp) in buys.items():
        item[f"p#{product_id.removeprefix('p')}#buys"] = count
        item[f"p#{product_id.removeprefix('p')}#bought"] = stamp
    return item


# -- the imported orders' statistics -------------------------------------------------------------------------------
def test_order_statistics_round_trip() -> None:
    orders = [order(1, ["a", "b"], days_ago=30), order(2, ["a", "a", "c"], days_ago=2)]
    item = order_stats_item("c1", orders, source=IMPORTED_SOURCE)
    assert item["sk"] == ORDER_STATS and item["orders"] == 2
    assert order_stats_from_item(item, TODAY) == {
        "a": PurchaseStats(2, 2.0),
        "b": PurchaseStats(1, 30.0),
        "c": PurchaseStats(1, 2.0),
    }
    assert order_stats_from_item(None, TODAY) == {}
    assert item["products"] == "a:2:2026-11-18;b:1:2026-10-21;c:1:2026-11-18"
    # Ids may hold ":" (generic retailers); an empty history is an empty string.
    odd = order_stats_item("c1", [order(3, ["sku:1"], days_ago=1)], source=IMPORTED_SOURCE)
    assert order_stats_from_item(odd, TODAY) == {"sku:1": PurchaseStats(1, 1.0)}
    assert order_stats_from_item(order_stats_item("c1", [], source=IMPORTED_SOURCE), TODAY) == {}


def test_the_import_writes_the_statistics_the_turn_reads_in_its_one_batch(
    shopping: Shopping, histories: dict[str, CustomerHistory], catalog: Catalog
) -> None:
    history = histories["2706"]
    assert import_history(shopping.table, history, catalog, shopping.settings) == len(history.orders)
    state = shopping.state("2706")
    assert state.imported_purchases == history.stats(TODAY)
    assert shopping.orders("2706")[0].source == IMPORTED_SOURCE  # the statistics item is not an order


def test_the_bias_adds_the_profile_to_the_imported_orders() -> None:
    stats = {"products": "1:3:2026-11-01;2:1:2026-10-01"}
    profile = profile_item(p1=(2, "2026-11-18T10:00:00.000Z"), p9=(1, "2026-11-19T10:00:00.000Z"))
    combined = every_channel(order_stats_from_item(stats, NOW.date()), summary_from_item(profile, "c1"), NOW)
    assert combined == {
        "1": PurchaseStats(5, 2.0),  # 3 imported orders + 2 purchases elsewhere, latest wins
        "2": PurchaseStats(1, 50.0),
        "9": PurchaseStats(1, 1.0),
    }
    assert every_channel(order_stats_from_item(None, NOW.date()), None, NOW) == {}


def test_bought_elsewhere_leaves_out_voicecart_orders() -> None:
    orders = [order(1, ["1"], days_ago=40), order(2, ["1", "2"], days_ago=1, source="voice")]
    # The profile counts the voice order's products (its "ordered" event) plus two store purchases of "1".
    profile = profile_item(p1=(3, "2026-11-19T10:00:00.000Z"), p2=(1, "2026-11-19T10:00:00.000Z"))
    assert bought_elsewhere(summary_from_item(profile, "c1"), orders, NOW) == {"1": PurchaseStats(2, 1.0)}


# -- "my usual" with purchases elsewhere -------------------------------------------------------------------------------
WEEKLY = [order(n, ["milk", "eggs", "bread"] + (["jam"] if n % 5 == 0 else []), days_ago=7 * n) for n in range(10)]


def test_a_product_bought_regularly_elsewhere_is_usual() -> None:
    elsewhere = {"cheese": PurchaseStats(4, 3.0)}
    basket = usual_basket(WEEKLY, elsewhere=elsewhere, today=TODAY)
    assert [item.product_id for item in basket] == ["milk", "eggs", "bread", "cheese"]
    assert basket[-1].share == pytest.approx(0.4)


@pytest.mark.parametrize(
    "stats",
    [PurchaseStats(1, 3.0), PurchaseStats(4, float(9 * 7 + ELSEWHERE_MIN_DAYS + 1))],
    ids=["bought once", "not lately"],
)
def test_a_product_bought_elsewhere_once_or_long_ago_is_not(stats: PurchaseStats) -> None:
    basket = usual_basket(WEEKLY, elsewhere={"cheese": stats}, today=TODAY)
    assert "cheese" not in [item.product_id for item in basket]


def test_someone_who_only_shops_in_store_has_a_usual() -> None:
    elsewhere = {"a": PurchaseStats(3, 2.0), "b": PurchaseStats(2, 20.0), "c": PurchaseStats(1, 2.0)}
    assert [item.product_id for item in usual_basket([], elsewhere=elsewhere, today=TODAY)] == ["a", "b"]


def test_purchases_elsewhere_need_today() -> None:
    with pytest.raises(ValueError, match="today"):
        usual_basket(WEEKLY, elsewhere={"a": PurchaseStats(3, 2.0)})


baskets = st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5), min_size=1, max_size=12)
elsewhere_stats = st.dictionaries(
    st.sampled_from("abcdefghij"),
    st.builds(PurchaseStats, st.integers(0, 6), st.floats(0, 200, allow_nan=False)),
    max_size=5,
)


@settings(max_examples=examples(60), deadline=None)
@given(baskets, elsewhere_stats)
def test_purchases_elsewhere_never_push_out_a_regular_product(
    products: list[list[str]], elsewhere: dict[str, PurchaseStats]
) -> None:
    orders = [order(n, pids, days_ago=5 * n) for n, pids in enumerate(products)]
    regular = [item for item in usual_basket(orders, max_items=100) if item.share >= 0.4]
    with_elsewhere = {item.product_id for item in usual_basket(orders, elsewhere=elsewhere, today=TODAY, max_items=100)}
    assert {item.product_id for item in regular} <= with_elsewhere
    assert usual_basket(orders, elsewhere={}, today=TODAY) == usual_basket(orders)


# -- the basket event ----------------------------------------------------------------------------------------------
def test_a_basket_event_names_each_product_once_and_at_most_sixty(catalog: Catalog) -> None:
    products: list[Product] = list(catalog)[: MAX_LINES + 5]
    lines = event_lines([(products[0], 2), *[(product, 1) for product in products], (products[1], 3)])
    assert len(lines) == MAX_LINES
    assert [line.product_id for line in lines] == [product.id for product in products[:MAX_LINES]]
    assert (lines[0].quantity, lines[1].quantity, lines[2].quantity) == (3, 4, 1)
    assert lines[0].aisle == products[0].aisle.lower() and lines[0].product_name == products[0].name


# -- the cart probe of scripted dialogs ----------------------------------------------------------------------------
def test_the_cart_probe_reads_the_cart_of_the_token_holder(backend: Backend) -> None:
    token = sign_up(backend, "1285")
    backend.shopping.add_items("1285", [("24852", 3), ("27845", 1)], request_id="r1")
    assert cart_lines(backend, access_token=token, user_id="amzn1.ask.account.X", person_id=None) == [
        {"product_id": "24852", "name": "Banana", "quantity": 3},
        {"product_id": "27845", "name": "Organic Whole Milk", "quantity": 1},
    ]
    assert cart_lines(backend, access_token=None, user_id=None, person_id=None) == []
    assert cart_lines(backend, access_token="not-a-token", user_id=None, person_id=None) == []


def test_the_turn_state_is_one_batch_read_with_the_asked_identity(shopping: Shopping) -> None:
    alias = keys.identity_sk("alexa_user", "amzn1.ask.account.X")
    shopping.table.put({"pk": keys.customer_pk("1285"), "sk": alias, "kind": "ident_link"})
    state = shopping.state(
        "1285", aliases=[(IdentityKind.ALEXA_USER, "amzn1.ask.account.X"), (IdentityKind.ALEXA_USER, "other")]
    )
    assert state.linked == frozenset({(IdentityKind.ALEXA_USER, "amzn1.ask.account.X")})
    assert state.is_linked(IdentityKind.ALEXA_USER, "amzn1.ask.account.X")
    assert not state.is_linked(IdentityKind.ALEXA_USER, "other")
    assert state.cart.is_empty and state.imported_purchases == {} and state.profile is None


def test_days_are_counted_to_today(shopping: Shopping) -> None:
    item = order_stats_item("c1", [order(1, ["x"], days_ago=0)], source=IMPORTED_SOURCE)
    assert order_stats_from_item(item, TODAY + timedelta(days=3))["x"] == PurchaseStats(1, 3.0)
    assert order_stats_from_item(item, date(2000, 1, 1))["x"].days_since_last == 0.0


def test_the_turns_read_of_imported_statistics_is_the_items_parse_shared_read_only() -> None:
    item = {"products": "24852:3:2026-11-01;13176:1:2026-10-02;bad;x:y:z"}
    today = date(2026, 11, 20)
    read = _imported_purchases(item, today)
    assert dict(read) == order_stats_from_item(item, today) and read
    assert _imported_purchases(dict(item), today) is read  # the same text and day: parsed once
    assert dict(_imported_purchases(item, date(2026, 11, 21))) == order_stats_from_item(item, date(2026, 11, 21))
    assert dict(_imported_purchases(None, today)) == {} == dict(_imported_purchases({"products": ""}, today))
    with pytest.raises(TypeError):
        read["24852"] = read["13176"]  # type: ignore[index]
