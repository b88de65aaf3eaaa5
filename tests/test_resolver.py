"""The resolver over the full 49,688-product demo catalog: properties, personal bias, Alexa ids, accuracy."""

from __future__ import annotations

import csv
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_DATA_DIR, Catalog, Product, load_default_catalog
from backend.demo.histories import load_histories
from backend.resolver import Candidate, Decision, ReasonCode, Resolver
from backend.resolver.purchases import PurchaseStats
from backend.spoken import spoken_form

FIXTURES = Path(__file__).parent / "fixtures" / "resolver"
ANCHOR = date(2017, 6, 1)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture(scope="session")
def resolver(catalog: Catalog) -> Resolver:
    return Resolver(catalog)


@pytest.fixture(scope="session")
def histories() -> dict[str, dict[str, PurchaseStats]]:
    loaded = load_histories(DEFAULT_DATA_DIR / "customers_sample.csv", last_order_on=ANCHOR)
    return {customer_id: history.stats(ANCHOR) for customer_id, history in loaded.items()}


class Products(list[Product]):
    """A list with a short repr, so hypothesis reports stay readable."""

    def __repr__(self) -> str:
        return f"<{len(self)} products>"


@pytest.fixture(scope="session")
def unique_sounding(catalog: Catalog) -> Products:
    """Products no other product shares a spoken name with (duplicates cannot be told apart by voice)."""
    counts = Counter(spoken_form(product.name) for product in catalog)
    return Products(product for product in catalog if counts[spoken_form(product.name)] == 1)


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _right(catalog: Catalog, answer: Product, expected_id: str) -> bool:
    return answer.id == expected_id or answer.name.casefold() == catalog.get(expected_id).name.casefold()


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(index=st.integers(min_value=0))
def test_an_exact_catalog_name_resolves_to_itself_with_accept(
    resolver: Resolver, unique_sounding: Products, index: int
) -> None:
    product = unique_sounding[index % len(unique_sounding)]
    resolution = resolver.resolve(product.name)
    assert resolution.best is not None
    assert resolution.best.product == product
    assert resolution.decision is Decision.ACCEPT


@SETTINGS
@given(index=st.integers(min_value=0), style=st.sampled_from(["upper", "lower", "title", "punct", "spaces"]))
def test_case_and_punctuation_never_change_the_answer(
    resolver: Resolver, unique_sounding: Products, index: int, style: str
) -> None:
    name = unique_sounding[index % len(unique_sounding)].name
    changed = {
        "upper": name.upper(),
        "lower": name.lower(),
        "title": name.title(),
        "punct": name.replace(" ", ", ") + "!",
        "spaces": f"  {name.replace(' ', '   ')}  ",
    }[style]
    original, variant = resolver.resolve(name), resolver.resolve(changed)
    assert [c.product.id for c in variant.candidates] == [c.product.id for c in original.candidates]
    assert variant.decision is original.decision


@SETTINGS
@given(words=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=30))
def test_results_are_deterministic(resolver: Resolver, words: str) -> None:
    first, second = resolver.resolve(words), resolver.resolve(words)
    assert first == second


@SETTINGS
@given(words=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=30), cutoff=st.floats(0.3, 0.95))
def test_nothing_below_the_cutoff_is_returned(resolver: Resolver, words: str, cutoff: float) -> None:
    resolution = resolver.resolve(words, score_cutoff=cutoff)
    assert all(candidate.match >= cutoff for candidate in resolution.candidates)
    assert (resolution.decision is Decision.NOT_FOUND) == (not resolution.candidates)
    assert all(0.0 <= candidate.confidence <= 1.0 for candidate in resolution.candidates)


def _codes(candidate: Candidate | None) -> set[ReasonCode]:
    return {reason.code for reason in candidate.reasons} if candidate else set()


def test_misheard_words_resolve_by_sound(resolver: Resolver) -> None:
    resolution = resolver.resolve("organic hell milk")
    assert resolution.best is not None
    assert resolution.best.product.name == "Organic Whole Milk"
    assert _codes(resolution.best) == {ReasonCode.SOUNDS_LIKE}


def test_request_words_around_the_product_are_ignored(resolver: Resolver) -> None:
    wrapped = resolver.resolve("please add some organic hell milk to my cart")
    bare = resolver.resolve("organic hell milk")
    assert wrapped.candidates == bare.candidates
    assert wrapped.decision is bare.decision


def test_candidates_are_distinct_and_limited(resolver: Resolver) -> None:
    resolution = resolver.resolve("organic whole milk", limit=3)
    names = [spoken_form(candidate.product.name) for candidate in resolution.candidates]
    assert len(names) == 3
    assert len(set(names)) == 3


def test_nonsense_is_not_found(resolver: Resolver) -> None:
    assert resolver.resolve("").decision is Decision.NOT_FOUND
    assert resolver.resolve("zzzzqx vvvvv").decision is not Decision.ACCEPT


