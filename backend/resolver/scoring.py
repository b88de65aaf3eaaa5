"""Re-ranking scores: spelling and sound similarity, word coverage, and the personal (history) bias.

Scorers were chosen by measurement on the spoken dev sets (see ``benchmarks/README.md``):
normalised Levenshtein similarity on spoken forms and on sound keys, mixed 0.4/0.6, ranked the
expected product first more often than Indel ``fuzz.ratio``, ``token_sort_ratio``,
``token_set_ratio``, ``partial_ratio``, Jaro-Winkler or metaphone keys alone or mixed.
A customer's short words ("irish butter") name part of a product they buy, so for their own
products a partial match (``partial_ratio`` on sound keys and spoken forms, plus word coverage)
also counts, and their purchase frequency and recency add a bonus gated by match quality.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from backend.spoken import sound_key, word_sound

SPELLING_WEIGHT: Final = 0.4
SOUND_WEIGHT: Final = 0.6
COVERAGE_WEIGHT: Final = 0.3
PARTIAL_SOUND_WEIGHT: Final = 0.6
COVERAGE_FROM: Final = 0.7  # word coverage is only worth computing for partial matches this good

HISTORY_GATE: Final = 0.4  # below this match quality, having bought a product earns nothing
HISTORY_BASE: Final = 0.4  # bonus for any product the customer has bought
HISTORY_PER_LOG_COUNT: Final = 0.2  # extra bonus per log(1 + times bought)
RECENCY_BONUS: Final = 0.05  # extra bonus for a purchase today, halving about every 3 weeks
RECENCY_DAYS: Final = 30.0

similarity = Levenshtein.normalized_similarity


@dataclass(frozen=True, slots=True)
class QueryForms:
    """The forms of a query every scorer needs, computed once per query."""

    spoken: str
    sound: str
    word_sounds: tuple[str, ...]

    @classmethod
    def of(cls, spoken: str) -> QueryForms:
        return cls(spoken, sound_key(spoken), tuple(word_sound(word) for word in spoken.split()))


def full_match(query: QueryForms, spoken: str, sound: str) -> float:
    """How well the whole query matches the whole name, 0..1."""
    return SPELLING_WEIGHT * similarity(query.spoken, spoken) + SOUND_WEIGHT * similarity(query.sound, sound)


def word_coverage(query: QueryForms, spoken: str) -> float:
    """Mean over the query's words of the best sound similarity to a word of the name, 0..1."""
    name_sounds = [word_sound(word) for word in spoken.split()]
    if not query.word_sounds or not name_sounds:
        return 0.0
    total = sum(max(similarity(heard, said) for said in name_sounds) for heard in query.word_sounds)
    return total / len(query.word_sounds)


def partial_match(query: QueryForms, spoken: str, sound: str) -> float:
    """How well the query matches *part* of the name (short words for a known product), 0..1."""
    partial = (
        PARTIAL_SOUND_WEIGHT * fuzz.partial_ratio(query.sound, sound)
        + (1 - PARTIAL_SOUND_WEIGHT) * fuzz.partial_ratio(query.spoken, spoken)
    ) / 100
    if partial < COVERAGE_FROM:
        return partial  # too far off to win: skip the costlier word-by-word coverage
    return COVERAGE_WEIGHT * word_coverage(query, spoken) + (1 - COVERAGE_WEIGHT) * partial


def history_bonus(match: float, count: int, days_since_last: float) -> float:
    """The personal bias: frequency and recency of purchase, scaled by how well the words match."""
    gate = max(0.0, (match - HISTORY_GATE) / (1 - HISTORY_GATE))
    recency = RECENCY_BONUS * math.exp(-max(days_since_last, 0.0) / RECENCY_DAYS)
    return gate * (HISTORY_BASE + HISTORY_PER_LOG_COUNT * math.log1p(max(count, 0)) + recency)
