"""The catalog counts the kind rules read, counted once per catalog and stored with the resolver's tables.

The kind index (``backend.resolver.kinds``), the kind shares of words (``heads.kind_shares``) and the aisle shares
of head words (``heads.head_aisles``) all read a few counts of the catalog's names: how many names hold each word,
which products each word heads, in which aisles. Counting them walks 50k names in Python (about 0.1 s, more on a
loaded machine), which a Lambda used to pay on its first add. Here they are counted once, when the tables are
built, and kept as numpy arrays (positions, counts, offsets) and short word lists; what the rules ask is derived
from them on first use, cheaply, so a threshold a rule applies (``MIN_MEMBERS``, ``MIN_PRODUCTS``) is applied at
run time and a stored table never holds an old one.

The counts are exact integers and every share is computed from them by the same division as before, so the
answers are identical whether the counts were just made or loaded.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar, overload

import numpy as np
import numpy.typing as npt

from backend.catalog import Product
from backend.resolver.heads import MIN_PRODUCTS, head_of

FORMAT: Final = "voicecart-kind-tables-3"  # 3: the words of each name, its length
_Value = TypeVar("_Value")
_WORD_LISTS: Final = ("words", "kinds", "head_words", "aisles")
_ARRAYS: Final = (
    "held",
    "held_starts",
    "held_positions",
    "kind_starts",
    "kind_positions",
    "head_counts",
    "aisle_starts",
    "aisle_codes",
    "aisle_counts",
    "spoken_order",
    "name_word_starts",
    "name_words",
    "name_tokens",
    "name_lengths",
)


@dataclass(frozen=True, slots=True, eq=False)
class KindTables:
    """Counts of one catalog's names, one catalog position per product (its name's first entry, spoken).

    - ``words``/``held``: every word of the spoken names, sorted, and how many names hold it;
      ``held_starts``/``held_positions``: the positions of those names, in catalog order
      (``held_positions[held_starts[w]:held_starts[w + 1]]``), so the names holding a rare word are a lookup,
      not a walk over the catalog (``holders``);
    - ``kinds``/``kind_starts``/``kind_positions``: every word that is the head noun of some product (as the kind
      index takes it: the only head, else the written name's head noun), sorted, and its products in catalog
      order (``kind_positions[kind_starts[k]:kind_starts[k + 1]]``);
    - ``head_words``/``head_counts``: every word of the products' heads (``HeadDepartments.heads``), sorted, and
      how many products' heads hold it; ``aisle_starts``/``aisle_codes``/``aisle_counts``: per head word, how
      many of those products are in each aisle (codes into ``aisles``, in order of first appearance);
    - ``spoken_order``: the positions sorted by spoken name (ties by position), to find a name said whole;
    - ``name_word_starts``/``name_words``: per position, the distinct words of its spoken name (indices into
      ``words``, ascending), ``name_words[name_word_starts[p]:name_word_starts[p + 1]]``: the holders turned
      round, so the words of thousands of names are one gather (``KindIndex`` orders a kind's products by them);
    - ``name_tokens``: how many words each spoken name has (repeats counted); ``name_lengths``: how many
      characters each written name has.
    """

    words: list[str]
    held: npt.NDArray[np.int32]
    held_starts: npt.NDArray[np.int64]
    held_positions: npt.NDArray[np.int32]
    kinds: list[str]
    kind_starts: npt.NDArray[np.int64]
    kind_positions: npt.NDArray[np.int32]
    head_words: list[str]
    head_counts: npt.NDArray[np.int32]
    aisle_starts: npt.NDArray[np.int64]
    aisle_codes: npt.NDArray[np.int32]
    aisle_counts: npt.NDArray[np.int32]
    aisles: list[str]
    spoken_order: npt.NDArray[np.int32]
    name_word_starts: npt.NDArray[np.int64]
    name_words: npt.NDArray[np.int32]
    name_tokens: npt.NDArray[np.int32]
    name_lengths: npt.NDArray[np.int32]

    @classmethod
    def build(
        cls, spoken: Sequence[str], heads: Sequence[str], names: Sequence[str], aisles: Sequence[str]
    ) -> KindTables:
        """Count the names: ``spoken``, ``heads`` (as ``HeadDepartments.heads``), ``names`` (as written) and
        ``aisles`` run in step, one catalog position each."""
        if not len(spoken) == len(heads) == len(names) == len(aisles):
            raise ValueError("kind tables: spoken names, heads, names and aisles of different lengths")
        holders: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(spoken):
            for word in dict.fromkeys(name.split()):
                holders[word].append(position)
        held = Counter({word: len(positions) for word, positions in holders.items()})
        headed: dict[str, list[int]] = defaultdict(list)
        by_aisle: dict[str, Counter[str]] = defaultdict(Counter)
        for position, own_heads in enumerate(heads):
            head_list = own_heads.split()
            # Two heads (head noun and last word: "Yogurt, Vanilla"): the product is its head noun only.
            head = head_list[0] if len(head_list) == 1 else head_of(names[position]) if head_list else ""
            if head:
                headed[head].append(position)
            for word in set(head_list):
                by_aisle[word][aisles[position]] += 1
        aisle_code = {aisle: code for code, aisle in enumerate(dict.fromkeys(aisles))}
        words = sorted(held)
        kinds = sorted(headed)
        head_words = sorted(by_aisle)
        aisle_rows = [sorted((aisle_code[aisle], count) for aisle, count in by_aisle[w].items()) for w in head_words]
        order = sorted(range(len(spoken)), key=spoken.__getitem__)
        held_positions = np.array([position for word in words for position in holders[word]], dtype=np.int32)
        held_words = np.repeat(np.arange(len(words), dtype=np.int32), [held[word] for word in words])
        by_name = np.argsort(held_positions, kind="stable")  # each name's words stay in word order
        return cls(
            words,
            np.array([held[word] for word in words], dtype=np.int32),
            _starts(held[word] for word in words),
            held_positions,
            kinds,
            _starts(len(headed[kind]) for kind in kinds),
            np.array([position for kind in kinds for position in headed[kind]], dtype=np.int32),
            head_words,
            np.array([sum(by_aisle[word].values()) for word in head_words], dtype=np.int32),
            _starts(len(row) for row in aisle_rows),
            np.array([code for row in aisle_rows for code, _ in row], dtype=np.int32),
            np.array([count for row in aisle_rows for _, count in row], dtype=np.int32),
            list(aisle_code),
            np.array(order, dtype=np.int32),
            _starts(np.bincount(held_positions, minlength=len(spoken)).tolist()),
            held_words[by_name].astype(np.int32),
            np.array([len(name.split()) for name in spoken], dtype=np.int32),
            np.array([len(name) for name in names], dtype=np.int32),
        )

    # What the rules read, derived from the counts.

    def held_counts(self) -> Counter[str]:
        """How many names hold each word (0 for a word none holds)."""
        return Counter(dict(zip(self.words, self.held.tolist(), strict=True)))

    def holders(self, word: str) -> list[int]:
        """The positions of the names holding ``word`` (as a word of the spoken name), in catalog order."""
        positions: list[int] = self.holder_array(word).tolist()
        return positions

    def holder_array(self, word: str) -> npt.NDArray[np.int32]:
        """``holders`` as a (read-only) array."""
        at = self.word_number(word)
        if at is None:
            return self.held_positions[:0]
        return self.held_positions[int(self.held_starts[at]) : int(self.held_starts[at + 1])]

    def kind_members(self, min_members: int) -> KindMembers:
        """The products each word heading at least ``min_members`` of them heads, in catalog order."""
        return KindMembers(self, min_members)

    def kind_shares(self, held: Mapping[str, int]) -> dict[str, float]:
        """``heads.kind_shares``: per word heading at least ``MIN_PRODUCTS`` products, the share of the names
        holding it that it heads (``held`` as ``held_counts``)."""
        return {
            word: count / held[word]
            for word, count in zip(self.head_words, self.head_counts.tolist(), strict=True)
            if count >= MIN_PRODUCTS and held.get(word, 0)
        }

    def head_aisles(self) -> HeadAisles:
        """``heads.head_aisles``: per word heading at least ``MIN_PRODUCTS`` products, their shares by aisle."""
        return HeadAisles(self)

    def word_number(self, word: str) -> int | None:
        """The index of ``word`` in ``words``, or ``None`` when no name holds it."""
        at = bisect.bisect_left(self.words, word)
        return at if at < len(self.words) and self.words[at] == word else None

    def named(self, spoken: Sequence[str], words: str) -> list[int]:
        """Every position whose spoken name (``spoken``, as built from) is ``words``, in catalog order."""
        order = self.spoken_order
        at = bisect.bisect_left(order, words, key=lambda position: spoken[position])
        end = bisect.bisect_right(order, words, lo=at, key=lambda position: spoken[position])
        return order[at:end].tolist()  # type: ignore[no-any-return]

    def first_named(self, spoken: Sequence[str], words: str) -> int | None:
        """The first position whose spoken name (``spoken``, as built from) is ``words``."""
        order = self.spoken_order
        at = bisect.bisect_left(order, words, key=lambda position: spoken[position])
        if at < order.size and spoken[int(order[at])] == words:
            return int(order[at])
        return None

    # Storage: newline-separated word lists (no word holds a line break or a space) and .npy arrays.

    def save(self, directory: Path, prefix: str = "kinds-") -> None:
        lines = {name: getattr(self, name) for name in _WORD_LISTS}
        for name, words in lines.items():
            (directory / f"{prefix}{name}.txt").write_text("\n".join(words), encoding="utf-8")
        for name in _ARRAYS:
            np.save(directory / f"{prefix}{name}.npy", np.ascontiguousarray(getattr(self, name)))
        meta = {"format": FORMAT, "lines": {name: len(words) for name, words in lines.items()}}
        (directory / f"{prefix}meta.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, products: int, prefix: str = "kinds-") -> KindTables:
        """Tables written by ``save`` for a catalog of ``products`` products; ``ValueError`` (or ``OSError``) for
        missing, damaged or foreign ones."""
        meta = json.loads((directory / f"{prefix}meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: kind tables of format {meta.get('format')!r}, not {FORMAT!r}")
        texts = {name: _lines(directory / f"{prefix}{name}.txt", int(meta["lines"][name])) for name in _WORD_LISTS}
        arrays: dict[str, npt.NDArray[Any]] = {
            name: np.asarray(np.load(directory / f"{prefix}{name}.npy", mmap_mode="r")) for name in _ARRAYS
        }
        tables = cls(
            words=texts["words"],
            held=arrays["held"],
            held_starts=arrays["held_starts"],
            held_positions=arrays["held_positions"],
            kinds=texts["kinds"],
            kind_starts=arrays["kind_starts"],
            kind_positions=arrays["kind_positions"],
            head_words=texts["head_words"],
            head_counts=arrays["head_counts"],
            aisle_starts=arrays["aisle_starts"],
            aisle_codes=arrays["aisle_codes"],
            aisle_counts=arrays["aisle_counts"],
            aisles=texts["aisles"],
            spoken_order=arrays["spoken_order"],
            name_word_starts=arrays["name_word_starts"],
            name_words=arrays["name_words"],
            name_tokens=arrays["name_tokens"],
            name_lengths=arrays["name_lengths"],
        )
        tables.check(products)
        return tables

    def check(self, products: int) -> None:
        """Raise ``ValueError`` unless the parts fit together and fit a catalog of ``products`` products."""
        if self.held.size != len(self.words) or self.head_counts.size != len(self.head_words):
            raise ValueError("kind tables: counts for another number of words")
        if self.held_starts.size != len(self.words) + 1 or int(self.held_starts[-1]) != self.held_positions.size:
            raise ValueError("kind tables: holder offsets do not span the positions")
        if self.kind_starts.size != len(self.kinds) + 1 or int(self.kind_starts[-1]) != self.kind_positions.size:
            raise ValueError("kind tables: kind offsets do not span the positions")
        if self.aisle_starts.size != len(self.head_words) + 1 or int(self.aisle_starts[-1]) != self.aisle_codes.size:
            raise ValueError("kind tables: aisle offsets do not span the aisle counts")
        if self.aisle_counts.size != self.aisle_codes.size or self.spoken_order.size != products:
            raise ValueError("kind tables: made for another catalog")
        if self.name_word_starts.size != products + 1 or int(self.name_word_starts[-1]) != self.name_words.size:
            raise ValueError("kind tables: name word offsets do not span the words")
        if self.name_words.size != self.held_positions.size or not (
            self.name_tokens.size == self.name_lengths.size == products
        ):
            raise ValueError("kind tables: name words or lengths for another catalog")
        if any(getattr(self, name).dtype.kind != "i" or getattr(self, name).ndim != 1 for name in _ARRAYS):
            raise ValueError("kind tables: arrays that are not integer vectors")
        offsets = (self.held_starts, self.kind_starts, self.aisle_starts, self.name_word_starts)
        if any(int(part[0]) != 0 or bool((np.diff(part) < 0).any()) for part in offsets):
            raise ValueError("kind tables: offsets that do not start at 0 or go back")  # a slice would be negative
        positions = (self.kind_positions, self.spoken_order, self.held_positions)
        if any(part.size and (int(part.min()) < 0 or int(part.max()) >= products) for part in positions):
            raise ValueError("kind tables: positions beyond the catalog")
        words = self.name_words
        if words.size and (int(words.min()) < 0 or int(words.max()) >= len(self.words)):
            raise ValueError("kind tables: name words beyond the words")
        codes = self.aisle_codes
        if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= len(self.aisles)):
            raise ValueError("kind tables: aisle codes beyond the aisles")
        numbers = self.name_words
        if numbers.size and (int(numbers.min()) < 0 or int(numbers.max()) >= len(self.words)):
            raise ValueError("kind tables: name words beyond the words")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KindTables):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _WORD_LISTS) and all(
            np.array_equal(getattr(self, name), getattr(other, name)) for name in _ARRAYS
        )

    __hash__ = None  # type: ignore[assignment]  # equal by content, and mutable underneath (numpy arrays)


class _MadeWhenAsked(Mapping[str, _Value]):
    """A mapping over the words of ``_keys`` whose values ``_make`` makes when first asked for (most never are).
    Two threads asking at once may both make a value: equal values, and the dict stays whole."""

    def __init__(self, keys: Mapping[str, object]) -> None:
        self._keys = keys
        self._made: dict[str, _Value] = {}

    def _make(self, word: str) -> _Value:
        raise NotImplementedError

    def __getitem__(self, word: str) -> _Value:
        made = self._made.get(word)
        if made is None:
            if word not in self._keys:
                raise KeyError(word)
            made = self._made[word] = self._make(word)
        return made

    def __contains__(self, word: object) -> bool:
        return word in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class KindMembers(_MadeWhenAsked[tuple[int, ...]]):
    """Kind word -> its products (catalog positions, in catalog order), for words heading at least
    ``min_members``."""

    def __init__(self, tables: KindTables, min_members: int) -> None:
        kept = np.flatnonzero(np.diff(tables.kind_starts) >= min_members)  # the few thousand words heading enough
        starts = tables.kind_starts[kept].tolist()
        ends = tables.kind_starts[kept + 1].tolist()
        kinds = [tables.kinds[at] for at in kept.tolist()]
        self._positions = tables.kind_positions
        self._bounds: dict[str, tuple[int, int]] = dict(zip(kinds, zip(starts, ends, strict=True), strict=True))
        super().__init__(self._bounds)

    def _make(self, word: str) -> tuple[int, ...]:
        start, end = self._bounds[word]
        return tuple(self._positions[start:end].tolist())

    def size(self, word: str) -> int:
        start, end = self._bounds[word]
        return end - start

    def bounds(self, word: str) -> tuple[int, int]:
        """Where the word's products are in ``KindTables.kind_positions``."""
        return self._bounds[word]


class KindHeaded(_MadeWhenAsked[frozenset[int]]):
    """Kind word -> its products as a set (``KindMembers``)."""

    def __init__(self, members: KindMembers) -> None:
        self._members = members
        super().__init__(members)

    def _make(self, word: str) -> frozenset[int]:
        return frozenset(self._members[word])


class HeadAisles(_MadeWhenAsked[dict[str, float]]):
    """Head word -> {aisle: share of the products it heads}, for words heading at least ``MIN_PRODUCTS``."""

    def __init__(self, tables: KindTables) -> None:
        kept = np.flatnonzero(tables.head_counts >= MIN_PRODUCTS)
        starts = tables.aisle_starts[kept].tolist()
        ends = tables.aisle_starts[kept + 1].tolist()
        totals = tables.head_counts[kept].tolist()
        words = [tables.head_words[at] for at in kept.tolist()]
        self._tables = tables
        self._bounds: dict[str, tuple[int, int, int]] = dict(
            zip(words, zip(starts, ends, totals, strict=True), strict=True)
        )
        super().__init__(self._bounds)

    def _make(self, word: str) -> dict[str, float]:
        start, end, total = self._bounds[word]
        aisles = self._tables.aisles
        codes = self._tables.aisle_codes[start:end].tolist()
        counts = self._tables.aisle_counts[start:end].tolist()
        return {aisles[code]: count / total for code, count in zip(codes, counts, strict=True)}


class ProductNames(Sequence[str]):
    """The products' written names by catalog position, read from the products as asked (no list of 50k)."""

    def __init__(self, products: Sequence[Product]) -> None:
        self._products = products

    def __len__(self) -> int:
        return len(self._products)

    @overload
    def __getitem__(self, position: int) -> str: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[str]: ...
    def __getitem__(self, position: int | slice) -> str | Sequence[str]:
        if isinstance(position, slice):
            return [product.name for product in self._products[position]]
        return self._products[position].name


def _starts(sizes: Iterable[int]) -> npt.NDArray[np.int64]:
    return np.concatenate(([0], np.cumsum(list(sizes), dtype=np.int64))).astype(np.int64)


def _lines(path: Path, count: int) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n") if count else []
    if len(lines) != count:
        raise ValueError(f"{path}: {len(lines)} lines, expected {count}")
    return lines