def test_history_decides_which_milk_the_customer_means(resolver: Resolver, catalog: Catalog) -> None:
    theirs = next(product for product in catalog if product.name == "Organic Reduced Fat Milk")
    without = resolver.resolve("milk")
    assert without.best is not None and without.best.product != theirs

    mine = resolver.resolve("milk", history={theirs.id: PurchaseStats(count=6, days_since_last=3.0)})
    assert mine.best is not None and mine.best.product == theirs
    assert _codes(mine.best) >= {ReasonCode.BOUGHT_BEFORE, ReasonCode.PARTIAL_NAME}
    bought = next(reason for reason in mine.best.reasons if reason.code is ReasonCode.BOUGHT_BEFORE)
    assert bought.count == 6


def test_frequency_and_recency_both_count(resolver: Resolver, catalog: Catalog) -> None:
    first, second = (next(p for p in catalog if p.name == name) for name in ("Organic Whole Milk", "Whole Milk"))
    often = {first.id: PurchaseStats(9, 30.0), second.id: PurchaseStats(2, 30.0)}
    assert resolver.resolve("whole milk", history=often).candidates[0].product == first
    recent = {first.id: PurchaseStats(3, 200.0), second.id: PurchaseStats(3, 1.0)}
    assert resolver.resolve("whole milk", history=recent).candidates[0].product == second


@pytest.mark.parametrize(
    ("ends_with_the_words", "has_them_inside"),
    [("4940", "353"), ("7156", "1349")],  # Organic Plain Greek Yogurt / Tzatziki Greek Yogurt Dip, ...
)
def test_short_words_prefer_the_product_they_end(
    resolver: Resolver, catalog: Catalog, ends_with_the_words: str, has_them_inside: str
) -> None:
    # People name a product they know by its last words: "greek yogurt" is the yogurt, not the dip.
    history = {ends_with_the_words: PurchaseStats(3, 10.0), has_them_inside: PurchaseStats(3, 10.0)}
    best = resolver.resolve("greek yogurt", history=history).best
    assert best is not None and best.product == catalog.get(ends_with_the_words)


def test_a_far_off_history_item_does_not_override_the_words(resolver: Resolver, catalog: Catalog) -> None:
    banana = catalog.get("24852")
    resolution = resolver.resolve("greek yogurt", history={banana.id: PurchaseStats(40, 1.0)})
    assert resolution.best is not None and resolution.best.product.name == "Greek Yogurt"


def test_one_alexa_id_is_accepted_and_several_are_a_choice(resolver: Resolver, catalog: Catalog) -> None:
    single = resolver.resolve("oat mill", alexa_ids=["24852"])
    assert single.decision is Decision.ACCEPT
    assert single.best is not None and single.best.product.id == "24852"
    assert _codes(single.best) == {ReasonCode.ALEXA_MATCH}

    several = resolver.resolve("banana", alexa_ids=["196", "24852", "no-such-id"])
    assert several.decision is Decision.CHOOSE
    assert [candidate.product.id for candidate in several.candidates] == ["24852", "196"]

    unknown = resolver.resolve("banana", alexa_ids=["no-such-id"])
    assert unknown.best is not None and unknown.best.product.name == "Banana"


def test_safe_to_share_between_threads(resolver: Resolver) -> None:
    queries = [row["asr_hypothesis"] for row in _rows("spoken_catalog_sample.csv")]
    alone = [resolver.resolve(query) for query in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        shared = list(pool.map(resolver.resolve, queries * 3))
    assert shared == alone * 3


def test_accuracy_on_a_sample_of_the_catalog_set(resolver: Resolver, catalog: Catalog) -> None:
    rows = _rows("spoken_catalog_sample.csv")
    top1 = top3 = wrong_accepted = 0
    for row in rows:
        resolution = resolver.resolve(row["asr_hypothesis"])
        answers = [candidate.product for candidate in resolution.candidates]
        right = [_right(catalog, answer, row["product_id"]) for answer in answers]
        top1 += bool(right) and right[0]
        top3 += any(right)
        wrong_accepted += resolution.decision is Decision.ACCEPT and not (right and right[0])
    # Measured 37/40 and 38/40 with no wrong accept; the full set is measured by `voicecart bench resolve`.
    assert top1 >= 34
    assert top3 >= 36
    assert wrong_accepted <= 1


def test_accuracy_on_a_sample_of_the_personal_set(
    resolver: Resolver, catalog: Catalog, histories: dict[str, dict[str, PurchaseStats]]
) -> None:
    rows = _rows("spoken_personal_sample.csv")
    top1 = top3 = wrong_accepted = 0
    for row in rows:
        resolution = resolver.resolve(row["asr_hypothesis"], history=histories[row["user_id"]])
        answers = [candidate.product for candidate in resolution.candidates]
        right = [_right(catalog, answer, row["expected_product_id"]) for answer in answers]
        top1 += bool(right) and right[0]
        top3 += any(right)
        wrong_accepted += resolution.decision is Decision.ACCEPT and not (right and right[0])
    assert top1 >= 34
    assert top3 >= 37
    assert wrong_accepted <= 2


def test_what_they_buy_does_not_override_a_clearly_better_match(
    resolver: Resolver, histories: dict[str, dict[str, PurchaseStats]]
) -> None:
    # Customer 2706 bought Organic Tomato 11 times and Organic Whole Milk never. "organic hole milk" is the milk,
    # misheard; the shared word "organic" must not make it their tomato.
    result = resolver.resolve("organic hole milk", history=histories["2706"])
    assert result.best is not None
    assert result.best.product.name == "Organic Whole Milk"
