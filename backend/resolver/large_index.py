"""Retrieval from a large index (a million names): the exact best weighted-Dice entries, reading bounded slices.

``CandidateIndex`` hands a large index's search here. The query's score for an entry is the weighted Dice
``shared / (mass[entry] + query_mass)``, ``shared`` the idf weight of the informative features (in at most
``max_df`` entries) the two have in common. Walking every posting list of a query costs 0.6-1.6 M postings at
1M products, and stopping after the rarest 150,000 loses names the commoner features would have found. This
index reads less and loses nothing it can prove matters:

- **Mass order.** Entries are renumbered by their mass, lightest first (``rank``), and every posting list and
  the forward index (each entry's informative features) hold ranks. A list is then sorted by mass as well as by
  number, so the entries of any mass window are one slice of it, found by bisection.
- **A floor first.** The rarest features (up to ``SEED_POSTINGS`` postings) are read, and the best of the entries
  they touch get their exact Dice from the forward index: the ``limit``-th best of those is a floor ``t`` that
  the final ``limit``-th best can only beat.
- **Essential lists** (the MaxScore bound). An entry found in none of the query's rarest features shares at most
  the weight ``rest`` of the others, so its Dice is at most ``rest / (rest + query_mass)``; the commonest features
  whose weight keeps that under ``t`` need not be read at all (their weight still counts, from the forward index).
- **Mass window.** An entry shares at most ``min(mass, shared_max)``, so its Dice is at most
  ``min(mass, shared_max) / (mass + query_mass)``: below the floor for names much lighter or much heavier than
  the query. Only the window of each essential list where that bound reaches ``t`` is read.
- **Bound, then score.** What was read is counted by sorting packed keys (each slice is sorted, so the sort
  merges runs); an entry whose counted weight plus the most the unread features could add stays under ``t`` is
  dropped, and the rest (at most ``SHORTLIST`` of them, best bound first) get their exact Dice.

When the essential slices hold more than ``max_postings`` postings (a query of common words only), the rarest are
read up to that budget and the result is the best of what they touched, as before. All arrays are numpy, built
from the index's postings in seconds when a large index is first searched or loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# Postings read for the floor (the rarest features first, whole lists, at least one).
SEED_POSTINGS = 20_000
# Entries of the seed scored exactly for the floor, per result asked for.
SEED_FACTOR = 2
# Entries scored exactly at most, per result asked for (best upper bound first).
SHORTLIST_FACTOR = 15
# Postings read from the essential lists at most (rarest first): a query of common words only stops there.
MAX_POSTINGS = 400_000
# A heard word's slice is read before a sound trigram's with up to this many times fewer postings (as before).
WORD_PRIORITY = 3.0
# Slack on the floor: a bound within this of it is kept (float sums in another order).
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class _Plan:
    ids: npt.NDArray[np.int64]  # the essential lists, rarest first
    weights: npt.NDArray[np.float64]  # their idf
    query_weights: npt.NDArray[np.float64]  # per feature id: its weight in this query (0 if not in it)
    floor: float  # the final limit-th best Dice is at least this
    unread: float  # weight of the query's features not read
    slices: list[tuple[int, int]]  # per essential list: its postings of ranks that can reach the floor by mass


class LargeIndex:
    """Mass-ordered posting lists and forward index of a ``CandidateIndex`` (see the module docstring)."""

    def __init__(
        self,
        postings: npt.NDArray[np.integer[Any]],
        offsets: npt.NDArray[np.int64],
        document_frequency: npt.NDArray[np.integer[Any]],
        *,
        mass: npt.NDArray[np.float64],
        idf: npt.NDArray[np.float64],
        max_df: int,
        words: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        """From an index's CSR postings (entry numbers, each list ascending); only informative lists are kept."""
        size = int(mass.size)
        features = int(document_frequency.size)
        self.size = size
        self.idf = idf
        self.max_df = max_df
        self.words: npt.NDArray[np.bool_] = np.zeros(idf.size, dtype=bool) if words is None else words
        order = np.argsort(mass, kind="stable")
        self.entry_of_rank: npt.NDArray[np.int32] = order.astype(np.int32)
        self.mass_by_rank: npt.NDArray[np.float64] = np.ascontiguousarray(mass[order])
        rank_of = np.empty(size, dtype=np.int32)
        rank_of[order] = np.arange(size, dtype=np.int32)
        feature_type = np.uint16 if features <= np.iinfo(np.uint16).max + 1 else np.int32
        lengths = np.diff(offsets)
        informative = document_frequency <= max_df
        kept = np.repeat(informative, lengths)
        feature_of_posting = np.repeat(np.arange(features, dtype=feature_type), lengths).compress(kept)
        ranks = rank_of[np.asarray(postings).compress(kept)]
        by_rank = np.argsort(ranks, kind="stable")
        # Forward: each rank's informative features.
        self.forward: npt.NDArray[np.integer[Any]] = feature_of_posting[by_rank]
        self.forward_offsets: npt.NDArray[np.int64] = np.concatenate(
            ([0], np.cumsum(np.bincount(ranks, minlength=size)))
        ).astype(np.int64)
        # Inverted again, ranks ascending in each list (a stable sort of the rank-ordered features by feature).
        by_feature = np.argsort(self.forward, kind="stable")
        self.postings: npt.NDArray[np.int32] = ranks[by_rank][by_feature]
        kept_lengths = np.where(informative, lengths, 0)
        self.offsets: npt.NDArray[np.int64] = np.concatenate(([0], np.cumsum(kept_lengths))).astype(np.int64)

    @property
    def nbytes(self) -> int:
        parts = (self.entry_of_rank, self.mass_by_rank, self.forward, self.forward_offsets, self.postings, self.offsets)
        return sum(int(part.nbytes) for part in parts)

    def search(
        self, ids: npt.NDArray[np.int64], query_mass: float, limit: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Entry numbers and exact Dice of up to ``limit`` best entries for the informative feature ``ids``
        (distinct, any order), ``query_mass`` the idf weight of all the query's known features; unordered."""
        plan = self._plan(ids, query_mass, limit)
        if plan is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ranks, partial = self._count(plan.weights, plan.slices)
        if ranks.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        mass = self.mass_by_rank[ranks]
        bound = (partial + np.minimum(plan.unread, np.maximum(mass - partial, 0.0))) / (mass + query_mass)
        if plan.floor > 0:
            keep = bound >= plan.floor - EPSILON
            ranks, partial, mass = ranks[keep], partial[keep], mass[keep]
        shortlist = SHORTLIST_FACTOR * limit
        if shortlist < ranks.size:
            # By the Dice of what was read: the bound of an entry the budget left half unread says little.
            ranks = np.sort(ranks[_top(partial / (mass + query_mass), shortlist)])
        dice = self._exact(ranks, plan.query_weights, query_mass)
        if limit < ranks.size:
            best = _top(dice, limit)
            ranks, dice = ranks[best], dice[best]
        return self.entry_of_rank[ranks].astype(np.int64), dice

    def postings_read(self, ids: npt.NDArray[np.int64], query_mass: float, limit: int) -> int:
        """How many postings ``search`` reads after the seed (for benchmarks and tests)."""
        plan = self._plan(ids, query_mass, limit)
        if plan is None:
            return 0
        return int(sum(end - start for start, end in plan.slices))

    def _plan(self, ids: npt.NDArray[np.int64], query_mass: float, limit: int) -> _Plan | None:
        """The floor, the essential lists and the mass window of one search."""
        if ids.size == 0 or limit <= 0:
            return None
        frequency = self.offsets[ids + 1] - self.offsets[ids]
        order = np.lexsort((ids, frequency))  # rarest first (commonest last: the lightest weights)
        ids, frequency = ids[order], frequency[order]
        weights = self.idf[ids]
        query_weights = np.zeros(self.idf.size)
        query_weights[ids] = weights
        # The floor: the rarest lists, the best entries they touch scored exactly.
        seed = _prefix(frequency, SEED_POSTINGS)
        ranks, partial = self._count(weights[:seed], self._slices(ids[:seed], None))
        floor = 0.0
        if ranks.size:
            seeded = np.sort(ranks[_top(partial / (self.mass_by_rank[ranks] + query_mass), SEED_FACTOR * limit)])
            dice = self._exact(seeded, query_weights, query_mass)
            if dice.size >= limit:
                floor = float(np.partition(dice, dice.size - limit)[dice.size - limit])
        # Essential lists: the rarest, until the weight of the others alone cannot reach the floor. (The first
        # list can always reach it: an entry sharing w has a mass of at least w, so its Dice is under w / (w + q).)
        rest = np.cumsum(weights[::-1])[::-1]  # rest[i]: weight of features i.. (the commoner ones)
        essential = ids.size
        if floor > 0:
            below = rest / (rest + query_mass) < floor - EPSILON
            if below.any():
                essential = max(int(np.argmax(below)), 1)
        # Each essential list's slice within the mass window, read cheapest first (a heard word counted
        # ``WORD_PRIORITY`` times cheaper) within the budget.
        slices = self._slices(ids[:essential], self._window(floor, float(rest[0]), query_mass))
        lengths = np.array([end - start for start, end in slices], dtype=np.int64)
        cost = lengths / np.where(self.words[ids[:essential]], WORD_PRIORITY, 1.0)
        reading = np.lexsort((np.arange(essential), cost))
        read = reading[: _prefix(lengths[reading], MAX_POSTINGS)]
        unread = float(rest[0] - weights[read].sum())
        chosen = [slices[at] for at in read.tolist()]
        return _Plan(ids[read], weights[read], query_weights, floor, max(unread, 0.0), chosen)

    def _window(self, floor: float, shared_max: float, query_mass: float) -> tuple[int, int] | None:
        """The ranks whose mass lets ``min(mass, shared_max) / (mass + query_mass)`` reach ``floor``."""
        if floor <= 0:
            return None
        floor = max(floor - EPSILON, 0.0)
        lightest = floor * query_mass / (1.0 - floor) if floor < 1 else np.inf
        heaviest = shared_max / floor - query_mass
        low = int(np.searchsorted(self.mass_by_rank, lightest * (1 - 1e-12), side="left"))
        high = int(np.searchsorted(self.mass_by_rank, heaviest * (1 + 1e-12), side="right"))
        return low, high

    def _count(
        self, weights: npt.NDArray[np.float64], slices: list[tuple[int, int]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Ranks in these slices of the lists (``weights`` theirs), ascending, with the weight each shares."""
        lengths = np.array([end - start for start, end in slices], dtype=np.int64)
        if int(lengths.sum()) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        shift = max(int(weights.size - 1).bit_length(), 1)
        key_type = np.uint32 if self.size << shift <= np.iinfo(np.uint32).max else np.uint64
        keys: npt.NDArray[np.unsignedinteger[Any]] = np.concatenate(
            [self.postings[start:end] for start, end in slices]
        ).astype(key_type)
        keys <<= shift
        keys |= np.repeat(np.arange(weights.size, dtype=key_type), lengths)
        keys.sort(kind="stable")
        owners = keys >> shift
        shared = weights[(keys & ((1 << shift) - 1)).astype(np.intp)]
        firsts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
        return owners[firsts].astype(np.int64), np.add.reduceat(shared, firsts)

    def _slices(self, ids: npt.NDArray[np.int64], window: tuple[int, int] | None) -> list[tuple[int, int]]:
        """Where each list's postings within the rank ``window`` (all of them without one) lie."""
        starts, ends = self.offsets[ids].tolist(), self.offsets[ids + 1].tolist()
        if window is None:
            return list(zip(starts, ends, strict=True))
        low, high = window
        slices = []
        for start, end in zip(starts, ends, strict=True):
            part = self.postings[start:end]
            first = start + int(np.searchsorted(part, low, side="left"))
            slices.append((first, max(first, start + int(np.searchsorted(part, high, side="left")))))
        return slices

    def _exact(
        self, ranks: npt.NDArray[np.int64], query_weights: npt.NDArray[np.float64], query_mass: float
    ) -> npt.NDArray[np.float64]:
        """The exact Dice of these ranks (ascending), from their forward lists."""
        if ranks.size == 0:
            return np.zeros(0)
        starts = self.forward_offsets[ranks]
        lengths = self.forward_offsets[ranks + 1] - starts
        rows = np.cumsum(lengths) - lengths
        positions = np.repeat(starts - rows, lengths) + np.arange(int(lengths.sum()))
        # No row is empty (reduceat would misread one): a touched entry holds the informative feature it was read by.
        shared = np.add.reduceat(query_weights[self.forward[positions]], rows)
        return shared / (self.mass_by_rank[ranks] + query_mass)


def _prefix(frequency: npt.NDArray[np.int64], budget: int) -> int:
    """How many lists, in order, fit ``budget`` postings (whole lists, at least one)."""
    return max(int(np.searchsorted(np.cumsum(frequency) - frequency, budget, side="left")), 1)


def _top(values: npt.NDArray[np.float64], count: int) -> npt.NDArray[np.intp]:
    """Positions of the ``count`` largest values (all when there are fewer), in no order."""
    if count >= values.size:
        return np.arange(values.size)
    return np.argpartition(-values, count - 1)[:count]
