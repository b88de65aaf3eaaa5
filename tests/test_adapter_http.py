"""The web edge end to end: a real verifier (throwaway CA made here), SkillAdapter, and a real ASK SDK skill.

Every Amazon rule is exercised at the HTTP level: a refused request is a 400 with a short reason, is logged, and
never reaches the skill.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient

from skill.adapter import (
    EXTENSION_NAME,
    MAX_REQUEST_BYTES,
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)
from skill.runtime import SkillRuntime
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from tests.support.envelopes import SKILL_ID, alexa_request, intent_envelope

ROUTE = "/alexa"
SECRETS = ("fixture-api-access-token-never-log-me", "fixture-linked-access-token-never-log-me")


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Welcome to the test grocer.").ask("What would you like?").response


class BrokenHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.HelpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        raise RuntimeError("handler bug")


class CountingRuntime(SkillRuntime):
    """The real runtime around a one-handler skill, counting what reaches it."""

    def __init__(self) -> None:
        builder = SkillBuilder()
        builder.add_request_handler(LaunchHandler())
        builder.add_request_handler(BrokenHandler())
        super().__init__(builder.create())
        self.handled = 0

    def handle(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.handled += 1
        return super().handle(envelope)


@dataclass
class ChainServer:
    """Stands in for S3: serves chains by (canonical) URL and records every fetch."""

    chains: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def serve(self, signer: LocalSigner) -> LocalSigner:
        self.chains[signer.chain_url] = signer.chain_pem()
        return signer

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        if url not in self.chains:
            raise OSError(f"404 {url}")
        return self.chains[url]


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    client: FlaskClient
    runtime: CountingRuntime
    server: ChainServer
    clock: Clock
    signer: LocalSigner
    authority: LocalCertificateAuthority
    leaf_key: rsa.RSAPrivateKey

    def post(self, body: bytes, headers: dict[str, str]) -> Any:
        return self.client.post(ROUTE, data=body, headers=headers)

    def post_signed(self, envelope: dict[str, Any], signer: LocalSigner | None = None) -> Any:
        body, headers = (signer or self.signer).sign_envelope(envelope)
        return self.post(body, headers)


@pytest.fixture(scope="module")
def authority() -> LocalCertificateAuthority:
    return LocalCertificateAuthority.create()


@pytest.fixture(scope="module")
def leaf_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def harness(authority: LocalCertificateAuthority, leaf_key: rsa.RSAPrivateKey) -> Iterator[Harness]:
    server = ChainServer()
    clock = Clock()
    signer = server.serve(authority.issue_signer(key=leaf_key))
    runtime = CountingRuntime()
    app = Flask(__name__)
    SkillAdapter(runtime, SKILL_ID, app=app, trust_roots=[authority.root], cert_fetcher=server, clock=clock).register(
        app, ROUTE
    )
    yield Harness(app.test_client(), runtime, server, clock, signer, authority, leaf_key)


def test_a_launch_request_signed_by_the_test_ca_is_answered(harness: Harness) -> None:
    response = harness.post_signed(alexa_request("launch"))

    assert response.status_code == 200
    assert response.json["response"]["outputSpeech"]["ssml"] == "<speak>Welcome to the test grocer.</speak>"
    assert harness.runtime.handled == 1


def test_headers_and_url_parts_are_matched_case_insensitively_where_amazon_allows(harness: Harness) -> None:
    for url in (
        "HTTPS://S3.AMAZONAWS.COM/echo.api/voicecart-local.pem",
        "https://s3.amazonaws.com:443/echo.api/voicecart-local.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/voicecart-local.pem",
    ):
        body, headers = harness.signer.sign_envelope(alexa_request("launch"))
        lowered = {name.lower(): value for name, value in headers.items()}
        lowered["signaturecertchainurl"] = url
        assert harness.post(body, lowered).status_code == 200, url
    assert harness.runtime.handled == 3


def test_the_certificate_chain_is_fetched_once(harness: Harness) -> None:
    for _ in range(3):
        assert harness.post_signed(alexa_request("launch")).status_code == 200
    assert harness.server.fetched == [harness.signer.chain_url]


def _sign_then(change: Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]]) -> Callable[[Harness], Any]:
    def send(harness: Harness) -> Any:
        body, headers = harness.signer.sign_envelope(alexa_request("launch"))
        return harness.post(*change(body, headers))

    return send


def _with_url(url: str) -> Callable[[Harness], Any]:
    return _sign_then(lambda body, headers: (body, {**headers, "SignatureCertChainUrl": url}))


def _without(header: str) -> Callable[[Harness], Any]:
    return _sign_then(lambda body, headers: (body, {k: v for k, v in headers.items() if k != header}))


def _signed_by(*, stranger: bool = False, **issue: Any) -> Callable[[Harness], Any]:
    """Sign with a certificate issued by the test CA (or a stranger CA) with ``issue``'s variations."""

    def send(harness: Harness) -> Any:
        ca = LocalCertificateAuthority.create(with_intermediate=False) if stranger else harness.authority
        name = "-".join(sorted(issue)) or "stranger"
        chain_url = f"https://s3.amazonaws.com/echo.api/{name}.pem"
        signer = harness.server.serve(ca.issue_signer(chain_url=chain_url, key=harness.leaf_key, **issue))
        return harness.post_signed(alexa_request("launch"), signer)

    return send


