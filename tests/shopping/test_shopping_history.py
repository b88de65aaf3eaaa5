"""Past orders imported for real demo customers, and what is derived from them: usual basket, last order,
when did I last buy, how often."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import TODAY

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory
from backend.demo.history_import import import_histories
from backend.settings import Settings
from backend.shopping import Shopping
from backend.shopping.orders import orders_of_person, product_history, purchase_stats
from backend.shopping.usual import usual_basket

CUSTOMERS = ["1285", "2706", "3451", "3623"]


@pytest.fixture
def imported(
    request: pytest.FixtureRequest,
    shopping: Shopping,
    histories: dict[str, CustomerHistory],
    catalog: Catalog,
    settings: Settings,
) -> Shopping:
    """The shopping service with past orders imported: of the test's ``customer_id``, or of every demo customer
    these tests name (moto's transactions copy the whole table, so a smaller table keeps the tests quick)."""
    wanted = [request.getfixturevalue("customer_id")] if "customer_id" in request.fixturenames else CUSTOMERS
    written = import_histories(shopping.table, [histories[c] for c in wanted], catalog, settings)
    assert written == sum(len(histories[c].orders) for c in wanted)
    return shopping


@pytest.mark.parametrize("customer_id", CUSTOMERS)
def test_imported_orders_read_back_newest_first(
    imported: Shopping, histories: dict[str, CustomerHistory], customer_id: str
) -> None:
    orders = imported.orders(customer_id)
    history = histories[customer_id]
    assert len(orders) == len(history.orders)
    assert [o.product_ids for o in reversed(orders)] == [p.product_ids for p in history.orders]
    assert orders[0].placed_on == TODAY and orders[0].status == "delivered"
    assert imported.recent_orders(customer_id, limit=2) == orders[:2]


@pytest.mark.parametrize("customer_id", CUSTOMERS)
def test_the_usual_basket_follows_the_documented_rule(imported: Shopping, customer_id: str) -> None:
    orders = imported.orders(customer_id)
    basket = usual_basket(orders)
    window = orders[:10]
    in_window = Counter(pid for order in window for pid in set(order.product_ids))
    assert 3 <= len(basket) <= 15
    regular = [item for item in basket if in_window[item.product_id] >= max(2, 0.4 * len(window))]
    # Every product that qualifies is in (up to the cap), most regular first.
    qualifying = {pid for pid, count in in_window.items() if count >= max(2, 0.4 * len(window))}
    assert {item.product_id for item in regular} == qualifying or len(basket) == 15
    assert [item.share for item in regular] == sorted((item.share for item in regular), reverse=True)


def test_usual_of_a_known_customer(imported: Shopping, catalog: Catalog) -> None:
    basket = usual_basket(imported.orders("3623"))
    names = [catalog.get(item.product_id).name for item in basket]
    # In every one of this customer's last 10 orders:
    assert names[:3] == [
        "Organic Unsweetened Almond Milk",
        "Soft Pretzel Burger Buns",
        "Sparkling Natural Mineral Water",
    ]
    assert all(item.quantity == 1 for item in basket)


def test_an_irregular_shopper_is_topped_up_to_three(imported: Shopping) -> None:
    basket = usual_basket(imported.orders("1285"))
    assert len(basket) == 3 and basket[-1].share < 0.4


def test_nobody_without_repeat_purchases_has_a_usual(imported: Shopping) -> None:
    order = imported.orders("1285")[0]
    assert usual_basket([order]) == ()


def test_product_history_answers_when_and_how_often(imported: Shopping) -> None:
    orders = imported.orders("3451")
    milk = "17316"  # Vitamin D Organic Whole Milk: in 9 of this customer's last 10 orders
    holding = sorted(o.placed_on for o in orders if milk in o.product_ids)
    history = product_history(orders, milk)
    assert history.times == len(holding) >= 9
    assert (history.first_on, history.last_on) == (holding[0], holding[-1])
    assert history.typical_days_between is not None and history.typical_days_between > 0
    assert history.typical_quantity == 1


def test_purchase_stats_feed_the_resolver_bias(imported: Shopping, histories: dict[str, CustomerHistory]) -> None:
    orders = imported.orders("2706")
    assert purchase_stats(orders, TODAY) == histories["2706"].stats(TODAY)


def test_a_speaker_with_few_orders_shares_the_household_usual(imported: Shopping) -> None:
    orders = imported.orders("2706")
    assert orders_of_person(orders, "amzn1.ask.person.X") == orders
