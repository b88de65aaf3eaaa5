"""The init phase's garbage-collector handling (backend.lambda_support.collector)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from backend.lambda_support.collector import init_phase


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Each test leaves the collector as it found it and nothing of this process frozen."""
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_no_collection_runs_inside_and_the_collector_is_back_on_after() -> None:
    gc.enable()
    with init_phase():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_the_init_built_is_frozen() -> None:
    gc.unfreeze()
    with init_phase():
        built = [{"slot": index} for index in range(1000)]  # tracked containers, as modules and models are
    assert gc.get_freeze_count() >= len(built)


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with init_phase():
        pass
    assert not gc.isenabled()


def test_a_failed_init_freezes_nothing_and_turns_the_collector_back_on() -> None:
    gc.enable()
    gc.unfreeze()
    with pytest.raises(RuntimeError), init_phase():
        raise RuntimeError("the catalog is missing")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
