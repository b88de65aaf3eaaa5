"""Candidate retrieval: an inverted index over words and sound-key trigrams, scored without touching the catalog.

Every catalog name (and synonym) is an *entry*. Its features are its spoken-form words and the
trigrams of its sound key (with ``^``/``$`` marking the ends). A query gathers only the posting lists
of its own features and adds their idf weights per entry (``numpy.bincount``); the top entries by a
weighted Dice overlap go on to re-ranking. Features present in more than ``max_df_share`` of the
entries carry almost no information and are skipped, and a query reads at most ``max_postings``
postings (rarest features first), which bounds the work per query on very large catalogs.

The index is immutable once built, so any number of threads may search it at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

WORD_PREFIX = "w:"
SOUND_PREFIX = "s:"
PHONE_PREFIX = "p:"
STRONG_SHARE = 0.08  # see CandidateIndex._strong_overlaps
STRONG_BOUND = STRONG_SHARE / (1 + STRONG_SHARE)
# From this many entries on, the features the posting budget leaves out are scored on a shortlist instead
# (``CandidateIndex._completed_overlaps``); below it every feature fits the budget almost always.
TWO_STAGE_MIN_ENTRIES = 250_000
SHORTLIST_FACTOR = 10


def entry_features(spoken: str, sound: str, phones: str = "") -> set[str]:
    """The retrieval features of one name: its words, the trigrams of its sound key and of its coarse phones."""
    features = {WORD_PREFIX + word for word in spoken.split()}
    padded = f"^{sound}$"
    features.update(SOUND_PREFIX + padded[i : i + 3] for i in range(max(len(padded) - 2, 1)))
    if phones:
        padded = f"^{phones}$"
        features.update(PHONE_PREFIX + padded[i : i + 3] for i in range(max(len(padded) - 2, 1)))
    return features


@dataclass(frozen=True, slots=True)
class IndexParts:
    vocabulary: list[str]
    numbers: dict[str, npt.NDArray[Any]]
    settings: dict[str, int]


class CandidateIndex:
    """Inverted index from features to entry numbers (CSR layout in numpy arrays)."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str] | tuple[str, str, str]],
        *,
        max_df_share: float = 0.15,
        max_postings: int = 200_000,
    ) -> None:
        """``entries`` yields ``(spoken_form, sound_key)`` or ``(spoken_form, sound_key, coarse_phones)`` per entry,
        numbered from 0 in order."""
        vocabulary: dict[str, int] = {}
        entry_column = array("i")
        feature_column = array("i")
        count = 0
        for number, entry in enumerate(entries):
            for feature in entry_features(*entry):
                feature_id = vocabulary.setdefault(feature, len(vocabulary))
                feature_column.append(feature_id)
                entry_column.append(number)
            count = number + 1
        features = np.frombuffer(feature_column, dtype=np.int32)
        owners = np.frombuffer(entry_column, dtype=np.int32)
        order = np.argsort(features, kind="stable")
        self._postings: npt.NDArray[np.int32] = owners[order].copy()
        document_frequency = np.bincount(features, minlength=len(vocabulary))
        self._offsets: npt.NDArray[np.int64] = np.concatenate(([0], np.cumsum(document_frequency)))
        self._idf: npt.NDArray[np.float64] = np.log1p(count / np.maximum(document_frequency, 1))
        self._mass: npt.NDArray[np.float64] = np.bincount(owners, weights=self._idf[features], minlength=count).astype(
            np.float64
        )
        self._vocabulary = vocabulary
        self._max_df = max(int(count * max_df_share), 50)
        self._max_postings = max_postings
        self._document_frequency = document_frequency
        self._forward: tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]] | None = None
        self.size = count
        self._prepare_forward()

    @classmethod
    def from_arrays(
        cls, vocabulary: list[str], numbers: dict[str, npt.NDArray[Any]], settings: dict[str, int]
    ) -> CandidateIndex:
        """An index from the parts ``arrays`` gave (numpy arrays may be memory-mapped)."""
        index = cls.__new__(cls)
        # Plain ndarray views of (possibly memory-mapped) arrays: slicing a np.memmap makes a memmap per slice.
        index._postings = np.asarray(numbers["postings"])
        index._offsets = np.asarray(numbers["offsets"])
        index._idf = np.asarray(numbers["idf"])
        index._mass = np.asarray(numbers["mass"])
        index._document_frequency = np.asarray(numbers["document_frequency"])
        index._vocabulary = {feature: number for number, feature in enumerate(vocabulary)}
        index._max_df = settings["max_df"]
        index._max_postings = settings["max_postings"]
        index.size = settings["size"]
        index._forward = None
        index._prepare_forward()
        return index

    def _prepare_forward(self) -> None:
        """A large index inverts its postings when built or loaded (about a minute at 1M products), so no
        customer's first request waits for it."""
        if self.size >= TWO_STAGE_MIN_ENTRIES:
            self._forward_index()

    def arrays(self) -> IndexParts:
        """The index as plain parts to store: features in id order, numpy arrays, settings."""
        vocabulary = sorted(self._vocabulary, key=self._vocabulary.__getitem__)
        numbers: dict[str, npt.NDArray[Any]] = {
            "postings": self._postings,
            "offsets": self._offsets,
            "idf": self._idf,
            "mass": self._mass,
            "document_frequency": self._document_frequency,
        }
        settings = {"max_df": self._max_df, "max_postings": self._max_postings, "size": self.size}
        return IndexParts(vocabulary, numbers, settings)

    @property
    def nbytes(self) -> int:
        """Bytes held by the numpy arrays (the vocabulary dict is extra)."""
        arrays = (self._postings, self._offsets, self._idf, self._mass, self._document_frequency)
        return sum(int(part.nbytes) for part in arrays)

    def search(self, spoken: str, sound: str, *, limit: int, phones: str = "") -> Sequence[int]:
        """Numbers of up to ``limit`` entries sharing the most informative features with the query, best first."""
        feature_ids = [
            feature_id
            for feature in entry_features(spoken, sound, phones)
            if (feature_id := self._vocabulary.get(feature)) is not None
        ]
        if not feature_ids or self.size == 0:
            return []
        ids = np.fromiter(feature_ids, dtype=np.int64, count=len(feature_ids))
        query_mass = float(self._idf[ids].sum())
        # Rarest features first, until the posting budget is spent: the common ones add little but cost most.
        frequency = self._document_frequency[ids]
        order = np.argsort(frequency, kind="stable")
        ids, frequency = ids[order], frequency[order]
        keep = (frequency <= self._max_df) & (np.cumsum(frequency) - frequency < self._max_postings)
        all_ids, all_frequency = ids, frequency
        dropped = all_ids[(all_frequency <= self._max_df) & ~keep] if self.size >= TWO_STAGE_MIN_ENTRIES else ids[:0]
        ids = ids[keep]
        if ids.size == 0:
            return []
        starts, ends = self._offsets[ids], self._offsets[ids + 1]
        owners = np.concatenate([self._postings[start:end] for start, end in zip(starts, ends, strict=True)])
        weights = np.repeat(self._idf[ids], ends - starts)
        overlap = np.bincount(owners, weights=weights, minlength=self.size).astype(np.float64, copy=False)
        if dropped.size:
            touched, dice = self._completed_overlaps(overlap, dropped, query_mass, limit)
        else:
            touched, dice = self._strong_overlaps(overlap, query_mass, limit)
        if limit < touched.size:
            best = np.argpartition(-dice, limit)[:limit]
            touched, dice = touched[best], dice[best]
        ranked = touched[np.lexsort((touched, -dice))]
        return ranked.tolist()  # type: ignore[no-any-return]

    def _completed_overlaps(
        self, overlap: npt.NDArray[np.float64], dropped: npt.NDArray[np.int64], query_mass: float, limit: int
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """On a large index the posting budget leaves out the commoner features, and with them what tells a name
        from its look-alikes. Rather than read their long posting lists, the best ``SHORTLIST_FACTOR * limit``
        entries by the features read get the dropped features' weight from their own feature lists (a forward
        index): work bounded by the shortlist, whatever the catalog's size."""
        touched = np.flatnonzero(overlap)
        if touched.size == 0:
            return touched, np.zeros(0)
        dice = overlap[touched] / (self._mass[touched] + query_mass)
        shortlist = min(touched.size, SHORTLIST_FACTOR * limit)
        if shortlist < touched.size:
            best = np.argpartition(-dice, shortlist - 1)[:shortlist]
            touched = touched[best]
        forward, forward_offsets = self._forward_index()
        starts, ends = forward_offsets[touched], forward_offsets[touched + 1]
        lengths = ends - starts
        features = np.concatenate([forward[start:end] for start, end in zip(starts, ends, strict=True)])
        extra_weights = np.where(np.isin(features, dropped), self._idf[features], 0.0)
        owner_rows = np.repeat(np.arange(touched.size), lengths)
        extra = np.bincount(owner_rows, weights=extra_weights, minlength=touched.size)
        return touched, (overlap[touched] + extra) / (self._mass[touched] + query_mass)

    def _forward_index(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Each entry's feature ids (CSR), inverted from the postings (large indexes only)."""
        forward = self._forward
        if forward is None:
            feature_of_posting = np.repeat(
                np.arange(self._document_frequency.size, dtype=np.int32), np.diff(self._offsets)
            )
            order = np.argsort(self._postings, kind="stable")
            counts = np.bincount(self._postings, minlength=self.size)
            forward = (feature_of_posting[order], np.concatenate(([0], np.cumsum(counts))))
            self._forward = forward  # one assignment: a concurrent first search builds its own and drops it
        return forward

    def _strong_overlaps(
        self, overlap: npt.NDArray[np.float64], query_mass: float, limit: int
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """The entries that can be among the ``limit`` best by Dice, with their Dice scores.

        An entry's features include everything it shares with the query, so its Dice score is at most
        ``overlap / (overlap + query_mass)``. Entries sharing less than ``STRONG_SHARE`` of the query's
        mass therefore score below ``STRONG_SHARE / (1 + STRONG_SHARE)``; when ``limit`` entries already
        score above that, the weak ones cannot enter the result and are never looked at (most entries
        touched by a common sound trigram are weak, and gathering all of them was the costliest step).
        """
        touched = np.flatnonzero(overlap >= STRONG_SHARE * query_mass)
        dice = overlap[touched] / (self._mass[touched] + query_mass)
        if touched.size >= limit and np.partition(dice, touched.size - limit)[touched.size - limit] >= STRONG_BOUND:
            return touched, dice
        touched = np.flatnonzero(overlap)
        return touched, overlap[touched] / (self._mass[touched] + query_mass)
