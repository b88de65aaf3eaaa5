"""The certificate-fetch budget under a flood of forged one-off chain URLs: Amazon's repeated URL still gets in."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from skill.verification import CertificateSource, ChainValidator
from skill.verification.budget import LIVE_SECONDS, FetchBudget
from skill.verification.errors import CertificateUnavailable

REAL = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"


def forged(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/forged-{n}.pem"


def spend_open(budget: FetchBudget, clock: float, start: int = 0, count: int = 50) -> int:
    """One-off URLs until the open budget refuses one; the next unused forged number."""
    n = start
    while budget.admit(forged(n), clock):
        budget.forget(forged(n))
        n += 1
    return n + count


def test_one_off_urls_spend_the_open_budget_and_never_the_priority_one() -> None:
    budget = FetchBudget(open_per_minute=3)
    admitted = [budget.admit(forged(n), 0.0) for n in range(100)]
    assert admitted == [True] * 3 + [False] * 97
    # The priority budget is untouched: the first URL seen twice gets it.
    assert budget.admit(REAL, 1.0) is False
    assert budget.admit(REAL, 2.0) is True


def test_a_repeated_url_is_admitted_while_a_one_off_flood_keeps_the_open_budget_spent() -> None:
    budget = FetchBudget(open_per_minute=10)
    n = 0
    clock = 0.0
    for second in range(600):  # ten minutes of 20 forged URLs a second
        clock = float(second)
        for _ in range(20):
            assert not budget.admit(forged(n), clock) or second % 60 == 0
            n += 1
        if second == 300:  # Amazon rotates: its new URL, once a second from now on
            break
    assert budget.admit(REAL, clock) is False
    for _ in range(200):  # the flood goes on between the real requests
        budget.admit(forged(n), clock + 0.5)
        n += 1
    assert budget.admit(REAL, clock + 1.0) is True


def test_a_url_seen_twice_outlives_any_number_of_one_offs() -> None:
    budget = FetchBudget(open_per_minute=1, max_waiting=8)
    budget.admit(forged(-1), 0.0)  # spends the open budget
    budget.admit(REAL, 0.0)
    budget.admit(REAL, 0.0)  # priority spent on it ...
    budget.forget(REAL)  # ... and the fetch failed (a hiccup at S3); it is seen again
    budget.admit(REAL, 61.0)
    budget.admit(REAL, 61.0)
    for n in range(1000):
        budget.admit(forged(n), 61.0)
    assert len(budget) == 8
    assert budget.sightings(REAL) >= 2


def test_a_first_sighting_survives_max_waiting_new_urls() -> None:
    budget = FetchBudget(open_per_minute=1, max_waiting=100)
    budget.admit(forged(-1), 0.0)
    budget.admit(REAL, 0.0)
    for n in range(99):
        budget.admit(forged(n), 0.0)
    assert budget.admit(REAL, 1.0) is True


def test_each_priority_fetch_in_a_minute_needs_a_url_seen_more_often_than_the_last() -> None:
    budget = FetchBudget(open_per_minute=1)
    budget.admit(forged(-1), 0.0)  # the open budget, spent
    # A forger sends each URL twice, hoping to spend the priority fetches before Amazon rotates.
    assert [budget.admit(forged(0), 0.0) for _ in range(2)] == [False, True]
    budget.forget(forged(0))  # fetched, false: remembered as such, no longer waiting
    assert [budget.admit(forged(1), 1.0) for _ in range(2)] == [False, False]  # twice is not enough any more
    budget.forget(forged(1))
    # Amazon rotates: its URL, seen a third time, beats the forger's two.
    assert [budget.admit(REAL, 2.0) for _ in range(3)] == [False, False, True]


def test_to_take_the_priority_fetch_a_forger_must_send_a_url_as_often_as_alexa_sent_the_real_one() -> None:
    budget = FetchBudget(open_per_minute=1)
    budget.admit(forged(-1), 0.0)
    budget.admit(forged(0), 0.0)
    budget.admit(forged(0), 0.0)  # a priority fetch at 2: the next needs 3 or more
    budget.forget(forged(0))
    for _ in range(3):
        budget.admit(forged(1), 1.0)  # takes one at 3
    budget.forget(forged(1))
    for _ in range(3):
        assert budget.admit(REAL, 2.0) is False  # 3 is not above the bar of 3
    assert [budget.admit(forged(2), 3.0) for _ in range(3)] == [False, False, False]  # below the real URL's 3
    assert budget.admit(REAL, 4.0) is True


@settings(max_examples=40, deadline=None)
@given(repeats=st.integers(min_value=1, max_value=6), per_second=st.integers(min_value=1, max_value=40))
def test_a_forger_repeating_every_url_cannot_keep_the_real_url_out_for_long(repeats: int, per_second: int) -> None:
    """Whatever a forger repeats each URL, a real URL sent once a second is fetched within a few seconds."""
    budget = FetchBudget(open_per_minute=10)
    n = 0
    for second in range(120):
        clock = float(second)
        for _ in range(per_second):
            url = forged(n // repeats)
            if budget.admit(url, clock):
                budget.forget(url)
            n += 1
        if second >= 60 and budget.admit(REAL, clock):
            assert second - 60 <= repeats + 1
            return
    raise AssertionError("the real URL was never fetched")


def test_a_url_pumped_then_abandoned_stops_blocking_once_it_is_no_longer_seen() -> None:
    budget = FetchBudget(open_per_minute=1)
    budget.admit(forged(-1), 0.0)
    for _ in range(1000):
        budget.admit(forged(1), 0.0)  # the priority budget goes to it at its second sighting
    budget.forget(forged(1))
    for _ in range(1000):
        budget.admit(forged(2), 60.0)  # pumped far past anything real, then never sent again
    clock = 60.0 + LIVE_SECONDS + 1
    budget.admit(REAL, clock)
    assert budget.admit(REAL, clock) is True


@settings(max_examples=60, deadline=None)
@given(
    flood=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=120),
    real_every=st.integers(min_value=1, max_value=10),
)
def test_one_off_floods_of_any_shape_let_the_real_url_in_on_its_second_request(
    flood: list[int], real_every: int
) -> None:
    """Whatever the flood's rate from second to second, one-off URLs never keep a repeated URL out."""
    budget = FetchBudget(open_per_minute=10, max_waiting=4096)
    n = 0
    real_seen = 0
    for second, forged_this_second in enumerate(flood):
        for _ in range(forged_this_second):
            if budget.admit(forged(n), float(second)):
                budget.forget(forged(n))
            n += 1
        if second % real_every == 0:
            real_seen += 1
            if budget.admit(REAL, float(second)):
                return
            assert real_seen < 2, "a repeated URL was refused while only one-off URLs competed"


