"""``voicecart bench verify``: legitimate turn latency, quiet and under a flood of forged requests.

The flood is what an attacker can send for free: unsigned bodies with a fresh timestamp, our skill id, a
signature of the right length and a new, Amazon-shaped chain URL on every request
(``https://s3.amazonaws.com/echo.api/echo-api-cert-<n>.pem``), so every request passes every check that can be
made without the chain. The certificate host is simulated and slow (``--fetch-seconds``, default 3 s) for every
URL, the real one included, so a verifier that lets legitimate requests wait behind a fetch shows it at once.

Legitimate turns are signed launch requests of a linked demo customer, through the real app (verifier, skill,
embedded store), one at a time, over HTTP on loopback. In the third phase Amazon rotates its certificate while the
flood goes on: the turns are signed with a new key whose chain sits at a URL never fetched before, which must be
fetched even though the flood keeps the fetch budget for first-seen URLs spent. The customer's earlier turns were
verified, so the first turn with the new URL vouches for its fetch (``skill.verification.budget``): none is
refused. (A caller never verified before gets the new URL fetched once it repeats more than any forged one.)
Usage::

    voicecart bench verify [--seconds 10] [--flood-rps 10] [--fetch-seconds 3] [--forged-repeats 1] [--json]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from backend.identity.tokens import demo_token_for
from backend.services import build_backend
from backend.settings import Settings
from backend.store.embedded import store_for
from skill.app import ALEXA_ROUTE, create_app
from skill.bench.stats import quiet_logs, served_on_loopback, summary_ms
from skill.simulator import envelope as env
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from skill.verification import build_verifiers
from skill.verification.verifiers import SIGNATURE_CERT_CHAIN_URL_HEADER, SIGNATURE_HEADER

BENCH_CUSTOMER = "1285"
ROTATED_CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-rotated.pem"


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = bench_commands.add_parser("verify", help="legitimate latency under a flood of forged requests")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase (quiet, flood)")
    parser.add_argument("--flood-rps", type=float, default=10.0, help="forged requests per second")
    parser.add_argument("--fetch-seconds", type=float, default=3.0, help="simulated certificate fetch time")
    parser.add_argument(
        "--forged-repeats",
        type=int,
        default=1,
        help="send each forged chain URL this many times in a row (a forger trying to look like Alexa)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.set_defaults(func=run)


class SlowCertificateHost:
    """Stands in for S3 with a slow network: every fetch takes ``delay``; only the signer's chain exists."""

    def __init__(self, delay: float, *signers: LocalSigner) -> None:
        self._chains = {signer.chain_url: signer.chain_pem() for signer in signers}
        self._delay = delay
        self._lock = threading.Lock()
        self.fetches = 0

    def __call__(self, url: str) -> bytes:
        with self._lock:
            self.fetches += 1
        time.sleep(self._delay)
        if url not in self._chains:
            raise OSError("404")
        return self._chains[url]


def run(args: argparse.Namespace) -> int:
    if not 0 < args.seconds <= 300 or not 0 < args.flood_rps <= 200 or not 1 <= args.forged_repeats <= 1000:
        raise SystemExit("--seconds must be in (0, 300], --flood-rps in (0, 200] and --forged-repeats in [1, 1000]")
    quiet_logs()
    authority = LocalCertificateAuthority.create()
    signer = authority.issue_signer()
    rotated = authority.issue_signer(chain_url=ROTATED_CHAIN_URL)
    host = SlowCertificateHost(args.fetch_seconds, signer, rotated)
    settings = Settings.load(load_demo_data=False, log_level="ERROR")
    with store_for(settings) as reachable:
        backend = build_backend(reachable, demo=True)
        verifiers = build_verifiers(reachable, trust_roots=signer.trust_roots, cert_fetcher=host)
        app = create_app(reachable, backend=backend, verifiers=verifiers)
        with served_on_loopback(app) as base_url:
            url = base_url + ALEXA_ROUTE
            token = demo_token_for(BENCH_CUSTOMER, reachable.demo_token_secret.encode())
            legit = _LegitTurns(url, signer, reachable.skill_id or "", token)
            legit.one()  # the first turn provisions the customer and pays the one real fetch
            quiet = legit.for_seconds(args.seconds)
            flood = _Flood(url, reachable.skill_id or "", args.flood_rps, repeats=args.forged_repeats)
            flood.start()
            time.sleep(min(2.0, args.fetch_seconds))  # let slow fetches pile up before measuring
            loud = legit.for_seconds(args.seconds)
            flood_errors = legit.errors
            legit.signer = rotated  # Amazon's next certificate, at a URL nobody has fetched yet
            after_rotation = legit.for_seconds(args.seconds)
            flood.stop()
    report = {
        "fetch_seconds": args.fetch_seconds,
        "flood_rps": args.flood_rps,
        "forged_repeats": args.forged_repeats,
        "quiet": summary_ms(quiet),
        "flood": summary_ms(loud),
        "rotated": summary_ms(after_rotation),
        "legit_errors": flood_errors,
        "rotated_errors": legit.errors - flood_errors,
        "forged_sent": flood.sent,
        "forged_statuses": dict(sorted(flood.statuses.items())),
        "forged_accepted": flood.statuses.get("200", 0),
        "certificate_fetches": host.fetches,
    }
    quiet_p99 = summary_ms(quiet)["p99_ms"]
    flood_p99 = summary_ms(loud)["p99_ms"]
    report["p99_ratio"] = round(flood_p99 / quiet_p99, 2) if quiet_p99 else None
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0


