"""Issue 2 end to end: signed requests through create_app's real verifier, skill and store (moto)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.services import Backend
from skill.app import ALEXA_ROUTE, build_runtime, create_app
from skill.lambda_skill import LambdaEntry
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from skill.verification import build_verifiers
from tests.support.envelopes import alexa_request, intent_envelope


@pytest.fixture(scope="module")
def signer() -> LocalSigner:
    return LocalCertificateAuthority.create().issue_signer()


@pytest.fixture
def app(backend: Backend, signer: LocalSigner) -> Flask:
    """The conftest app, trusting a local signer instead of Amazon's certificate chain."""
    verifiers = build_verifiers(backend.settings, trust_roots=signer.trust_roots, cert_fetcher=signer.cert_fetcher())
    return create_app(backend=backend, verifiers=verifiers)


def post_signed(client: FlaskClient, signer: LocalSigner, envelope: dict[str, Any]) -> Any:
    body, headers = signer.sign_envelope(envelope)
    return client.post(ALEXA_ROUTE, data=body, headers={**headers, "Content-Type": "application/json"})


def speech_of(response: Any) -> str:
    return str(response.get_json()["response"]["outputSpeech"]["ssml"])


def test_signed_launch_without_a_linked_account_asks_to_link(client: FlaskClient, signer: LocalSigner) -> None:
    response = post_signed(client, signer, alexa_request("launch"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == "1.0"
    assert "link your account" in speech_of(response)
    assert body["response"]["card"]["type"] == "LinkAccount"


def test_signed_launch_of_a_linked_customer_is_welcomed(
    client: FlaskClient, signer: LocalSigner, backend: Backend
) -> None:
    envelope = alexa_request("launch")
    envelope["context"]["System"]["user"]["accessToken"] = backend.tokens.issue_demo_token("1285")
    response = post_signed(client, signer, envelope)
    body = response.get_json()
    assert "Welcome" in speech_of(response)
    assert body["response"]["shouldEndSession"] is False
    assert body["response"]["reprompt"]["outputSpeech"]["ssml"]


def test_help_answers_with_speech_reprompt_and_card(client: FlaskClient, signer: LocalSigner) -> None:
    response = post_signed(client, signer, intent_envelope("AMAZON.HelpIntent"))
    body = response.get_json()["response"]
    assert "I can add groceries" in body["outputSpeech"]["ssml"]
    assert body["card"]["type"] == "Simple"
    assert "Reorder my usual" in body["card"]["content"]


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_end_the_session(client: FlaskClient, signer: LocalSigner, intent: str) -> None:
    response = post_signed(client, signer, intent_envelope(intent))
    assert response.get_json()["response"]["shouldEndSession"] is True


def test_fallback_keeps_the_session_open(client: FlaskClient, signer: LocalSigner) -> None:
    response = post_signed(client, signer, intent_envelope("AMAZON.FallbackIntent"))
    assert "didn't get that" in speech_of(response)
    assert response.get_json()["response"]["shouldEndSession"] is False


def test_navigate_home_ends_quietly(client: FlaskClient, signer: LocalSigner) -> None:
    response = post_signed(client, signer, intent_envelope("AMAZON.NavigateHomeIntent"))
    body = response.get_json()["response"]
    assert "outputSpeech" not in body
    assert body["shouldEndSession"] is True


def test_session_ended_gets_an_empty_answer(client: FlaskClient, signer: LocalSigner) -> None:
    response = post_signed(client, signer, alexa_request("session_ended"))
    assert response.status_code == 200
    assert "outputSpeech" not in response.get_json()["response"]


def test_en_gb_request_is_answered_in_british_english(client: FlaskClient, signer: LocalSigner) -> None:
    envelope = intent_envelope("AMAZON.HelpIntent")
    envelope["request"]["locale"] = "en-GB"
    response = post_signed(client, signer, envelope)
    assert "basket" in response.get_json()["response"]["card"]["content"]


def test_unsigned_request_never_reaches_the_skill(client: FlaskClient) -> None:
    response = client.post(ALEXA_ROUTE, data=json.dumps(alexa_request("launch")), content_type="application/json")
    assert response.status_code == 400


def test_stale_request_is_refused(client: FlaskClient, signer: LocalSigner) -> None:
    stale = alexa_request("launch", timestamp=datetime.now(UTC) - timedelta(seconds=151))
    assert post_signed(client, signer, stale).status_code == 400


def test_request_for_another_skill_is_refused(client: FlaskClient, signer: LocalSigner) -> None:
    other = alexa_request("launch", application_id="amzn1.ask.skill.someone-else")
    assert post_signed(client, signer, other).status_code == 400


def test_health_reports_the_catalog(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "products": 49688}


def test_lambda_entry_answers_the_same_envelope_the_same_way(
    client: FlaskClient, signer: LocalSigner, backend: Backend
) -> None:
    envelope = intent_envelope("AMAZON.HelpIntent")
    over_http = post_signed(client, signer, envelope).get_json()
    entry = LambdaEntry(build_runtime(backend), skill_id=backend.settings.skill_id)
    assert entry(envelope, None) == over_http
