from datetime import date
from pathlib import Path

import pytest

from backend.demo.histories import load_histories
from backend.errors import CatalogLoadError
from backend.resolver.purchases import PurchaseStats
from backend.settings import PACKAGE_DATA_DIR

FIXTURE = Path(__file__).parent / "fixtures" / "history" / "two_customers.csv"
ANCHOR = date(2026, 11, 15)


def test_orders_are_dated_backwards_from_the_anchor_by_their_gaps() -> None:
    history = load_histories(FIXTURE, last_order_on=ANCHOR)["7"]
    assert [o.number for o in history.orders] == [1, 2, 3]
    assert [o.placed_on for o in history.orders] == [date(2026, 11, 1), date(2026, 11, 11), date(2026, 11, 15)]


def test_lines_keep_add_to_cart_order_even_when_rows_are_shuffled() -> None:
    history = load_histories(FIXTURE, last_order_on=ANCHOR)["7"]
    assert history.orders[1].product_ids == ("100", "200")


def test_stats_count_orders_and_recency() -> None:
    stats = load_histories(FIXTURE, last_order_on=ANCHOR)["7"].stats(date(2026, 11, 22))
    assert stats == {
        "100": PurchaseStats(count=3, days_since_last=7.0),
        "200": PurchaseStats(count=1, days_since_last=11.0),
    }


def test_real_sample_has_every_customer_and_order() -> None:
    histories = load_histories(PACKAGE_DATA_DIR / "customers_sample.csv", last_order_on=ANCHOR)
    assert len(histories) == 500
    assert sum(len(h.orders) for h in histories.values()) == 9549
    assert all(h.orders[-1].placed_on == ANCHOR for h in histories.values())


def test_unreadable_file_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogLoadError):
        load_histories(tmp_path / "missing.csv", last_order_on=ANCHOR)
