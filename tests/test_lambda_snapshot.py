"""SnapStart hooks of the skill's Lambda: registered where Lambda's runtime offers them, and a restored environment
draws its own random numbers instead of the snapshot's."""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable

import pytest

from skill.lambda_snapshot import after_restore, register_snapshot_hooks


def test_without_the_runtime_hooks_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # as on Python 3.11 and outside Lambda
    assert register_snapshot_hooks() is False


def test_the_restore_hook_is_registered_with_lambdas_runtime_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lambda's managed runtime provides the module (snapshot-restore-py); this stand-in has its registering API.
    registered: list[Callable[[], None]] = []
    hooks = types.ModuleType("snapshot_restore_py")
    hooks.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)
    assert register_snapshot_hooks() is True
    assert registered == [after_restore]


def test_two_environments_restored_from_one_snapshot_draw_different_numbers() -> None:
    state = random.getstate()
    try:
        random.seed(20261202)  # the state the init left in the snapshot
        snapshot = random.getstate()
        draws = []
        for _ in range(2):  # two restores of the same memory
            random.setstate(snapshot)
            after_restore()
            draws.append([random.random() for _ in range(4)])
        random.setstate(snapshot)
        assert draws[0] != draws[1]
        assert random.random() not in (draws[0][0], draws[1][0])
    finally:
        random.setstate(state)
