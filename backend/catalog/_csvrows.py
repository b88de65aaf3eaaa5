"""Reading catalog files row by row, with the line number of each row, translating I/O errors."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from backend.errors import CatalogLoadError


def read_csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each data row; ``line`` is where the row ends (1-based, header = 1).

    Raises ``CatalogError`` when the file cannot be read or lacks a required column.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CatalogLoadError(f"cannot read catalog file {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CatalogLoadError(f"cannot read the header of {path}: {exc}") from exc
        missing = [name for name in required if name not in header]
        if missing:
            raise CatalogLoadError(f"{path} lacks column(s) {', '.join(missing)}")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise CatalogLoadError(f"{path} line {reader.line_num}: unreadable CSV ({exc})") from exc
            yield reader.line_num, row
