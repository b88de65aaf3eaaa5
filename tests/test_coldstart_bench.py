"""``voicecart bench coldstart``: the command is there, and one fresh process answers through the real handler."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from backend.bench.lambda_coldstart import CHILD, FIGURES, one_cold_start, stand_in_store
from skill.cli import build_parser


def test_the_bench_command_takes_runs_a_handler_a_source_and_a_baseline() -> None:
    args = build_parser().parse_args(
        ["bench", "coldstart", "--runs", "3", "--handler", "skill.lambda_entry.handler", "--baseline", "../main"]
    )
    assert (args.runs, args.handler, args.json) == (3, "skill.lambda_entry.handler", False)
    assert (args.source, args.baseline) == (None, Path("../main"))


@pytest.mark.slow  # two fresh interpreters, each loading the 50k-product catalog and the index
def test_a_baseline_is_measured_alternately_and_compared(capsys: pytest.CaptureFixture[str]) -> None:
    here = Path(__file__).resolve().parents[1]
    args = build_parser().parse_args(["bench", "coldstart", "--runs", "1", "--baseline", str(here), "--json"])
    assert args.func(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["baseline"]["source"] == str(here)
    assert set(report["ratio"]) == set(FIGURES) and report["ratio"]["first_answer"] > 0


def test_the_fresh_process_imports_nothing_before_the_handler_does() -> None:
    # Whatever the child imported itself would be missing from the measured init: the standard library only.
    tree = ast.parse(CHILD.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "time", "importlib", "json", "sys", "uuid", "datetime", "pathlib", "typing"}


@pytest.mark.slow  # a fresh interpreter loads the 50k-product catalog and the index (built when there is none)
def test_one_cold_start_answers_through_the_lambda_handler_and_splits_the_init() -> None:
    with stand_in_store() as endpoint:
        run = one_cold_start("skill.lambda_entry.handler", endpoint=endpoint)
    assert set(FIGURES) <= set(run)
    assert run["speech"]["launch"].startswith("<speak>") and "link your account" not in run["speech"]["launch"]
    assert "Peanut Butter" in run["speech"]["add"]  # resolved and added (the phrasing varies by request id)
    assert run["catalog"] > 0 and run["index"] > 0 and run["import"] > 0  # read from the function's own init log line
    assert run["init"] >= run["catalog"] + run["index"] + run["import"]
    assert run["first_answer"] > run["init"]
    assert run["cpu"] > run["index"] / 10  # a figure of the child process, not of this one
    assert run["first_add"] >= run["first_answer"] + run["add_to_cart"] - 1
