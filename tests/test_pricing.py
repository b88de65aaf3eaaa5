"""The illustrative price rule: deterministic, Decimal with 2 places, ending in .x9, within the stated range."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.pricing import AISLE_BASE_CENTS, DEPARTMENT_BASE_CENTS, base_cents, price_for

ids = st.text(min_size=1, max_size=12)
aisle_ids = st.sampled_from([None, "999", *AISLE_BASE_CENTS])
department_ids = st.sampled_from([None, "999", *DEPARTMENT_BASE_CENTS])


@given(ids, aisle_ids, department_ids)
def test_price_follows_the_documented_rule(product_id: str, aisle_id: str | None, department_id: str | None) -> None:
    price = price_for(product_id, aisle_id, department_id)
    base = Decimal(base_cents(aisle_id, department_id)) / 100

    assert price == price_for(product_id, aisle_id, department_id)
    assert price.as_tuple().exponent == -2
    assert price % Decimal("0.10") == Decimal("0.09")
    assert base - Decimal("0.10") < price <= base * Decimal("1.5") + Decimal("0.09")


def test_aisle_base_wins_over_department_base() -> None:
    assert base_cents("124", "5") == AISLE_BASE_CENTS["124"]
    assert base_cents("3", "19") == DEPARTMENT_BASE_CENTS["19"]
    assert base_cents(None, None) == 399


def test_known_price_is_stable_across_processes() -> None:
    # sha256 is stable, unlike hash(): this figure must never change between runs or machines.
    assert price_for("24852", "24", "4") == Decimal("1.39")
