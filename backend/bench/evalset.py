"""Spoken-query evaluation sets (the format of ``shared/eval``) and how an answer is scored."""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

from backend.catalog import Catalog
from backend.errors import CatalogLoadError


@dataclass(frozen=True, slots=True)
class EvalQuery:
    heard: str  # asr_hypothesis: what the recogniser wrote
    said: str  # product_name: the text that was spoken
    expected_id: str
    customer_id: str | None  # sets resolved with a history only
    said_id: str = ""  # product_id: the product whose words were said
    voice: str = ""
    rate: str = ""

    @property
    def half(self) -> str:
        """``a`` or ``b``: a stable split of the rows (by the words said and the customer) for held-out checks."""
        key = f"{self.said}|{self.customer_id or ''}".encode()
        return "ab"[zlib.crc32(key) % 2]


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    queries: tuple[EvalQuery, ...]

    @property
    def personal(self) -> bool:
        """Resolved with a customer's history (the personal set and the catalog set asked by customers)."""
        return any(query.customer_id for query in self.queries)

    def half(self, which: str) -> EvalSet:
        """Only the rows of one half (see ``EvalQuery.half``)."""
        return replace(self, name=f"{self.name}[{which}]", queries=tuple(q for q in self.queries if q.half == which))


def load_eval_set(path: Path) -> EvalSet:
    """Read a CSV with ``product_id, product_name, asr_hypothesis`` and optional ``user_id, expected_product_id``."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CatalogLoadError(f"cannot read eval set {path}: {exc.strerror}") from exc
    queries = []
    for line, row in enumerate(rows, start=2):
        try:
            said_id = row["product_id"].strip()
            expected = (row.get("expected_product_id") or said_id).strip()
            queries.append(
                EvalQuery(
                    row["asr_hypothesis"],
                    row.get("product_name", ""),
                    expected,
                    row.get("user_id") or None,
                    said_id,
                    row.get("voice", ""),
                    row.get("rate", ""),
                )
            )
        except KeyError as exc:
            raise CatalogLoadError(f"{path} line {line}: missing column {exc}") from exc
    return EvalSet(path.stem, tuple(queries))


class Judge:
    """Right = the expected id, or a product whose name equals the expected product's name (case-folded).

    With a history, the product whose words were said (``said_id``) is right too, or one sharing its name:
    the customer said that product's words, so it cannot be wrong (the scoring rule of ``shared/eval``).
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def is_right(self, answer_id: str | None, expected_id: str, said_id: str = "") -> bool:
        if answer_id is None:
            return False
        return self._same(answer_id, expected_id) or (bool(said_id) and self._same(answer_id, said_id))

    def right_for(self, answer_id: str | None, query: EvalQuery) -> bool:
        return self.is_right(answer_id, query.expected_id, query.said_id if query.customer_id else "")

    def _same(self, answer_id: str, expected_id: str) -> bool:
        if answer_id == expected_id:
            return True
        answer, expected = self._catalog.find(answer_id), self._catalog.find(expected_id)
        return answer is not None and expected is not None and answer.name.casefold() == expected.name.casefold()
