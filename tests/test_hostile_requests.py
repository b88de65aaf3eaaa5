"""The hostile corpus (tests/fixtures/requests/hostile/) against the real app: none accepted, none a 5xx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.identity.clients import DEMO_KEY_SCOPES, create_api_client
from backend.services import Backend
from skill.app import ALEXA_ROUTE, API_PREFIX, create_app
from skill.bench.hostile_cases import PROJECT_CORPUS, ApiCase, api_cases
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from skill.verification import build_verifiers
from tests.support.envelopes import alexa_request
from tests.support.hostile import HOSTILE_DIR, rendered_corpus
from tests.support.hostile_requests import case_request, hostile_cases, load_case

CASES = hostile_cases()
API_CASES = api_cases()
CUSTOMER = "1285"


@pytest.fixture(scope="module")
def signer() -> LocalSigner:
    return LocalCertificateAuthority.create().issue_signer()


@pytest.fixture(scope="module")
def stranger() -> LocalSigner:
    return LocalCertificateAuthority.create().issue_signer()


@pytest.fixture(scope="module")
def client(shared_backend: Backend, signer: LocalSigner) -> FlaskClient:
    """The app on the harness's module-scoped backend (no request here depends on another), trusting ``signer``."""
    served = {signer.chain_url: signer.chain_pem()}

    def fetch(url: str) -> bytes:
        if url not in served:
            raise OSError("404")
        return served[url]

    verifiers = build_verifiers(shared_backend.settings, trust_roots=signer.trust_roots, cert_fetcher=fetch)
    app: Flask = create_app(backend=shared_backend, verifiers=verifiers)
    return app.test_client()


def test_the_corpus_holds_at_least_a_hundred_requests_as_generated() -> None:
    assert len(CASES) >= 100
    assert len({load_case(path)["name"] for path in CASES}) == len(CASES)
    # The files are what tests/support/hostile.py writes: edit the cases there, then regenerate.
    assert {path.name: path.read_text(encoding="utf-8") for path in CASES} == rendered_corpus()
    assert PROJECT_CORPUS == HOSTILE_DIR  # what `voicecart bench hostile` sends by default


def test_with_the_api_cases_the_bench_sends_well_over_a_hundred() -> None:
    assert len(API_CASES) >= 60
    assert len({case.name for case in API_CASES}) == len(API_CASES)
    assert len(CASES) + len(API_CASES) >= 150


@pytest.mark.parametrize("base", ["launch", "intent_add_to_cart", "session_ended"])
def test_the_unedited_bases_are_accepted(client: FlaskClient, signer: LocalSigner, base: str) -> None:
    # The control: a case is refused for what it changed, not because signing in this test is broken.
    body, headers = signer.sign_envelope(alexa_request(base))
    response = client.post(ALEXA_ROUTE, data=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_a_hostile_request_is_refused_in_json(
    client: FlaskClient, signer: LocalSigner, stranger: LocalSigner, path: Path
) -> None:
    case = load_case(path)
    body, headers = case_request(case, signer, stranger)
    response = client.post(ALEXA_ROUTE, data=body, headers=headers)
    assert 400 <= response.status_code < 500, (case["why"], response.status_code, response.get_data(as_text=True))
    refusal: Any = response.get_json(silent=True)
    assert response.mimetype == "application/json" and isinstance(refusal, dict), response.get_data(as_text=True)
    assert isinstance(refusal.get("reason"), str) and len(refusal["reason"]) <= 120


def test_signed_cases_carry_a_true_signature_over_the_bytes_sent(signer: LocalSigner, stranger: LocalSigner) -> None:
    signed = [load_case(path) for path in CASES if load_case(path).get("signing") == "signed"]
    untouched = [case for case in signed if "headers" not in case and "drop_headers" not in case]
    assert len(untouched) >= 50
    for case in untouched:
        body, headers = case_request(case, signer, stranger)
        assert headers["Signature-256"] == signer.signature(body)
        assert headers["SignatureCertChainUrl"] == signer.chain_url


@pytest.fixture(scope="module")
def demo_key(shared_backend: Backend) -> str:
    """A key like the one ``voicecart serve`` prints: every customer, the demo web shop's scopes (no export or
    erasure)."""
    shared_backend.profiles.ensure_customer(CUSTOMER)
    key: str = create_api_client(shared_backend.table, name="demo web shop", channel="web", scopes=DEMO_KEY_SCOPES)[
        "api_key"
    ]
    return key


@pytest.mark.parametrize("case", API_CASES, ids=[case.name for case in API_CASES])
def test_a_hostile_api_request_is_refused_in_json(client: FlaskClient, demo_key: str, case: ApiCase) -> None:
    headers = {"Content-Type": case.content_type, **case.headers}
    if case.key == "demo":
        headers["Authorization"] = f"Bearer {demo_key}"
    elif case.key is not None:
        headers["Authorization"] = case.key
    path = API_PREFIX + case.path.replace("{c}", CUSTOMER)
    response = client.open(path, method=case.method, data=case.body, headers=headers)
    assert 400 <= response.status_code < 500, (case.name, response.status_code, response.get_data(as_text=True))
    assert isinstance(response.get_json(silent=True), dict), response.get_data(as_text=True)[:200]


def test_the_api_cases_unedited_are_accepted(client: FlaskClient, demo_key: str) -> None:
    # The control for the API cases built from a valid add or event: refused for what they change, not the base.
    headers = {"Authorization": f"Bearer {demo_key}", "Content-Type": "application/json"}
    added = client.post(
        f"{API_PREFIX}/customers/{CUSTOMER}/cart/items", json={"product_id": "1", "quantity": 1}, headers=headers
    )
    event = next(case for case in API_CASES if case.name == "event-type-number")
    valid = {**json.loads(event.body or b"{}"), "type": "product_viewed"}
    recorded = client.post(f"{API_PREFIX}/customers/{CUSTOMER}/events", json=valid, headers=headers)
    assert added.status_code in (200, 201), added.get_data(as_text=True)
    assert recorded.status_code in (200, 201), recorded.get_data(as_text=True)
