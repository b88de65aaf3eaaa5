"""Signature, timestamp and application-id checks, one verifier at a time, plus build_verifiers' switches."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backend.settings import Settings
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner, init_local_signer
from skill.verification import (
    ApplicationIdVerifier,
    CertificateSource,
    ChainValidator,
    SignatureVerifier,
    TimestampVerifier,
    build_verifiers,
)
from skill.verification.errors import (
    BadSignature,
    BadTimestamp,
    MissingHeader,
    RequestVerificationError,
    WrongApplication,
)
from skill.verification.verifiers import header_value
from tests.support.envelopes import SKILL_ID, alexa_request, alexa_timestamp

NOW = datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def signer() -> LocalSigner:
    return LocalCertificateAuthority.create().issue_signer()


def signature_verifier(signer: LocalSigner) -> SignatureVerifier:
    return SignatureVerifier(CertificateSource(ChainValidator(signer.trust_roots), signer.cert_fetcher()))


def test_a_signed_body_passes(signer: LocalSigner) -> None:
    envelope = alexa_request("launch")
    body, headers = signer.sign_envelope(envelope)
    signature_verifier(signer).verify(headers, body, envelope)


def test_headers_are_found_whatever_their_case(signer: LocalSigner) -> None:
    envelope = alexa_request("launch")
    body, headers = signer.sign_envelope(envelope)
    shouted = {name.upper(): value for name, value in headers.items()}
    signature_verifier(signer).verify(shouted, body, envelope)
    assert header_value({"signature-256": "x"}, "Signature-256") == "x"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda h: h.pop("Signature-256"), MissingHeader),
        (lambda h: h.pop("SignatureCertChainUrl"), MissingHeader),
        (lambda h: h.update({"Signature-256": "not*base64"}), BadSignature),
        (lambda h: h.update({"Signature-256": "A" * 4096}), BadSignature),
        (lambda h: h.update({"Signature-256": "AAAA"}), BadSignature),
    ],
    ids=["no-signature", "no-cert-url", "not-base64", "too-long", "wrong-length"],
)
def test_broken_signature_headers_are_refused(
    signer: LocalSigner, change: object, error: type[RequestVerificationError]
) -> None:
    envelope = alexa_request("launch")
    body, headers = signer.sign_envelope(envelope)
    assert callable(change)
    change(headers)
    with pytest.raises(error):
        signature_verifier(signer).verify(headers, body, envelope)


def test_a_body_changed_after_signing_is_refused(signer: LocalSigner) -> None:
    envelope = alexa_request("launch")
    body, headers = signer.sign_envelope(envelope)
    with pytest.raises(BadSignature):
        signature_verifier(signer).verify(headers, body.replace(b"LaunchRequest", b"LaunchRequesT"), envelope)


@pytest.mark.parametrize("offset", [-150, 0, 150])
def test_a_timestamp_within_150_seconds_passes(offset: int) -> None:
    envelope = alexa_request("launch", timestamp=NOW + timedelta(seconds=offset))
    TimestampVerifier(clock=lambda: NOW).verify({}, b"", envelope)


@pytest.mark.parametrize("offset", [-151, 151, -86_400])
def test_a_timestamp_further_than_150_seconds_either_way_is_refused(offset: int) -> None:
    envelope = alexa_request("launch", timestamp=NOW + timedelta(seconds=offset))
    with pytest.raises(BadTimestamp, match="too far"):
        TimestampVerifier(clock=lambda: NOW).verify({}, b"", envelope)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        12345,
        "yesterday",
        "2025-01-15T10:00:00",
        "2025-W03-3T10:00:00Z",  # a week date: fromisoformat reads it, the SDK's parser does not
        "20250115T100000Z",
        "0001-01-01T00:00:00+14:00",  # out of range once the offset is applied
        "9999-12-31T23:59:59-14:00",
        "2025-01-15T10:00:00Z\n",
    ],
)
def test_a_missing_or_unreadable_timestamp_is_refused(raw: object) -> None:
    envelope = alexa_request("launch", timestamp=NOW)
    envelope["request"]["timestamp"] = raw
    with pytest.raises(BadTimestamp):
        TimestampVerifier(clock=lambda: NOW).verify({}, b"", envelope)


def test_timestamps_with_milliseconds_are_read() -> None:
    envelope = alexa_request("launch", timestamp=NOW)
    envelope["request"]["timestamp"] = "2025-01-15T10:00:01.250Z"
    TimestampVerifier(clock=lambda: NOW).verify({}, b"", envelope)
    assert alexa_timestamp(NOW) == "2025-01-15T10:00:00Z"


@pytest.mark.parametrize("tolerance", [-1, 3_600_001])
def test_the_timestamp_tolerance_is_bounded(tolerance: int) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        TimestampVerifier(tolerance)


def test_the_application_id_must_be_the_skill_id() -> None:
    verifier = ApplicationIdVerifier(SKILL_ID)
    verifier.verify({}, b"", alexa_request("launch", timestamp=NOW))
    with pytest.raises(WrongApplication, match="another skill"):
        verifier.verify({}, b"", alexa_request("launch", application_id="amzn1.ask.skill.someone-else"))


def test_the_session_application_id_is_used_when_context_has_none() -> None:
    envelope = alexa_request("launch", application_id="amzn1.ask.skill.someone-else")
    del envelope["context"]
    envelope["session"]["application"]["applicationId"] = SKILL_ID
    ApplicationIdVerifier(SKILL_ID).verify({}, b"", envelope)
    del envelope["session"]
    with pytest.raises(WrongApplication, match="no application id"):
        ApplicationIdVerifier(SKILL_ID).verify({}, b"", envelope)


def test_build_verifiers_follows_the_settings(signer: LocalSigner) -> None:
    kinds = {
        (True, True): [TimestampVerifier, ApplicationIdVerifier, SignatureVerifier],
        (False, True): [TimestampVerifier, ApplicationIdVerifier],
        (True, False): [ApplicationIdVerifier, SignatureVerifier],
        (False, False): [ApplicationIdVerifier],
    }
    for (signature, timestamp), expected in kinds.items():
        settings = Settings.load(env={}, verify_signature=signature, verify_timestamp=timestamp)
        verifiers = build_verifiers(settings, trust_roots=signer.trust_roots)
        assert [type(verifier) for verifier in verifiers] == expected
    no_skill = Settings.load(env={}, skill_id=None)
    assert ApplicationIdVerifier not in {type(v) for v in build_verifiers(no_skill, trust_roots=signer.trust_roots)}


def test_switching_verification_off_is_logged_loudly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        build_verifiers(Settings.load(env={}, verify_signature=False, verify_timestamp=False))
    assert "SIGNATURE verification is OFF" in caplog.text
    assert "TIMESTAMP verification is OFF" in caplog.text


def test_a_local_signer_directory_is_trusted_only_when_configured(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    init_local_signer(tmp_path / "signer")
    client = LocalSigner.load(tmp_path / "signer")
    envelope = alexa_request("launch")
    body, headers = client.sign_envelope(envelope)

    with caplog.at_level(logging.WARNING):
        trusting = build_verifiers(Settings.load(env={}, local_signer_dir=tmp_path / "signer"))
    assert "DEVELOPMENT ONLY" in caplog.text
    for verifier in trusting:
        verifier.verify(headers, body, envelope)

    def no_network(url: str) -> bytes:
        raise OSError("no network in tests")

    default = build_verifiers(Settings.load(env={}), cert_fetcher=no_network)
    (signature,) = [verifier for verifier in default if isinstance(verifier, SignatureVerifier)]
    with pytest.raises(RequestVerificationError):
        signature.verify(headers, body, envelope)


def test_init_local_signer_refuses_to_overwrite(tmp_path: Path) -> None:
    first = init_local_signer(tmp_path)
    with pytest.raises(FileExistsError):
        init_local_signer(tmp_path)
    second = init_local_signer(tmp_path, overwrite=True)
    assert first.root != second.root
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o077 == 0


def test_a_signature_of_the_wrong_length_is_refused_before_any_fetch(signer: LocalSigner) -> None:
    fetched: list[str] = []

    def fetcher(url: str) -> bytes:
        fetched.append(url)
        return signer.chain_pem()

    envelope = alexa_request("launch")
    body, headers = signer.sign_envelope(envelope)
    headers["Signature-256"] = base64.b64encode(b"\0" * 255).decode()
    verifier = SignatureVerifier(CertificateSource(ChainValidator(signer.trust_roots), fetcher))
    with pytest.raises(BadSignature, match="length"):
        verifier.verify(headers, body, envelope)
    assert fetched == []
