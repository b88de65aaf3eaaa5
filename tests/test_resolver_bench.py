"""The ``bench resolve`` command on a tiny catalog: it runs end to end and reports every method."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from backend.bench.cli import main
from backend.bench.evalset import Judge, load_eval_set
from backend.bench.measure import latency_figures
from backend.catalog import load_instacart

FIXTURES = Path(__file__).parent / "fixtures"
TINY_CATALOG = FIXTURES / "catalog" / "instacart_bad"
TINY_EVAL = FIXTURES / "resolver" / "tiny_eval.csv"


def test_bench_prints_one_json_object_per_set_then_performance(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["resolve", "--queries", str(TINY_EVAL), "--catalog", str(TINY_CATALOG), "--json", "--slow-subset", "2"]
    assert main(argv) == 0

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["kind"] for line in lines] == ["set", "performance"]
    result = lines[0]
    assert result["set"] == "tiny_eval"
    assert result["n"] == 4
    assert result["top1"] == 1.0
    assert result["wrong_accepted"] == 0.0
    assert {"p50_ms", "p99_ms", "top3", "accepted"} <= result.keys()
    assert set(result["decisions"]) == {"accept", "confirm", "choose", "not_found"}
    assert sum(result["decisions"].values()) == pytest.approx(1.0)
    assert result["groups"]["voice=flite:slt"]["n"] == 1 and result["groups"]["rate=175"]["n"] == 2
    methods = {baseline["method"]: baseline for baseline in result["baselines"]}
    assert "rapidfuzz WRatio" in methods and "difflib.get_close_matches" in methods
    assert methods["rapidfuzz WRatio"]["n"] == 2 and methods["rapidfuzz WRatio"]["subset"]
    assert "fuzz.ratio history only" not in methods  # not a personal set
    assert lines[1]["catalog"]["products"] == 4
    assert {"p50_ms", "p99_ms", "cpu_p50_ms", "cpu_p99_ms"} <= lines[1]["catalog"].keys()


class _Waiting:
    """Answers after waiting, not working: wall time passes, this thread's CPU time hardly does."""

    def resolve(self, text: str) -> None:
        time.sleep(0.02)


def test_latency_figures_give_cpu_time_apart_from_wall_time() -> None:
    figures = latency_figures(_Waiting(), ["a", "b", "c"])  # type: ignore[arg-type]

    assert figures["p50_ms"] >= 20
    assert figures["cpu_p50_ms"] < 10  # a wait on a shared machine is no CPU time of ours
    assert figures["cpu_p99_ms"] <= figures["p99_ms"]


def test_bench_table_names_ours_and_the_baselines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", "--queries", str(TINY_EVAL), "--catalog", str(TINY_CATALOG)]) == 0
    out = capsys.readouterr().out
    assert "voicecart resolver" in out
    assert "fuzz.ratio spoken forms" in out
    assert "metaphone + fuzz.ratio" in out


def test_judge_accepts_the_expected_id_or_the_same_name() -> None:
    catalog = load_instacart(TINY_CATALOG).catalog
    judge = Judge(catalog)
    assert judge.is_right("5", "5")
    assert not judge.is_right("24852", "5")
    assert not judge.is_right(None, "5")
    assert not judge.is_right("unknown", "5")
    # The words said were another product's: that product is right too (the personal-set rule).
    assert judge.is_right("24852", "5", said_id="24852")
    assert not judge.is_right("8", "5", said_id="24852")


def test_halves_split_every_set_into_two_disjoint_parts() -> None:
    eval_set = load_eval_set(FIXTURES / "resolver" / "spoken_personal_sample.csv")
    first, second = eval_set.half("a"), eval_set.half("b")
    assert len(first.queries) + len(second.queries) == len(eval_set.queries)
    assert not set(first.queries) & set(second.queries)
    assert first.queries and second.queries


def test_eval_set_reads_catalog_and_personal_layouts() -> None:
    catalog_set = load_eval_set(TINY_EVAL)
    assert not catalog_set.personal
    assert catalog_set.queries[0].heard == "organic hell milk"
    assert catalog_set.queries[0].expected_id == "27845"

    personal = load_eval_set(FIXTURES / "resolver" / "spoken_personal_sample.csv")
    assert personal.personal
    assert all(query.customer_id for query in personal.queries)


def test_saved_tables_are_built_once_then_loaded(tmp_path: Path) -> None:
    """``--million-tables`` and ``retrieval --cache-dir`` reuse saved tables: the first run builds and saves them,
    the next loads them and says so, answering the same."""
    from backend.bench.measure import build_measured

    catalog = load_instacart(TINY_CATALOG).catalog
    built, first = build_measured(catalog, tables_dir=tmp_path)
    loaded, second = build_measured(catalog, tables_dir=tmp_path)
    assert not first.from_saved and second.from_saved and second.as_dict()["from_saved_tables"] is True
    query = load_eval_set(TINY_EVAL).queries[0].heard
    assert [c.product.id for c in loaded.resolve(query).candidates] == [
        c.product.id for c in built.resolve(query).candidates
    ]
