"""The simulator over HTTP: signed with the local test key, its requests pass the real verifier of a running
endpoint; unsigned ones are refused."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from backend.services import Backend
from skill.app import ALEXA_ROUTE, create_app
from skill.simulator.local import conversation_for
from skill.simulator.signing import LocalSigner, init_local_signer
from skill.simulator.transport import HttpTransport, SimulatorError


@pytest.fixture
def signer_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "signer"
    init_local_signer(directory)
    return directory


@pytest.fixture
def endpoint(backend: Backend, signer_dir: Path) -> Iterator[str]:
    settings = dataclasses.replace(backend.settings, local_signer_dir=signer_dir)
    app = create_app(settings, backend=dataclasses.replace(backend, settings=settings))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{ALEXA_ROUTE}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_signed_requests_are_accepted(endpoint: str, signer_dir: Path, backend: Backend) -> None:
    transport = HttpTransport(endpoint, signer=LocalSigner.load(signer_dir))
    conversation = conversation_for(transport, skill_id=backend.settings.skill_id or "")
    help_turn = conversation.say("ask my grocer for help")
    assert help_turn.heard == "AMAZON.HelpIntent"
    assert help_turn.card is not None
    assert help_turn.card.get("title") == "What you can say"
    assert conversation.say("stop").session_ended


def test_unsigned_requests_are_refused(endpoint: str, backend: Backend) -> None:
    conversation = conversation_for(HttpTransport(endpoint), skill_id=backend.settings.skill_id or "")
    with pytest.raises(SimulatorError, match="HTTP 400"):
        conversation.say("open my grocer")


def test_an_unreachable_endpoint_is_a_simulator_error(backend: Backend) -> None:
    transport = HttpTransport("http://127.0.0.1:9/alexa", timeout=2)
    conversation = conversation_for(transport, skill_id=backend.settings.skill_id or "")
    with pytest.raises(SimulatorError, match="cannot reach"):
        conversation.say("open my grocer")


def test_the_serve_banner_hint_works_as_printed(
    endpoint: str,
    signer_dir: Path,
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shlex

    from skill.cli import main as voicecart
    from skill.commands.serve import talk_hint

    base = endpoint.removesuffix(ALEXA_ROUTE)
    hint = talk_hint(dataclasses.replace(backend.settings, local_signer_dir=signer_dir), base)
    argv = shlex.split(hint.split("   (")[0])
    assert argv[:2] == ["voicecart", "dialog"] and "--sign-with" in argv
    lines = iter(["ask my grocer for help", ":quit"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(lines))
    assert voicecart(argv[1:]) == 0
    out = capsys.readouterr().out
    assert "heard: AMAZON.HelpIntent" in out and "Alexa:" in out
    assert "error" not in out


def test_the_hint_never_offers_an_unsigned_url_to_a_verifying_server(backend: Backend) -> None:
    from skill.commands.serve import talk_hint

    verifying = dataclasses.replace(backend.settings, verify_signature=True, local_signer_dir=None)
    assert "--url" not in talk_hint(verifying, "http://127.0.0.1:8080").split("(")[0]
    assert "VOICECART_LOCAL_SIGNER_DIR" in talk_hint(verifying, "http://127.0.0.1:8080")
    open_server = dataclasses.replace(backend.settings, verify_signature=False)
    assert talk_hint(open_server, "http://127.0.0.1:8080").startswith(
        "voicecart dialog --url http://127.0.0.1:8080/alexa"
    )
