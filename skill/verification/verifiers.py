"""The checks every Alexa request passes before any handler sees it.

Each verifier has flask-ask-sdk's shape, ``verify(headers, serialized_request_env, deserialized_request_env)``,
returns ``None`` when the request passes and raises a :class:`RequestVerificationError` subclass otherwise. The raw
body is bytes: the signature covers the bytes Alexa sent, not a re-serialisation.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256

from skill.verification.application import ApplicationIdVerifier, application_id_of
from skill.verification.certs import CertificateSource, Clock, utc_now
from skill.verification.errors import (
    BadSignature,
    BadTimestamp,
    MissingHeader,
)
from skill.verification.url import canonical_cert_url

__all__ = [
    "SIGNATURE_CERT_CHAIN_URL_HEADER",
    "SIGNATURE_HEADER",
    "ApplicationIdVerifier",
    "RequestVerifier",
    "SignatureVerifier",
    "TimestampVerifier",
    "application_id_of",
    "header_value",
]

SIGNATURE_CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
DEFAULT_TIMESTAMP_TOLERANCE_IN_MILLIS = 150_000
# Amazon allows up to an hour for skill events; nothing should need more.
MAX_TIMESTAMP_TOLERANCE_IN_MILLIS = 3_600_000
MAX_SIGNATURE_CHARS = 2048
# 2048-, 3072- and 4096-bit RSA keys.
RSA_SIGNATURE_BYTES = frozenset({256, 384, 512})
# What Alexa sends ("2025-01-15T10:00:00Z", sometimes with a fraction): stricter than ``fromisoformat``, which
# also reads week dates and other forms the SDK's parser refuses.
_ALEXA_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


class RequestVerifier(Protocol):
    def verify(
        self,
        headers: Mapping[str, str],
        serialized_request_env: bytes,
        deserialized_request_env: Mapping[str, Any],
    ) -> None: ...


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Look a header up case-insensitively, whatever mapping the caller has (werkzeug, a Lambda dict ...)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


class SignatureVerifier:
    """``SignatureCertChainUrl`` + ``Signature-256``: RSA PKCS#1 v1.5 with SHA-256 over the raw body.

    flask-ask-sdk calls this one ``RequestVerifier``; here that name is the protocol every verifier satisfies.
    """

    def __init__(
        self, certificates: CertificateSource, *, clock: Clock = utc_now, remembered_callers: int = 4096
    ) -> None:
        self._certificates = certificates
        self._clock = clock
        # Callers (Alexa user ids) whose requests passed this check: they vouch for an unknown chain URL they name,
        # which is how Amazon's new chain after a rotation is fetched on its first request during a flood.
        self._verified = _RecentCallers(remembered_callers)

    def verify(
        self,
        headers: Mapping[str, str],
        serialized_request_env: bytes,
        deserialized_request_env: Mapping[str, Any],
    ) -> None:
        raw_url = header_value(headers, SIGNATURE_CERT_CHAIN_URL_HEADER)
        if not raw_url:
            raise MissingHeader(f"missing {SIGNATURE_CERT_CHAIN_URL_HEADER} header")
        raw_signature = header_value(headers, SIGNATURE_HEADER)
        if not raw_signature:
            raise MissingHeader(f"missing {SIGNATURE_HEADER} header")
        signature = _decode_signature(raw_signature)
        caller = caller_of(deserialized_request_env)
        vouched_by = caller if caller is not None and caller in self._verified else None
        certificate = self._certificates.signing_certificate(
            canonical_cert_url(raw_url), self._clock(), vouched_by=vouched_by
        )
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise BadSignature("signing key is not RSA")
        try:
            public_key.verify(signature, serialized_request_env, padding.PKCS1v15(), SHA256())
        except InvalidSignature as exc:
            raise BadSignature("signature does not match the body") from exc
        if caller is not None:
            self._verified.add(caller)


MAX_CALLER_CHARS = 512


def caller_of(envelope: Mapping[str, Any]) -> str | None:
    """The Alexa user id a request names (``context.System.user``, else ``session.user``), if it is a plausible one."""
    context = envelope.get("context")
    system = context.get("System") if isinstance(context, Mapping) else None
    session = envelope.get("session")
    for holder in (system, session):
        user = holder.get("user") if isinstance(holder, Mapping) else None
        user_id = user.get("userId") if isinstance(user, Mapping) else None
        if isinstance(user_id, str) and 0 < len(user_id) <= MAX_CALLER_CHARS:
            return user_id
    return None


class _RecentCallers:
    """The ``limit`` callers verified most recently (thread-safe)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("remembered_callers must be at least 1")
        self._limit = limit
        self._callers: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, caller: str) -> bool:
        with self._lock:
            return caller in self._callers

    def add(self, caller: str) -> None:
        with self._lock:
            self._callers[caller] = None
            self._callers.move_to_end(caller)
            while len(self._callers) > self._limit:
                self._callers.popitem(last=False)


def _decode_signature(raw: str) -> bytes:
    if len(raw) > MAX_SIGNATURE_CHARS:
        raise BadSignature("signature is too long")
    try:
        signature = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadSignature("signature is not base64") from exc
    # An RSA signature is exactly as long as the key's modulus: refuse any other length before fetching a chain.
    if len(signature) not in RSA_SIGNATURE_BYTES:
        raise BadSignature("signature has the wrong length")
    return signature


class TimestampVerifier:
    """``request.timestamp`` within the tolerance of now, in either direction."""

    def __init__(
        self,
        tolerance_in_millis: int = DEFAULT_TIMESTAMP_TOLERANCE_IN_MILLIS,
        *,
        clock: Clock = utc_now,
    ) -> None:
        if tolerance_in_millis < 0:
            raise ValueError("negative timestamp tolerance")
        if tolerance_in_millis > MAX_TIMESTAMP_TOLERANCE_IN_MILLIS:
            raise ValueError(f"timestamp tolerance above {MAX_TIMESTAMP_TOLERANCE_IN_MILLIS} ms")
        self._tolerance_seconds = tolerance_in_millis / 1000
        self._clock = clock

    def verify(
        self,
        headers: Mapping[str, str],
        serialized_request_env: bytes,
        deserialized_request_env: Mapping[str, Any],
    ) -> None:
        request = deserialized_request_env.get("request")
        raw = request.get("timestamp") if isinstance(request, Mapping) else None
        if not isinstance(raw, str):
            raise BadTimestamp("request has no timestamp")
        if _ALEXA_TIMESTAMP.fullmatch(raw) is None:
            raise BadTimestamp("request timestamp is not ISO 8601")
        try:
            timestamp = datetime.fromisoformat(raw)
            skew = abs((self._clock() - timestamp).total_seconds())
        except (ValueError, OverflowError) as exc:
            # OverflowError: an offset that pushes year 1 or 9999 out of range.
            raise BadTimestamp("request timestamp is not ISO 8601") from exc
        if skew > self._tolerance_seconds:
            raise BadTimestamp("request timestamp is too far from now")
