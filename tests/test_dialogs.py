"""Every acceptance dialog in tests/dialogs/*.yaml, through the real in-process skill on a mocked store.

The demo customers are loaded as ``voicecart serve`` loads them (``build_backend(..., demo=True)``): a dialog's
``account: {access_token: vcdemo_...}`` provisions that customer (real Instacart order history, linked token) on
its first request. What a spoken dialog cannot do itself is set up from the file's top-level ``setup:`` mapping:
``voice_codes: {<customer id>: <4 digits>}`` sets an account's voice purchase code, as the account holder would
on the website.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from backend.services import Backend
from backend.settings import Settings
from skill.app import build_runtime
from skill.commands.dialogtest import Painter, report, run_all
from skill.simulator.local import apply_setup, cart_probe
from skill.simulator.script import isolates_dialogs, load_dialogs
from skill.simulator.transport import InProcessTransport

DIALOGS = sorted((Path(__file__).parent / "dialogs").glob("*.yaml"))


def test_there_are_acceptance_dialogs() -> None:
    assert {path.name for path in DIALOGS} >= {"launch_help_stop.yaml", "fallback_and_cancel.yaml"}


@pytest.mark.slow  # the demo customers, as ``demo_backend`` provides them (a fresh table per isolated dialog)
@pytest.mark.parametrize("path", DIALOGS, ids=[path.stem for path in DIALOGS])
def test_acceptance_dialog(path: Path, settings: Settings, make_backend: Callable[..., Backend]) -> None:
    dialogs = load_dialogs(path)
    # As ``voicecart test`` runs them: with ``isolation: dialog`` each dialog on a fresh table.
    groups = [[dialog] for dialog in dialogs] if isolates_dialogs(path) else [list(dialogs)]
    results = []
    for number, group in enumerate(groups):
        fresh = dataclasses.replace(settings, table_name=f"{settings.table_name}-{number}")
        backend = make_backend(demo=True, settings=fresh)
        apply_setup(path, backend)
        transport = InProcessTransport(build_runtime(backend))
        results += run_all(group, transport, backend.settings.skill_id or "", cart_probe(backend))
    out = io.StringIO()
    assert report(results, out, Painter(False)) == 0, out.getvalue()
