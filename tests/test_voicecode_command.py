"""`voicecart voicecode` for support staff, against a store that outlives the command (an embedded DynamoDB server
started by the test and named by VOICECART_STORE): set (the code from stdin, never an argument), status, unlock after a
lock, remove; every change audited as a support event; refused on the embedded store and for unknown customers."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator

import pytest

from backend.profile.store import ProfileStore
from backend.services import open_table
from backend.settings import Settings
from backend.shopping.items import voice_code_key
from skill.cli import main as voicecart

CUSTOMER = "1285"


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    from backend.store.embedded import EmbeddedDynamoDB

    with EmbeddedDynamoDB() as embedded:
        assert embedded.endpoint is not None
        table = f"voicecart-codes-{uuid.uuid4().hex[:8]}"
        monkeypatch.setenv("VOICECART_STORE", embedded.endpoint)
        monkeypatch.setenv("VOICECART_TABLE", table)
        settings = Settings.load(env={"VOICECART_STORE": embedded.endpoint, "VOICECART_TABLE": table})
        ProfileStore(open_table(settings)).ensure_customer(CUSTOMER)
        yield settings


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert voicecart(["voicecode", *args, "--customer", CUSTOMER, "--json"]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_support_sets_unlocks_and_removes_a_code(
    store: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "status")["enabled"] is False
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    assert run(capsys, "set", "--code-stdin", "--staff", "agent-7")["enabled"] is True

    table = open_table(store)
    table.update(voice_code_key(CUSTOMER), "SET failed_attempts = :n, locked = :t", values={":n": 3, ":t": True})
    assert run(capsys, "status")["locked"] is True
    after = run(capsys, "unlock", "--staff", "agent-7")
    assert after["locked"] is False and after["failed_attempts"] == 0 and after["enabled"] is True
    assert run(capsys, "remove")["enabled"] is False

    events = ProfileStore(table).events(CUSTOMER, newest_first=False).events
    assert [(e.type, e.channel.value, e.device) for e in events] == [
        ("voice_code_set", "support", "support:agent-7"),
        ("voice_code_unlocked", "support", "support:agent-7"),
        ("voice_code_removed", "support", "support"),
    ]
    assert "2468" not in json.dumps([e.to_json() for e in events])


def test_bad_input_and_unknown_customers_are_one_line_errors(
    store: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert voicecart(["voicecode", "set", "--customer", CUSTOMER, "--code-stdin"]) == 2
    assert "4 digits" in capsys.readouterr().err
    assert voicecart(["voicecode", "unlock", "--customer", "no-such-customer"]) == 2
    assert "no such customer" in capsys.readouterr().err


def test_the_embedded_store_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("VOICECART_STORE", raising=False)
    assert voicecart(["voicecode", "status", "--customer", CUSTOMER]) == 2
    assert "VOICECART_STORE" in capsys.readouterr().err
