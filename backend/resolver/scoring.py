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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from backend.resolver.phonemes import Pronouncer, coarse, phone_similarities, suffix_similarities
from backend.spoken import sound_key, word_sound

SPELLING_WEIGHT: Final = 0.4
SOUND_WEIGHT: Final = 0.6
# With pronunciations (tuned on half a of the dev sets, checked on half b).
PHONE_SPELLING_WEIGHT: Final = 0.3
PHONE_SOUND_WEIGHT: Final = 0.3
PHONE_WEIGHT: Final = 0.2
COARSE_WEIGHT: Final = 0.2
COVERAGE_WEIGHT: Final = 0.3
PARTIAL_SOUND_WEIGHT: Final = 0.6
COVERAGE_FROM: Final = 0.7  # word coverage is only worth computing for partial matches this good
PARTIAL_PHONE_WEIGHT: Final = 0.3
WORD_SET_WEIGHT: Final = 0.9  # all heard words in the name, out of order: nearly as good as in order
SHORT_NAME_POWER: Final = 1.0  # how hard a name shorter than the query is held to the words it leaves out
TRAILING_WEIGHT: Final = 0.3  # share of the partial match given to the end of the name
SUFFIX_WEIGHT: Final = 0.3  # share of the weighted phone alignment with the end of the name
# The whole-name weighted phone alignment's share of the match of the best few names (tuned on half a of the
# catalog dev set, checked on half b and the held-out set; see ``aligned_matches``).
ALIGNMENT_WEIGHT: Final = 0.3
ALIGNED_BEST: Final = 8
# ... of those matching within this of the best: a name further behind is not overtaken by the alignment's share
# of a difference in sound, and a clear best (about three quarters of the readings) pays nothing for it.
ALIGNED_SPAN: Final = 0.1

PRIOR_SCALE: Final = 0.03  # match units per nat of prior odds (fitted on half a of the dev sets)
PRIOR_FROM: Final = 0.55
PRIOR_FULL: Final = 0.75
REORDER_FLOOR: Final = 0.05
REORDER_CEILING: Final = 0.95
RECENCY_BOOST: Final = 0.5  # a purchase today weighs 1.5 purchases, fading over about a month
RECENCY_DAYS: Final = 30.0

similarity = Levenshtein.normalized_similarity


@dataclass(frozen=True, slots=True)
class QueryForms:
    """The forms of a query every scorer needs, computed once per query."""

    spoken: str
    sound: str
    word_sounds: tuple[str, ...]
    phones: str = ""  # the pronunciation (``backend.resolver.phonemes``), when the resolver has one
    coarse: str = ""  # the same with similar sounds merged

    @classmethod
    def of(cls, spoken: str, pronouncer: Pronouncer | None = None) -> QueryForms:
        phones = pronouncer.phrase(spoken) if pronouncer is not None else ""
        return cls(
            spoken, sound_key(spoken), tuple(word_sound(word) for word in spoken.split()), phones, coarse(phones)
        )


def full_match(query: QueryForms, spoken: str, sound: str) -> float:
    """How well the whole query matches the whole name, 0..1."""
    return SPELLING_WEIGHT * similarity(query.spoken, spoken) + SOUND_WEIGHT * similarity(query.sound, sound)


def full_matches(
    query: QueryForms,
    spoken: Sequence[str],
    sound: Sequence[str],
    phones: Sequence[str] | None = None,
    coarse_phones: Sequence[str] | None = None,
) -> npt.NDArray[np.float64]:
    """``full_match`` against many names at once (one rapidfuzz ``cdist`` call per form).

    With pronunciations, the phone strings and their coarse classes join the mix: a substitution
    between similar sounds costs only in the fine string, so it costs half of another one.
    """
    by_spelling = process.cdist((query.spoken,), spoken, scorer=similarity, dtype=np.float64, workers=1)[0]
    by_sound = process.cdist((query.sound,), sound, scorer=similarity, dtype=np.float64, workers=1)[0]
    if phones is None or coarse_phones is None or not query.phones:
        return SPELLING_WEIGHT * by_spelling + SOUND_WEIGHT * by_sound  # type: ignore[no-any-return]
    by_phones = process.cdist((query.phones,), phones, scorer=similarity, dtype=np.float64, workers=1)[0]
    by_coarse = process.cdist((query.coarse,), coarse_phones, scorer=similarity, dtype=np.float64, workers=1)[0]
    return (  # type: ignore[no-any-return]
        PHONE_SPELLING_WEIGHT * by_spelling
        + PHONE_SOUND_WEIGHT * by_sound
        + PHONE_WEIGHT * by_phones
        + COARSE_WEIGHT * by_coarse
    )


