"""Many strings as two numpy arrays: their UTF-8 bytes end to end, and where each one starts.

A numpy array of ``str`` stores every string at the width of the longest, four bytes a character: the
pronouncing dictionary's 126,000 words and their phones took 28 MB that way, and since a binary search
over a memory-mapped file touches pages all over it, a long-running process soon held all of it resident.
Packed, the same strings take about a tenth of that, and a lookup reads a few hundred bytes.

Strings packed in sorted order (Python's order is the order of their UTF-8 bytes) can be searched without
decoding any but the one found. The arrays are plain ``.npy`` files, so they load memory-mapped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


class PackedStrings:
    """An immutable sequence of strings held as ``data`` (UTF-8 bytes) and ``starts`` (``len + 1`` offsets)."""

    __slots__ = ("_bytes_of", "_offset", "_size", "data", "starts")

    def __init__(self, data: npt.NDArray[np.uint8], starts: npt.NDArray[Any]) -> None:
        if starts.ndim != 1 or starts.size == 0 or int(starts[0]) != 0 or int(starts[-1]) != data.size:
            raise ValueError("packed strings: offsets do not span the data")
        # Plain ndarray views of (possibly memory-mapped) arrays: slicing a np.memmap makes a memmap per slice.
        self.data = np.asarray(data)
        self.starts = np.asarray(starts)
        # Memoryviews index and slice in tens of nanoseconds, numpy arrays in hundreds: a search probes ~17 times.
        self._bytes_of = self.data.data
        self._offset = self.starts.data
        self._size = int(self.starts.size) - 1

    @classmethod
    def of(cls, strings: Iterable[str]) -> PackedStrings:
        encoded = [text.encode("utf-8") for text in strings]
        ends = np.cumsum([len(item) for item in encoded], dtype=np.int64)
        width = np.int32 if (ends[-1] if ends.size else 0) < 2**31 else np.int64
        starts = np.concatenate(([0], ends)).astype(width)
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        return cls(data, starts)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, number: int) -> str:
        return self._bytes(number).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        data = self.data.tobytes()
        bounds = self.starts.tolist()
        return (data[start:end].decode("utf-8") for start, end in pairwise(bounds))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PackedStrings):
            return NotImplemented
        return np.array_equal(self.data, other.data) and np.array_equal(self.starts, other.starts)

    __hash__ = None  # type: ignore[assignment]  # equal by content, and mutable underneath (numpy arrays)

    def _bytes(self, number: int) -> bytes:
        if not 0 <= number < self._size:
            raise IndexError(number)
        return self._bytes_of[self._offset[number] : self._offset[number + 1]].tobytes()

    def find(self, text: str) -> int | None:
        """The number of ``text`` in strings packed in sorted order (the first, if repeated), or ``None``."""
        key = text.encode("utf-8")
        data, offset = self._bytes_of, self._offset
        low, high = 0, self._size
        while low < high:
            middle = (low + high) // 2
            if data[offset[middle] : offset[middle + 1]].tobytes() < key:
                low = middle + 1
            else:
                high = middle
        return low if low < self._size and data[offset[low] : offset[low + 1]].tobytes() == key else None

    def save(self, directory: Path, name: str) -> None:
        np.save(directory / f"{name}.utf8.npy", self.data)
        np.save(directory / f"{name}.starts.npy", self.starts)

    @classmethod
    def load(cls, directory: Path, name: str) -> PackedStrings:
        """Strings written by ``save``, memory-mapped read-only."""
        data = np.load(directory / f"{name}.utf8.npy", mmap_mode="r")
        starts = np.load(directory / f"{name}.starts.npy", mmap_mode="r")
        if data.dtype != np.uint8 or starts.dtype.kind != "i":
            raise ValueError(f"{directory}: {name} is not packed strings")
        return cls(data, starts)
