"""Garbled short words for a product bought every week: the habit is offered beside the sound-alikes
(``Resolver._habit_offered``), and a product bought once is not named by a weak fragment match.

The history is a customer's basket (``fixtures/resolver/weekly_basket_history.csv``, 12 orders); the heard words
are recogniser-style garbles written for these tests, not rows of any evaluation set.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import Catalog
from backend.demo.histories import load_histories
from backend.resolver import Candidate, Decision, ReasonCode, Resolver
from backend.resolver.purchases import PurchaseStats
from backend.resolver.resolver import HABIT_OFFER_FLOOR, usually_bought
from backend.settings import PACKAGE_DATA_DIR
from tests.support.properties import examples

HISTORY_FILE = Path(__file__).parent / "fixtures" / "resolver" / "weekly_basket_history.csv"
ORDERS = 12


@pytest.fixture(scope="module")
def history(catalog: Catalog) -> dict[str, PurchaseStats]:
    ids: dict[str, str] = {}
    for product in catalog:
        ids.setdefault(product.name, product.id)
    with HISTORY_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            ids[row["product_name"]]: PurchaseStats(int(row["orders"]), float(row["days_since_last"]))
            for row in csv.DictReader(handle)
        }


def _named(catalog: Catalog, name: str) -> str:
    return next(product.id for product in catalog if product.name == name)


@pytest.mark.parametrize(
    ("heard", "habit"),
    [
        ("but they chased", "Sea Salted Reduced Fat Potato Chips"),  # "potato chips"
        ("saw her a piece", "Organic Strawberries"),  # "strawberries"
    ],
)
def test_a_garbled_name_of_their_habit_offers_it_beside_the_sound_alikes(
    resolver: Resolver, catalog: Catalog, history: dict[str, PurchaseStats], heard: str, habit: str
) -> None:
    resolution = resolver.resolve(heard, history=history, orders=ORDERS)
    ids = [candidate.product.id for candidate in resolution.candidates]
    assert _named(catalog, habit) in ids, [candidate.product.name for candidate in resolution.candidates]
    assert resolution.decision is not Decision.ACCEPT
    offered = resolution.candidates[-1]
    assert any(reason.code is ReasonCode.USUALLY_BOUGHT for reason in offered.reasons)


def test_the_offered_habit_never_takes_the_first_place_or_the_decision(
    resolver: Resolver, history: dict[str, PurchaseStats]
) -> None:
    # The same words from a customer whose only habit is another product: the first place and the decision are
    # what the words and that history make them; the weekly habit only fills the last place.
    heard = "saw her a piece"
    resolution = resolver.resolve(heard, history=history, orders=ORDERS)
    without = resolver.resolve(heard)
    assert resolution.candidates[0].product.id == without.candidates[0].product.id
    assert resolution.decision is without.decision


@settings(max_examples=examples(20), deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["but", "the", "sour", "tea", "hole", "chased", "piece", "lions", "go"]), min_size=1, max_size=4
    )
)
def test_a_habit_under_the_cut_off_is_only_ever_the_last_offer(
    resolver: Resolver, history: dict[str, PurchaseStats], words: list[str]
) -> None:
    resolution = resolver.resolve(" ".join(words), history=history, orders=ORDERS)
    if all(_habit_under_cut_off(candidate, history) for candidate in resolution.candidates):
        # Nothing else matched: their habits are only the closest guesses (``Resolver._habit_asked``), no question.
        assert resolution.decision is Decision.NOT_FOUND
        assert all(candidate.match >= HABIT_OFFER_FLOOR for candidate in resolution.candidates)
        return
    for rank, candidate in enumerate(resolution.candidates[1:], start=1):
        bought = history.get(candidate.product.id)
        if bought is None or not usually_bought(bought.count, ORDERS) or candidate.match >= 0.45:
            continue
        # A habit under the cut-off beside other answers is there only as the offer: last, and no weaker than
        # HABIT_OFFER_FLOOR. (First, it is the habit rule's answer: the words are in its name.)
        assert rank == len(resolution.candidates) - 1
        assert candidate.match >= HABIT_OFFER_FLOOR


def _habit_under_cut_off(candidate: Candidate, history: dict[str, PurchaseStats]) -> bool:
    bought = history.get(candidate.product.id)
    return bought is not None and usually_bought(bought.count, ORDERS) and candidate.match < 0.45


def test_words_matching_nothing_are_not_found_with_the_habits_they_match_about_equally_as_guesses(
    resolver: Resolver, catalog: Catalog, history: dict[str, PurchaseStats]
) -> None:
    # No catalog name reaches the cut-off; their milk, bananas and chips match the words about equally (noise
    # does). The words beat the history: not found, never a question a yes would answer by adding their milk; the
    # habits stay as the closest guesses, the likeliest first.
    resolution = resolver.resolve("go go piece go", history=history, orders=ORDERS)
    names = [candidate.product.name for candidate in resolution.candidates]
    assert resolution.decision is Decision.NOT_FOUND, names
    assert len(names) == 3
    assert names[0] == "Organic Whole Milk"
    assert all(_habit_under_cut_off(candidate, history) for candidate in resolution.candidates)


def test_a_product_bought_once_is_not_named_by_a_weak_fragment(
    resolver: Resolver, catalog: Catalog, history: dict[str, PurchaseStats]
) -> None:
    # "who meal" matches the end of their once-bought olive oil ("...Olive Oil") about as noise matches any name;
    # their weekly milk, whose name it sounds like, is offered instead.
    resolution = resolver.resolve("who meal", history=history, orders=ORDERS)
    ids = [candidate.product.id for candidate in resolution.candidates]
    assert _named(catalog, "Extra Virgin Olive Oil") not in ids
    assert _named(catalog, "Organic Whole Milk") in ids


def test_a_garbled_first_word_before_the_end_of_their_habits_name_offers_it(
    resolver: Resolver, catalog: Catalog
) -> None:
    # "and" is often what a recogniser makes of a short word ("with", "in"): "and bacon" from someone who buys their
    # pimiento cheese with bacon every week may be that, as much as the catalog's Bacon. A question, not Bacon unasked.
    theirs = _named(catalog, "Palmetto Cheese, Pimiento Cheese with Bacon")
    history = {theirs: PurchaseStats(6, 10.0)}
    resolution = resolver.resolve("and bacon", history=history)
    assert resolution.decision is Decision.CHOOSE
    assert resolution.candidates[-1].product.id == theirs
    assert resolution.candidates[0].product.name == "Bacon"
    # Said plainly, "bacon" is the catalog's Bacon; and without the habit, "and bacon" is too.
    assert resolver.resolve("bacon", history=history).decision is Decision.ACCEPT
    plain = resolver.resolve("and bacon")
    assert plain.decision is Decision.ACCEPT
    assert theirs not in [candidate.product.id for candidate in plain.candidates]


BARS = {  # a customer who buys one bar every week and tried three others of a brand now and then
    "Blueberry Muffin Bar": (20, 5.0),
    "Lemon Fruit & Nut Food Bar": (3, 20.0),
    "Peanut Butter & Jelly Fruit & Nut Food Bar": (3, 20.0),
    "Apple Pie Fruit & Nut Food Bar": (4, 20.0),
    "Organic Whole Milk": (10, 3.0),
}


@pytest.mark.parametrize("heard", ["what kind are", "the kind of car"])
def test_places_held_by_habits_matched_as_noise_go_to_the_likeliest(
    resolver: Resolver, catalog: Catalog, heard: str
) -> None:
    """Garbled words match their weekly bar and the bars bought three times all about as weakly (below the prior's
    floor): the bar bought every week is offered, not the ones that matched a few thousandths better; what they
    never bought keeps its place, and nothing is taken unasked."""
    history = {_named(catalog, name): PurchaseStats(count, days) for name, (count, days) in BARS.items()}
    resolution = resolver.resolve(heard, history=history, orders=24)
    names = [candidate.product.name for candidate in resolution.candidates]
    assert "Blueberry Muffin Bar" in names, names
    assert resolution.decision is not Decision.ACCEPT
    alone = resolver.resolve(heard)  # no history: the products nobody bought rank as they did
    strangers = [c.product.id for c in resolution.candidates if c.product.id not in history]
    assert strangers == [c.product.id for c in alone.candidates if c.product.id in strangers]


def test_a_second_habit_is_offered_when_the_first_took_its_place_with_the_prior(
    resolver: Resolver, catalog: Catalog
) -> None:
    """Their juice leads a garbled request it matches only a little better than noise (below the prior's full
    weight): their smoothie blend, bought as often and matched nearly as well as the last option, is as real a
    reading and takes the last place. The first place and the decision stay."""
    history = {
        _named(catalog, "Mango Tango Fruit Smoothie Blend"): PurchaseStats(13, 0.0),
        _named(catalog, "Orange Calcium & Vitamin D Pulp Free"): PurchaseStats(13, 30.0),
        _named(catalog, "Organic Whole Milk"): PurchaseStats(10, 3.0),
    }
    resolution = resolver.resolve("go free", history=history, orders=14)
    names = [candidate.product.name for candidate in resolution.candidates]
    assert names[0] == "Orange Calcium & Vitamin D Pulp Free"
    assert names[-1] == "Mango Tango Fruit Smoothie Blend", names
    assert resolution.decision is not Decision.ACCEPT


def test_no_habit_of_another_kind_is_offered_beside_a_product_the_words_are_the_whole_name_of(
    resolver: Resolver, catalog: Catalog
) -> None:
    # Demo customer 2706 (101 products) bought an Italian Dry Salame twice. "lime" is the whole name of the
    # catalog's Lime, and the salami only sounds a little like it: none of the words names it, so it is no reading of
    # "lime" to offer beside the limes.
    today = date(2026, 11, 20)
    history = load_histories(PACKAGE_DATA_DIR / "customers_sample.csv", last_order_on=today)["2706"].stats(today)
    salame = _named(catalog, "Italian Dry Salame")
    assert salame in history
    resolution = resolver.resolve("lime", history=history)
    names = [candidate.product.name for candidate in resolution.candidates]
    assert salame not in [candidate.product.id for candidate in resolution.candidates], names
    assert names[0] == "Lime"
