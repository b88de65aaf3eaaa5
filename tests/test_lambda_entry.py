"""The skill's Lambda entry: no Flask, the same answer as the web endpoint, the Lambda context kept, Powertools
logs and EMF metrics per invocation, and the runtime built in the init phase (module import) under moto."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from flask import Flask

from backend.lambda_support.telemetry import Telemetry, telemetry
from skill.adapter import SkillAdapter
from skill.lambda_skill import LambdaEntry
from skill.runtime import SkillRuntime
from skill.simulator.signing import LocalCertificateAuthority
from skill.verification import build_verifiers
from skill.verification.errors import MalformedRequest, WrongApplication
from tests.support.envelopes import SKILL_ID, alexa_request
from tests.support.lambda_context import LambdaContext
from tests.support.lambda_output import emf_blobs, json_lines, metric_values

REPO_ROOT = Path(__file__).resolve().parents[1]
TOKENS = ("fixture-linked-access-token-never-log-me", "fixture-api-access-token-never-log-me")


class LaunchHandler(AbstractRequestHandler):
    """Speaks the function name from the Lambda context it was handed, or says there was none."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        where = getattr(handler_input.context, "function_name", "nowhere")
        logging.getLogger("voicecart.turn").info("launch answered", extra={"access_token": TOKENS[0]})
        return handler_input.response_builder.speak(f"Welcome from {where}.").ask("What would you like?").response


