"""The resolver: heard words (or Alexa's entity-resolution ids) -> ranked catalog candidates and a decision."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from backend.catalog import Catalog, Product
from backend.number_words import number_to_words
from backend.resolver.amounts import Amount, parse_amount, unit_fits
from backend.resolver.confidence import ACCEPT_AT, CHOOSE_LEAD, confidence, decide
from backend.resolver.evidence import evidence, heard_words
from backend.resolver.habits import (
    FUNCTION_WORDS,
    NAMING_SHARE,
    PHRASE_STARTS,
    Habit,
    NameWords,
    aisle_noun,
    asked_kind,
    habit_among,
)
from backend.resolver.heads import head_of
from backend.resolver.kinds import KindIndex, settle
from backend.resolver.kindtables import KindTables, ProductNames
from backend.resolver.model import Candidate, Decision, Reason, ReasonCode, Resolution
from backend.resolver.phonemes import Pronouncer, default_pronouncer
from backend.resolver.scoring import (
    PRIOR_FROM,
    PRIOR_FULL,
    QueryForms,
    aligned_matches,
    full_match,
    full_matches,
    partial_matches,
    prior_bonuses,
    reorder_share,
    similarity,
)
from backend.resolver.tables import ResolverTables, catalog_key, default_cache_dir
from backend.resolver.twins import last_word_plural, tells_apart
from backend.resolver.twintables import TwinTables
from backend.resolver.variants import query_variants
from backend.resolver.written import written_form
from backend.spoken import leading_words, query_form, spoken_form

logger = logging.getLogger(__name__)

ALEXA_MATCH_SCORE = 0.97  # Alexa's own resolution, matched against our catalog ids
EXACT_NAME_TIEBREAK = 1e-3  # the exact written name beats another product that sounds the same
# Between names that are one spoken form ("Wheat Dinner Roll" / "Wheat Dinner Rolls", "Pizza 4 Cheese" / "Pizza
# Four Cheese"), the one whose last word agrees in number with the heard one, then the one spelled more like the
# heard words, comes first (``_twin_tiebreaks``); far below any real difference in score.
PLURAL_TIEBREAK = 1e-4
SPELLING_TIEBREAK = 1e-5
STRONG_MATCH = 0.8  # a match this good of a product bought in HABIT_ORDERS orders is not a weak one
# A customer with a history names their own things in this many words or fewer ("green beans"): such words that
# match a product they never bought only weakly (below STRONG_MATCH) are a guess, not an answer.
FEW_WORDS = 2
# A recogniser's leading "and" is often the garbled start of a name ("and the" for "Dundee"): taken off, it must
# not settle the shorter name when a longer one ends with it and matches the words as heard this well.
GARBLED_LEAD_WORDS = frozenset({"and"})
WORDS_PREFER_MARGIN = 0.05  # another product matching the words this much better is a real rival
# ... of a habit whose whole name the words match, heard a little wrong ("both strawberries" for their "Whole
# Strawberries" beside "Bites Strawberry", 0.06 better): only a clearly better match ("green tee": "Green Tea"
# 0.15 better than their "Green Peas") is.
HABIT_MISHEARD_MARGIN = 0.1
WHOLE_NAME_MATCH = 0.97  # the words are this product's whole name, as far as sound and spelling tell
HABIT_ORDERS = 3  # bought in this many orders: "the one you usually buy"
HABIT_SHARE = 1 / 3  # ... or in this share of all their orders (and more than once)
UNIT_MATCH_BONUS = 0.03  # the unit or pack size said is in the product's name
# The unit said is one the product cannot be sold in (``amounts.unit_fits``: "a dozen" of liquid egg whites): it
# counts against the product as much as a clear difference in the words, and the product is never taken unasked.
UNIT_UNFIT_PENALTY = 0.1
# Offered beside the best, an option the words match this much worse is unrelated: on the dev sets the right
# answer, when a choice held it after the first place, was never more than 0.16 behind.
OFFER_GAP = 0.25
# A heard word this many names hold describes products ("spicy", "vanilla"); a misheard word mostly does not.
DESCRIBING_NAMES = 20
SOUNDS_LIKE_GAP = 0.05  # sound match this much better than spelling: say "sounds like"
# Their best-matching habit is offered in the last place when the words match it at least this well (below the
# cut-off for other products: a product they buy every week is a likelier reading of garbled words than a stranger
# matching a little better) and at most this much worse than the candidate it displaces.
HABIT_OFFER_FLOOR = 0.35
HABIT_OFFER_GAP = 0.1
# A product bought once or twice is not one they name by a fragment of its name: such a partial match counts only
# where the prior would be half its weight (``scoring.prior_bonuses``), halfway from noise to words that explain it.
OCCASIONAL_PARTIAL_FROM = (PRIOR_FROM + PRIOR_FULL) / 2
HABIT_PRIOR_SPAN = 0.05  # habits the words match this nearly as well as the best one: the prior between them decides
MAX_HISTORY_CANDIDATES = 1_000  # the most-bought products of a very long history
# The customer's habit holding every word said is what they mean (``backend.resolver.habits``): right in 286 of the
# 288 personal dev rows the rule applied to.
HABIT_CONFIDENCE = 0.99
# This many words or more that are letter for letter another product's whole name are that product as much as
# the habit that holds them ("house blend ground coffee"): both are offered. Two or three words are how people
# name what they buy ("low fat milk" for their "1% Lowfat Milk"), whatever else is called just that.
RIVAL_NAME_WORDS = 4
# A product in an aisle holding less than this share of the products a word heads is not that kind of thing
# ("butter" heads 0.016 of its products in crackers, "tuna" 0.06 in cat food, "parmesan" 0.36 in packaged cheese),
# when its name also says so. "puff" heads 0.09 of its products in popcorn jerky: "Cheddar Puffs Cheese Snacks" are
# puffs, so the line is drawn below that.
KIND_AISLE_SHARE = 0.08
# A request the name holds at most this many words of, besides the word for what was asked, is named by that word
# as much as by the rest ("canned tuna"): a name lacking it is another kind of thing. More words held are a name
# heard with its last word garbled ("nasal allergies spread" for the spray).
KIND_EVIDENCE_WORDS = 1
# A runner-up matching the words at most this much worse than the best, whose name holds the word for what was
# asked when the best's does not ("... coconut butter": "100% Organic Raw Coconut Butter" 0.04 behind "100% Organic
# Coconut Water"), is a real alternative: "butter" heard as "water" is the likelier slip than the reverse only by
# sound, and the words themselves name the runner-up's kind.
KIND_RIVAL_GAP = 0.1


def usually_bought(count: int, orders: int | None) -> bool:
    """Bought in at least ``HABIT_ORDERS`` orders, or (more than once) in a third of all the customer's orders."""
    return count >= HABIT_ORDERS or (orders is not None and orders > 0 and count >= 2 and count >= HABIT_SHARE * orders)


def bought_reasons(bought: PurchaseStatsLike, orders: int | None) -> list[Reason]:
    """What is true about the customer's history with a product, as reasons the skill can say."""
    days = round(bought.days_since_last)
    reasons = [
        Reason(ReasonCode.BOUGHT_BEFORE, count=bought.count, orders=orders),
        Reason(ReasonCode.BOUGHT_RECENTLY, days=days),
    ]
    if usually_bought(bought.count, orders):
        reasons.append(Reason(ReasonCode.USUALLY_BOUGHT, count=bought.count, days=days, orders=orders))
    return reasons


class PurchaseStatsLike(Protocol):
    """What the personal bias reads (``backend.resolver.purchases.PurchaseStats`` or any channel's equivalent)."""

    @property
    def count(self) -> int: ...

    @property
    def days_since_last(self) -> float: ...


@dataclass(frozen=True, slots=True)
class _Scored:
    product_index: int
    entry: int
    score: float
    match: float
    bought: PurchaseStatsLike | None
    partial: bool


def _above_cutoff(
    ranked: Iterator[_Scored], score_cutoff: float, orders: int | None, passed: list[_Scored]
) -> Iterator[_Scored]:
    """The ranked items matching at the cut-off or above; the habits matched under it are kept in ``passed``: the
    first one, and those after it ranked about as high (``HABIT_PRIOR_SPAN``), for ``Resolver._likeliest_habits``."""
    for item in ranked:
        if item.match >= score_cutoff:
            yield item
        elif (
            item.bought is not None
            and usually_bought(item.bought.count, orders)
            and (not passed or item.score >= passed[0].match - HABIT_PRIOR_SPAN)
        ):
            passed.append(item)


