"""The Lambda entry: no Flask, runtime built on first use, same answer as the web endpoint."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from flask import Flask

from skill.adapter import SkillAdapter
from skill.lambda_entry import LambdaEntry
from skill.runtime import SkillRuntime
from skill.simulator.signing import LocalCertificateAuthority
from skill.verification import build_verifiers
from skill.verification.errors import MalformedRequest, WrongApplication
from tests.support.requests import FIXTURE_SKILL_ID, build_request


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Welcome to the test grocer.").ask("What would you like?").response


class RuntimeFactory:
    """Builds a real one-handler skill runtime and counts how often it was asked to."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self) -> SkillRuntime:
        self.builds += 1
        builder = SkillBuilder()
        builder.add_request_handler(LaunchHandler())
        return SkillRuntime(builder.create())


def test_the_lambda_answers_an_envelope_exactly_as_the_http_endpoint_does() -> None:
    signer = LocalCertificateAuthority.create(with_intermediate=False).issue_signer()
    envelope = build_request("launch")
    factory = RuntimeFactory()

    class Switches:
        skill_id = FIXTURE_SKILL_ID
        verify_signature = True
        verify_timestamp = True
        local_signer_dir = None

    app = Flask(__name__)
    verifiers = build_verifiers(Switches(), trust_roots=signer.trust_roots, cert_fetcher=signer.cert_fetcher())
    SkillAdapter(factory(), FIXTURE_SKILL_ID, verifiers).register(app, "/alexa")
    body, headers = signer.sign_envelope(envelope)
    over_http = app.test_client().post("/alexa", data=body, headers=headers)

    from_lambda = LambdaEntry(factory, skill_id=FIXTURE_SKILL_ID)(json.loads(body), None)

    assert over_http.status_code == 200
    assert from_lambda == over_http.json
    assert from_lambda["response"]["outputSpeech"]["ssml"] == "<speak>Welcome to the test grocer.</speak>"


def test_the_runtime_is_built_on_the_first_call_and_reused() -> None:
    factory = RuntimeFactory()
    entry = LambdaEntry(factory, skill_id=FIXTURE_SKILL_ID)
    assert factory.builds == 0
    entry(build_request("launch"), None)
    entry(build_request("launch"), None)
    assert factory.builds == 1


def test_another_skills_request_fails_the_invocation_before_the_skill_is_built(
    caplog: pytest.LogCaptureFixture,
) -> None:
    factory = RuntimeFactory()
    entry = LambdaEntry(factory, skill_id=FIXTURE_SKILL_ID)
    with caplog.at_level(logging.WARNING), pytest.raises(WrongApplication):
        entry(build_request("launch", application_id="amzn1.ask.skill.someone-else"), None)
    assert factory.builds == 0
    assert "request is for another skill" in caplog.text


@pytest.mark.parametrize("event", [{}, [], "LaunchRequest", {"request": {"type": 7}}])
def test_an_event_that_is_not_an_alexa_envelope_is_refused(event: Any) -> None:
    with pytest.raises(MalformedRequest):
        LambdaEntry(RuntimeFactory(), skill_id=FIXTURE_SKILL_ID)(event, None)


def test_importing_the_entry_builds_nothing() -> None:
    probe = (
        "import sys, skill.lambda_entry as entry; "
        "print(sorted(m for m in ('skill.app', 'backend.settings', 'backend.services', 'boto3', 'flask') "
        "if m in sys.modules), entry._default_entry.cache_info().currsize)"
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    assert result.stdout.strip() == "[] 0"
