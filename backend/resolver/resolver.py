"""The resolver: heard words (or Alexa's entity-resolution ids) -> ranked catalog candidates and a decision."""

from __future__ import annotations

import logging
import string
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from backend.catalog import Catalog, Product
from backend.resolver.confidence import CHOOSE_LEAD, confidence, decide
from backend.resolver.index import CandidateIndex
from backend.resolver.model import Candidate, Decision, Reason, ReasonCode, Resolution
from backend.resolver.scoring import (
    QueryForms,
    full_match,
    full_matches,
    partial_matches,
    prior_bonuses,
    reorder_share,
    similarity,
)
from backend.resolver.twins import tells_apart
from backend.spoken import query_form, sound_key, spoken_form

logger = logging.getLogger(__name__)

ALEXA_MATCH_SCORE = 0.97  # Alexa's own resolution, matched against our catalog ids
EXACT_NAME_TIEBREAK = 1e-3  # the exact written name beats another product that sounds the same
WHOLE_NAME_MATCH = 0.97  # the words are this product's whole name, as far as sound and spelling tell
HABIT_ORDERS = 3  # bought in this many orders: "the one you usually buy"
SOUNDS_LIKE_GAP = 0.05  # sound match this much better than spelling: say "sounds like"
MAX_HISTORY_CANDIDATES = 1_000  # the most-bought products of a very long history


# Punctuation that only separates words ("100%, Colombian, Coffee!"); symbols said aloud (& % +) stay.
_SEPARATORS = str.maketrans({char: " " for char in string.punctuation if char not in "&%+@#$"})


def written_form(text: str) -> str:
    """The words as written, ignoring case, spacing and separating punctuation (for exact-name matches)."""
    return " ".join(text.casefold().translate(_SEPARATORS).split())


class PurchaseStatsLike(Protocol):
    """What the personal bias reads (``backend.history.PurchaseStats`` or any channel's equivalent)."""

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


