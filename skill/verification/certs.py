"""The signing certificate chain: fetch it, check it, and keep it while it stays valid.

A chain is fetched once per canonical URL and kept (LRU, bounded) only after it validated; a kept chain is dropped
as soon as ``now`` passes the earliest ``notAfter`` in it, and fetched again (Amazon rotates the certificate).
"""

from __future__ import annotations

import logging
import re
import threading
import time
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

from skill.throttled_log import ThrottledWarning
from skill.verification.budget import FetchBudget
from skill.verification.errors import (
    BadCertificateUrl,
    CertificateError,
    CertificateNotInDate,
    CertificateUnavailable,
    CertificateUntrusted,
    CertificateWrongSubject,
)

logger = logging.getLogger(__name__)

ALEXA_SIGNING_SUBJECT = "echo-api.amazon.com"
MAX_CHAIN_BYTES = 64 * 1024
# Amazon serves the chain from S3 in well under a second; a slow host must not hold a request for long.
DEFAULT_FETCH_TIMEOUT_SECONDS = 2.0

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


class _Fetch:
    """One fetch of one URL in flight: the first caller runs it, later callers for the same URL wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.chain: CertificateChain | None = None
        self.error: CertificateError | None = None


class CertificateSource:
    """Validated chains by canonical URL: fetched once, kept while in date, at most ``max_entries`` of them.

    Built to hold under a flood of forged requests, each naming a chain URL of its own:

    - a kept chain is served without waiting on anything (the lock is only ever held for dictionary updates);
    - a URL is fetched only if it has the shape of Amazon's chain URLs (one ``.pem`` file directly under
      ``/echo.api/``);
    - one fetch per URL at a time: concurrent requests for a URL being fetched wait for that fetch (at most the
      fetch timeout), and fetches of different URLs never wait for each other;
    - a URL whose fetch or validation failed is refused without fetching for ``failure_ttl`` seconds;
    - at most ``max_fetches_per_minute`` fetches of URLs seen for the first time start in any 60 s; beyond that a
      URL that is not kept is refused at once, and the chains already kept go on verifying every real request;
    - beyond that, a request from a caller whose earlier request was verified may fetch (a customer of the skill
      naming Amazon's new chain after a rotation: fetched on its first request), and a URL that requests keep naming
      more often than any other gets a priority fetch that one-off URLs cannot have, so Amazon's new chain is
      fetched within a few requests even while a flood of forged URLs keeps the first budget spent
      (:mod:`skill.verification.budget`).
    """

    def __init__(
        self,
        validator: ChainValidator,
        fetcher: CertFetcher | None = None,
        *,
        max_entries: int = 8,
        max_fetches_per_minute: int = 10,
        failure_ttl: float = 60.0,
        wait_timeout: float = DEFAULT_FETCH_TIMEOUT_SECONDS + 1.0,
        fetchable: Callable[[str], bool] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if max_fetches_per_minute < 1:
            raise ValueError("max_fetches_per_minute must be at least 1")
        self._validator = validator
        self._fetcher: CertFetcher = fetcher if fetcher is not None else UrllibCertFetcher()
        self._max_entries = max_entries
        self._failure_ttl = failure_ttl
        self._wait_timeout = wait_timeout
        self._fetchable = fetchable if fetchable is not None else is_alexa_chain_url
        self._monotonic = monotonic
        self._chains: OrderedDict[str, CertificateChain] = OrderedDict()
        self._failures: OrderedDict[str, tuple[float, CertificateError]] = OrderedDict()
        self._in_flight: dict[str, _Fetch] = {}
        self._budget = FetchBudget(open_per_minute=max_fetches_per_minute)
        self._warn_budget_spent = ThrottledWarning(
            logger, "certificate fetch budget spent; refusing unknown chain URLs", monotonic=monotonic
        )
        # Guards the dictionaries above only; never held across a fetch or a validation.
        self._lock = threading.Lock()

    def signing_certificate(self, url: str, now: datetime, *, vouched_by: str | None = None) -> x509.Certificate:
        """The leaf of the valid chain at ``url``, fetched if need be (:class:`CertificateUnavailable` if not now).

        ``vouched_by``: the request's caller, when an earlier request of that caller passed the signature check: an
        unknown URL it names may be fetched even while a flood keeps the open budget spent (``FetchBudget``).
        """
        with self._lock:
            chain = self._chains.get(url)
            if chain is not None and chain.not_before <= now <= chain.not_after:
                self._chains.move_to_end(url)
                return chain.leaf
            if chain is not None:
                logger.info("certificate chain out of date, fetching again", extra={"cert_url": url})
                del self._chains[url]
            flight, owner = self._join_or_start(url, vouched_by)
        if not owner:
            return self._wait_for(flight)
        try:
            chain = self._fetch(url)
            self._validator.validate(chain, now)
            flight.chain = chain
        except CertificateError as exc:
            flight.error = exc
        finally:
            self._finish(url, flight)
        if flight.error is not None:
            raise flight.error
        assert flight.chain is not None
        return flight.chain.leaf

    def _join_or_start(self, url: str, vouched_by: str | None) -> tuple[_Fetch, bool]:
        """Under the lock: the fetch to wait for, or a new one this caller runs (``True``); or refuse at once."""
        in_flight = self._in_flight.get(url)
        if in_flight is not None:
            return in_flight, False
        clock = self._monotonic()
        failed = self._failures.get(url)
        if failed is not None:
            if clock - failed[0] < self._failure_ttl:
                raise type(failed[1])(failed[1].reason)
            del self._failures[url]
        if not self._fetchable(url):
            raise BadCertificateUrl("certificate URL is not the shape of Alexa's chain URLs")
        if not self._budget.admit(url, clock, vouched_by=vouched_by):
            self._warn_budget_spent()
            raise CertificateUnavailable("too many certificate chains fetched recently")
        flight = _Fetch()
        self._in_flight[url] = flight
        return flight, True

    def _finish(self, url: str, flight: _Fetch) -> None:
        with self._lock:
            del self._in_flight[url]
            self._budget.forget(url)
            if flight.chain is not None:
                self._chains[url] = flight.chain
                while len(self._chains) > self._max_entries:
                    self._chains.popitem(last=False)
            else:
                if flight.error is None:  # something unexpected escaped the fetch: still refuse, still remember
                    flight.error = CertificateUnavailable("certificate chain could not be fetched")
                self._failures[url] = (self._monotonic(), flight.error)
                while len(self._failures) > _MAX_REMEMBERED_FAILURES:
                    self._failures.popitem(last=False)
        flight.done.set()

    def _wait_for(self, flight: _Fetch) -> x509.Certificate:
        if not flight.done.wait(self._wait_timeout):
            raise CertificateUnavailable("certificate chain could not be fetched in time")
        if flight.error is not None:
            raise type(flight.error)(flight.error.reason)
        assert flight.chain is not None
        return flight.chain.leaf

    def __len__(self) -> int:
        return len(self._chains)

    def _fetch(self, url: str) -> CertificateChain:
        try:
            data = self._fetcher(url)
        except (OSError, URLError, ValueError) as exc:
            raise CertificateUnavailable("certificate chain could not be fetched") from exc
        return CertificateChain.from_pem(data)


_MAX_REMEMBERED_FAILURES = 1024
_ALEXA_CHAIN_PATH = re.compile(r"/echo\.api/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.pem")


def is_alexa_chain_url(url: str) -> bool:
    """A canonical chain URL (see ``canonical_cert_url``) with the shape Amazon's have: one PEM file directly under
    ``/echo.api/`` (``echo-api-cert-12.pem``), no query, no deeper path."""
    prefix = "https://s3.amazonaws.com"
    return url.startswith(prefix) and _ALEXA_CHAIN_PATH.fullmatch(url[len(prefix) :]) is not None