class CountingRuntime(SkillRuntime):
    def __init__(self) -> None:
        builder = SkillBuilder()
        builder.add_request_handler(LaunchHandler())
        super().__init__(builder.create())
        self.calls = 0

    def handle(self, envelope: dict[str, Any], context: object | None = None) -> dict[str, Any]:
        self.calls += 1
        return super().handle(envelope, context)


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Powertools takes the root logger over, as in Lambda; the suite gets its own back afterwards."""
    root = logging.getLogger()
    handlers, level, disabled = root.handlers[:], root.level, logging.root.manager.disable
    logging.disable(logging.NOTSET)  # a command run earlier in this process may have silenced logging
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.disable(disabled)


@pytest.fixture
def log_stream(root_logging: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Telemetry, io.StringIO]]:
    stream = io.StringIO()
    # A service of its own per test: Powertools configures a named logger once per process.
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"voicecart-test-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "voicecart-test")
    yield telemetry("voicecart-skill", level="INFO", stream=stream), stream


def speech(answer: dict[str, Any]) -> str:
    return str(answer["response"]["outputSpeech"]["ssml"])


def test_the_lambda_answers_an_envelope_exactly_as_the_http_endpoint_does() -> None:
    signer = LocalCertificateAuthority.create(with_intermediate=False).issue_signer()
    envelope = alexa_request("launch")

    class Switches:
        skill_id = SKILL_ID
        verify_signature = True
        verify_timestamp = True
        local_signer_dir = None

    app = Flask(__name__)
    verifiers = build_verifiers(Switches(), trust_roots=signer.trust_roots, cert_fetcher=signer.cert_fetcher())
    SkillAdapter(CountingRuntime(), SKILL_ID, verifiers).register(app, "/alexa")
    body, headers = signer.sign_envelope(envelope)
    over_http = app.test_client().post("/alexa", data=body, headers=headers)

    from_lambda = LambdaEntry(CountingRuntime(), skill_id=SKILL_ID)(json.loads(body), None)

    assert over_http.status_code == 200
    assert from_lambda == over_http.json
    assert speech(from_lambda) == "<speak>Welcome from nowhere.</speak>"


def test_the_lambda_context_reaches_the_skills_handlers() -> None:
    context = LambdaContext(function_name="voicecart-prod-SkillFunction")
    answer = LambdaEntry(CountingRuntime(), skill_id=SKILL_ID)(alexa_request("launch"), context)
    assert speech(answer) == "<speak>Welcome from voicecart-prod-SkillFunction.</speak>"


def test_another_skills_request_fails_before_the_skill_runs_and_counts_as_an_error(
    log_stream: tuple[Telemetry, io.StringIO], capsys: pytest.CaptureFixture[str]
) -> None:
    observed, stream = log_stream
    runtime = CountingRuntime()
    handler = observed.handler(LambdaEntry(runtime, skill_id=SKILL_ID, telemetry=observed))
    with pytest.raises(WrongApplication):
        handler(alexa_request("launch", application_id="amzn1.ask.skill.someone-else"), LambdaContext())
    assert runtime.calls == 0
    assert any("request is for another skill" in line["message"] for line in json_lines(stream.getvalue()))
    blobs = emf_blobs(capsys.readouterr().out)
    assert metric_values(blobs, "Errors") == [[1.0]]  # EMF lists the values of a flush
    assert [blob["kind"] for blob in blobs if "Errors" in blob] == ["rejected"]
    assert not any("intent" in blob for blob in blobs)  # an unverified envelope names no metric series


@pytest.mark.parametrize("event", [{}, [], "LaunchRequest", {"request": {"type": 7}}])
def test_an_event_that_is_not_an_alexa_envelope_is_refused(event: Any) -> None:
    runtime = CountingRuntime()
    with pytest.raises(MalformedRequest):
        LambdaEntry(runtime, skill_id=SKILL_ID)(event, None)
    assert runtime.calls == 0


def test_each_invocation_logs_with_its_request_id_and_flushes_its_metrics(
    log_stream: tuple[Telemetry, io.StringIO], capsys: pytest.CaptureFixture[str]
) -> None:
    observed, stream = log_stream
    handler = observed.handler(LambdaEntry(CountingRuntime(), skill_id=SKILL_ID, telemetry=observed))
    first, second = LambdaContext(), LambdaContext()
    handler(alexa_request("launch"), first)
    handler(alexa_request("launch"), second)

    text = stream.getvalue()
    answered = [line for line in json_lines(text) if line["message"] == "launch answered"]
    # Every logger of the process writes with the invocation's request id and the cold-start flag.
    assert [line["function_request_id"] for line in answered] == [first.aws_request_id, second.aws_request_id]
    assert all(isinstance(line["cold_start"], bool) for line in answered)
    assert answered[0]["access_token"] == "***" and TOKENS[0] not in text
    blobs = emf_blobs(capsys.readouterr().out)
    turns = [blob for blob in blobs if "Turns" in blob]
    assert [blob["intent"] for blob in turns] == ["LaunchRequest", "LaunchRequest"]  # one flush per invocation
    assert all(value >= 0 for blob in turns for value in blob["TurnLatency"])
    assert all(blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "voicecart-test" for blob in turns)


# ---- the init phase: importing the handler module builds the runtime, as Lambda runs it ---------------------------


@pytest.mark.slow  # builds the 50k-product index in the init phase, as the function does
def test_the_init_phase_builds_everything_and_the_first_turns_resolve_and_log_no_secret(tmp_path: Path) -> None:
    answers_path = tmp_path / "answers.json"
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        # As the template sets them, on moto inside the probe; the table is created here, owned by the stack there.
        "VOICECART_STORE": "aws",
        "VOICECART_TABLE": f"voicecart-test-{uuid.uuid4().hex[:8]}",
        "VOICECART_SKILL_ID": SKILL_ID,
        "VOICECART_DEMO_DATA": "false",
        "VOICECART_CREATE_TABLES": "true",
        "VOICECART_LOG_LEVEL": "DEBUG",
        "POWERTOOLS_SERVICE_NAME": "voicecart-skill-test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.lambda_init_probe", "skill", str(answers_path)],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    launch, added = json.loads(answers_path.read_text(encoding="utf-8"))
    assert speech(launch).startswith("<speak>")
    assert "oat" in speech(added).lower()

    lines = json_lines(result.stdout)
    logs = [line for line in lines if "_aws" not in line]
    ready = next(line for line in logs if line["message"] == "skill ready")
    assert "function_request_id" not in ready  # built before any invocation: the init phase
    assert any(line["level"] == "DEBUG" for line in logs)  # VOICECART_LOG_LEVEL reaches Powertools
    turns = [line for line in logs if line["message"] == "turn started"]
    assert [(line.get("intent"), line["function_request_id"]) for line in turns] == [
        (None, "launch-request-id"),
        ("AddToCartIntent", "add-request-id"),
    ]
    assert [line["cold_start"] for line in turns] == [True, False]
    blobs = emf_blobs(result.stdout)
    assert [blob["intent"] for blob in blobs if "Turns" in blob] == ["LaunchRequest", "AddToCartIntent"]
    decisions = {name for blob in blobs for name in blob if name.startswith("Resolver")}
    assert len(decisions) == 1
    assert decisions <= {"ResolverAccept", "ResolverConfirm", "ResolverChoose", "ResolverNotFound"}
    for secret in TOKENS:
        assert secret not in result.stdout + result.stderr
