"""The signing certificate chain: fetch it, check it, and keep it while it stays valid.

A chain is fetched once per canonical URL and kept (LRU, bounded) only after it validated; a kept chain is dropped
as soon as ``now`` passes the earliest ``notAfter`` in it, and fetched again (Amazon rotates the certificate).
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.error import URLError

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from skill.verification.errors import (
    CertificateNotInDate,
    CertificateUnavailable,
    CertificateUntrusted,
    CertificateWrongSubject,
)

logger = logging.getLogger(__name__)

ALEXA_SIGNING_SUBJECT = "echo-api.amazon.com"
MAX_CHAIN_BYTES = 64 * 1024
DEFAULT_FETCH_TIMEOUT_SECONDS = 3.0

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware."""

CertFetcher = Callable[[str], bytes]
"""Returns the PEM bytes served at a (already checked) chain URL; raises OSError or ValueError on failure."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class UrllibCertFetcher:
    """The default fetcher: one HTTPS GET with a short timeout and a size cap."""

    def __init__(self, *, timeout: float = DEFAULT_FETCH_TIMEOUT_SECONDS, max_bytes: int = MAX_CHAIN_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes

    def __call__(self, url: str) -> bytes:
        if not url.startswith("https://"):
            raise ValueError("refusing to fetch a certificate chain over anything but https")
        # S310: only https reaches here (checked above), never file: or a custom scheme.
        request = urllib.request.Request(url, headers={"User-Agent": "voicecart-verifier"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            data: bytes = response.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise ValueError("certificate chain is larger than allowed")
        return data


def load_default_trust_roots() -> list[x509.Certificate]:
    """Mozilla's root store as packaged by certifi (Amazon's signing chain ends at one of its roots).

    Roots that cryptography refuses or deprecates (e.g. a non-positive serial number) are skipped: Amazon's roots
    are not among them, and a deprecation today is a load failure in a later release.
    """
    import certifi  # deferred: only the production path needs the bundle

    with open(certifi.where(), "rb") as bundle:
        text = bundle.read()
    roots: list[x509.Certificate] = []
    for block in _PEM_BLOCK.findall(text):
        with warnings.catch_warnings():
            warnings.simplefilter("error", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except (ValueError, CryptographyDeprecationWarning):
                skipped = True
            else:
                skipped = False
        if skipped:
            logger.debug("skipping a trust root cryptography will not load")
    return roots


_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True, slots=True)
class CertificateChain:
    """The signing (leaf) certificate first, then the intermediates, as served at the chain URL."""

    leaf: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, data: bytes) -> CertificateChain:
        if len(data) > MAX_CHAIN_BYTES:
            raise CertificateUnavailable("certificate chain is too large")
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise CertificateUnavailable("certificate chain is not PEM") from exc
        return cls(leaf=certificates[0], intermediates=tuple(certificates[1:]))

    @property
    def not_before(self) -> datetime:
        return max(cert.not_valid_before_utc for cert in self.certificates)

    @property
    def not_after(self) -> datetime:
        return min(cert.not_valid_after_utc for cert in self.certificates)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return (self.leaf, *self.intermediates)


class ChainValidator:
    """Amazon's certificate rules: in date, ``echo-api.amazon.com`` in the SANs, chains to a trusted root."""

    def __init__(self, trust_roots: Sequence[x509.Certificate], *, subject: str = ALEXA_SIGNING_SUBJECT) -> None:
        if not trust_roots:
            raise ValueError("at least one trust root is needed")
        self._store = Store(list(trust_roots))
        self._subject = subject

    def validate(self, chain: CertificateChain, now: datetime) -> None:
        leaf = chain.leaf
        if now > leaf.not_valid_after_utc:
            raise CertificateNotInDate("signing certificate has expired")
        if now < leaf.not_valid_before_utc:
            raise CertificateNotInDate("signing certificate is not valid yet")
        if self._subject not in _dns_names(leaf):
            raise CertificateWrongSubject(f"{self._subject} is not in the certificate's names")
        verifier = PolicyBuilder().store(self._store).time(now).build_server_verifier(x509.DNSName(self._subject))
        try:
            verifier.verify(leaf, list(chain.intermediates))
        except VerificationError as exc:
            raise CertificateUntrusted("certificate does not chain to a trusted root") from exc


def _dns_names(cert: x509.Certificate) -> list[str]:
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [name.lower() for name in extension.value.get_values_for_type(x509.DNSName)]


class CertificateSource:
    """Validated chains by canonical URL: fetched once, kept while in date, at most ``max_entries`` of them."""

    def __init__(
        self,
        validator: ChainValidator,
        fetcher: CertFetcher | None = None,
        *,
        max_entries: int = 8,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._validator = validator
        self._fetcher: CertFetcher = fetcher if fetcher is not None else UrllibCertFetcher()
        self._max_entries = max_entries
        self._chains: OrderedDict[str, CertificateChain] = OrderedDict()
        # One lock, held across a miss's fetch: misses are rare and a second request for the same URL then
        # finds the chain instead of fetching it again.
        self._lock = threading.Lock()

    def signing_certificate(self, url: str, now: datetime) -> x509.Certificate:
        with self._lock:
            chain = self._chains.get(url)
            if chain is not None and chain.not_before <= now <= chain.not_after:
                self._chains.move_to_end(url)
                return chain.leaf
            if chain is not None:
                logger.info("certificate chain out of date, fetching again", extra={"cert_url": url})
                del self._chains[url]
            chain = self._fetch(url)
            self._validator.validate(chain, now)
            self._chains[url] = chain
            while len(self._chains) > self._max_entries:
                self._chains.popitem(last=False)
            return chain.leaf

    def __len__(self) -> int:
        return len(self._chains)

    def _fetch(self, url: str) -> CertificateChain:
        try:
            data = self._fetcher(url)
        except (OSError, URLError, ValueError) as exc:
            raise CertificateUnavailable("certificate chain could not be fetched") from exc
        return CertificateChain.from_pem(data)