def _at(offset: timedelta) -> Callable[[Harness], Any]:
    def send(harness: Harness) -> Any:
        return harness.post_signed(alexa_request("launch", timestamp=harness.clock.now + offset))

    return send


def _raw(body: bytes) -> Callable[[Harness], Any]:
    def send(harness: Harness) -> Any:
        return harness.post(body, harness.signer.headers(body))

    return send


REJECTIONS: dict[str, tuple[Callable[[Harness], Any], str]] = {
    "forged body": (
        _sign_then(lambda body, headers: (body.replace(b"en-US", b"en-GB"), headers)),
        "signature does not match the body",
    ),
    "unsigned": (_without("Signature-256"), "missing Signature-256 header"),
    "no cert url": (_without("SignatureCertChainUrl"), "missing SignatureCertChainUrl header"),
    "http scheme": (_with_url("http://s3.amazonaws.com/echo.api/voicecart-local.pem"), "scheme must be https"),
    "wrong host": (_with_url("https://notamazon.com/echo.api/voicecart-local.pem"), "host must be s3.amazonaws.com"),
    "path case": (_with_url("https://s3.amazonaws.com/EcHo.aPi/voicecart-local.pem"), "path must start"),
    "path outside": (_with_url("https://s3.amazonaws.com/invalid.path/voicecart-local.pem"), "path must start"),
    "dotdot escape": (_with_url("https://s3.amazonaws.com/echo.api/../voicecart-local.pem"), "path must start"),
    "wrong port": (_with_url("https://s3.amazonaws.com:563/echo.api/voicecart-local.pem"), "port must be 443"),
    "chain not served": (
        _with_url("https://s3.amazonaws.com/echo.api/missing.pem"),
        "certificate chain could not be fetched",
    ),
    "wrong SAN": (_signed_by(subject_names=("alexa.evil.example",)), "echo-api.amazon.com is not in"),
    "expired cert": (
        _signed_by(not_before=datetime.now(UTC) - timedelta(days=2), not_after=datetime.now(UTC) - timedelta(days=1)),
        "has expired",
    ),
    "not yet valid cert": (
        _signed_by(not_before=datetime.now(UTC) + timedelta(days=1)),
        "not valid yet",
    ),
    "untrusted root": (_signed_by(stranger=True), "does not chain to a trusted root"),
    "stale timestamp": (_at(timedelta(seconds=-151)), "too far from now"),
    "future timestamp": (_at(timedelta(seconds=151)), "too far from now"),
    "wrong skill id": (
        lambda h: h.post_signed(alexa_request("launch", application_id="amzn1.ask.skill.someone-else")),
        "request is for another skill",
    ),
    "malformed json": (_raw(b'{"version": "1.0", "request": '), "body is not JSON"),
    "not utf-8": (_raw(b"\xff\xfe{}"), "body is not JSON"),
    "not an envelope": (_raw(b'["LaunchRequest"]'), "not an Alexa request envelope"),
    "no request type": (_raw(b'{"version": "1.0", "request": {}}'), "not an Alexa request envelope"),
}


