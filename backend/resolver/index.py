"""Candidate retrieval: an inverted index over words and sound-key trigrams, scored without touching the catalog.

Every catalog name (and synonym) is an *entry*. Its features are its spoken-form words and the
trigrams of its sound key (with ``^``/``$`` marking the ends). A query gathers only the posting lists
of its own features and adds their idf weights per entry (``numpy.bincount``); the top entries by a
weighted Dice overlap go on to re-ranking. Features present in more than ``max_df_share`` of the
entries carry almost no information and are skipped, and a query reads at most ``max_postings``
postings (rarest features first), which bounds the work per query on very large catalogs.

A large index (``TWO_STAGE_MIN_ENTRIES`` on) never makes an array as long as the catalog per query: it
reads fewer postings (words first), counts what they touch by sorting, and scores a shortlist exactly
from each entry's own feature list (a forward index built when the index is built or loaded).

The index is immutable once built, so any number of threads may search it at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

WORD_PREFIX = "w:"
SOUND_PREFIX = "s:"
PHONE_PREFIX = "p:"
STRONG_SHARE = 0.08  # see CandidateIndex._strong_overlaps
STRONG_BOUND = STRONG_SHARE / (1 + STRONG_SHARE)
# From this many entries on, a search reads only part of the postings and scores a shortlist exactly
# (``CandidateIndex._shortlisted``); below it every feature fits the budget almost always.
TWO_STAGE_MIN_ENTRIES = 250_000
# Postings a large index reads per search, the shortlist per result scored exactly, and the results it hands on
# (``CandidateIndex.scaled_limit``). Postings are cheap to count (about 0.1 us each) and a shortlisted entry dear
# (its whole feature list, about 1.5 us), so the budget goes to reading: on the 1M catalog sets (dev 1,000 rows /
# held-out 600) 150,000 postings, a 15x shortlist and 250 results find the product meant in 0.946 / 0.927 of the
# rows (top-1 0.869 / 0.845), against 0.935 / 0.910 (0.861 / 0.835) for 60,000 postings, a 50x shortlist and
# 150 results, at about a fifth more CPU time (dev p50 11.5 against 9.5 ms per resolution, one process, load 8-10);
# 100,000 postings with a 20x shortlist and 150 results cost 8.7 ms and found 0.930 / 0.905 (top-1 0.860 / 0.830).
# With the recall by phones below, a 40x shortlist (10,000 entries scored exactly) took catalog dev top-1 / top-3
# 0.871 / 0.920 -> 0.876 / 0.926 for CPU time p50 6.2 -> 9.1 ms, p99 14 -> 19 ms (one thread, time.thread_time;
# held-out, untuned, both together: 0.843 / 0.897 -> 0.855 / 0.915, wrong accepts unchanged at 1.5 %);
# 400,000 postings beside it gave 0.877 / 0.929 at p99 24 ms, 400,000 with a 25x shortlist 0.874 / 0.925 at 16 ms,
# and reading every posting into a 100x shortlist and 1,500 results (no recall) only 0.879 / 0.932 at p99 190 ms:
# what is left at 1M is mostly recombined names the words match better than the one meant, not recall.
SCALE_POSTINGS = 150_000
SHORTLIST_FACTOR = 40
SCALE_LIMIT = 250
# A heard word is read before a sound trigram with up to this many times fewer postings. Words strictly first let
# one common word ("organic": tens of thousands of postings) spend the budget, and the shortlist is then the
# shortest names holding it; the rarer trigrams of the misheard words, which point at the name meant, go unread.
# On the 1M catalog set (catalog dev / held-out) 3 kept the product meant among the candidates in 0.935 / 0.910
# of the rows, against 0.928 / 0.907 words strictly first (and 0.933 / 0.910 at 10, 0.929 / 0.907 at 1), at
# the same postings budget and CPU time; top-1 there 0.855 -> 0.861 (dev), 0.832 -> 0.835 (held-out).
WORD_PRIORITY = 3.0
# A small index (under ``TWO_STAGE_MIN_ENTRIES``) that knows its entries' coarse phones takes the ``RECALL_POOL``
# best entries by Dice, hands on the ``limit`` best of them as before, and of the rest also the ``RECALL_EXTRA``
# whose coarse phones are closest to the query's as whole strings (normalised Levenshtein). A badly misheard name
# ("basmati rice" heard "that's not your eyes") shares few exact trigrams with the words heard, and those it shares
# are common ones, so its Dice ranks it in the hundreds; spelt out in sounds, the whole strings are still alike,
# which is what the scorer then measures. On the catalog dev set 600 / 15 kept the right product among the first
# three in 4 more rows of 1,000 (0.960 -> 0.964; 1500 / 15: 0.965, 1000 / 15 and 600 / 10: 0.964, 400 / 15: 0.962),
# none accepted wrongly (held-out, untuned: 0.953 -> 0.958), for about a sixth more CPU time per resolution (catalog
# dev, one thread, pool on and off interleaved: p50 x1.17, p99 x1.15). A pool of 1,500 (chosen on half a of the
# catalog dev set: 2 more rows there, none lost on half b) kept the right product in the first three in 2 more rows
# of the 1,000 (0.963 -> 0.965) and 4 more of the 600 held-out ones (0.958 -> 0.962, top-1 0.913 -> 0.915), none
# accepted wrongly, for about a tenth more CPU time (catalog dev and held-out, one thread, 600 and 1,500
# interleaved: p50 1.44 -> 1.60 ms, p99 3.75 -> 4.06 ms). The sets with a history never use the recall.
RECALL_POOL = 1500
RECALL_EXTRA = 15
# A large index does the same recall from its shortlist: the ``LARGE_RECALL_POOL`` best of it by exact Dice, of
# which the ``LARGE_RECALL_EXTRA`` after the first ``limit`` with the closest phones. On the 1M catalog sets (15x
# shortlist) it took catalog dev top-1 / top-3 0.869 / 0.917 -> 0.871 / 0.920 and held-out (untuned) 0.843 /
# 0.897 -> 0.848 / 0.907, no more accepted wrongly, for CPU time p50 5.7 -> 6.2 ms; a pool of 3,000 or 30 extra
# found no more.
LARGE_RECALL_POOL = 1500
LARGE_RECALL_EXTRA = 15


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
        phones: list[str] = []
        for number, entry in enumerate(entries):
            if len(entry) > 2:
                phones.append(entry[2])
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
        self._forward: tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.int64]] | None = None
        self._words: npt.NDArray[np.bool_] | None = None
        self.size = count
        self._phones = self._recall_phones(phones)
        self._prepare_forward()

    @classmethod
    def from_arrays(
        cls,
        vocabulary: list[str],
        numbers: dict[str, npt.NDArray[Any]],
        settings: dict[str, int],
        phones: Sequence[str] = (),
    ) -> CandidateIndex:
        """An index from the parts ``arrays`` gave (numpy arrays may be memory-mapped), and the entries' coarse
        phones (the ones it was built from; without them the index does no recall by whole phone strings)."""
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
        index._words = None
        index._phones = index._recall_phones(phones)
        index._prepare_forward()
        return index

    def _recall_phones(self, phones: Sequence[str]) -> npt.NDArray[np.object_] | None:
        """The entries' coarse phones as an array to gather from, when the index has them all."""
        if len(phones) != self.size or self.size == 0:
            return None
        return np.array(phones, dtype=object)

    def _prepare_forward(self) -> None:
        """A large index inverts its postings when built or loaded (about a minute at 1M products), so no
        customer's first request waits for it."""
        if self.size >= TWO_STAGE_MIN_ENTRIES:
            self._forward_index()
            self._word_features()

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

    def scaled_limit(self, limit: int) -> int:
        """How many results a search should hand on when ``limit`` is asked for: at least ``SCALE_LIMIT`` from a
        large index (among a million names more look-alikes crowd the one meant), else ``limit``."""
        return max(limit, SCALE_LIMIT) if self.size >= TWO_STAGE_MIN_ENTRIES else limit

    def search(self, spoken: str, sound: str, *, limit: int, phones: str = "") -> Sequence[int]:
        """Numbers of up to ``limit`` entries sharing the most informative features with the query, best first; from
        an index built with coarse phones, given the query's, up to ``RECALL_EXTRA`` (large: ``LARGE_RECALL_EXTRA``)
        more after them: the next ones by Dice whose phones are closest to the query's (see ``RECALL_POOL``)."""
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
        if self.size >= TWO_STAGE_MIN_ENTRIES:
            informative = ids[frequency <= self._max_df]
            if informative.size == 0:
                return []
            touched, dice = self._shortlisted(informative, frequency[frequency <= self._max_df], query_mass, limit)
            if (
                self._phones is not None
                and phones
                and LARGE_RECALL_EXTRA
                and 0 < limit < LARGE_RECALL_POOL
                and not self._named(spoken)
            ):
                return self._with_phone_recall(
                    self._phones, touched, dice, limit, phones, pool=LARGE_RECALL_POOL, extra=LARGE_RECALL_EXTRA
                )
        else:
            ids = ids[keep]
            if ids.size == 0:
                return []
            starts, ends = self._offsets[ids], self._offsets[ids + 1]
            # Gathered as intp, the type bincount counts in: it would otherwise copy them once more to convert.
            owners = np.concatenate(
                [self._postings[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)],
                dtype=np.intp,
            )
            weights = np.repeat(self._idf[ids], ends - starts)
            overlap = np.bincount(owners, weights=weights, minlength=self.size).astype(np.float64, copy=False)
            touched, dice = self._strong_overlaps(overlap, query_mass, limit)
            if self._phones is not None and phones and 0 < limit < RECALL_POOL and not self._named(spoken):
                return self._with_phone_recall(
                    self._phones, touched, dice, limit, phones, pool=RECALL_POOL, extra=RECALL_EXTRA
                )
        if limit < touched.size:
            best = np.argpartition(-dice, limit)[:limit]
            touched, dice = touched[best], dice[best]
        ranked = touched[np.lexsort((touched, -dice))]
        return ranked.tolist()  # type: ignore[no-any-return]

    def _named(self, spoken: str) -> bool:
        """Some entry holds every word heard: the words name products as they are, and a guess by sound at names
        heard wrong ("Milano" for "italiano") would only crowd the ones named out."""
        lists = []
        for word in set(spoken.split()):
            feature_id = self._vocabulary.get(WORD_PREFIX + word)
            if feature_id is None:
                return False
            lists.append(self._postings[self._offsets[feature_id] : self._offsets[feature_id + 1]])
        if not lists:
            return False
        lists.sort(key=len)
        common = lists[0]
        for postings in lists[1:]:
            common = np.intersect1d(common, postings, assume_unique=True)
            if common.size == 0:
                return False
        return True

    @staticmethod
    def _with_phone_recall(
        entry_phones: npt.NDArray[np.object_],
        touched: npt.NDArray[np.intp],
        dice: npt.NDArray[np.float64],
        limit: int,
        phones: str,
        *,
        pool: int,
        extra: int,
    ) -> list[int]:
        """The ``limit`` best of the ``touched`` entries by ``dice``, best first, then of the next ones by Dice (to
        ``RECALL_POOL``) the ``RECALL_EXTRA`` whose ``entry_phones`` are closest to ``phones``, closest first (see
        ``RECALL_POOL``)."""
        if touched.size > pool:
            best = np.argpartition(-dice, pool - 1)[:pool]
            touched, dice = touched[best], dice[best]
        if touched.size <= limit:
            return touched[np.lexsort((touched, -dice))].tolist()  # type: ignore[no-any-return]
        split = np.argpartition(-dice, limit - 1)
        head, rest = split[:limit], np.sort(touched[split[limit:]])  # the rest in entry order: ties go by it
        ranked = touched[head][np.lexsort((touched[head], -dice[head]))]
        alike = process.cdist(
            (phones,), entry_phones[rest].tolist(), scorer=Levenshtein.normalized_similarity, dtype=np.float64
        )[0]
        extra = min(extra, rest.size)
        closest = np.argpartition(-alike, extra - 1)[:extra]
        closest = closest[np.lexsort((closest, -alike[closest]))]
        return ranked.tolist() + rest[closest].tolist()  # type: ignore[no-any-return]

    def _shortlisted(
        self, ids: npt.NDArray[np.int64], frequency: npt.NDArray[np.int64], query_mass: float, limit: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The search of a large index, in work bounded by the query's features, never by the catalog's size.

        ``ids`` are the query's informative features, rarest first. Only some are read from the postings:
        the rarest first, a word counted ``WORD_PRIORITY`` times rarer than it is, up to ``SCALE_POSTINGS``
        (whole lists, at least one). A heard word is the surest evidence, and on a recombined million names a
        rare trigram of a misheard word mostly touches noise, but not one as common as a word that is in
        tens of thousands of names. The touched entries are counted by sorting them (each list is
        sorted, so the sort merges runs), never in an array as long as the catalog. The best
        ``SHORTLIST_FACTOR * limit`` by Dice on what was read then get their exact Dice on every informative
        feature from their own feature lists (the forward index): the commoner features are what tells a name
        from its look-alikes, but their postings are the longest."""
        read_ids = self._read_first(ids, frequency)
        starts, ends = self._offsets[read_ids], self._offsets[read_ids + 1]
        lengths = ends - starts
        if int(lengths.sum()) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        # One sort of packed keys (entry, then the feature's place in the reading order) instead of an argsort
        # and two gathers by it: the same order, less to move.
        shift = max(int(read_ids.size - 1).bit_length(), 1)
        key_type = np.uint32 if self.size << shift <= np.iinfo(np.uint32).max else np.uint64
        keys: npt.NDArray[np.unsignedinteger[Any]] = np.concatenate(
            [self._postings[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]
        ).astype(key_type)
        keys <<= shift
        keys |= np.repeat(np.arange(read_ids.size, dtype=key_type), lengths)
        # Sorted values, not an argsort: equal keys are indistinguishable, so any sort gives this order, and numpy's
        # default (SIMD quicksort where the CPU has it) is several times faster than its stable merge of the runs.
        keys.sort()
        owners = keys >> shift
        weights = self._idf[read_ids][(keys & ((1 << shift) - 1)).astype(np.intp)]
        firsts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
        touched = owners[firsts].astype(np.int64)
        partial = np.add.reduceat(weights, firsts)
        shortlist = SHORTLIST_FACTOR * limit
        if shortlist < touched.size:
            # In entry order, so the forward index below is read front to back.
            best = np.argpartition(-(partial / (self._mass[touched] + query_mass)), shortlist - 1)[:shortlist]
            touched = touched[np.sort(best)]
        query_weights = np.zeros(self._idf.size)
        query_weights[ids] = self._idf[ids]
        forward, forward_offsets = self._forward_index()
        starts = forward_offsets[touched]
        lengths = forward_offsets[touched + 1] - starts
        rows = np.cumsum(lengths) - lengths  # where each entry's features start among those gathered
        positions = np.repeat(starts - rows, lengths) + np.arange(int(lengths.sum()))
        # No row is empty (reduceat would misread one): a touched entry holds the informative feature it was read by.
        overlap = np.add.reduceat(query_weights[forward[positions]], rows)
        return touched, overlap / (self._mass[touched] + query_mass)

    def _read_first(self, ids: npt.NDArray[np.int64], frequency: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The features whose postings a large index reads: the rarest first (words favoured by ``WORD_PRIORITY``),
        within ``SCALE_POSTINGS``."""
        cost = frequency / np.where(self._word_features()[ids], WORD_PRIORITY, 1.0)
        order = np.lexsort((frequency, cost))
        read_ids, read_frequency = ids[order], frequency[order]
        budget = min(self._max_postings, SCALE_POSTINGS)
        read = max(int(np.searchsorted(np.cumsum(read_frequency) - read_frequency, budget, side="left")), 1)
        return read_ids[:read]

    def postings_read(self, spoken: str, sound: str, phones: str = "") -> int:
        """How many postings ``search`` reads for this query (for benchmarks)."""
        ids = np.fromiter(
            (i for f in entry_features(spoken, sound, phones) if (i := self._vocabulary.get(f)) is not None),
            dtype=np.int64,
        )
        frequency = self._document_frequency[ids]
        order = np.argsort(frequency, kind="stable")
        ids, frequency = ids[order], frequency[order]
        if self.size >= TWO_STAGE_MIN_ENTRIES:
            informative = frequency <= self._max_df
            if not informative.any():
                return 0
            return int(self._document_frequency[self._read_first(ids[informative], frequency[informative])].sum())
        keep = (frequency <= self._max_df) & (np.cumsum(frequency) - frequency < self._max_postings)
        return int(frequency[keep].sum())

    def _word_features(self) -> npt.NDArray[np.bool_]:
        """Which feature ids are words (large indexes only)."""
        words = self._words
        if words is None:
            words = np.zeros(self._idf.size, dtype=bool)
            words[[number for feature, number in self._vocabulary.items() if feature.startswith(WORD_PREFIX)]] = True
            self._words = words  # one assignment: a concurrent first search builds its own and drops it
        return words

    def _forward_index(self) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.int64]]:
        """Each entry's informative feature ids (CSR), inverted from the postings (large indexes only).

        Features in more than ``max_df`` entries are never part of a query's Dice, so they are left out: at
        1M products 30 such features hold 13 % of the postings, which every shortlisted entry would otherwise
        gather for nothing. Feature ids are 16-bit when the vocabulary allows (it does: some 15,000 features at
        1M products), which halves what a search reads from it."""
        forward = self._forward
        if forward is None:
            feature_type = np.uint16 if self._document_frequency.size <= np.iinfo(np.uint16).max + 1 else np.int32
            list_lengths = np.diff(self._offsets)
            informative = np.repeat(self._document_frequency <= self._max_df, list_lengths)
            feature_of_posting: npt.NDArray[np.integer[Any]] = np.repeat(
                np.arange(self._document_frequency.size, dtype=feature_type), list_lengths
            ).compress(informative)
            postings = self._postings.compress(informative)
            order = np.argsort(postings, kind="stable")
            counts = np.bincount(postings, minlength=self.size)
            offsets: npt.NDArray[np.int64] = np.concatenate(([0], np.cumsum(counts))).astype(np.int64, copy=False)
            forward = (feature_of_posting[order], offsets)
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
