"""``voicecart bench notsold``: the requests it keeps are for what the catalog does not sell, and its figures add up."""

from __future__ import annotations

from backend.bench.not_sold import NOT_SOLD, measure, requests_not_sold, sold_heads
from backend.catalog import Catalog
from backend.resolver import Resolver
from backend.resolver.purchases import PurchaseStats


def test_a_request_for_a_kind_the_catalog_sells_is_left_out(catalog: Catalog) -> None:
    kept, left = requests_not_sold(catalog, ["bath towels", "a lawn mower", "a wheelbarrow"])
    assert left == ["bath towels"]  # Paper Towels: a towel is sold
    assert kept == ["a lawn mower", "a wheelbarrow"]
    assert "towel" in sold_heads(catalog)


def test_the_shipped_requests_are_mostly_kept(catalog: Catalog) -> None:
    kept, left = requests_not_sold(catalog)
    assert len(kept) + len(left) == len(NOT_SOLD)
    assert len(kept) >= 30


def test_the_shares_add_up_over_every_history(resolver: Resolver, catalog: Catalog) -> None:
    water = next(product.id for product in catalog if product.name == "Natural Artesian Water")
    figures = measure(resolver, ["a lawn mower", "a wheelbarrow"], {"1": {water: PurchaseStats(12, 7.0)}})
    assert figures["resolutions"] == 4  # two requests, with no history and with the one given
    shares = [figures[name] for name in ("accepted_unasked", "asked", "not_found")]
    assert all(isinstance(share, float) for share in shares)
    assert abs(sum(share for share in shares if isinstance(share, float)) - 1.0) < 1e-3
    assert figures["accepted_unasked"] == 0.0
