"""Alexa request verification, as Amazon requires for a skill hosted as a web service.

Implemented on ``cryptography`` rather than flask-ask-sdk / ask-sdk-webservice-support: their verifier imports
certvalidator/oscrypto, which cannot load on OpenSSL >= 3.0.10. The contract is theirs (verifier shape, the
``ASK_SDK_VERIFY_*`` switches, 400 on failure); the checks follow Amazon's "verify the request" rules.

The names below load on first use (PEP 562): a Lambda needs only the envelope and application-id checks, and
importing the package for them must not pull in ``cryptography`` and the certificate fetcher that the signature
check needs (about a tenth of the Lambda's cold start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skill.verification.application import ApplicationIdVerifier, application_id_of
    from skill.verification.build import VerificationSettings, build_verifiers
    from skill.verification.certs import (
        CertFetcher,
        CertificateChain,
        CertificateSource,
        ChainValidator,
        Clock,
        UrllibCertFetcher,
    )
    from skill.verification.envelope import EnvelopeHandler, checked_envelope, parse_envelope
    from skill.verification.errors import RequestVerificationError
    from skill.verification.local import LocalTrust
    from skill.verification.url import canonical_cert_url
    from skill.verification.verifiers import (
        SIGNATURE_CERT_CHAIN_URL_HEADER,
        SIGNATURE_HEADER,
        RequestVerifier,
        SignatureVerifier,
        TimestampVerifier,
    )

_EXPORTED_FROM = {
    "ApplicationIdVerifier": "skill.verification.application",
    "application_id_of": "skill.verification.application",
    "VerificationSettings": "skill.verification.build",
    "build_verifiers": "skill.verification.build",
    "CertFetcher": "skill.verification.certs",
    "CertificateChain": "skill.verification.certs",
    "CertificateSource": "skill.verification.certs",
    "ChainValidator": "skill.verification.certs",
    "Clock": "skill.verification.certs",
    "UrllibCertFetcher": "skill.verification.certs",
    "EnvelopeHandler": "skill.verification.envelope",
    "checked_envelope": "skill.verification.envelope",
    "parse_envelope": "skill.verification.envelope",
    "RequestVerificationError": "skill.verification.errors",
    "LocalTrust": "skill.verification.local",
    "canonical_cert_url": "skill.verification.url",
    "SIGNATURE_CERT_CHAIN_URL_HEADER": "skill.verification.verifiers",
    "SIGNATURE_HEADER": "skill.verification.verifiers",
    "RequestVerifier": "skill.verification.verifiers",
    "SignatureVerifier": "skill.verification.verifiers",
    "TimestampVerifier": "skill.verification.verifiers",
}

__all__ = [
    "SIGNATURE_CERT_CHAIN_URL_HEADER",
    "SIGNATURE_HEADER",
    "ApplicationIdVerifier",
    "CertFetcher",
    "CertificateChain",
    "CertificateSource",
    "ChainValidator",
    "Clock",
    "EnvelopeHandler",
    "LocalTrust",
    "RequestVerificationError",
    "RequestVerifier",
    "SignatureVerifier",
    "TimestampVerifier",
    "UrllibCertFetcher",
    "VerificationSettings",
    "application_id_of",
    "build_verifiers",
    "canonical_cert_url",
    "checked_envelope",
    "parse_envelope",
]


def __getattr__(name: str) -> object:
    module = _EXPORTED_FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
