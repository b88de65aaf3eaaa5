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


def test_a_product_folded_into_one_written_the_same_is_not_called_unretrieved(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Fat-Free ..." and "Fat Free ..." are one written name: the resolver offers one of them, and the scorer did
    # find the other, so the miss is the folding, not retrieval.
    monkeypatch.setenv("VOICECART_INDEX_DIR", str(tmp_path))
    twins = FIXTURES / "catalog" / "written_twins"
    queries = FIXTURES / "resolver" / "written_twin_misses.csv"
    assert main(["--queries", str(queries), "--catalog", str(twins), "--rows"]) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert lines[0]["kind"] == "folded" and lines[0]["first"] == "Fat-Free Refried Beans"
    assert lines[1]["misses"] == {"folded": 1}
