"""Certificate rules and the chain cache, against a throwaway CA made at test time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from skill.verification import CertificateChain, CertificateSource, ChainValidator
from skill.verification.certs import MAX_CHAIN_BYTES, load_default_trust_roots
from skill.verification.errors import (
    BadCertificateUrl,
    CertificateNotInDate,
    CertificateUnavailable,
    CertificateUntrusted,
    CertificateWrongSubject,
)

URL = "https://s3.amazonaws.com/echo.api/test.pem"


@pytest.fixture(scope="module")
def authority() -> LocalCertificateAuthority:
    return LocalCertificateAuthority.create()


@pytest.fixture(scope="module")
def leaf_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def signer(authority: LocalCertificateAuthority, leaf_key: rsa.RSAPrivateKey) -> LocalSigner:
    return authority.issue_signer(key=leaf_key)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingFetcher:
    """Serves PEM bytes from a list (one per call, the last repeating) and counts the calls."""

    def __init__(self, *responses: bytes) -> None:
        self._responses = list(responses)
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self._responses[min(len(self.calls), len(self._responses)) - 1]


def test_a_valid_chain_passes_with_and_without_an_intermediate(
    authority: LocalCertificateAuthority, leaf_key: rsa.RSAPrivateKey
) -> None:
    flat = LocalCertificateAuthority.create(with_intermediate=False)
    for ca in (authority, flat):
        signer = ca.issue_signer(key=leaf_key)
        chain = CertificateChain.from_pem(signer.chain_pem())
        ChainValidator(signer.trust_roots).validate(chain, datetime.now(UTC))


@pytest.mark.parametrize(
    ("window", "error"),
    [
        ((timedelta(days=-2), timedelta(days=-1)), CertificateNotInDate),
        ((timedelta(days=1), timedelta(days=30)), CertificateNotInDate),
    ],
    ids=["expired", "not-yet-valid"],
)
def test_a_certificate_out_of_date_is_refused(
    authority: LocalCertificateAuthority,
    leaf_key: rsa.RSAPrivateKey,
    window: tuple[timedelta, timedelta],
    error: type[Exception],
) -> None:
    now = datetime.now(UTC)
    signer = authority.issue_signer(key=leaf_key, not_before=now + window[0], not_after=now + window[1])
    with pytest.raises(error):
        ChainValidator(signer.trust_roots).validate(CertificateChain.from_pem(signer.chain_pem()), now)


def test_a_certificate_without_the_alexa_name_is_refused(
    authority: LocalCertificateAuthority, leaf_key: rsa.RSAPrivateKey
) -> None:
    signer = authority.issue_signer(key=leaf_key, subject_names=("echo-api.amazon.com.evil.example",))
    with pytest.raises(CertificateWrongSubject):
        ChainValidator(signer.trust_roots).validate(CertificateChain.from_pem(signer.chain_pem()), datetime.now(UTC))


def test_a_chain_to_another_root_is_refused(signer: LocalSigner, leaf_key: rsa.RSAPrivateKey) -> None:
    stranger = LocalCertificateAuthority.create(with_intermediate=False).issue_signer(key=leaf_key)
    with pytest.raises(CertificateUntrusted):
        ChainValidator(signer.trust_roots).validate(CertificateChain.from_pem(stranger.chain_pem()), datetime.now(UTC))


def test_a_leaf_without_its_intermediate_is_refused(signer: LocalSigner) -> None:
    leaf_only = CertificateChain(leaf=signer.certificate, intermediates=())
    with pytest.raises(CertificateUntrusted):
        ChainValidator(signer.trust_roots).validate(leaf_only, datetime.now(UTC))


def test_the_chain_is_fetched_once_and_reused(signer: LocalSigner) -> None:
    fetcher = CountingFetcher(signer.chain_pem())
    source = CertificateSource(ChainValidator(signer.trust_roots), fetcher)
    now = datetime.now(UTC)
    certificates = [source.signing_certificate(URL, now + timedelta(seconds=i)) for i in range(3)]
    assert fetcher.calls == [URL]
    assert all(cert == signer.certificate for cert in certificates)


def test_a_cached_chain_is_dropped_at_its_not_after_and_fetched_again(
    authority: LocalCertificateAuthority, leaf_key: rsa.RSAPrivateKey
) -> None:
    now = datetime.now(UTC)
    short_lived = authority.issue_signer(key=leaf_key, not_after=now + timedelta(minutes=10))
    renewed = authority.issue_signer(key=leaf_key)
    fetcher = CountingFetcher(short_lived.chain_pem(), renewed.chain_pem())
    source = CertificateSource(ChainValidator([authority.root]), fetcher)

    assert source.signing_certificate(URL, now) == short_lived.certificate
    assert source.signing_certificate(URL, now + timedelta(minutes=9)) == short_lived.certificate
    assert len(fetcher.calls) == 1
    assert source.signing_certificate(URL, now + timedelta(minutes=11)) == renewed.certificate
    assert len(fetcher.calls) == 2


def test_an_expired_cached_chain_with_no_renewal_is_refused(
    authority: LocalCertificateAuthority, leaf_key: rsa.RSAPrivateKey
) -> None:
    now = datetime.now(UTC)
    short_lived = authority.issue_signer(key=leaf_key, not_after=now + timedelta(minutes=10))
    source = CertificateSource(ChainValidator([authority.root]), CountingFetcher(short_lived.chain_pem()))
    source.signing_certificate(URL, now)
    with pytest.raises(CertificateNotInDate):
        source.signing_certificate(URL, now + timedelta(minutes=11))
    assert len(source) == 0


def test_the_cache_is_bounded_least_recently_used_first(signer: LocalSigner) -> None:
    fetcher = CountingFetcher(signer.chain_pem())
    source = CertificateSource(ChainValidator(signer.trust_roots), fetcher, max_entries=2)
    now = datetime.now(UTC)
    urls = [f"https://s3.amazonaws.com/echo.api/{n}.pem" for n in range(3)]
    for url in urls:
        source.signing_certificate(url, now)
    assert len(source) == 2
    source.signing_certificate(urls[0], now)
    assert fetcher.calls == [*urls, urls[0]]


def test_a_chain_that_fails_validation_is_not_kept_and_its_failure_is_remembered(
    signer: LocalSigner, leaf_key: rsa.RSAPrivateKey
) -> None:
    stranger = LocalCertificateAuthority.create(with_intermediate=False).issue_signer(key=leaf_key)
    fetcher = CountingFetcher(stranger.chain_pem(), signer.chain_pem())
    clock = FakeMonotonic()
    source = CertificateSource(ChainValidator(signer.trust_roots), fetcher, failure_ttl=60, monotonic=clock)
    for _ in range(3):
        with pytest.raises(CertificateUntrusted):
            source.signing_certificate(URL, datetime.now(UTC))
    assert len(fetcher.calls) == 1
    assert len(source) == 0
    clock.now += 61
    assert source.signing_certificate(URL, datetime.now(UTC)) == signer.certificate
    assert len(fetcher.calls) == 2


@pytest.mark.parametrize(
    "fetcher",
    [
        lambda url: (_ for _ in ()).throw(OSError("connection refused")),
        lambda url: b"not a certificate",
        lambda url: b"x" * (MAX_CHAIN_BYTES + 1),
    ],
    ids=["network-error", "not-pem", "too-large"],
)
def test_an_unusable_chain_is_unavailable(signer: LocalSigner, fetcher: Callable[[str], bytes]) -> None:
    source = CertificateSource(ChainValidator(signer.trust_roots), fetcher)
    with pytest.raises(CertificateUnavailable):
        source.signing_certificate(URL, datetime.now(UTC))


def test_default_trust_roots_load_without_warnings_and_include_amazon() -> None:
    roots = load_default_trust_roots()
    names = {root.subject.rfc4514_string() for root in roots}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in names


def _url(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/echo-api-cert-{n}.pem"


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/",
        "https://s3.amazonaws.com/echo.api/sub/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.txt",
        "https://s3.amazonaws.com/echo.api/" + "a" * 80 + ".pem",
        "https://s3.amazonaws.com/echo.api/.pem",
    ],
)
def test_a_url_not_shaped_like_amazons_is_never_fetched(signer: LocalSigner, url: str) -> None:
    fetcher = CountingFetcher(signer.chain_pem())
    source = CertificateSource(ChainValidator(signer.trust_roots), fetcher)
    with pytest.raises(BadCertificateUrl, match="shape"):
        source.signing_certificate(url, datetime.now(UTC))
    assert fetcher.calls == []


def test_fetches_beyond_the_budget_are_refused_without_fetching(signer: LocalSigner) -> None:
    fetcher = CountingFetcher(signer.chain_pem())
    clock = FakeMonotonic()
    source = CertificateSource(
        ChainValidator(signer.trust_roots), fetcher, max_entries=20, max_fetches_per_minute=3, monotonic=clock
    )
    now = datetime.now(UTC)
    for n in range(3):
        source.signing_certificate(_url(n), now)
    with pytest.raises(CertificateUnavailable, match="too many"):
        source.signing_certificate(_url(3), now)
    assert len(fetcher.calls) == 3
    # Chains already kept are still served while the budget is spent.
    assert source.signing_certificate(_url(0), now) == signer.certificate
    clock.now += 60
    assert source.signing_certificate(_url(3), now) == signer.certificate


class GatedFetcher:
    """Blocks every fetch until released; counts fetches per URL."""

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.release = threading.Event()
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, url: str) -> bytes:
        with self._lock:
            self.calls.append(url)
        if not self.release.wait(10):
            raise OSError("never released")
        return self.pem


def test_one_fetch_per_url_and_a_kept_chain_never_waits_for_a_fetch(signer: LocalSigner) -> None:
    fetcher = GatedFetcher(signer.chain_pem())
    source = CertificateSource(ChainValidator(signer.trust_roots), fetcher, max_entries=4)
    now = datetime.now(UTC)
    fetcher.release.set()
    source.signing_certificate(_url(0), now)  # kept
    fetcher.release.clear()

    with ThreadPoolExecutor(max_workers=4) as pool:
        waiting = [pool.submit(source.signing_certificate, _url(1), now) for _ in range(3)]
        deadline = time.monotonic() + 5
        while _url(1) not in fetcher.calls and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        assert source.signing_certificate(_url(0), now) == signer.certificate
        assert time.monotonic() - started < 0.5
        assert not any(future.done() for future in waiting)
        fetcher.release.set()
        assert all(future.result(timeout=5) == signer.certificate for future in waiting)
    assert fetcher.calls == [_url(0), _url(1)]


def test_waiters_share_the_failure_of_the_fetch_they_waited_for(signer: LocalSigner) -> None:
    calls: list[str] = []
    gate = threading.Event()

    def failing(url: str) -> bytes:
        calls.append(url)
        gate.wait(5)
        raise OSError("slow and broken")

    source = CertificateSource(ChainValidator(signer.trust_roots), failing)
    now = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(source.signing_certificate, _url(7), now) for _ in range(3)]
        time.sleep(0.2)
        gate.set()
        for future in futures:
            with pytest.raises(CertificateUnavailable):
                future.result(timeout=5)
    assert calls == [_url(7)]
