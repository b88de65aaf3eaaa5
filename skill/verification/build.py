"""The verifiers the settings ask for: ``build_verifiers`` (the web adapter's checks, signature included)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from cryptography import x509

from skill.verification.application import ApplicationIdVerifier
from skill.verification.certs import (
    CertFetcher,
    CertificateSource,
    ChainValidator,
    Clock,
    UrllibCertFetcher,
    is_alexa_chain_url,
    load_default_trust_roots,
    utc_now,
)
from skill.verification.local import LocalTrust
from skill.verification.verifiers import RequestVerifier, SignatureVerifier, TimestampVerifier

logger = logging.getLogger(__name__)


class VerificationSettings(Protocol):
    """The part of ``backend.settings.Settings`` verification reads."""

    @property
    def skill_id(self) -> str | None: ...
    @property
    def verify_signature(self) -> bool: ...
    @property
    def verify_timestamp(self) -> bool: ...
    @property
    def local_signer_dir(self) -> Path | None: ...


def build_verifiers(
    settings: VerificationSettings,
    *,
    trust_roots: Sequence[x509.Certificate] | None = None,
    cert_fetcher: CertFetcher | None = None,
    clock: Clock | None = None,
) -> list[RequestVerifier]:
    """Signature, timestamp and application-id checks, as the settings ask; each switch-off is logged loudly.

    ``trust_roots`` defaults to certifi's bundle and ``cert_fetcher`` to a short-timeout HTTPS GET. With
    ``settings.local_signer_dir`` set, the local development CA is trusted too and its chain served from disk.
    """
    now = clock if clock is not None else utc_now
    # The cheap checks first: a forged request with a stale timestamp or another skill's id is refused before the
    # signature check can make us fetch anything.
    verifiers: list[RequestVerifier] = []
    if settings.verify_timestamp:
        verifiers.append(TimestampVerifier(clock=now))
    else:
        logger.warning("Alexa request TIMESTAMP verification is OFF: replayed requests are accepted")
    if settings.skill_id:
        verifiers.append(ApplicationIdVerifier(settings.skill_id))
    else:
        logger.warning("no skill id configured: requests for any skill are accepted")
    if settings.verify_signature:
        roots = list(trust_roots) if trust_roots is not None else load_default_trust_roots()
        fetcher = cert_fetcher
        fetchable = is_alexa_chain_url
        if settings.local_signer_dir is not None:
            local = LocalTrust.load(settings.local_signer_dir)
            logger.warning(
                "DEVELOPMENT ONLY: trusting the local request signer in %s (chain %s); never do this in production",
                settings.local_signer_dir,
                local.chain_url,
            )
            roots.append(local.root)
            fetcher = local.fetcher(fallback=fetcher if fetcher is not None else UrllibCertFetcher())
            local_url = local.chain_url

            def fetchable(url: str) -> bool:
                return url == local_url or is_alexa_chain_url(url)

        source = CertificateSource(ChainValidator(roots), fetcher, fetchable=fetchable)
        verifiers.append(SignatureVerifier(source, clock=now))
    else:
        logger.warning("Alexa request SIGNATURE verification is OFF: any caller can drive this skill")
    return verifiers
