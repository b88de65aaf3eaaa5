"""Every acceptance dialog in tests/dialogs/*.yaml, through the real in-process skill on a mocked store.

The demo customers are loaded as ``voicecart serve`` loads them (``build_backend(..., demo=True)``): a dialog's
``account: {access_token: vcdemo_...}`` provisions that customer (real Instacart order history, linked token) on
its first request. What a spoken dialog cannot do itself is set up from the file's top-level ``setup:`` mapping:
``voice_codes: {<customer id>: <4 digits>}`` sets an account's voice purchase code, as the account holder would
on the website.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from backend.services import Backend
from skill.app import build_runtime
from skill.commands.dialogtest import Painter, report, run_all
from skill.simulator.local import apply_setup, cart_probe
from skill.simulator.script import load_dialogs
from skill.simulator.transport import InProcessTransport

DIALOGS = sorted((Path(__file__).parent / "dialogs").glob("*.yaml"))


def test_there_are_acceptance_dialogs() -> None:
    assert {path.name for path in DIALOGS} >= {"launch_help_stop.yaml", "fallback_and_cancel.yaml"}


@pytest.mark.parametrize("path", DIALOGS, ids=[path.stem for path in DIALOGS])
def test_acceptance_dialog(path: Path, demo_backend: Backend) -> None:
    backend = demo_backend
    apply_setup(path, backend)
    transport = InProcessTransport(build_runtime(backend))
    probe = cart_probe(backend)
    results = run_all(load_dialogs(path), transport, backend.settings.skill_id or "", probe)
    out = io.StringIO()
    assert report(results, out, Painter(False)) == 0, out.getvalue()