@pytest.mark.parametrize("case", sorted(REJECTIONS))
def test_every_broken_rule_is_a_400_that_never_reaches_the_skill(
    harness: Harness, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    send, reason = REJECTIONS[case]
    with caplog.at_level(logging.WARNING, logger="skill.adapter"):
        response = send(harness)

    assert response.status_code == 400
    assert response.json["error"] == "request_rejected"
    assert reason in response.json["reason"]
    assert harness.runtime.handled == 0
    assert "Alexa request rejected" in caplog.text
    assert not any(secret in caplog.text for secret in SECRETS)


def test_a_skill_error_is_a_logged_500_without_the_envelope(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="skill.adapter"):
        response = harness.post_signed(intent_envelope("AMAZON.HelpIntent"))

    assert response.status_code == 500
    assert response.json["error"] == "skill_error"
    assert "Skill dispatch failed" in caplog.text
    assert "handler bug" in caplog.text
    assert not any(secret in caplog.text for secret in SECRETS)


def test_a_request_nobody_handles_is_a_500(harness: Harness) -> None:
    assert harness.post_signed(alexa_request("session_ended")).status_code == 500


def test_an_oversized_body_is_refused_before_verification(harness: Harness) -> None:
    body = b" " * (MAX_REQUEST_BYTES + 1)
    response = harness.post(body, harness.signer.headers(body))
    assert response.status_code == 413
    chunked = harness.client.post(  # as a WSGI server passes a chunked body: no length, stream terminated
        ROUTE,
        input_stream=io.BytesIO(body),
        headers={**harness.signer.headers(body), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413
    assert harness.server.fetched == []
    assert harness.runtime.handled == 0


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_only_post_is_handled_and_other_methods_are_refused_in_json(harness: Harness, method: str) -> None:
    response = harness.client.open(ROUTE, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.get_json() == {"error": "method_not_allowed", "reason": "send Alexa requests with POST"}
    assert harness.runtime.handled == 0


def test_config_switches_turn_the_default_checks_off_like_flask_ask_sdk() -> None:
    runtime = CountingRuntime()
    app = Flask(__name__)
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    adapter = SkillAdapter(runtime, SKILL_ID, app=app)
    adapter.register(app, ROUTE)
    client = app.test_client()

    stale = alexa_request("launch", timestamp=datetime(2020, 1, 1, tzinfo=UTC))
    assert client.post(ROUTE, data=json.dumps(stale)).status_code == 200
    other = alexa_request("launch", application_id="amzn1.ask.skill.someone-else")
    assert client.post(ROUTE, data=json.dumps(other)).status_code == 400
    assert app.extensions[EXTENSION_NAME][SKILL_ID] is adapter


def test_verification_is_on_by_default(authority: LocalCertificateAuthority) -> None:
    app = Flask(__name__)
    SkillAdapter(CountingRuntime(), SKILL_ID).register(app, ROUTE)
    response = app.test_client().post(ROUTE, data=json.dumps(alexa_request("launch")))
    assert response.status_code == 400
    assert app.config[VERIFY_SIGNATURE_APP_CONFIG] is True
    assert app.config[VERIFY_TIMESTAMP_APP_CONFIG] is True


def test_explicit_verifiers_are_the_whole_list(harness: Harness) -> None:
    runtime = CountingRuntime()
    app = Flask(__name__)
    SkillAdapter(runtime, verifiers=[]).register(app, ROUTE, endpoint="unverified")
    response = app.test_client().post(ROUTE, data=json.dumps(alexa_request("launch", application_id="anything")))
    assert response.status_code == 200
    assert runtime.handled == 1