class _LegitTurns:
    def __init__(self, url: str, signer: LocalSigner, skill_id: str, token: str) -> None:
        self._url = url
        self.signer = signer
        self._skill_id = skill_id
        self._identity = env.Identity(
            user_id=f"amzn1.ask.account.bench-{uuid.uuid4()}", device_id="amzn1.ask.device.bench", access_token=token
        )
        self.errors = 0

    def for_seconds(self, seconds: float, *, max_turns: int = 100_000) -> list[float]:
        """Turns one after another for ``seconds`` (and at most ``max_turns``); their latencies."""
        latencies: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(latencies) < max_turns:
            latencies.append(self.one())
        return latencies

    def one(self) -> float:
        request = env.launch_request(f"amzn1.echo-api.request.{uuid.uuid4()}", datetime.now(UTC), "en-US")
        session = env.SessionInfo(session_id=f"amzn1.echo-api.session.{uuid.uuid4()}", new=True, attributes={})
        body, headers = self.signer.sign_envelope(
            env.envelope(request, skill_id=self._skill_id, identity=self._identity, session=session)
        )
        started = time.perf_counter()
        status, _ = post(self._url, body, {**headers, "Content-Type": "application/json"})
        elapsed = time.perf_counter() - started
        if status != 200:
            self.errors += 1
        return elapsed


class _Flood:
    """Sends forged requests at a fixed rate, each from its own worker, until stopped (and at most 10 minutes)."""

    MAX_SECONDS = 600.0

    def __init__(self, url: str, skill_id: str, rate: float, *, repeats: int = 1) -> None:
        self._url = url
        self._repeats = repeats
        self._skill_id = skill_id
        self._interval = 1.0 / rate
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=int(rate * 12) + 4, thread_name_prefix="forger")
        self._thread = threading.Thread(target=self._loop, name="flood", daemon=True)
        self._lock = threading.Lock()
        self.sent = 0
        self.statuses: Counter[str] = Counter()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)

    def _loop(self) -> None:
        started = time.monotonic()
        next_at = started
        while not self._stop.is_set() and time.monotonic() - started < self.MAX_SECONDS:
            self._pool.submit(self._one, self.sent // self._repeats)
            self.sent += 1
            next_at += self._interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _one(self, n: int) -> None:
        body, headers = forged_request(self._skill_id, n)
        status, _ = post(self._url, body, headers, timeout=20.0)
        with self._lock:
            self.statuses[str(status)] += 1


def forged_request(skill_id: str, n: int) -> tuple[bytes, dict[str, str]]:
    """An unsigned launch request that passes every check short of the signature, with a chain URL of its own."""
    request = env.launch_request(f"amzn1.echo-api.request.forged-{n}", datetime.now(UTC), "en-US")
    identity = env.Identity(user_id="amzn1.ask.account.forger", device_id="amzn1.ask.device.forger")
    session = env.SessionInfo(session_id=f"amzn1.echo-api.session.forged-{n}", new=True, attributes={})
    body = json.dumps(env.envelope(request, skill_id=skill_id, identity=identity, session=session)).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_CERT_CHAIN_URL_HEADER: f"https://s3.amazonaws.com/echo.api/echo-api-cert-{n}.pem",
        SIGNATURE_HEADER: base64.b64encode(secrets.token_bytes(256)).decode(),
    }
    return body, headers


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 15.0) -> tuple[int, bytes]:
    """One POST on a fresh loopback connection; status 0 when the server could not be reached in time."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        connection.close()


def _print(report: dict[str, Any]) -> None:
    print(
        f"legitimate signed launch turns, one at a time; forged flood {report['flood_rps']}/s, each chain URL "
        f"{report['forged_repeats']} time(s); "
        f"every certificate fetch takes {report['fetch_seconds']} s"
    )
    header = f"{'phase':<8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for phase in ("quiet", "flood", "rotated"):
        row = report[phase]
        print(f"{phase:<8} {row['n']:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['max_ms']:>8}")
    print(f"flood p99 / quiet p99: {report['p99_ratio']}  (target <= 2)")
    print(
        f"forged requests sent {report['forged_sent']}, answered {report['forged_statuses']}, "
        f"accepted {report['forged_accepted']}; certificate fetches {report['certificate_fetches']}; "
        f"legitimate errors {report['legit_errors']}; after Amazon's rotation, legitimate errors "
        f"{report['rotated_errors']} (target 0: the customer's first request naming the new URL vouches for it)"
    )
