"""Re-ranking scores: spelling and sound similarity, word coverage, and the personal (history) bias.

Scorers were chosen by measurement on the spoken dev sets (see ``benchmarks/README.md``):
normalised Levenshtein similarity on spoken forms and on sound keys, mixed 0.4/0.6, ranked the
expected product first more often than Indel ``fuzz.ratio``, ``token_sort_ratio``,
``token_set_ratio``, ``partial_ratio``, Jaro-Winkler or metaphone keys alone or mixed.
A customer's short words ("irish butter") name part of a product they buy, usually its last
words, so for their own products a partial match (``partial_ratio`` on sound keys and spoken
forms, similarity to the end of the name, plus word coverage) also counts, and their purchase
frequency and recency add a bonus gated by match quality.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from backend.spoken import sound_key, word_sound

SPELLING_WEIGHT: Final = 0.4
SOUND_WEIGHT: Final = 0.6
COVERAGE_WEIGHT: Final = 0.3
PARTIAL_SOUND_WEIGHT: Final = 0.6
COVERAGE_FROM: Final = 0.7  # word coverage is only worth computing for partial matches this good
TRAILING_WEIGHT: Final = 0.3  # share of the partial match given to the end of the name

HISTORY_GATE: Final = 0.4  # below this match quality, having bought a product earns nothing
HISTORY_BASE: Final = 0.4  # bonus for any product the customer has bought
HISTORY_PER_LOG_COUNT: Final = 0.2  # extra bonus per log(1 + times bought)
# The bias decides between comparable matches; it must not carry a product the customer buys past a clearly better
# match they do not buy ("granola" is not their "Organic Baby Arugula"). The bonus shrinks linearly to nothing as the
# best match among products they have not bought pulls ahead by this much.
HISTORY_SHORTFALL: Final = 0.6  # measured: 0.4-0.6 keep the personal set (0.908/0.950), 0.15 costs 2.6 points
# ... but only a good match can be "clearly better": a mediocre one ("dozen roses" for "dozen eggs") restrains nothing.
HISTORY_RIVAL_FLOOR: Final = 0.8  # measured: 0.75-0.85 all keep both dev sets; 0.8 loses no personal top-1
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


def full_matches(query: QueryForms, spoken: Sequence[str], sound: Sequence[str]) -> npt.NDArray[np.float64]:
    """``full_match`` against many names at once (one rapidfuzz ``cdist`` call per form)."""
    by_spelling = process.cdist((query.spoken,), spoken, scorer=similarity, dtype=np.float64, workers=1)[0]
    by_sound = process.cdist((query.sound,), sound, scorer=similarity, dtype=np.float64, workers=1)[0]
    return SPELLING_WEIGHT * by_spelling + SOUND_WEIGHT * by_sound  # type: ignore[no-any-return]


def word_coverage(query: QueryForms, spoken: str) -> float:
    """Mean over the query's words of the best sound similarity to a word of the name, 0..1."""
    name_sounds = [word_sound(word) for word in spoken.split()]
    if not query.word_sounds or not name_sounds:
        return 0.0
    total = sum(max(similarity(heard, said) for said in name_sounds) for heard in query.word_sounds)
    return total / len(query.word_sounds)


def partial_matches(query: QueryForms, spoken: Sequence[str], sound: Sequence[str]) -> npt.NDArray[np.float64]:
    """How well the query matches *part* of each name (short words for a known product), 0..1.

    ``partial_ratio`` on sound keys and spoken forms, mixed with the similarity to the end of the
    name; word coverage joins in only where the match is good enough to win.
    """
    by_sound = process.cdist((query.sound,), sound, scorer=fuzz.partial_ratio, dtype=np.float64, workers=1)[0]
    by_spelling = process.cdist((query.spoken,), spoken, scorer=fuzz.partial_ratio, dtype=np.float64, workers=1)[0]
    partial: npt.NDArray[np.float64] = (
        PARTIAL_SOUND_WEIGHT * by_sound + (1 - PARTIAL_SOUND_WEIGHT) * by_spelling
    ) / 100
    # People name a product they know by its last words, the head of the name ("fuji apple" for
    # "Organic Large Extra Fancy Fuji Apple"), so the end of the name, as long as the query, counts
    # too. Cut by characters, not words: recognisers split and merge words ("polka shoes").
    spelling_length, sound_length = len(query.spoken), len(query.sound)
    by_tail = full_matches(
        query, [name[-spelling_length:] for name in spoken], [name[-sound_length:] for name in sound]
    )
    partial = TRAILING_WEIGHT * by_tail + (1 - TRAILING_WEIGHT) * partial
    for row in np.flatnonzero(partial >= COVERAGE_FROM).tolist():
        partial[row] = COVERAGE_WEIGHT * word_coverage(query, spoken[row]) + (1 - COVERAGE_WEIGHT) * partial[row]
    return partial


def history_bonus(match: float, count: int, days_since_last: float) -> float:
    """The personal bias: frequency and recency of purchase, scaled by how well the words match."""
    gate = max(0.0, (match - HISTORY_GATE) / (1 - HISTORY_GATE))
    recency = RECENCY_BONUS * math.exp(-max(days_since_last, 0.0) / RECENCY_DAYS)
    return gate * (HISTORY_BASE + HISTORY_PER_LOG_COUNT * math.log1p(max(count, 0)) + recency)


def history_bonuses(
    match: npt.NDArray[np.float64], count: npt.NDArray[np.float64], days_since_last: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``history_bonus`` for many products at once."""
    gate = np.maximum(0.0, (match - HISTORY_GATE) / (1 - HISTORY_GATE))
    recency = RECENCY_BONUS * np.exp(-np.maximum(days_since_last, 0.0) / RECENCY_DAYS)
    return gate * (HISTORY_BASE + HISTORY_PER_LOG_COUNT * np.log1p(np.maximum(count, 0)) + recency)
