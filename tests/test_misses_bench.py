"""``python -m backend.bench.misses``: the rows whose right product is not in the first three, classified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.bench.misses import main

FIXTURES = Path(__file__).parent / "fixtures"
TINY_CATALOG = FIXTURES / "catalog" / "instacart_bad"
TINY_MISSES = FIXTURES / "resolver" / "tiny_misses.csv"


def test_misses_lists_only_the_rows_missed_and_says_where_they_were_lost(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICECART_INDEX_DIR", str(tmp_path))
    assert main(["--queries", str(TINY_MISSES), "--catalog", str(TINY_CATALOG), "--rows"]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rows, summary = lines[:-1], lines[-1]
    # "banana" finds Banana; "zebra" shares nothing with Crème Fraîche.
    assert [row["heard"] for row in rows] == ["zebra"]
    assert rows[0]["expected"] == "Crème Fraîche"
    assert rows[0]["kind"] in {"not_retrieved", "below_cutoff"}
    assert summary["set"] == "tiny_misses" and summary["n"] == 2
    assert sum(summary["misses"].values()) == 1


def test_products_written_the_same_but_for_punctuation_are_offered_together_so_neither_is_missed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Fat-Free ..." and "Fat Free ..." sound the same: the resolver offers both, so the one asked for is never
    # folded out of the first three behind its twin (the bench would list that row as "folded").
    monkeypatch.setenv("VOICECART_INDEX_DIR", str(tmp_path))
    twins = FIXTURES / "catalog" / "written_twins"
    queries = FIXTURES / "resolver" / "written_twin_misses.csv"
    assert main(["--queries", str(queries), "--catalog", str(twins), "--rows"]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"set": "written_twin_misses", "n": 1, "misses": {}}]