def aligned_matches(
    query: QueryForms, matches: npt.NDArray[np.float64], phones: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Ranking scores of names from their ``matches`` (``full_matches`` with pronunciations): the weighted phone
    alignment of the whole names (``phonemes.phone_similarities``) mixed into the ``ALIGNED_BEST`` best (within
    ``ALIGNED_SPAN`` of the best), the contest for the first places, then all shifted so that the best score is
    the best match.

    Levenshtein on phones and on coarse phones charges every substitution, loss or addition alike; a recogniser
    mostly swaps a sound for a similar one and drops weak ones, which the weighted alignment charges a fraction.
    It reorders the names; the shift keeps the level of the best, so a customer's own products, scored by their
    (partial) match and their prior, meet the best of the others at the level they did: no other name scores above
    the best plain match. It is a numpy loop per query phone, so only the names that can reach the first places
    pay for it.
    """
    if not query.phones or matches.size == 0:
        return matches
    best = np.argsort(-matches, kind="stable")[:ALIGNED_BEST]
    best = best[matches[best] >= matches[best[0]] - ALIGNED_SPAN]
    if best.size < 2:
        return matches  # nothing close enough to reorder
    aligned = matches.copy()
    by_alignment = phone_similarities(query.phones, [phones[row] for row in best.tolist()])
    aligned[best] = (1 - ALIGNMENT_WEIGHT) * matches[best] + ALIGNMENT_WEIGHT * by_alignment
    return aligned - (float(aligned.max()) - float(matches.max()))


def word_coverage(query: QueryForms, spoken: str) -> float:
    """Mean over the query's words of the best sound similarity to a word of the name, 0..1."""
    name_sounds = [word_sound(word) for word in spoken.split()]
    if not query.word_sounds or not name_sounds:
        return 0.0
    total = sum(max(similarity(heard, said) for said in name_sounds) for heard in query.word_sounds)
    return total / len(query.word_sounds)


def partial_matches(
    query: QueryForms,
    spoken: Sequence[str],
    sound: Sequence[str],
    coarse_phones: Sequence[str] | None = None,
    phones: Sequence[str] | None = None,
) -> npt.NDArray[np.float64]:
    """How well the query matches *part* of each name (short words for a known product), 0..1.

    ``partial_ratio`` on sound keys and spoken forms, mixed with the similarity to the end of the
    name; word coverage joins in only where the match is good enough to win.
    """
    by_sound = process.cdist((query.sound,), sound, scorer=fuzz.partial_ratio, dtype=np.float64, workers=1)[0]
    by_spelling = process.cdist((query.spoken,), spoken, scorer=fuzz.partial_ratio, dtype=np.float64, workers=1)[0]
    # ``partial_ratio`` aligns the shorter string inside the longer; only the query inside the name is a
    # partial match. A name shorter than the query leaves heard words unexplained ("organic whole milk"
    # is not their "Whole Milk"), so its share of the query's length scales the score.
    sound_cover = np.minimum(
        1.0, np.fromiter(map(len, sound), dtype=np.float64, count=len(sound)) / max(len(query.sound), 1)
    )
    spelling_cover = np.minimum(
        1.0, np.fromiter(map(len, spoken), dtype=np.float64, count=len(spoken)) / max(len(query.spoken), 1)
    )
    partial: npt.NDArray[np.float64] = (
        PARTIAL_SOUND_WEIGHT * by_sound * sound_cover**SHORT_NAME_POWER
        + (1 - PARTIAL_SOUND_WEIGHT) * by_spelling * spelling_cover**SHORT_NAME_POWER
    ) / 100
    if coarse_phones is not None and query.coarse:
        by_phones = process.cdist(
            (query.coarse,), coarse_phones, scorer=fuzz.partial_ratio, dtype=np.float64, workers=1
        )[0]
        phones_cover = np.minimum(
            1.0, np.fromiter(map(len, coarse_phones), dtype=np.float64, count=len(coarse_phones)) / len(query.coarse)
        )
        partial = (1 - PARTIAL_PHONE_WEIGHT) * partial + PARTIAL_PHONE_WEIGHT * by_phones * phones_cover / 100
    # People name a product they know by its last words, the head of the name ("fuji apple" for
    # "Organic Large Extra Fancy Fuji Apple"), so the end of the name, as long as the query, counts
    # too. Cut by characters, not words: recognisers split and merge words ("polka shoes").
    spelling_length, sound_length = len(query.spoken), len(query.sound)
    by_tail = full_matches(
        query, [name[-spelling_length:] for name in spoken], [name[-sound_length:] for name in sound]
    )
    partial = TRAILING_WEIGHT * by_tail + (1 - TRAILING_WEIGHT) * partial
    if phones is not None and query.phones:
        # The same, by sound and without a cut: the query's phones against the best end of the name's, with
        # similar sounds cheap to confuse (``phonemes.suffix_similarities``).
        partial = (1 - SUFFIX_WEIGHT) * partial + SUFFIX_WEIGHT * suffix_similarities(query.phones, phones)
    for row in np.flatnonzero(partial >= COVERAGE_FROM).tolist():
        partial[row] = COVERAGE_WEIGHT * word_coverage(query, spoken[row]) + (1 - COVERAGE_WEIGHT) * partial[row]
    # Every heard word is a word of the name, in another order ("coffee beans" for "Whole Bean Coffee").
    heard = set(query.spoken.split())
    if len(heard) > 1:
        shares = np.fromiter(
            (len(heard.intersection(name.split())) / len(heard) for name in spoken), dtype=np.float64, count=len(spoken)
        )
        partial = np.maximum(partial, WORD_SET_WEIGHT * (shares >= 1.0))
    return partial


def reorder_share(counts: npt.NDArray[np.float64]) -> float:
    """How often this customer buys again what they bought before: the weight of their history in the prior.

    Of all their purchases (orders x products), the share that repeated an earlier one; a customer who
    always buys new things gets little help from their history, one who reorders the same basket a lot.
    """
    total = float(counts.sum())
    if total <= 0:
        return REORDER_FLOOR
    return float(np.clip((total - counts.size) / total, REORDER_FLOOR, REORDER_CEILING))


def prior_bonuses(
    match: npt.NDArray[np.float64],
    counts: npt.NDArray[np.float64],
    days_since_last: npt.NDArray[np.float64],
    *,
    reorder: float,
    total: float,
    catalog_size: int,
) -> npt.NDArray[np.float64]:
    """The history as a prior, in match units: ``PRIOR_SCALE * ln(P(p | customer mix) / P(p | catalog))``.

    The prior of a product is ``reorder * P(p | customer) + (1 - reorder) * P(p | catalog)``, with
    ``P(p | customer)`` its (recency-weighted) share of the customer's purchases and ``P(p | catalog)``
    uniform. Against the catalog-only prior of a product they never bought, a bought product's odds
    are ``1 + reorder * share * N / (1 - reorder)``; ``PRIOR_SCALE`` turns log odds into match units
    (the ranking score is a log-likelihood in those units), so the words said still decide unless
    two products match them about equally well.

    Below ``PRIOR_FROM`` the words explain no product (noise matches every name about equally), and a
    bought product must not take the lead there; the bonus grows to full by ``PRIOR_FULL``.
    """
    gate = np.clip((match - PRIOR_FROM) / (PRIOR_FULL - PRIOR_FROM), 0.0, 1.0)
    weight = counts * (1.0 + RECENCY_BOOST * np.exp(-np.maximum(days_since_last, 0.0) / RECENCY_DAYS))
    share = weight / max(total, 1.0)
    odds = 1.0 + reorder * share * max(catalog_size, 1) / max(1.0 - reorder, 1e-6)
    return gate * PRIOR_SCALE * np.log(odds)
