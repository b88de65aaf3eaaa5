"""The resolver over the full 49,688-product demo catalog: properties, personal bias, Alexa ids, accuracy."""

from __future__ import annotations

import csv
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_DATA_DIR, Catalog, Product
from backend.demo.histories import load_histories
from backend.resolver import Candidate, Decision, ReasonCode, Resolver
from backend.resolver.purchases import PurchaseStats
from backend.resolver.resolver import written_form
from backend.spoken import sound_key, spoken_form
from tests.support.properties import examples

FIXTURES = Path(__file__).parent / "fixtures" / "resolver"
ANCHOR = date(2017, 6, 1)


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
    """Products no other product sounds like (same spoken form or sound key, or the same words but for a space,
    "Home Style" / "Homestyle": they cannot be told apart by voice)."""
    counts = Counter(sound_key(spoken_form(product.name)) for product in catalog)
    joined = Counter(_spaceless(product.name) for product in catalog)
    return Products(
        product
        for product in catalog
        if counts[sound_key(spoken_form(product.name))] == 1 and joined[_spaceless(product.name)] == 1
    )


def _spaceless(name: str) -> str:
    return "".join(spoken_form(name).split())


def _rows(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _right(catalog: Catalog, answer: Product, expected_id: str) -> bool:
    return answer.id == expected_id or answer.name.casefold() == catalog.get(expected_id).name.casefold()


SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


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


def test_an_exact_name_that_begins_with_an_amount_resolves_to_itself(
    resolver: Resolver, unique_sounding: Products
) -> None:
    # "Bag of Red Delicious Apples" is a product of its own, not a bag of "Red Delicious Apples": every such name.
    from backend.resolver.amounts import parse_amount

    begins_with_amount = [
        product
        for product in unique_sounding
        if (amount := parse_amount(product.name)).unit is not None or amount.quantity is not None
    ]
    assert len(begins_with_amount) > 20
    wrong = [
        product.name
        for product in begins_with_amount
        if (best := resolver.resolve(product.name).best) is None or best.product != product
    ]
    assert wrong == []


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


def test_a_heard_word_their_product_lacks_points_elsewhere(resolver: Resolver, catalog: Catalog) -> None:
    # They buy "Whole Milk"; the words have one more word than its name, and another product's name is exactly them.
    theirs = catalog.get("4210")
    history = {theirs.id: PurchaseStats(count=12, days_since_last=4.0), "24852": PurchaseStats(20, 2.0)}
    resolution = resolver.resolve("organic whole milk", history=history)
    assert resolution.best is not None and resolution.best.product.id == "27845"


def test_a_weak_match_never_takes_the_lead_from_the_history(resolver: Resolver, catalog: Catalog) -> None:
    # Noise matches every name about equally; a product they buy a lot must not be accepted on it.
    history = {"24852": PurchaseStats(count=40, days_since_last=1.0), "4210": PurchaseStats(30, 2.0)}
    resolution = resolver.resolve("fell shadow wrist", history=history)
    assert resolution.decision is not Decision.ACCEPT


def test_a_choice_always_offers_distinct_names_and_what_tells_them_apart(
    resolver: Resolver, histories: dict[str, dict[str, PurchaseStats]]
) -> None:
    rows = _rows("spoken_catalog_sample.csv") + _rows("spoken_personal_sample.csv")
    choices = 0
    for row in rows:
        resolution = resolver.resolve(row["asr_hypothesis"], history=histories.get(row.get("user_id") or ""))
        names = [written_form(candidate.product.name) for candidate in resolution.candidates]
        assert len(names) == len(set(names))
        if resolution.decision is Decision.CHOOSE:
            choices += 1
            assert len(names) >= 2
            assert all(candidate.tells_apart for candidate in resolution.candidates)
    assert choices  # the samples hold some real choices


def test_twins_spoken_alike_are_a_choice_with_what_tells_them_apart(resolver: Resolver) -> None:
    resolution = resolver.resolve("pizza for cheese")
    assert resolution.decision is Decision.CHOOSE
    by_id = {candidate.product.id: candidate for candidate in resolution.candidates}
    assert {"8012", "35584"} <= by_id.keys()
    assert by_id["8012"].tells_apart == ("4",) and by_id["35584"].tells_apart == ("four",)


def test_identical_names_are_one_option(resolver: Resolver, catalog: Catalog) -> None:
    resolution = resolver.resolve("organic whole milk")
    names = [candidate.product.name.casefold() for candidate in resolution.candidates]
    assert len(names) == len(set(names))
    assert resolution.decision is not Decision.CHOOSE or len(resolution.candidates) >= 2


def test_alexa_ids_of_one_name_are_one_answer(resolver: Resolver, catalog: Catalog) -> None:
    same = ["42", "2059"]  # "Biotin 1000 mcg" and "Biotin 1000 Mcg"
    assert written_form(catalog.get(same[0]).name) == written_form(catalog.get(same[1]).name)
    resolution = resolver.resolve("biotin one thousand microgram", alexa_ids=same)
    assert resolution.decision is Decision.ACCEPT and len(resolution.candidates) == 1


def test_the_amount_said_is_understood_with_the_product(resolver: Resolver) -> None:
    apples = resolver.resolve("three pounds of honeycrisp apples")
    assert apples.amount is not None and (apples.amount.quantity, apples.amount.unit) == (3, "pound")
    assert apples.best is not None and "Honeycrisp" in apples.best.product.name
    milk = resolver.resolve("one percent milk")
    assert milk.amount is not None and milk.amount.quantity is None
    assert milk.best is not None and spoken_form(milk.best.product.name).startswith("one percent")


def test_a_number_the_matched_name_holds_is_no_quantity(resolver: Resolver, catalog: Catalog) -> None:
    seven_up = next(product for product in catalog if spoken_form(product.name) == "seven up")
    matched = resolver.resolve("seven up", alexa_ids=[seven_up.id])
    assert matched.best is not None and matched.best.product == seven_up
    assert matched.amount is not None and matched.amount.quantity is None  # was 7 of "up"
    counted = resolver.resolve("two seven ups", alexa_ids=[seven_up.id])
    assert counted.amount is not None and counted.amount.quantity == 2


def test_usually_bought_only_when_it_is_true(resolver: Resolver, catalog: Catalog) -> None:
    milk = catalog.get("27845")

    def codes(count: int, orders: int | None) -> set[ReasonCode]:
        history = {milk.id: PurchaseStats(count=count, days_since_last=20.0), "24852": PurchaseStats(9, 2.0)}
        best = resolver.resolve("organic whole milk", history=history, orders=orders).best
        assert best is not None and best.product == milk
        return _codes(best)

    assert ReasonCode.USUALLY_BOUGHT not in codes(1, 30)  # once in 30 orders is not "usually"
    assert ReasonCode.USUALLY_BOUGHT not in codes(1, 1)  # nor is a single purchase
    assert ReasonCode.USUALLY_BOUGHT in codes(3, 30)
    assert ReasonCode.USUALLY_BOUGHT in codes(2, 6)  # a third of their orders
    assert ReasonCode.USUALLY_BOUGHT not in codes(2, None)  # their bananas say they have 9+ orders
    best = resolver.resolve("organic whole milk", history={milk.id: PurchaseStats(2, 41.0)}, orders=6).best
    assert best is not None
    usual = next(reason for reason in best.reasons if reason.code is ReasonCode.USUALLY_BOUGHT)
    assert (usual.count, usual.days, usual.orders) == (2, 41, 6)


def test_dynamic_entity_ids_come_first(resolver: Resolver) -> None:
    resolution = resolver.resolve("banana", dynamic_ids=["27845"], alexa_ids=["24852"])
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None and resolution.best.product.id == "27845"
    assert _codes(resolution.best) == {ReasonCode.DYNAMIC_MATCH}


def test_another_kind_of_product_sharing_the_words_is_only_a_question() -> None:
    dairy = [
        Product(str(n), f"{kind} Milk", "milk", "dairy eggs", Decimal("1"))
        for n, kind in enumerate(("Whole", "Skim", "Soy", "Lactose Free", "Chocolate", "Almond"))
    ]
    soap = Product("99", "Oat Milk Soap", "soap", "personal care", Decimal("4"))
    small = Resolver(Catalog([*dairy, soap]))
    assert small.resolve("oat milk soap").decision is Decision.ACCEPT  # the words end in what it is
    # They buy the soap often, and the words are part of its name, but "... milk" asks for a milk.
    resolution = small.resolve("oat milk", history={soap.id: PurchaseStats(count=6, days_since_last=5.0)})
    assert resolution.best is not None and resolution.best.product == soap
    assert resolution.decision is not Decision.ACCEPT


def test_a_name_written_kind_first_is_taken_when_said_whole(resolver: Resolver, catalog: Catalog) -> None:
    # "Cheese, Mozzarella": the words name a kind of cheese too, but a choice of that kind without this product
    # answers another question (a falsifying example of the property test above).
    product = next(product for product in catalog if product.name == "Cheese, Mozzarella")
    resolution = resolver.resolve(product.name)
    assert resolution.best is not None and resolution.best.product == product
    assert resolution.decision is Decision.ACCEPT
