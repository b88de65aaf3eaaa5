"""Spoken-query evaluation sets (the format of ``shared/eval``) and how an answer is scored."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from backend.catalog import Catalog
from backend.errors import CatalogLoadError


@dataclass(frozen=True, slots=True)
class EvalQuery:
    heard: str  # asr_hypothesis: what the recogniser wrote
    said: str  # product_name: the text that was spoken
    expected_id: str
    customer_id: str | None  # personal sets only


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    queries: tuple[EvalQuery, ...]

    @property
    def personal(self) -> bool:
        return any(query.customer_id for query in self.queries)


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
            expected = (row.get("expected_product_id") or row["product_id"]).strip()
            queries.append(
                EvalQuery(row["asr_hypothesis"], row.get("product_name", ""), expected, row.get("user_id") or None)
            )
        except KeyError as exc:
            raise CatalogLoadError(f"{path} line {line}: missing column {exc}") from exc
    return EvalSet(path.stem, tuple(queries))


class Judge:
    """Right = the expected id, or a product whose name equals the expected product's name (case-folded)."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def is_right(self, answer_id: str | None, expected_id: str) -> bool:
        if answer_id is None:
            return False
        if answer_id == expected_id:
            return True
        answer, expected = self._catalog.find(answer_id), self._catalog.find(expected_id)
        return answer is not None and expected is not None and answer.name.casefold() == expected.name.casefold()
