"""The resolver: heard words (or Alexa's entity-resolution ids) -> ranked catalog candidates and a decision."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from backend.catalog import Catalog, Product
from backend.resolver.confidence import CHOOSE_LEAD, confidence, decide
from backend.resolver.index import CandidateIndex
from backend.resolver.model import Candidate, Decision, Reason, ReasonCode, Resolution
from backend.resolver.scoring import QueryForms, full_match, history_bonus, partial_match, similarity
from backend.spoken import query_form, sound_key, spoken_form

logger = logging.getLogger(__name__)

ALEXA_MATCH_SCORE = 0.97  # Alexa's own resolution, matched against our catalog ids
EXACT_NAME_TIEBREAK = 1e-3  # the exact written name beats another product that sounds the same
SOUNDS_LIKE_GAP = 0.05  # sound match this much better than spelling: say "sounds like"
MAX_HISTORY_CANDIDATES = 1_000  # the most-bought products of a very long history


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
        self._entry_spoken = spoken
        self._entry_sound = [sound_key(form) for form in spoken]
        self._exact_names: dict[str, int] = {}
        for number, product in enumerate(self._products):
            self._exact_names.setdefault(" ".join(product.name.casefold().split()), number)
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
        scored = self._rank(forms, " ".join(query.casefold().split()), history or {})
        scored = [item for item in scored if item.match >= score_cutoff]
        resolution = self._resolution(query, scored, limit, score_cutoff)
        best = resolution.best
        written = " ".join(query.casefold().split())
        if best is not None and self._exact_names.get(written) == self._position[best.product.id]:
            # The words are this product's own name, letter for letter: take it even if another product
            # sounds the same ("Smartwater" / "Smart Water"); the confidence still says how alike they sound.
            return Resolution(query, Decision.ACCEPT, resolution.candidates)
        return resolution

    def _rank(self, forms: QueryForms, written: str, history: Mapping[str, PurchaseStatsLike]) -> list[_Scored]:
        """Score the retrieved entries and the customer's own products; best first, one item per product."""
        entries = list(self._index.search(forms.spoken, forms.sound, limit=self.retrieval_limit))
        bought_at = self._history_positions(history) if history else {}
        if bought_at:
            seen = set(entries)
            for position in bought_at:
                entries.extend(entry for entry in self._entries_of(position) if entry not in seen)
        exact = self._exact_names.get(written)
        owners, spoken, sound = self._entry_owner, self._entry_spoken, self._entry_sound
        best: dict[int, tuple[float, float, int, bool]] = {}  # owner -> (score, match, entry, partial)
        for entry in entries:
            owner = owners[entry]
            match = full_match(forms, spoken[entry], sound[entry])
            score, partial = match, False
            bought = bought_at.get(owner)
            if bought is not None:
                part = partial_match(forms, spoken[entry], sound[entry])
                if part > match:
                    match, partial = part, True
                score = match + history_bonus(match, bought.count, bought.days_since_last)
            if owner == exact:
                score += EXACT_NAME_TIEBREAK
            current = best.get(owner)
            if current is None or score > current[0]:
                best[owner] = (score, match, entry, partial)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        return [
            _Scored(owner, entry, score, match, bought_at.get(owner), partial)
            for owner, (score, match, entry, partial) in ranked
        ]

    def _entries_of(self, position: int) -> range:
        return range(self._entry_start[position], self._entry_start[position + 1])

    def _history_positions(self, history: Mapping[str, PurchaseStatsLike]) -> dict[int, PurchaseStatsLike]:
        """Catalog positions of the customer's products (the most bought, for a very long history)."""
        product_ids = [product_id for product_id in history if product_id in self._position]
        if len(product_ids) > MAX_HISTORY_CANDIDATES:
            product_ids.sort(key=lambda product_id: (-history[product_id].count, product_id))
            product_ids = product_ids[:MAX_HISTORY_CANDIDATES]
        return {self._position[product_id]: history[product_id] for product_id in product_ids}

    def _resolution(self, query: str, scored: list[_Scored], limit: int, score_cutoff: float) -> Resolution:
        """Keep one candidate per spoken name (same-sounding duplicates cannot be told apart by voice)."""
        if not scored:
            return Resolution(query, Decision.NOT_FOUND, ())
        distinct: list[_Scored] = []
        seen_names: set[str] = set()
        for item in scored:
            name = self._entry_spoken[item.entry]
            if name not in seen_names:
                seen_names.add(name)
                distinct.append(item)
                if len(distinct) == limit:
                    break
        best = distinct[0]
        runner_up = distinct[1].score if len(distinct) > 1 else score_cutoff
        candidates = tuple(
            Candidate(
                self._products[item.product_index],
                confidence(item.match, item.score - (runner_up if rank == 0 else best.score), bought=bool(item.bought)),
                self._reasons(forms_gain=self._sound_gain(query, item), item=item),
                item.score,
                item.match,
            )
            for rank, item in enumerate(distinct)
        )
        close = sum(1 for item in distinct[1:] if best.score - item.score <= CHOOSE_LEAD)
        return Resolution(query, decide(candidates[0].confidence, close), candidates)

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
            bonus = history_bonus(ALEXA_MATCH_SCORE, bought.count, bought.days_since_last) if bought else 0.0
            bought_reason = Reason(ReasonCode.BOUGHT_BEFORE, count=bought.count) if bought else None
            # Alexa's order breaks ties: it lists its best match first.
            ranked.append((match + bonus - order * 1e-6, position, bought_reason))
        ranked.sort(key=lambda item: -item[0])
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