@pytest.fixture(scope="module")
def signer() -> LocalSigner:
    return LocalCertificateAuthority.create().issue_signer(chain_url=REAL)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_after_a_rotation_during_a_forged_flood_the_new_chain_is_fetched_on_its_second_request(
    signer: LocalSigner,
) -> None:
    chains = {REAL: signer.chain_pem()}

    def s3(url: str) -> bytes:
        if url not in chains:
            raise OSError("404")
        return chains[url]

    clock = FakeMonotonic()
    source = CertificateSource(ChainValidator(signer.trust_roots), s3, monotonic=clock)
    now = datetime.now(UTC)
    n = 0
    for second in range(120):  # two minutes of a forged flood, 5 a second
        clock.now = 1000.0 + second
        for _ in range(5):
            with pytest.raises(CertificateUnavailable):
                source.signing_certificate(forged(n), now)
            n += 1
    with pytest.raises(CertificateUnavailable, match="too many"):
        source.signing_certificate(REAL, now)  # a first sighting looks like any forged one
    for _ in range(5):
        with pytest.raises(CertificateUnavailable):
            source.signing_certificate(forged(n), now)
        n += 1
    assert source.signing_certificate(REAL, now) == signer.certificate
    assert source.signing_certificate(REAL, now) == signer.certificate  # kept


def test_a_flood_of_budget_refusals_is_one_log_line_a_minute(
    signer: LocalSigner, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeMonotonic()
    source = CertificateSource(
        ChainValidator(signer.trust_roots), lambda url: b"", max_fetches_per_minute=1, monotonic=clock
    )
    now = datetime.now(UTC)
    with caplog.at_level(logging.WARNING, logger="skill.verification.certs"):
        for n in range(200):
            with pytest.raises(CertificateUnavailable):
                source.signing_certificate(forged(n), now)
        clock.now += 61
        for n in range(200, 300):
            with pytest.raises(CertificateUnavailable):
                source.signing_certificate(forged(n), now)
    lines = [record.getMessage() for record in caplog.records if "budget spent" in record.getMessage()]
    assert len(lines) == 2
    assert "(199 time(s)" in lines[1]  # the first minute's 198 held back, and this one
