"""``voicecart bench coldstart``: the command is there, and one fresh process answers through the real handler."""

from __future__ import annotations

import pytest

from backend.bench.lambda_coldstart import FIGURES, one_cold_start
from skill.cli import build_parser


def test_the_bench_command_takes_runs_and_a_handler() -> None:
    args = build_parser().parse_args(["bench", "coldstart", "--runs", "3", "--handler", "skill.lambda_entry.handler"])
    assert (args.runs, args.handler, args.json) == (3, "skill.lambda_entry.handler", False)


@pytest.mark.slow  # a fresh interpreter loads the 50k-product catalog and builds (or loads) the index
def test_one_cold_start_answers_through_the_lambda_handler_and_splits_the_init() -> None:
    run = one_cold_start("skill.lambda_entry.handler")
    assert set(FIGURES) <= set(run)
    assert run["speech"]["launch"].startswith("<speak>") and "link your account" not in run["speech"]["launch"]
    assert "Peanut Butter" in run["speech"]["add"]  # resolved and added (the phrasing varies by request id)
    assert run["catalog"] > 0 and run["index"] > 0  # read from the function's own init log line
    assert run["init"] >= run["catalog"] + run["index"]
    assert run["first_answer"] > run["init"]
    assert run["cpu"] > run["index"] / 10  # a figure of the child process, not of this one
    assert run["first_add"] >= run["first_answer"] + run["add_to_cart"] - 1
