"""``voicecart bench erase`` end to end: the erase leaves nothing, lets nothing back, and the check can fail."""

from __future__ import annotations

from typing import Any

import pytest

from skill.bench import erase

pytestmark = pytest.mark.slow  # it loads the demo customers and serves the app over HTTP


def test_the_erase_leaves_nothing_and_nothing_comes_back() -> None:
    report = erase.measure("1285", writers=2)
    assert report["ok"], report
    assert report["before"]["items"] > 10 and report["before"]["items_with_alexa_id"] > 0
    assert report["before"]["stream_records"] > 10  # the stream check looks at records that were there
    # A write whose turn read the customer before the erase and sent after it (every run has one): refused, and
    # nothing of it on the stream.
    assert report["held_write"] == "refused"
    # ... and so is every other write decided before and sent after: an API event's fingerprint, the voice code, the
    # demo's history import (each of them wrote the customer's data back on main before this check).
    assert report["held_writes"] == dict.fromkeys(
        ("cart", "api fingerprint", "voice code", "history import"), "refused"
    )
    assert report["items_left"] == 0 and report["stream_records_left"] == 0, report["stream_records_left_examples"]
    assert report["voice_after"]["link_account"] and not report["token_resolves"]


def test_the_report_fails_on_anything_left(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check's own rule, on a run where one item survived: the figure must turn the command's status.
    real_after = erase._after

    def one_left(*args: Any, **kwargs: Any) -> dict[str, Any]:
        figures = real_after(*args, **kwargs)
        return {**figures, "items_left": 1}

    monkeypatch.setattr(erase, "_after", one_left)
    assert erase.measure("1285", writers=0)["ok"] is False