class Resolver:
    """Resolves spoken product phrases against one catalog. Build once per process; safe to share across threads."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        retrieval_limit: int = 150,
        pronouncer: Pronouncer | None = None,
        tables: ResolverTables | None = None,
    ) -> None:
        """Build the tables for ``catalog`` (seconds at 50k products), or use prebuilt ``tables`` of it
        (see ``Resolver.cached``)."""
        started = time.perf_counter()
        self.catalog = catalog
        self.retrieval_limit = retrieval_limit
        self._products: tuple[Product, ...] = tuple(catalog)
        self._position = {product.id: number for number, product in enumerate(self._products)}
        if tables is None:
            tables = ResolverTables.build(catalog, pronouncer if pronouncer is not None else default_pronouncer())
        if len(tables.written) != len(self._products):
            raise ValueError("the tables were built for another catalog")
        self.tables = tables
        self._owner_array = tables.owners
        self._start_array = tables.starts
        self._entry_start = tables.starts.tolist()
        self._entry_spoken = tables.spoken
        self._entry_sound = tables.sound
        self._spoken_array = np.array(tables.spoken, dtype=object)
        self._sound_array = np.array(tables.sound, dtype=object)
        self._phones_array = np.array(tables.phones, dtype=object)
        self._coarse_array = np.array(tables.coarse, dtype=object)
        self._pronouncer = tables.pronouncer
        self._written = tables.written
        self._heads = tables.heads
        # The first product of each written name: later duplicates are overwritten by earlier ones.
        self._exact_names: dict[str, int] = dict(
            zip(reversed(self._written), range(len(self._written) - 1, -1, -1), strict=True)
        )
        self._index = tables.index
        self.retrieval_limit = self._index.scaled_limit(retrieval_limit)  # more from a 1M-product index
        self._name_words: dict[int, NameWords] = {}  # filled as customers' products are first looked at
        # The catalog's word counts for the kind rules come with the tables (counted from the names on first use
        # only when stored ones were unusable); what the rules read is derived from them on first use, in ms.
        self._kind_counts: KindTables | None = tables.kinds
        self._first_spoken: list[str] | None = None
        self._kind_shares: dict[str, float] | None = None
        self._describing: frozenset[str] = frozenset()  # ... with the words many names hold
        self._head_aisles: Mapping[str, Mapping[str, float]] | None = None
        self._kinds: KindIndex | None = None
        # The catalog's twins come with the tables too (found on first use only when stored ones were unusable).
        self._twins: TwinTables | None = tables.twins
        self._spelt: dict[str, tuple[int, ...]] | None = None if self._twins is None else self._twins.spelt_twins()
        self.build_seconds = time.perf_counter() - started
        logger.info("resolver: %d entries ready in %.2f s", len(tables.spoken), self.build_seconds)

    @classmethod
    def cached(cls, catalog: Catalog, *, cache_dir: Path | None = None, retrieval_limit: int = 150) -> Resolver:
        """A resolver from the prebuilt tables of this catalog version, building and storing them on first use.

        The tables live in ``cache_dir`` (default ``default_cache_dir()``) under the catalog's key, so a
        process or a Lambda cold start loads them (memory-mapped) instead of building them. A cache that
        cannot be written (read-only disk) only costs the build.
        """
        directory = (cache_dir or default_cache_dir()) / catalog_key(catalog)
        if (directory / "meta.json").exists():
            try:
                return cls(catalog, retrieval_limit=retrieval_limit, tables=ResolverTables.load(directory))
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("prebuilt resolver tables at %s unusable (%s); building them", directory, exc)
        else:
            logger.warning("no prebuilt resolver tables at %s for this catalog version; building them", directory)
        resolver = cls(catalog, retrieval_limit=retrieval_limit)
        try:
            resolver.tables.save(directory)
        except OSError as exc:
            logger.warning("cannot store resolver tables at %s: %s", directory, exc)
        return resolver

    def __len__(self) -> int:
        return len(self._products)

    def resolve(
        self,
        query: str,
        *,
        history: Mapping[str, PurchaseStatsLike] | None = None,
        alexa_ids: Sequence[str] = (),
        dynamic_ids: Sequence[str] = (),
        orders: int | None = None,
        limit: int = 3,
        score_cutoff: float = 0.45,
    ) -> Resolution:
        """Rank the catalog products the words may mean; nothing scoring below ``score_cutoff`` is returned.

        ``dynamic_ids`` are the slot's matches from the customer's dynamic entities (their own
        authority in the request), taken first; ``alexa_ids`` those of the static slot values.
        ``orders`` is how many orders the customer has placed, when the caller knows it: it decides
        whether a product is "the one you usually buy" (a third of their orders). Without it, the count
        of their most-bought product stands in (no customer has fewer orders than that).
        """
        history = history or {}
        if orders is None and history:
            orders = max(stats.count for stats in history.values())
        amount = parse_amount(query)
        said = query_form(amount.words).split()
        bought_at = self._history_positions(history) if history else {}
        habit = self._habit(said, bought_at, orders, unit=amount.unit) if bought_at else None
        for ids, code in ((dynamic_ids, ReasonCode.DYNAMIC_MATCH), (alexa_ids, ReasonCode.ALEXA_MATCH)):
            known_ids = [product_id for product_id in dict.fromkeys(ids) if product_id in self._position]
            if len(known_ids) == 1 and code is ReasonCode.ALEXA_MATCH and self._names_another(query, known_ids):
                # One static match would be taken unasked, but the words are another product's whole name: a
                # synonym ("eggs" for a breakfast burrito) hid the product they name. The words decide.
                break
            several = len(known_ids) > 1 and code is ReasonCode.ALEXA_MATCH
            if several and " " in (named := written_form(query)) and named in self._exact_names:
                # Several static matches, but the words are letter for letter one product's whole name, which the
                # others' names only hold ("String Cheese" in "Light String Cheese"): when the words alone take that
                # product, a "which one?" would ask about what the customer already named. One word is a kind's
                # name ("Bread", "Rosemary"): that still asks, as it did.
                own = self.resolve(query, history=history, orders=orders, limit=limit, score_cutoff=score_cutoff)
                if own.decision is Decision.ACCEPT and own.best is not None and own.best.product.id in known_ids:
                    return own
            if known_ids:
                resolution = self._from_alexa(query, known_ids, history, limit, orders=orders, code=code)
                if habit is not None:
                    resolution = self._prefer_habit(
                        resolution, habit, said=said, history=history, orders=orders, limit=limit
                    )
                return resolution
        variants = query_variants(query, amount, self._pronouncer)
        if not variants:
            return Resolution(query, Decision.NOT_FOUND, (), amount)
        written = written_form(query)
        # Without a history nothing under the cut-off is ever used, so it is left out while ranking; with one, a habit
        # matched under it can still be offered.
        cutoff = -np.inf if bought_at else score_cutoff
        ranked = self._rank(variants, written, bought_at, history, amount.unit, cutoff=cutoff, orders=orders)
        passed: list[_Scored] = []  # the best of their habits, if the words match it under the cut-off
        above = _above_cutoff(ranked, score_cutoff, orders, passed)
        resolution = self._resolution(query, above, limit, score_cutoff, orders)
        if habit is None:
            as_kind = self._as_kind(
                resolution, said, amount=amount, history=history, orders=orders, limit=limit, cutoff=score_cutoff
            )
            exact = self._exact_names.get(written)
            # A choice of the kind the words name must hold the product they are the whole name of ("Cheese,
            # Mozzarella" is a product, not only cheese): one without it answers another question.
            if exact is None or any(self._position[c.product.id] == exact for c in as_kind.candidates):
                resolution = as_kind
            if bought_at:
                # ``ranked`` goes on where the resolution stopped: what is left is ranked below its candidates.
                # Beside candidates one place is open to a habit, and the first habit under the cut-off competes
                # for it with those ranked after them; with none, the habits matched about as well are the question.
                rest = chain(passed[:1] if resolution.candidates else passed, ranked)
                resolution = self._habit_offered(resolution, rest, history=history, orders=orders, limit=limit)
        else:
            resolution = self._prefer_habit(resolution, habit, said=said, history=history, orders=orders, limit=limit)
        best = resolution.best
        if best is None:
            return replace(resolution, amount=amount)
        resolution = replace(resolution, amount=self._amount_for(amount, best.product, query))
        if (
            resolution.decision is Decision.ACCEPT
            and amount.unit is not None
            and not self._unit_fits(amount.unit, self._position[best.product.id])
        ):
            return replace(resolution, decision=Decision.CONFIRM)  # "a dozen" is no carton of egg whites: ask
        if habit is not None:
            return resolution
        if resolution.decision is Decision.ACCEPT and (
            (
                (best.product.id in history or (len(said) <= FEW_WORDS and best.match < WHOLE_NAME_MATCH))
                and self._lacks_a_word(said, best)
            )
            or self._lacks_the_kind(said, best)
            or (
                best.product.id in history
                and self._shelved_as_another_head(asked_kind(said), self._position[best.product.id])
            )
        ):
            # Their product took the lead, or a few words fit a name only by its sound, but a word they said is not
            # in its name ("spicy" for their salted butter, "oat" for Goat Milk); or the word for what was asked is
            # not ("canned tuna" for Canned Soda), or their product's name holds it but the aisle says the name's other
            # head is what it is ("sandwich cookies", their ice cream sandwich): evidence against it, so at most a
            # question. (A whole name said, with no history behind it, is named by all its words.)
            resolution = replace(resolution, decision=Decision.CONFIRM)
        if (
            resolution.decision is Decision.ACCEPT
            and bought_at
            and (best.product.id not in history or not usually_bought(history[best.product.id].count, orders))
            and len(said) <= FEW_WORDS
            and best.match < STRONG_MATCH
        ):
            # A few words from a customer with a history, sounding only a little like a product they never bought
            # ("bring things" for Spring Fling, when they buy Green Beans), or bought once or twice ("nutella" for
            # their Tomatillo): a guess, so a question. Only a habit is what their few words mean.
            resolution = replace(resolution, decision=Decision.CONFIRM)
        garbled = self._garbled_lead(resolution, query, said, bought_at, orders=orders, limit=limit)
        if garbled is not None:
            return self._judged(garbled, said)
        if self._exact_names.get(written) == self._position[best.product.id] and not self._has_twin(resolution):
            # The words are this product's own name, letter for letter: take it even if another product
            # is close ("Smartwater" / "Smart Water" spell alike); one that *sounds* the same is still offered.
            resolution = replace(resolution, decision=Decision.ACCEPT)
        return self._judged(
            self._with_spelt_twins(self._without_strays(resolution, said, history), history, limit), said
        )

    def _judged(self, resolution: Resolution, said: Sequence[str]) -> Resolution:
        """Not sold is not added (``backend.resolver.evidence``), judged on what each candidate's name explains of the
        heard words, the ranking left as it is:

        - when no candidate explains a word, matched under ``PRIOR_FROM`` (where words explain no product), nothing
          was found: the candidates are only the closest, a question that says so first, never taken unasked. They
          stay offered: a recogniser that garbled every word ("so bad that" for their Cannellini beans) looks the
          same as a request for what the shop does not sell ("a lawn mower"), and only a question tells them apart;
        - a few words whose best candidate holds neither all of them nor what was asked for ("garden hose": Garden
          Peas) are never taken unasked;
        - a best candidate not holding every heard word, not matched strongly as a whole, is only the closest: the
          question says first that what was asked for was not found."""
        if not resolution.candidates:
            return resolution
        judged = [
            (candidate, evidence(said, candidate.product.name, self._pronouncer, self._kind_share))
            for candidate in resolution.candidates
        ]
        decision = resolution.decision
        if all(heard.share == 0.0 and candidate.match < PRIOR_FROM for candidate, heard in judged):
            if decision is Decision.ACCEPT:
                decision = Decision.CONFIRM
            return replace(resolution, decision=decision, closest=True)
        best, heard = judged[0]
        closest = best.match < STRONG_MATCH and heard.share < 1.0
        if (
            decision is Decision.ACCEPT
            and closest
            and not heard.head
            and heard.share <= 0.5
            and len(heard_words(said)) <= FEW_WORDS
        ):
            decision = Decision.CONFIRM
        return replace(resolution, decision=decision, closest=closest)

    @staticmethod
    def _without_strays(
        resolution: Resolution, said: Sequence[str], history: Mapping[str, PurchaseStatsLike]
    ) -> Resolution:
        """Beside a product the words are the whole name of ("lime"), no product of theirs that none of the words
        names and that the words match only loosely (their "Italian Dry Salame"): the words beat the history."""
        best = resolution.best
        if best is None or best.match < WHOLE_NAME_MATCH or not history:
            return resolution
        words = {word.removesuffix("s") for word in said}

        def stray(candidate: Candidate) -> bool:
            named = {word.removesuffix("s") for word in query_form(candidate.product.name).split()}
            return candidate.product.id in history and candidate.match < STRONG_MATCH and not words & named

        kept = tuple(candidate for candidate in resolution.candidates if candidate is best or not stray(candidate))
        return resolution if len(kept) == len(resolution.candidates) else replace(resolution, candidates=kept)

    def _with_spelt_twins(
        self, resolution: Resolution, history: Mapping[str, PurchaseStatsLike], limit: int
    ) -> Resolution:
        """An accepted or confirmed product whose name another product's is but for punctuation ("Fat-Free Refried
        Beans" / "Fat Free Refried Beans", in two aisles) is one of two products no words tell apart: both are
        offered, unless the customer has bought the one taken (then it is theirs). A "yes" to "did you mean Fat
        Free Refried Beans?" would not say which of the two, so that question is the choice too. Names alike letter
        for letter are one product listed twice, and stay one option."""
        best = resolution.best
        if resolution.decision not in (Decision.ACCEPT, Decision.CONFIRM) or best is None or best.product.id in history:
            return resolution
        twins = self._spelt_twins().get(self._written[self._position[best.product.id]])
        if twins is None:
            return resolution
        name = best.product.name.casefold()
        others = [self._products[p] for p in twins if self._products[p].name.casefold() != name]
        if not others:
            return resolution
        held = {best.product.id, *(product.id for product in others)}
        rest = [candidate for candidate in resolution.candidates[1:] if candidate.product.id not in held]
        options = [best, *(replace(best, product=product) for product in others), *rest][: max(limit, 2)]
        apart = tells_apart([option.product for option in options])
        return replace(
            resolution,
            decision=Decision.CHOOSE,
            candidates=tuple(replace(option, tells_apart=apart[rank]) for rank, option in enumerate(options)),
        )

    def _garbled_lead(
        self,
        resolution: Resolution,
        query: str,
        said: Sequence[str],
        bought_at: Mapping[int, PurchaseStatsLike],
        *,
        orders: int | None,
        limit: int,
    ) -> Resolution | None:
        """The question a garbled first word leaves (``_garbled_lead_rival``, ``_garbled_lead_habit``), if any."""
        if resolution.decision is Decision.ACCEPT and self._garbled_lead_rival(query, resolution):
            return self._offered(replace(resolution, decision=Decision.CHOOSE))
        offered = self._garbled_lead_habit(resolution, query, said, bought_at, orders=orders, limit=limit)
        return None if offered is resolution else offered

    def _garbled_lead_habit(
        self,
        resolution: Resolution,
        query: str,
        said: Sequence[str],
        bought_at: Mapping[int, PurchaseStatsLike],
        *,
        orders: int | None,
        limit: int,
    ) -> Resolution:
        """A request beginning with a word taken off as request language that is often a garbled short word
        (``GARBLED_LEAD_WORDS``: "and" heard for "in"), whose other words end the name of one of their habits right
        after a function word ("and water", their Chunk Light Tuna In Water): that habit is a reading as real as
        the product the words name, so it is offered in the last place and the answer is a question."""
        if not bought_at or not said or limit < 2 or GARBLED_LEAD_WORDS.isdisjoint(leading_words(query)):
            return resolution
        ending = " " + " ".join(said)
        holding = [
            (stats.count, -stats.days_since_last, position)
            for position, stats in bought_at.items()
            if usually_bought(stats.count, orders)
            and (name := self._entry_spoken[self._entry_start[position]]).endswith(ending)
            and name[: -len(ending)].rsplit(" ", 1)[-1] in FUNCTION_WORDS
        ]
        if not holding:
            return resolution
        position = max(holding)[2]
        product = self._products[position]
        if any(candidate.product.id == product.id for candidate in resolution.candidates):
            return resolution
        entry = self._entry_start[position]
        forms = QueryForms.of(" ".join(said), self._pronouncer)
        spoken, sound = [self._entry_spoken[entry]], [self._entry_sound[entry]]
        match = float(partial_matches(forms, spoken, sound, [self._coarse_array[entry]])[0])
        offered = Candidate(
            product,
            confidence(match, 0.0, bought=True),
            (Reason(ReasonCode.PARTIAL_NAME), *bought_reasons(bought_at[position], orders)),
            match,
            match,
        )
        options = [*resolution.candidates[: limit - 1], offered]
        apart = tells_apart([candidate.product for candidate in options])
        return replace(
            resolution,
            decision=Decision.CHOOSE if len(options) > 1 else Decision.CONFIRM,
            candidates=tuple(replace(candidate, tells_apart=apart[rank]) for rank, candidate in enumerate(options)),
        )

    def _spelt_twins(self) -> Mapping[str, tuple[int, ...]]:
        """The written names (``written_form``) that products spell differently ("Fat-Free" / "Fat Free"), each
        with its products' positions (``TwinTables``)."""
        if self._spelt is None:
            self._spelt = self._twin_tables().spelt_twins()
        return self._spelt

    def _twin_tables(self) -> TwinTables:
        """The tables' twins, or, when they came without them, found once on first use (~10 ms at 50k)."""
        twins = self._twins
        if twins is None:
            names = [product.name for product in self._products]
            twins = TwinTables.build(self._written, names, self._entry_spoken, self._owner_array.tolist())
            self._twins = twins  # one assignment: a concurrent first search builds its own and drops it
        return twins

    @staticmethod
    def _garbled_lead_rival(query: str, resolution: Resolution) -> bool:
        """The request began with a word taken off as request language that is often a garbled first word
        (``GARBLED_LEAD_WORDS``), and another candidate's name is the best one's with words before it, matching the
        words as heard well: "and the orange marmalade" is Orange Marmalade or Dundee Orange Marmalade."""
        if GARBLED_LEAD_WORDS.isdisjoint(leading_words(query)):
            return False
        name = " " + spoken_form(resolution.candidates[0].product.name)
        return any(
            candidate.match >= STRONG_MATCH and spoken_form(candidate.product.name).endswith(name)
            for candidate in resolution.candidates[1:]
        )

    def _names_another(self, query: str, product_ids: Sequence[str]) -> bool:
        """The words are, letter for letter, the whole name of a product not among ``product_ids``."""
        position = self._exact_names.get(written_form(query))
        if position is None:
            position = self._spoken_name_of(query_form(query))
        return position is not None and self._products[position].id not in product_ids

    def _as_kind(
        self,
        resolution: Resolution,
        said: Sequence[str],
        *,
        amount: Amount,
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
        limit: int,
        cutoff: float,
    ) -> Resolution:
        """Words naming a kind of product ("rice") get its products, not sound-alikes (``backend.resolver.kinds``)."""
        kinds = self._kind_index()
        kind = kinds.find(said)
        content = [word for word in said if word not in FUNCTION_WORDS]
        best = resolution.best
        if kind is None and len(content) == 1 and best is not None:
            names = [
                self._entry_spoken[self._entry_start[self._position[c.product.id]]].split()
                for c in resolution.candidates
            ]
            if content[0] not in names[0] and any(content[0] in name for name in names[1:]):
                # One word said, held by names of which the ranking offers one, and the best match lacks it: a
                # sound-alike ("Italian Beer" for "italiano") before the names that hold the word, which are asked
                # about instead. (Holders the ranking did not offer leave it alone: the word may be misheard.)
                kind = kinds.holding(content[0])
        if kind is None:
            if best is not None and resolution.decision is Decision.ACCEPT:
                name = self._entry_spoken[self._entry_start[self._position[best.product.id]]]
                if kinds.sound_alike(said, name):
                    return replace(resolution, decision=Decision.CONFIRM)  # "nuts" is a catalog word, "Notes" another
            return resolution
        forms = QueryForms.of(kind.words, self._pronouncer)

        def candidate(position: int) -> Candidate | None:
            entry = self._entry_start[position]
            spoken, sound = self._entry_spoken[entry], self._entry_sound[entry]
            # The words are what the product is, a part of its name: matched as the customer's own products are.
            part = partial_matches(forms, [spoken], [sound], [self._coarse_array[entry]])
            match = max(full_match(forms, spoken, sound), float(part[0]))
            if match < cutoff:
                return None
            product = self._products[position]
            bought = history.get(product.id)
            code = ReasonCode.EXACT_NAME if spoken == kind.words else ReasonCode.PARTIAL_NAME
            reasons = (Reason(code), *(bought_reasons(bought, orders) if bought else ()))
            return Candidate(product, confidence(match, 0.0, bought=bought is not None), reasons, match, match)

        return settle(
            resolution,
            kind,
            position_of=lambda found: self._position[found.product.id],
            bought={self._position[key]: stats.count for key, stats in history.items() if key in self._position},
            candidate=candidate,
            written=self._written,
            spoken_of=lambda position: self._entry_spoken[self._entry_start[position]],
            limit=limit,
            number=None if amount.quantity is None else number_to_words(amount.quantity),
            heard_plural=last_word_plural(written_form(resolution.query), query_form(resolution.query)),
        )

    def _habit(
        self,
        said: Sequence[str],
        bought_at: Mapping[int, PurchaseStatsLike],
        orders: int | None,
        *,
        unit: str | None = None,
    ) -> Habit | None:
        """The product of the customer's that the words name by habit (``backend.resolver.habits``), if any; never
        one the ``unit`` said cannot be sold in ("a dozen eggs" is no habit of liquid egg whites)."""
        head = head_of(" ".join(said))

        content = [word for word in said if word not in FUNCTION_WORDS]

        kind = asked_kind(said)

        def fits(position: int) -> bool:  # "oat milk" is never their "Oat Milk Soap"
            if unit is not None and not self._unit_fits(unit, position):
                return False
            # ("with bacon" asks for a product with it, not for the kind.)
            if len(content) == 1 and said[0] not in PHRASE_STARTS and self._shelved_elsewhere(content[0], position):
                return False
            if self._shelved_as_another_head(kind, position):
                return False
            return not self._heads.other_kind(
                head,
                self._entry_spoken[self._entry_start[position]],
                self._heads.heads[position],
                self._products[position].department,
                " ".join(said),
            )

        return habit_among(
            said,
            ((position, self._words_of(position), stats) for position, stats in bought_at.items()),
            is_habit=lambda count: usually_bought(count, orders),
            kind_share=self._kind_share,
            fits=fits,
            pronounce=self._pronouncer.word,
        )

    def _lacks_a_word(self, said: Sequence[str], candidate: Candidate) -> bool:
        """A word said that tells products apart ("spicy", "organic": many names hold it) is not in the name."""
        self._kind_share("")  # builds the catalog's word counts on first use
        words = self._words_of(self._position[candidate.product.id])
        for at, word in enumerate(said):
            if word in FUNCTION_WORDS or word not in self._describing or words.has(word):
                continue
            # A recogniser splits words: "all mond" is "almond", not the describing word "all".
            joined = (said[at - 1] + word if at else "", word + said[at + 1] if at + 1 < len(said) else "")
            if not any(pair and (words.has(pair) or words.near_word(pair)) for pair in joined):
                return True
        return False

    def _lacks_the_kind(self, said: Sequence[str], candidate: Candidate) -> bool:
        """A short request whose word for what was asked (``asked_kind``, a word naming products: "tuna", "food",
        "fish") is not in the name nor the aisle's noun, however spelt, split or run together: "canned tuna" is no
        Canned Soda, "indian food" no Indian Corn, "frozen fish" no Frozen Peaches.

        Only when the name holds at most one other word said: then the kind word is half the evidence. A full
        name heard with its last word garbled ("nasal allergies spread") is named by the rest; a word that hardly
        ever heads a name ("organic") or heads none ("mill") says nothing of the kind."""
        kind = asked_kind(said)
        if not kind or self._kind_share(kind) < NAMING_SHARE:
            return False
        position = self._position[candidate.product.id]
        if self._holds_kind(kind, said, position):
            return False
        words = self._words_of(position)
        held = sum(1 for word in said[:-1] if word not in FUNCTION_WORDS and words.has(word))
        return held <= KIND_EVIDENCE_WORDS

    def _holds_kind(self, kind: str, said: Sequence[str], position: int) -> bool:
        """The product's name holds ``kind`` (the word for what was asked), however spelt, or run together with the
        word before it ("peanut butter" / "Peanutbutter")."""
        words = self._words_of(position)
        joined = said[-2] + kind if len(said) > 1 else ""
        return any(form and (words.has(form) or words.near_word(form)) for form in (kind, joined))

    def _kind_rival(self, kind: str, said: Sequence[str], distinct: Sequence[_Scored]) -> bool:
        """The best's name lacks the word for what was asked, and a runner-up matching the words nearly as well
        (``KIND_RIVAL_GAP``) holds it: the words fit both, and only the runner-up is the kind they name."""
        best = distinct[0].match
        close = [item for item in distinct[1:] if best - KIND_RIVAL_GAP <= item.match <= best]
        if not kind or not close or self._holds_kind(kind, said, distinct[0].product_index):
            return False
        return any(self._holds_kind(kind, said, item.product_index) for item in close)

    def _another_kind(self, kind: str, said: Sequence[str], position: int) -> bool:
        """The product is another kind of thing than ``kind`` (what the words ask for, ``asked_kind``): its name
        holds the word only as a qualifier (``NameWords.qualifies_only``), and its aisle holds few of the products
        ``kind`` heads ("butter": spreads and butter, not crackers). The aisle keeps a kind that names a kind
        ("parmesan" heads 0.36 of its products in packaged cheese) from counting against "Parmesan Cheese". A
        product whose own kind was said too is what they ask for ("coffee beans", their "Whole Bean Coffee")."""
        words = self._words_of(position)
        if not kind or not words.qualifies_only(kind, self._kind_share) or not words.heads.isdisjoint(said):
            return False
        aisles = self._head_aisle_shares().get(kind)
        return aisles is not None and aisles.get(self._products[position].aisle, 0.0) < KIND_AISLE_SHARE

    def _rival_kind(self, kind: str, position: int, rival: int) -> bool:
        """``rival`` is the kind of thing ``kind`` names and the product at ``position`` is not, as far as the
        departments the word heads tell ("oil": pantry; their olive oil crackers are snacks)."""
        return (
            self._heads.names(kind, self._products[position].department) is False
            and self._heads.names(kind, self._products[rival].department) is True
        )

    def _kind_share(self, word: str) -> float:
        """How often ``word`` is what a product is (``heads.kind_shares``), from the catalog's names."""
        shares = self._kind_shares
        if shares is None:
            held = self._kind_index().held
            self._describing = frozenset(word for word, count in held.items() if count >= DESCRIBING_NAMES)
            shares = self._kind_shares = self._counts().kind_shares(held)
        return shares.get(word, 0.0)

    def _words_of(self, position: int) -> NameWords:
        words = self._name_words.get(position)
        if words is None:
            name = self._entry_spoken[self._entry_start[position]].split()
            heads = self._heads.heads[position].split()
            words = NameWords.of(
                name, heads, (aisle_noun(self._products[position].aisle),), pronounce=self._pronouncer.word
            )
            self._name_words[position] = words
        return words

    def prepare(self) -> None:
        """Make now what the first request that needs them would otherwise make: from stored tables a few ms
        (the kind counts are in them), from tables without them about 0.2 s. A long-running server calls this
        before it serves; a Lambda does not need to."""
        self._kind_index()
        self._head_aisle_shares()
        self._kind_share("")
        self._spoken_name_of("")
        self._spelt_twins()
        self._shared_forms()

    def _spoken_names(self) -> list[str]:
        """Each product's name (its first entry), spoken, by catalog position."""
        if self._first_spoken is None:
            self._first_spoken = self._spoken_array[self._start_array[: len(self._products)]].tolist()
        return self._first_spoken

    def _counts(self) -> KindTables:
        if self._kind_counts is None:
            logger.info("resolver: counting the catalog's kind words (the tables came without them)")
            self._kind_counts = KindTables.build(
                self._spoken_names(),
                self._heads.heads,
                ProductNames(self._products),
                [product.aisle for product in self._products],
            )
        return self._kind_counts

    def _unit_fits(self, unit: str, position: int) -> bool:
        """The product at ``position`` can be sold in the ``unit`` said (``amounts.unit_fits``)."""
        product = self._products[position]
        return unit_fits(unit, product.name, product.aisle)

    def _kind_index(self) -> KindIndex:
        if self._kinds is None:
            names = ProductNames(self._products)
            self._kinds = KindIndex(self._spoken_names(), self._heads.heads, names, tables=self._counts())
        return self._kinds

    def _shelved_elsewhere(self, kind: str, position: int) -> bool:
        """One word said alone that names a kind ("cream", "seed") is not what the product is (no head of its
        name) and its aisle shelves hardly any of the products the word heads (``KIND_AISLE_SHARE``): their Irish
        Creme Liqueur is no cream, their Chia Seed crackers no seed, whatever the name holds."""
        if kind in self._heads.heads[position].split() or self._kind_share(kind) < NAMING_SHARE:
            return False
        aisles = self._head_aisle_shares().get(kind)
        return aisles is not None and aisles.get(self._products[position].aisle, 0.0) < KIND_AISLE_SHARE

    def _shelved_as_another_head(self, kind: str, position: int) -> bool:
        """The name has two heads, the word asked for and another ("Snickerdoodle Cookie with ... Ice Cream
        Sandwich"), and its aisle shelves hardly any of the products the asked word heads (``KIND_AISLE_SHARE``) but
        many of those the other one heads: the product is the other thing (an ice cream sandwich, no cookie)."""
        heads = self._heads.heads[position].split()
        if not kind or kind not in heads or len(heads) < 2 or self._ends_with(position, (kind,)):
            return False  # a name's last word is what people call it by ("Yogurt, ..., Coconut": "coconut")
        shares = self._head_aisle_shares()
        aisle = self._products[position].aisle
        if shares.get(kind, {}).get(aisle, 0.0) >= KIND_AISLE_SHARE:
            return False
        return any(shares.get(head, {}).get(aisle, 0.0) >= KIND_AISLE_SHARE for head in heads if head != kind)

    def _ends_with(self, position: int, said: Sequence[str]) -> bool:
        """The product's name, as spoken, ends with the words ``said``."""
        words: list[str] = self._entry_spoken[self._entry_start[position]].split()
        return bool(said) and words[-len(said) :] == list(said)

    def _named_by(self, said: Sequence[str], position: int) -> bool:
        """The words name what the product is: the word for what was asked heads its name, or its name ends with
        them (what a customer calls their "... Iced Coffee With Almond Milk" by)."""
        return asked_kind(said) in self._heads.heads[position].split() or self._ends_with(position, said)

    def _head_aisle_shares(self) -> Mapping[str, Mapping[str, float]]:
        if self._head_aisles is None:
            self._head_aisles = self._counts().head_aisles()
        return self._head_aisles

    def _spoken_name_of(self, words: str) -> int | None:
        """The first product whose whole name, as spoken, is ``words``."""
        return self._counts().first_named(self._spoken_names(), words)

    def _other_kind_rival(self, said: Sequence[str], habit: int) -> int | None:
        """Another product whose whole name is the words said, when it is the kind of thing they ask for and the
        habit is not (``_rival_kind``): "olive oil", and their olive oil crackers."""
        rival = self._spoken_name_of(" ".join(said))
        if rival is None or rival == habit or not self._rival_kind(asked_kind(said), habit, rival):
            return None
        return rival

    def _whole_name_rival(self, said: Sequence[str], habit: int) -> int | None:
        """Another product whose whole name is, letter for letter, the (long enough) words said."""
        if len(said) < RIVAL_NAME_WORDS:
            return None
        words = " ".join(said)
        rival = self._spoken_name_of(words)
        if rival is None or rival == habit or len(self._written[rival].split()) < RIVAL_NAME_WORDS:
            return None  # words as written: "100% Juice" is two, however long it is said
        return rival if self._entry_spoken[self._entry_start[habit]] != words else None

    def _prefer_habit(
        self,
        resolution: Resolution,
        habit: Habit,
        *,
        said: Sequence[str],
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
        limit: int,
    ) -> Resolution:
        """The habit first, and accepted; a question when another product of theirs is bought as often and holds
        the words too, or when the words are letter for letter another product's long whole name."""
        found = {self._position[candidate.product.id]: candidate for candidate in resolution.candidates}
        # Of several habits holding the words, those the words name (``_named_by``: their "Bag of Organic Bananas"
        # for "bananas") come before those that only hold them somewhere (a banana baby food).
        keys = tuple(sorted((habit.key, *habit.close), key=lambda key: not self._named_by(said, key)))
        share = HABIT_CONFIDENCE / len(keys)
        first: list[Candidate] = []
        for key in keys:
            product = self._products[key]
            bought = history[product.id]
            earlier = found.get(key)
            reasons = earlier.reasons if earlier is not None and earlier.reasons else self._habit_reasons(key, said)
            if not any(reason.code is ReasonCode.BOUGHT_BEFORE for reason in reasons):
                reasons = (*reasons, *bought_reasons(bought, orders))
            first.append(
                Candidate(
                    product,
                    share,
                    reasons,
                    earlier.score if earlier is not None else 0.0,
                    earlier.match if earlier is not None else 0.0,
                )
            )
        decision = Decision.CHOOSE if habit.close else Decision.ACCEPT
        rival = self._whole_name_rival(said, habit.key)
        if rival is not None and rival not in keys:
            earlier = found.get(rival)
            product = self._products[rival]
            first.insert(0, earlier or Candidate(product, 0.5, (Reason(ReasonCode.EXACT_NAME),), 1.0, 1.0))
            keys = (rival, *keys)
            decision = Decision.CHOOSE
        rival = self._other_kind_rival(said, habit.key)
        if rival is not None and rival not in keys:
            # The words are another product's whole name, and their habit is another kind of thing ("olive oil",
            # their olive oil crackers): both readings are real, theirs first.
            earlier = found.get(rival)
            product = self._products[rival]
            first.append(earlier or Candidate(product, 0.5, (Reason(ReasonCode.EXACT_NAME),), 1.0, 1.0))
            keys = (*keys, rival)
            decision = Decision.CHOOSE
        others = [candidate for key, candidate in found.items() if key not in keys]
        candidates: list[Candidate] = []
        names: set[str] = set()
        for candidate in (*first, *others):
            name = self._written[self._position[candidate.product.id]]
            if name not in names:
                names.add(name)
                candidates.append(candidate)
        candidates = candidates[:limit]
        apart = tells_apart([candidate.product for candidate in candidates])
        return replace(
            resolution,
            decision=decision,
            candidates=tuple(replace(candidate, tells_apart=apart[rank]) for rank, candidate in enumerate(candidates)),
        )

    def _habit_offered(
        self,
        resolution: Resolution,
        rest: Iterable[_Scored],
        *,
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
        limit: int,
    ) -> Resolution:
        """Their best-matching habit in the last place of the answer, when none of its candidates is one of their
        habits and the words match it about as well as the candidate it displaces (``HABIT_OFFER_GAP``).

        Words a recogniser garbled ("branded goods" for their Brown Eggs) match sound-alike names of things they
        never bought as well as, or a little better than, the product they buy every week; the prior counts only
        for matches that explain the words (``scoring.PRIOR_FROM``), so the habit ends fourth or tenth. Among the
        few dozen products a customer buys habitually, the best match of the words is usually the one meant. It
        is offered beside the sound-alikes, never first, so neither the answer nor the decision changes.
        ``rest``: the ranking after the resolution's candidates.
        """
        if not resolution.candidates:
            return self._habit_asked(resolution, rest, history=history, orders=orders, limit=limit)
        if limit < 2:
            return resolution
        resolution, rest = self._likelier_weak_habits(resolution, rest, history=history, orders=orders, limit=limit)
        candidates = resolution.candidates
        habitual = [self._habitual(candidate.product.id, history, orders) for candidate in candidates]
        # A habit among them that the words explain (above the prior's floor) is the one offered already; one they
        # match only as noise matches any name does not stand for all their habits.
        # (One in the first place the words match only a little better than noise, short of where the prior counts in
        # full, took it with the prior: a second habit matched about as well is as real a reading, and may be offered.)
        single = len(candidates) < 2
        if any(
            is_habit and candidate.match >= PRIOR_FROM and (rank or single or candidate.match >= PRIOR_FULL)
            for rank, (is_habit, candidate) in enumerate(zip(habitual, candidates, strict=True))
        ):
            return resolution
        best = candidates[0]
        if best.match >= WHOLE_NAME_MATCH:
            return resolution  # the words are a product's whole name ("lime"): no habit of another kind beside it
        full = len(candidates) >= limit
        if full and (
            habitual[limit - 1]
            or self._sound_alike(self._entry_of(best.product.id), self._entry_of(candidates[limit - 1].product.id))
        ):
            return resolution  # the last place is a habit already, or the best one's twin (the question is theirs)
        seen = {self._written[self._position[candidate.product.id]] for candidate in candidates}
        habit = self._likeliest_habit(rest, seen, history=history, orders=orders)
        if habit is None or habit.match < HABIT_OFFER_FLOOR or best.match - habit.match > OFFER_GAP:
            return resolution
        if full and candidates[limit - 1].match - habit.match > HABIT_OFFER_GAP:
            return resolution
        offered = Candidate(
            self._products[habit.product_index],
            confidence(habit.match, habit.score - best.score, bought=True),
            self._reasons(forms_gain=0.0, item=habit, orders=orders),
            habit.score,
            habit.match,
        )
        options = [*(candidates[: limit - 1] if full else candidates), offered]
        apart = tells_apart([candidate.product for candidate in options])
        return replace(
            resolution,
            candidates=tuple(replace(candidate, tells_apart=apart[rank]) for rank, candidate in enumerate(options)),
        )

    def _likelier_weak_habits(
        self,
        resolution: Resolution,
        rest: Iterable[_Scored],
        *,
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
        limit: int,
    ) -> tuple[Resolution, Iterable[_Scored]]:
        """The places of a question that habits the words match only as noise (below ``scoring.PRIOR_FROM``) hold
        go to the likeliest of the habits matched about as well (``_likeliest_habits``), not to those that came
        first by a few thousandths of match: garbled words ("that kinda are") match four of their "... Fruit & Nut
        Food Bar"s and their "Blueberry Muffin Bar" within 0.01, and the bar bought every week is the likelier
        reading than the one bought three times. Only habits trade places, and never in an answer: no product
        they never bought, and no decision, changes. ``rest`` as ``_habit_offered``; returned with what was read
        of it put back."""
        candidates = resolution.candidates
        if resolution.decision is Decision.ACCEPT:
            return resolution, rest
        habitual = [self._habitual(candidate.product.id, history, orders) for candidate in candidates]
        if any(is_habit and c.match >= PRIOR_FROM for is_habit, c in zip(habitual, candidates, strict=True)):
            return resolution, rest
        places = [rank for rank, is_habit in enumerate(habitual) if is_habit]
        if not places:
            return resolution, rest
        pooled = [
            _Scored(
                self._position[candidates[rank].product.id],
                self._entry_of(candidates[rank].product.id),
                candidates[rank].score,
                candidates[rank].match,
                history[candidates[rank].product.id],
                any(reason.code is ReasonCode.PARTIAL_NAME for reason in candidates[rank].reasons),
            )
            for rank in places
        ]
        floor = max(item.match for item in pooled) - HABIT_PRIOR_SPAN
        read: list[_Scored] = []
        for count, item in enumerate(rest):
            read.append(item)
            if item.score < floor and count:  # (the first may be the best habit under the cut-off, out of order)
                break
        rest = chain(read, rest)
        pool = sorted([*pooled, *read], key=lambda item: -item.score)
        others = {
            self._written[self._position[c.product.id]]
            for c, is_habit in zip(candidates, habitual, strict=True)
            if not is_habit
        }
        likeliest = self._likeliest_habits(pool, others, history=history, orders=orders)
        chosen: list[_Scored] = []
        names: set[str] = set()
        for item in likeliest:
            name = self._written[item.product_index]
            if name not in names:
                names.add(name)
                chosen.append(item)
        if len(chosen) < len(places) or [item.product_index for item in chosen[: len(places)]] == [
            item.product_index for item in pooled
        ]:
            return resolution, rest
        by_position = {self._position[c.product.id]: c for c in candidates}
        best = candidates[0]
        options = list(candidates)
        for rank, item in zip(places, chosen, strict=False):
            options[rank] = by_position.get(item.product_index) or Candidate(
                self._products[item.product_index],
                confidence(item.match, item.score - best.score, bought=True),
                self._reasons(forms_gain=0.0, item=item, orders=orders),
                item.score,
                item.match,
            )
        # A habit displaced keeps an open place (a question about one product offers it after it, as before).
        held = {candidate.product.id for candidate in options}
        options.extend(c for c in candidates if c.product.id not in held)
        options = options[: max(limit, len(candidates))]
        apart = tells_apart([candidate.product for candidate in options])
        options = [replace(candidate, tells_apart=apart[rank]) for rank, candidate in enumerate(options)]
        return replace(resolution, candidates=tuple(options)), rest

    @staticmethod
    def _habitual(product_id: str, history: Mapping[str, PurchaseStatsLike], orders: int | None) -> bool:
        bought = history.get(product_id)
        return bought is not None and usually_bought(bought.count, orders)

    def _likeliest_habit(
        self,
        rest: Iterable[_Scored],
        seen: set[str],
        *,
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
    ) -> _Scored | None:
        """Of their habits ranked in ``rest`` (none named ``seen``), the likeliest meant: the best match of the
        words, with the prior between habits (``scoring.prior_bonuses`` at full weight) deciding among those the
        words match about equally (within ``HABIT_PRIOR_SPAN``): the one bought every week before the one bought
        every month."""
        habits = self._likeliest_habits(rest, seen, history=history, orders=orders)
        return habits[0] if habits else None

    def _likeliest_habits(
        self,
        rest: Iterable[_Scored],
        seen: set[str],
        *,
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
    ) -> list[_Scored]:
        """Their habits ranked in ``rest`` (none named ``seen``) that the words match about as well as the best
        one (within ``HABIT_PRIOR_SPAN``), likeliest first (``_likeliest_habit``)."""
        habits: list[_Scored] = []
        for item in rest:
            if habits and item.score < habits[0].match - HABIT_PRIOR_SPAN:
                break
            if (
                item.bought is not None
                and usually_bought(item.bought.count, orders)
                and self._written[item.product_index] not in seen
            ):
                habits.append(item)
        if len(habits) < 2:
            return habits
        reorder, total = self._prior(history)
        bonuses = prior_bonuses(
            np.full(len(habits), PRIOR_FULL),
            np.array([float(item.bought.count) for item in habits if item.bought is not None]),
            np.array([item.bought.days_since_last for item in habits if item.bought is not None]),
            reorder=reorder,
            total=total,
            catalog_size=len(self._products),
        )
        likeliness = [item.match + float(bonus) for item, bonus in zip(habits, bonuses, strict=True)]
        order = sorted(range(len(habits)), key=lambda rank: (-likeliness[rank], rank))
        return [habits[rank] for rank in order]

    def _habit_asked(
        self,
        resolution: Resolution,
        rest: Iterable[_Scored],
        *,
        history: Mapping[str, PurchaseStatsLike],
        orders: int | None,
        limit: int,
    ) -> Resolution:
        """Nothing matched the words well enough to be offered, but one of their habits matches them as well as
        ``_habit_offered`` asks: still not found (the words beat the history: "phone charger" is no question about
        their coffee creamer, and a yes must not add it), with those habits kept as the closest guesses, never a
        question nor an answer."""
        habits = [
            habit
            for habit in self._likeliest_habits(rest, set(), history=history, orders=orders)
            if habit.match >= HABIT_OFFER_FLOOR
        ]
        if not habits:
            return resolution
        offered: list[Candidate] = []
        names: set[str] = set()
        for habit in habits:
            name = self._written[habit.product_index]
            if name in names:
                continue
            names.add(name)
            offered.append(
                Candidate(
                    self._products[habit.product_index],
                    confidence(habit.match, 0.0, bought=True),
                    self._reasons(forms_gain=0.0, item=habit, orders=orders),
                    habit.score,
                    habit.match,
                )
            )
            if len(offered) == limit:
                break
        apart = tells_apart([candidate.product for candidate in offered])
        return replace(
            resolution,
            decision=Decision.NOT_FOUND,
            candidates=tuple(replace(candidate, tells_apart=apart[rank]) for rank, candidate in enumerate(offered)),
        )

    def _entry_of(self, product_id: str) -> int:
        return int(self._entry_start[self._position[product_id]])

    def _habit_reasons(self, key: int, said: Sequence[str]) -> tuple[Reason, ...]:
        name = self._entry_spoken[self._entry_start[key]]
        return (Reason(ReasonCode.EXACT_NAME if name == " ".join(said) else ReasonCode.PARTIAL_NAME),)

    def _has_twin(self, resolution: Resolution) -> bool:
        """Another candidate sounds exactly like the best one (``_sound_alike``)."""
        entries = [self._entry_start[self._position[c.product.id]] for c in resolution.candidates]
        return any(self._sound_alike(entries[0], entry) for entry in entries[1:])

    def _sound_alike(self, entry: int, other: int) -> bool:
        """Two names a voice cannot tell apart: one sound key, or the same letters but for the spaces ("Apple
        Sauce" / "Applesauce": sound keys are spelt word by word, and a word's end sounds unlike a word's middle)."""
        if self._entry_sound[entry] == self._entry_sound[other]:
            return True
        return self._entry_spoken[entry].replace(" ", "") == self._entry_spoken[other].replace(" ", "")

    def _amount_for(self, amount: Amount, product: Product, query: str) -> Amount:
        """The amount as understood, given the product found: a number its name holds was part of the name."""
        if amount.quantity is None or amount.unit is not None:
            return amount
        name = f" {spoken_form(product.name)} "
        if f" {number_to_words(amount.quantity)} " in name:
            return Amount(None, None, query_form(query))
        return amount

    def _rank(
        self,
        variants: Sequence[QueryForms],
        written: str,
        bought_at: Mapping[int, PurchaseStatsLike],
        history: Mapping[str, PurchaseStatsLike],
        unit: str | None,
        *,
        cutoff: float = -np.inf,
        orders: int | None = None,
    ) -> Iterator[_Scored]:
        """Score every reading of the words against the retrieved entries and the customer's own products;
        best first, one item per product (its best reading and entry).

        Whole-name similarity is computed for all candidates at once (``rapidfuzz.process.cdist``);
        the costlier partial match only for the customer's own products. Items are produced lazily:
        a resolution needs only the first few. Products whose best row matches below ``cutoff`` are left out.
        """
        prior = self._prior(history) if bought_at else None
        if orders is None and bought_at:
            orders = max(stats.count for stats in bought_at.values())
        parts = [self._score_variant(forms, bought_at, prior, orders) for forms in variants]
        entry_array = np.concatenate([part[0] for part in parts])
        if entry_array.size == 0:
            return
        matches = np.concatenate([part[1] for part in parts])
        scores = np.concatenate([part[2] for part in parts])
        partial = np.concatenate([part[3] for part in parts])
        owners = self._owner_array[entry_array]
        if unit is not None:
            # A unit or pack size said ("a gallon of", "a six pack of") that the name holds ranks that product.
            unit_words = f" {unit} "
            product_words = set(variants[-1].spoken.split())
            holds = np.fromiter(
                (
                    unit_words in f" {name} " and not product_words.isdisjoint(name.split())
                    for name in self._spoken_array[entry_array].tolist()
                ),
                dtype=bool,
                count=entry_array.size,
            )
            scores = scores + UNIT_MATCH_BONUS * holds
            fit = {owner: self._unit_fits(unit, owner) for owner in set(owners.tolist())}
            unfit = np.fromiter((not fit[owner] for owner in owners.tolist()), dtype=bool, count=owners.size)
            scores = scores - UNIT_UNFIT_PENALTY * unfit
        exact = self._exact_names.get(written)
        if exact is not None:
            scores[owners == exact] += EXACT_NAME_TIEBREAK
        scores = scores + self._twin_tiebreaks(entry_array, owners, written, variants[0].spoken)
        # Best score first, then the lower catalog position; a product's first row is its best entry.
        order = np.lexsort((np.arange(entry_array.size), owners, -scores))
        _, firsts = np.unique(owners[order], return_index=True)
        best_rows = order[np.sort(firsts)]
        # A product whose best row matches below the cutoff is left out (not replaced by a worse row of its own).
        best_rows = best_rows[matches[best_rows] >= cutoff]
        rows = zip(
            owners[best_rows].tolist(),
            entry_array[best_rows].tolist(),
            scores[best_rows].tolist(),
            matches[best_rows].tolist(),
            partial[best_rows].tolist(),
            strict=True,
        )
        for owner, entry, score, match, is_partial in rows:
            yield _Scored(owner, entry, score, match, bought_at.get(owner), is_partial)

    def _twin_tiebreaks(
        self, entry_array: npt.NDArray[np.int64], owners: npt.NDArray[np.int64], written: str, spoken: str
    ) -> npt.NDArray[np.float64]:
        """Tiebreaks between entries of distinct products that share a spoken form (so every match of theirs is
        the same): ``PLURAL_TIEBREAK`` when the last word of the name is plural exactly when the heard one is
        (spoken forms are singular, but a recogniser mostly hears the "s"), plus ``SPELLING_TIEBREAK`` times
        the spelling similarity of the written name to the heard words ("for" is nearer "Four" than "4")."""
        tiebreaks = np.zeros(entry_array.size)
        # Only entries whose spoken form another product's entry shares can be twins: a few in a thousand.
        shared_rows = np.flatnonzero(self._shared_forms()[entry_array])
        if shared_rows.size < 2:
            return tiebreaks
        rows_of: dict[str, list[int]] = {}
        for row, form in zip(shared_rows.tolist(), self._spoken_array[entry_array[shared_rows]].tolist(), strict=True):
            rows_of.setdefault(form, []).append(row)
        heard_plural = last_word_plural(written, spoken)
        # The written words of the product only: the request around them ("please add ... to my cart") is no
        # part of any name.
        reading = set(spoken.split())
        written = " ".join(word for word in written.split() if spoken_form(word) in reading) or written
        for rows in rows_of.values():
            if len(rows) < 2 or len({int(owners[row]) for row in rows}) < 2:
                continue
            for row in rows:
                name = self._written[int(owners[row])]
                name_plural = last_word_plural(name, self._entry_spoken[int(entry_array[row])])
                agrees = heard_plural is not None and name_plural is heard_plural
                tiebreaks[row] = PLURAL_TIEBREAK * agrees + SPELLING_TIEBREAK * similarity(written, name)
        return tiebreaks

    def _shared_forms(self) -> npt.NDArray[np.bool_]:
        """Per entry: another product has an entry with the same spoken form (``TwinTables``)."""
        return self._twin_tables().shared

    @staticmethod
    def _prior(history: Mapping[str, PurchaseStatsLike]) -> tuple[float, float]:
        """What the prior needs of the whole history: the customer's reorder share and their purchases in all."""
        counts = np.fromiter((item.count for item in history.values()), dtype=np.float64, count=len(history))
        return reorder_share(counts), float(counts.sum())

    def _score_variant(
        self,
        forms: QueryForms,
        bought_at: Mapping[int, PurchaseStatsLike],
        prior: tuple[float, float] | None,
        orders: int | None = None,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """Entries, matches, scores and partial flags of one reading of the words."""
        retrieved = np.asarray(
            self._index.search(forms.spoken, forms.sound, limit=self.retrieval_limit, phones=forms.coarse),
            dtype=np.int64,
        )
        if bought_at:
            # The index's recall by whole phone strings (``index.RECALL_EXTRA``) is for names heard wrong from the
            # whole catalog; a customer's own products are scored anyway, and such guesses only crowd them out.
            retrieved = retrieved[: self.retrieval_limit]
            bought_positions = np.fromiter(bought_at, dtype=np.int64, count=len(bought_at))
            own = self._entries_of_products(bought_positions)
            already = np.zeros(len(self._entry_spoken), dtype=bool)
            already[retrieved] = True
            entry_array = np.concatenate((retrieved, own[~already[own]]))
        else:
            entry_array = retrieved
        if entry_array.size == 0:
            empty = np.zeros(0, dtype=np.float64)
            return entry_array, empty, empty, np.zeros(0, dtype=bool)
        phones = self._phones_array[entry_array].tolist()
        matches = full_matches(
            forms,
            self._spoken_array[entry_array].tolist(),
            self._sound_array[entry_array].tolist(),
            phones,
            self._coarse_array[entry_array].tolist(),
        )
        # The weighted phone alignment reorders the best names (``aligned_matches``); the match, which the decision's
        # thresholds and calibration read, stays the plain one. The customer's own products are scored by their
        # matches and the prior below, so only the others are reordered, their best kept at its level.
        scores = aligned_matches(forms, matches, phones) if not bought_at else matches.copy()
        partial = np.zeros(entry_array.size, dtype=bool)
        if bought_at and prior is not None:
            owners = self._owner_array[entry_array]
            is_bought = np.zeros(len(self._products), dtype=bool)
            is_bought[bought_positions] = True
            others = np.flatnonzero(~is_bought[owners])
            scores[others] = aligned_matches(forms, matches[others], [phones[row] for row in others.tolist()])
            rows = np.flatnonzero(is_bought[owners])
            own_rows = entry_array[rows]
            parts = partial_matches(
                forms,
                self._spoken_array[own_rows].tolist(),
                self._sound_array[own_rows].tolist(),
                self._coarse_array[own_rows].tolist(),
                self._phones_array[own_rows].tolist(),
            )
            # A few words of one of their products name it only when they ask for what it is: "peanut butter" is
            # no name for their "Cheese & Peanut Butter Sandwich Crackers", so that partial match does not count.
            said = forms.spoken.split()
            kind = asked_kind(said)
            # (Only partial matches good enough to matter: below the prior's floor none can take a lead.)
            for at in np.flatnonzero((parts > matches[rows]) & (parts >= PRIOR_FROM)).tolist():
                if self._another_kind(kind, said, int(owners[rows[at]])):
                    parts[at] = 0.0
            stats = [bought_at[owner] for owner in owners[rows].tolist()]
            # A product bought once or twice is not one they name by a fragment of its name: its few words matching
            # it weakly (``OCCASIONAL_PARTIAL_FROM``) are noise ("my oldest was" is not their Delicata Squash, "jamal
            # t" not their Sea Salt Caramels). Their habits keep such matches: ``_habit_offered`` may offer one.
            occasional = np.fromiter(
                (not usually_bought(item.count, orders) for item in stats), dtype=bool, count=len(stats)
            )
            parts[occasional & (parts < OCCASIONAL_PARTIAL_FROM)] = 0.0
            partial[rows] = parts > matches[rows]
            matches[rows] = np.maximum(matches[rows], parts)
            counts = np.fromiter((item.count for item in stats), dtype=np.float64, count=len(stats))
            days = np.fromiter((item.days_since_last for item in stats), dtype=np.float64, count=len(stats))
            reorder, total = prior
            scores[rows] = matches[rows] + prior_bonuses(
                matches[rows], counts, days, reorder=reorder, total=total, catalog_size=len(self._products)
            )
        return entry_array, matches, scores, partial

    def _entries_of_products(self, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """All entry numbers (name, then synonyms) of the products at these catalog positions."""
        starts = self._start_array[positions]
        lengths = self._start_array[positions + 1] - starts
        if bool((lengths == 1).all()):
            return starts
        offsets = np.cumsum(lengths) - lengths
        return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))

    def _history_positions(self, history: Mapping[str, PurchaseStatsLike]) -> dict[int, PurchaseStatsLike]:
        """Catalog positions of the customer's products (the most bought, for a very long history)."""
        product_ids = [product_id for product_id in history if product_id in self._position]
        if len(product_ids) > MAX_HISTORY_CANDIDATES:
            product_ids.sort(key=lambda product_id: (-history[product_id].count, product_id))
            product_ids = product_ids[:MAX_HISTORY_CANDIDATES]
        return {self._position[product_id]: history[product_id] for product_id in product_ids}

    def _resolution(
        self, query: str, scored: Iterable[_Scored], limit: int, score_cutoff: float, orders: int | None
    ) -> Resolution:
        """One candidate per written name; products that *sound* the same stay, as real alternatives.

        Identical names (case and punctuation aside) are one option for the customer, so they are folded
        before anything is counted. Products whose names sound alike but are written differently ("Pizza
        4 Cheese" / "Pizza Four Cheese") cannot be told apart by voice: both are offered, with the words
        that tell them apart, and neither is accepted on its own.
        """
        distinct: list[_Scored] = []
        seen_names: set[str] = set()
        for item in scored:
            name = self._written[item.product_index]
            if name not in seen_names:
                seen_names.add(name)
                distinct.append(item)
                if len(distinct) == limit:
                    break
        if not distinct:
            return Resolution(query, Decision.NOT_FOUND, ())
        best = distinct[0]
        runner_up = distinct[1].score if len(distinct) > 1 else score_cutoff
        products = [self._products[item.product_index] for item in distinct]
        apart = tells_apart(products)
        # The query's forms once for all candidates (they were made per candidate).
        plain_forms = QueryForms.of(query_form(query)) if any(not item.partial for item in distinct) else None
        candidates = tuple(
            Candidate(
                products[rank],
                confidence(item.match, item.score - (runner_up if rank == 0 else best.score), bought=bool(item.bought)),
                self._reasons(forms_gain=self._sound_gain(plain_forms, item), item=item, orders=orders),
                item.score,
                item.match,
                apart[rank],
            )
            for rank, item in enumerate(distinct)
        )
        twins = sum(1 for item in distinct[1:] if self._sound_alike(best.entry, item.entry))
        close = sum(1 for item in distinct[1:] if best.score - item.score <= CHOOSE_LEAD)
        # The words are part of a product they bought and the whole name of another one ("yellow onions"):
        # both readings are real, and unless they buy theirs habitually the history must not settle it unasked.
        habitual = best.bought is not None and usually_bought(best.bought.count, orders)
        # ... and the habit settles it only when it is the kind of thing the words ask for: "olive oil" is
        # another product's whole name, and their "Triscuit ... Rosemary & Olive Oil" is crackers.
        kind = asked_kind(query_form(query).split())
        settles = (
            habitual
            and best.partial
            and not any(
                not item.partial
                and item.match >= WHOLE_NAME_MATCH
                and self._rival_kind(kind, best.product_index, item.product_index)
                for item in distinct[1:]
            )
        )
        whole_name_rival = (
            best.partial
            and not settles
            and any(not item.partial and item.match >= WHOLE_NAME_MATCH for item in distinct[1:])
        )
        # The history made the lead, the words prefer another product: a question, never an accept.
        # (Their habit, named well by a few of its words, is what short words mean: "swiss cheese" for their "Baby
        # Swiss Slices Cheese". A whole name heard wrong is not: "green tee" is no habit's short name.)
        margin = HABIT_MISHEARD_MARGIN if habitual and not best.partial else WORDS_PREFER_MARGIN
        words_prefer_other = (
            best.bought is not None
            and not (settles and best.match >= STRONG_MATCH)
            and any(item.match > best.match + margin for item in distinct[1:])
        )
        decision = decide(candidates[0].confidence, max(close, twins, int(whole_name_rival)), match=best.match)
        if words_prefer_other and decision is not Decision.CHOOSE:
            decision = Decision.CHOOSE  # "did you mean" about the product the words match worse is the wrong question
        # Not sold is not added: the words ask for one kind of product, the best match is another kind that shares
        # a word ("oat milk" -> "Oat Milk Soap"); at most a question.
        product = products[0]
        if decision is Decision.ACCEPT and self._heads.other_kind(
            head_of(query_form(query)),
            self._entry_spoken[best.entry],
            self._heads.heads[best.product_index],
            product.department,
            query_form(query),
        ):
            decision = Decision.CONFIRM
        if (twins or whole_name_rival) and decision is Decision.ACCEPT:
            decision = Decision.CHOOSE
        if decision is Decision.ACCEPT and self._kind_rival(kind, query_form(query).split(), distinct):
            decision = Decision.CHOOSE
        words_lead = best.match - max((item.match for item in distinct[1:]), default=score_cutoff)
        if (
            decision is Decision.ACCEPT
            and best.bought is not None
            and best.match < STRONG_MATCH
            and confidence(best.match, words_lead, bought=False) < ACCEPT_AT
        ):
            # A weak match whose lead the history made ("mint tee" for their "Mint", when the same words alone
            # are a choice): the history may make it the question, never the answer.
            decision = Decision.CONFIRM
        if decision is Decision.CHOOSE:
            return self._offered(Resolution(query, decision, candidates))
        return Resolution(query, decision, candidates)

    @staticmethod
    def _offered(resolution: Resolution) -> Resolution:
        """A choice offers only what the words could mean: an option they match far worse than the best ("Green
        Onions" beside "Banana" and "Bananas") is no real alternative. One option left is a question about it."""
        best = resolution.candidates[0]
        if any(reason.code is ReasonCode.BOUGHT_BEFORE for reason in best.reasons):
            return resolution  # a partial match of their own product is not measured against whole names
        kept = [best, *(c for c in resolution.candidates[1:] if best.match - c.match <= OFFER_GAP)]
        if len(kept) == len(resolution.candidates):
            return resolution
        if len(kept) == 1:
            return replace(resolution, decision=Decision.CONFIRM, candidates=(replace(best, tells_apart=()),))
        apart = tells_apart([candidate.product for candidate in kept])
        return replace(resolution, candidates=tuple(replace(c, tells_apart=apart[rank]) for rank, c in enumerate(kept)))

    def _sound_gain(self, forms: QueryForms | None, item: _Scored) -> float:
        """How much better the words (``forms``: the query's, without pronunciation) match on sound than on
        spelling (for the "sounds like" reason)."""
        if item.partial or forms is None:
            return 0.0
        entry = item.entry
        return similarity(forms.sound, self._entry_sound[entry]) - similarity(forms.spoken, self._entry_spoken[entry])

    def _reasons(self, *, forms_gain: float, item: _Scored, orders: int | None) -> tuple[Reason, ...]:
        reasons: list[Reason] = []
        if item.partial:
            reasons.append(Reason(ReasonCode.PARTIAL_NAME))
        elif item.match >= 0.999:
            reasons.append(Reason(ReasonCode.EXACT_NAME))
        elif forms_gain >= SOUNDS_LIKE_GAP:
            reasons.append(Reason(ReasonCode.SOUNDS_LIKE))
        if item.bought is not None:
            reasons.extend(bought_reasons(item.bought, orders))
        return tuple(reasons)

    def _from_alexa(
        self,
        query: str,
        product_ids: list[str],
        history: Mapping[str, PurchaseStatsLike],
        limit: int,
        *,
        orders: int | None,
        code: ReasonCode,
    ) -> Resolution:
        """Alexa resolved the slot to catalog ids: one id is an answer, several are a real ambiguity."""
        forms = QueryForms.of(query_form(query))
        ranked: list[tuple[float, int, tuple[Reason, ...]]] = []
        reorder, total = self._prior(history) if history else (0.0, 0.0)
        for order, product_id in enumerate(product_ids):
            position = self._position[product_id]
            entry = self._entry_start[position]
            match = full_match(forms, self._entry_spoken[entry], self._entry_sound[entry]) if forms.spoken else 0.0
            bought = history.get(product_id)
            bonus = 0.0
            if bought:
                bonus = float(
                    prior_bonuses(
                        np.array([ALEXA_MATCH_SCORE]),
                        np.array([float(bought.count)]),
                        np.array([bought.days_since_last]),
                        reorder=reorder,
                        total=total,
                        catalog_size=len(self._products),
                    )[0]
                )
            reasons = (Reason(code), *(bought_reasons(bought, orders) if bought else ()))
            # Alexa's order breaks ties: it lists its best match first.
            ranked.append((match + bonus - order * 1e-6, position, reasons))
        ranked.sort(key=lambda item: -item[0])
        # Identical names are one option: "which one?" about one name is no question.
        folded: dict[str, tuple[float, int, tuple[Reason, ...]]] = {}
        for item in ranked:
            folded.setdefault(self._written[item[1]], item)
        ranked = list(folded.values())
        single = len(ranked) == 1
        ranked = ranked[:limit]
        apart = tells_apart([self._products[position] for _, position, _ in ranked])
        candidates = tuple(
            Candidate(
                self._products[position],
                ALEXA_MATCH_SCORE if single else ALEXA_MATCH_SCORE / len(ranked),
                reasons,
                score,
                tells_apart=apart[rank],
            )
            for rank, (score, position, reasons) in enumerate(ranked)
        )
        # A number the matched name holds was part of the name ("seven up" matched to 7UP is one 7UP, not seven).
        amount = self._amount_for(parse_amount(query), candidates[0].product, query)
        return Resolution(query, Decision.ACCEPT if single else Decision.CHOOSE, candidates, amount)
