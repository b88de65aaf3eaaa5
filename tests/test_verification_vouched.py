"""A customer who used the skill vouches for the chain URL Amazon names after a rotation: fetched on its first
request, even while a flood of forged one-off URLs keeps the open fetch budget spent. A forger knows no such caller."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest

from skill.simulator.signing import LocalCertificateAuthority
from skill.verification import CertificateSource, ChainValidator, SignatureVerifier
from skill.verification.budget import BUDGET_WINDOW_SECONDS, FetchBudget
from skill.verification.errors import BadSignature, CertificateUnavailable
from skill.verification.verifiers import SIGNATURE_CERT_CHAIN_URL_HEADER, SIGNATURE_HEADER, caller_of

OLD = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
NEW = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"
CUSTOMER = "amzn1.ask.account.customer-who-used-the-skill"


def forged(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/forged-{n}.pem"


def spent(budget: FetchBudget, clock: float) -> int:
    """Forged one-off URLs until the open budget refuses; how many were sent."""
    n = 0
    while budget.admit(forged(n), clock):
        budget.forget(forged(n))
        n += 1
    return n + 1


def test_a_vouched_first_sighting_is_admitted_while_the_open_budget_is_spent() -> None:
    budget = FetchBudget(open_per_minute=3)
    spent(budget, 0.0)
    assert budget.admit(NEW, 1.0) is False  # unvouched, a first sighting is any forged one
    assert budget.admit(NEW.replace("13", "14"), 1.0, vouched_by=CUSTOMER) is True


def test_a_caller_vouches_for_one_fetch_a_window() -> None:
    budget = FetchBudget(open_per_minute=1, vouched_per_minute=5)
    spent(budget, 0.0)
    assert budget.admit(forged(1000), 1.0, vouched_by=CUSTOMER) is True
    assert budget.admit(forged(1001), 2.0, vouched_by=CUSTOMER) is False  # a leaked user id buys one fetch
    assert budget.admit(forged(1002), 2.0, vouched_by="amzn1.ask.account.another") is True
    spent(budget, 1.0 + BUDGET_WINDOW_SECONDS)
    assert budget.admit(forged(1003), 1.0 + BUDGET_WINDOW_SECONDS, vouched_by=CUSTOMER) is True


def test_vouched_fetches_are_bounded_in_all() -> None:
    budget = FetchBudget(open_per_minute=1, vouched_per_minute=2)
    spent(budget, 0.0)
    admitted = [budget.admit(forged(2000 + n), 1.0, vouched_by=f"amzn1.ask.account.{n}") for n in range(5)]
    assert admitted == [True, True, False, False, False]


@pytest.fixture(scope="module")
def authority() -> LocalCertificateAuthority:
    return LocalCertificateAuthority.create()


def _serving(chains: dict[str, bytes]) -> Any:
    """A certificate host with these chains; any other URL is not found."""

    def s3(url: str) -> bytes:
        if url not in chains:
            raise OSError("404")
        return chains[url]

    return s3


def _envelope(user_id: str, n: int) -> dict[str, Any]:
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": f"s-{n}", "user": {"userId": user_id}},
        "context": {"System": {"user": {"userId": user_id}}},
        "request": {"type": "LaunchRequest", "requestId": f"r-{n}", "timestamp": "2026-12-03T10:00:00Z"},
    }


def _verify(verifier: SignatureVerifier, body: bytes, headers: dict[str, str]) -> None:
    verifier.verify(headers, body, json.loads(body))


def _forged(verifier: SignatureVerifier, n: int) -> None:
    """An unsigned request naming a URL of its own, from a caller nobody verified."""
    body = json.dumps(_envelope("amzn1.ask.account.forger", n)).encode()
    headers = {
        SIGNATURE_CERT_CHAIN_URL_HEADER: forged(n),
        SIGNATURE_HEADER: base64.b64encode(secrets.token_bytes(256)).decode(),
    }
    with pytest.raises(CertificateUnavailable):
        _verify(verifier, body, headers)


def test_after_a_rotation_during_a_flood_a_known_customers_first_request_is_verified(
    authority: LocalCertificateAuthority,
) -> None:
    old, new = authority.issue_signer(chain_url=OLD), authority.issue_signer(chain_url=NEW)
    s3 = _serving({OLD: old.chain_pem(), NEW: new.chain_pem()})
    source = CertificateSource(ChainValidator(old.trust_roots), s3, max_fetches_per_minute=2)
    verifier = SignatureVerifier(source, clock=lambda: datetime.now(UTC))
    _verify(verifier, *old.sign_envelope(_envelope(CUSTOMER, 0)))  # the customer used the skill before
    for n in range(50):  # the flood spends the open budget
        _forged(verifier, n)
    _verify(verifier, *new.sign_envelope(_envelope(CUSTOMER, 1)))  # Amazon rotated: the first request passes
    _verify(verifier, *new.sign_envelope(_envelope("amzn1.ask.account.new-customer", 2)))  # the chain is kept


def test_a_forger_naming_a_known_caller_still_needs_the_signature(authority: LocalCertificateAuthority) -> None:
    signer = authority.issue_signer(chain_url=OLD)
    other = authority.issue_signer(chain_url=NEW)
    s3 = _serving({OLD: signer.chain_pem(), NEW: other.chain_pem()})
    source = CertificateSource(ChainValidator(signer.trust_roots), s3, max_fetches_per_minute=1)
    verifier = SignatureVerifier(source, clock=lambda: datetime.now(UTC))
    _verify(verifier, *signer.sign_envelope(_envelope(CUSTOMER, 0)))
    for n in range(10):
        _forged(verifier, n)
    body = json.dumps(_envelope(CUSTOMER, 1)).encode()
    headers = {SIGNATURE_CERT_CHAIN_URL_HEADER: NEW, SIGNATURE_HEADER: signer.headers(body)[SIGNATURE_HEADER]}
    with pytest.raises(BadSignature):  # the fetch it was vouched is spent on a chain its signature does not match
        _verify(verifier, body, headers)


def test_an_unverified_callers_first_request_for_a_new_url_is_refused_during_a_flood(
    authority: LocalCertificateAuthority,
) -> None:
    new = authority.issue_signer(chain_url=NEW)
    source = CertificateSource(
        ChainValidator(new.trust_roots), _serving({NEW: new.chain_pem()}), max_fetches_per_minute=1
    )
    verifier = SignatureVerifier(source, clock=lambda: datetime.now(UTC))
    for n in range(10):
        _forged(verifier, n)
    with pytest.raises(CertificateUnavailable):  # never verified: it looks like any forger
        _verify(verifier, *new.sign_envelope(_envelope(CUSTOMER, 1)))


@pytest.mark.parametrize(
    ("envelope", "caller"),
    [
        ({"context": {"System": {"user": {"userId": "a"}}}, "session": {"user": {"userId": "b"}}}, "a"),
        ({"session": {"user": {"userId": "b"}}}, "b"),
        ({"context": {"System": {"user": {"userId": 7}}}}, None),
        ({"context": {"System": {"user": {"userId": "x" * 600}}}}, None),
        ({"context": "System"}, None),
        ({}, None),
    ],
)
def test_the_caller_is_the_user_id_the_request_names(envelope: dict[str, Any], caller: str | None) -> None:
    assert caller_of(envelope) == caller