class Resolver:
    """Resolves spoken product phrases against one catalog. Build once per process; safe to share across threads."""

    def __init__(self, catalog: Catalog, *, retrieval_limit: int = 150) -> None:
        started = time.perf_counter()
        self.catalog = catalog
        self.retrieval_limit = retrieval_limit
        self._products: tuple[Product, ...] = tuple(catalog)
        self._position = {product.id: number for number, product in enumerate(self._products)}
        owners: list[int] = []
        spoken: list[str] = []
        self._entry_start = [0]  # a product's entries (name, then synonyms) are contiguous
        for number, product in enumerate(self._products):
            self._entry_start.append(self._entry_start[-1] + 1 + len(product.synonyms))
            for name in (product.name, *product.synonyms):
                owners.append(number)
                spoken.append(spoken_form(name))
        self._entry_owner = owners
        self._owner_array = np.array(owners, dtype=np.int64)
        self._start_array = np.array(self._entry_start, dtype=np.int64)
        self._entry_spoken = spoken
        self._entry_sound = [sound_key(form) for form in spoken]
        self._spoken_array = np.array(spoken, dtype=object)
        self._sound_array = np.array(self._entry_sound, dtype=object)
        self._written = [written_form(product.name) for product in self._products]
        self._exact_names: dict[str, int] = {}
        for number, name in enumerate(self._written):
            self._exact_names.setdefault(name, number)
        self._index = CandidateIndex(zip(self._entry_spoken, self._entry_sound, strict=True))
        self.build_seconds = time.perf_counter() - started
        logger.info("resolver index: %d entries in %.2f s", len(spoken), self.build_seconds)

    def __len__(self) -> int:
        return len(self._products)

    def resolve(
        self,
        query: str,
        *,
        history: Mapping[str, PurchaseStatsLike] | None = None,
        alexa_ids: Sequence[str] = (),
        limit: int = 3,
        score_cutoff: float = 0.45,
    ) -> Resolution:
        """Rank the catalog products the words may mean; nothing scoring below ``score_cutoff`` is returned."""
        known_ids = [product_id for product_id in dict.fromkeys(alexa_ids) if product_id in self._position]
        if known_ids:
            return self._from_alexa(query, known_ids, history or {}, limit)
        forms = QueryForms.of(query_form(query))
        if not forms.spoken:
            return Resolution(query, Decision.NOT_FOUND, ())
        written = written_form(query)
        ranked = self._rank(forms, written, history or {})
        scored = (item for item in ranked if item.match >= score_cutoff)
        resolution = self._resolution(query, scored, limit, score_cutoff)
        best = resolution.best
        if best is not None and self._exact_names.get(written) == self._position[best.product.id]:
            # The words are this product's own name, letter for letter: take it even if another product
            # sounds the same ("Smartwater" / "Smart Water"); the confidence still says how alike they sound.
            return Resolution(query, Decision.ACCEPT, resolution.candidates)
        return resolution

    def _rank(self, forms: QueryForms, written: str, history: Mapping[str, PurchaseStatsLike]) -> Iterator[_Scored]:
        """Score the retrieved entries and the customer's own products; best first, one item per product.

        Whole-name similarity is computed for all candidates at once (``rapidfuzz.process.cdist``);
        the costlier partial match only for the customer's own products. Items are produced lazily:
        a resolution needs only the first few.
        """
        retrieved = np.asarray(
            self._index.search(forms.spoken, forms.sound, limit=self.retrieval_limit), dtype=np.int64
        )
        bought_at = self._history_positions(history) if history else {}
        if bought_at:
            bought_positions = np.fromiter(bought_at, dtype=np.int64, count=len(bought_at))
            own = self._entries_of_products(bought_positions)
            already = np.zeros(len(self._entry_spoken), dtype=bool)
            already[retrieved] = True
            entry_array = np.concatenate((retrieved, own[~already[own]]))
        else:
            entry_array = retrieved
        if entry_array.size == 0:
            return
        entries = entry_array.tolist()
        matches = full_matches(forms, self._spoken_array[entry_array].tolist(), self._sound_array[entry_array].tolist())
        scores = matches.copy()
        partial = np.zeros(len(entries), dtype=bool)
        owners = self._owner_array[entry_array]
        if bought_at:
            is_bought = np.zeros(len(self._products), dtype=bool)
            is_bought[bought_positions] = True
            rows = np.flatnonzero(is_bought[owners])
            own_rows = entry_array[rows]
            parts = partial_matches(forms, self._spoken_array[own_rows].tolist(), self._sound_array[own_rows].tolist())
            partial[rows] = parts > matches[rows]
            matches[rows] = np.maximum(matches[rows], parts)
            stats = [bought_at[owner] for owner in owners[rows].tolist()]
            counts = np.fromiter((item.count for item in stats), dtype=np.float64, count=len(stats))
            days = np.fromiter((item.days_since_last for item in stats), dtype=np.float64, count=len(stats))
            all_counts = np.fromiter((item.count for item in history.values()), dtype=np.float64, count=len(history))
            scores[rows] = matches[rows] + prior_bonuses(
                matches[rows],
                counts,
                days,
                reorder=reorder_share(all_counts),
                total=float(all_counts.sum()),
                catalog_size=len(self._products),
            )
        exact = self._exact_names.get(written)
        if exact is not None:
            scores[owners == exact] += EXACT_NAME_TIEBREAK
        # Best score first, then the lower catalog position; a product's first row is its best entry.
        order = np.lexsort((np.arange(len(entries)), owners, -scores))
        done: set[int] = set()
        for row in order.tolist():
            owner = int(owners[row])
            if owner in done:
                continue
            done.add(owner)
            yield _Scored(
                owner, entries[row], float(scores[row]), float(matches[row]), bought_at.get(owner), bool(partial[row])
            )

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

    def _resolution(self, query: str, scored: Iterable[_Scored], limit: int, score_cutoff: float) -> Resolution:
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
        candidates = tuple(
            Candidate(
                products[rank],
                confidence(item.match, item.score - (runner_up if rank == 0 else best.score), bought=bool(item.bought)),
                self._reasons(forms_gain=self._sound_gain(query, item), item=item),
                item.score,
                item.match,
                apart[rank],
            )
            for rank, item in enumerate(distinct)
        )
        best_sound = self._entry_sound[best.entry]
        twins = sum(1 for item in distinct[1:] if self._entry_sound[item.entry] == best_sound)
        close = sum(1 for item in distinct[1:] if best.score - item.score <= CHOOSE_LEAD)
        # The words are part of a product they bought and the whole name of another one ("yellow onions"):
        # both readings are real, and unless they buy theirs habitually the history must not settle it unasked.
        habitual = best.bought is not None and best.bought.count >= HABIT_ORDERS
        whole_name_rival = (
            best.partial
            and not habitual
            and any(not item.partial and item.match >= WHOLE_NAME_MATCH for item in distinct[1:])
        )
        decision = decide(candidates[0].confidence, max(close, twins, int(whole_name_rival)))
        if (twins or whole_name_rival) and decision is Decision.ACCEPT:
            decision = Decision.CHOOSE
        return Resolution(query, decision, candidates)

    def _sound_gain(self, query: str, item: _Scored) -> float:
        """How much better the words match on sound than on spelling (for the "sounds like" reason)."""
        if item.partial:
            return 0.0
        forms = QueryForms.of(query_form(query))
        entry = item.entry
        return similarity(forms.sound, self._entry_sound[entry]) - similarity(forms.spoken, self._entry_spoken[entry])

    def _reasons(self, *, forms_gain: float, item: _Scored) -> tuple[Reason, ...]:
        reasons: list[Reason] = []
        if item.partial:
            reasons.append(Reason(ReasonCode.PARTIAL_NAME))
        elif item.match >= 0.999:
            reasons.append(Reason(ReasonCode.EXACT_NAME))
        elif forms_gain >= SOUNDS_LIKE_GAP:
            reasons.append(Reason(ReasonCode.SOUNDS_LIKE))
        if item.bought is not None:
            reasons.append(Reason(ReasonCode.BOUGHT_BEFORE, count=item.bought.count))
            reasons.append(Reason(ReasonCode.BOUGHT_RECENTLY, days=round(item.bought.days_since_last)))
        return tuple(reasons)

    def _from_alexa(
        self, query: str, product_ids: list[str], history: Mapping[str, PurchaseStatsLike], limit: int
    ) -> Resolution:
        """Alexa resolved the slot to catalog ids: one id is an answer, several are a real ambiguity."""
        forms = QueryForms.of(query_form(query))
        ranked: list[tuple[float, int, Reason | None]] = []
        for order, product_id in enumerate(product_ids):
            position = self._position[product_id]
            entry = self._entry_start[position]
            match = full_match(forms, self._entry_spoken[entry], self._entry_sound[entry]) if forms.spoken else 0.0
            bought = history.get(product_id)
            bonus = 0.0
            if bought:
                all_counts = np.fromiter((item.count for item in history.values()), dtype=np.float64)
                bonus = float(
                    prior_bonuses(
                        np.array([ALEXA_MATCH_SCORE]),
                        np.array([float(bought.count)]),
                        np.array([bought.days_since_last]),
                        reorder=reorder_share(all_counts),
                        total=float(all_counts.sum()),
                        catalog_size=len(self._products),
                    )[0]
                )
            bought_reason = Reason(ReasonCode.BOUGHT_BEFORE, count=bought.count) if bought else None
            # Alexa's order breaks ties: it lists its best match first.
            ranked.append((match + bonus - order * 1e-6, position, bought_reason))
        ranked.sort(key=lambda item: -item[0])
        # Identical names are one option: "which one?" about one name is no question.
        folded: dict[str, tuple[float, int, Reason | None]] = {}
        for item in ranked:
            folded.setdefault(self._written[item[1]], item)
        ranked = list(folded.values())
        single = len(ranked) == 1
        candidates = tuple(
            Candidate(
                self._products[position],
                ALEXA_MATCH_SCORE if single else ALEXA_MATCH_SCORE / len(ranked),
                tuple(reason for reason in (Reason(ReasonCode.ALEXA_MATCH), bought_reason) if reason is not None),
                score,
            )
            for score, position, bought_reason in ranked[:limit]
        )
        return Resolution(query, Decision.ACCEPT if single else Decision.CHOOSE, candidates)
