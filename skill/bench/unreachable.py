"""``voicecart bench unreachable``: /readyz, /healthz and a voice turn when the store cannot be reached.

Three ways a store goes away: the embedded store stopped (its clients outlive it), an endpoint whose port is
closed (connection refused), and a hung endpoint (a socket that accepts and never answers). For each, against
``serve``'s own app on a real threaded HTTP server: the first /readyz, a burst of concurrent /readyz probes
(their latencies, and how many store calls they made: each is a thread waiting on the store), /healthz, and a
voice turn (an add, in process) with what the customer heard and how long it took. A probe must answer 503
quickly, /healthz 200, and the turn must apologise well within Alexa's 8 seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

import requests
from werkzeug.serving import make_server

from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.embedded import EmbeddedDynamoDB
from skill.simulator.local import conversation_for
from skill.simulator.transport import InProcessTransport

CUSTOMER = "1285"
PROBES = 16


@dataclass
class Figures:
    case: str
    first_ready: tuple[int, float]
    burst: list[float]
    burst_statuses: set[int]
    store_calls: int  # describe_table calls the burst started (each one a thread waiting on the store)
    health: tuple[int, float]
    turn_seconds: float
    heard: str


@contextmanager
def _hung_endpoint() -> Iterator[str]:
    """A TCP server that accepts every connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def _closed_port() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


def _backend_at(endpoint: str, base: Settings, shared: Backend) -> Backend:
    settings = dataclasses.replace(base, store=endpoint, dynamodb_endpoint=endpoint, aws_region="us-east-1")
    return build_backend(
        settings, catalog=shared.catalog, resolver=shared.resolver, demo=True, create_tables=False, clock=shared.clock
    )


def _measure(case: str, backend: Backend) -> Figures:
    from skill.app import build_runtime, create_app

    app = create_app(backend.settings, backend=backend, verifiers=[])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        first = _timed(lambda: requests.get(f"{base}/readyz", timeout=30).status_code)
        time.sleep(1.1)  # the last result is stale again: the burst has to ask the store
        calls = [0]

        def count(**_: Any) -> None:
            calls[0] += 1

        events = backend.table.client.meta.events
        events.register("before-call.dynamodb.DescribeTable", count)
        with ThreadPoolExecutor(PROBES) as pool:
            burst = list(pool.map(lambda _: _timed(lambda: requests.get(f"{base}/readyz", timeout=30).status_code),
                                  range(PROBES)))  # fmt: skip
        events.unregister("before-call.dynamodb.DescribeTable", count)
        health = _timed(lambda: requests.get(f"{base}/healthz", timeout=30).status_code)
        assert backend.demo is not None
        conversation = conversation_for(
            InProcessTransport(build_runtime(backend)),
            skill_id=backend.settings.skill_id or "",
            account={"access_token": backend.demo.demo_token(CUSTOMER)},
        )
        started = time.perf_counter()
        turn = conversation.say("ask my grocer to add bananas")
        turn_seconds = time.perf_counter() - started
    finally:
        server.shutdown()
    return Figures(
        case,
        first,
        [seconds for _, seconds in burst],
        {status for status, _ in burst},
        calls[0],
        health,
        turn_seconds,
        turn.speech,
    )


def _timed(call: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    status = call()
    return status, time.perf_counter() - started


def measure(settings: Settings) -> list[Figures]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "unreachable-bench")  # signing needs some; nothing here is AWS
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "unreachable-bench")
    figures = []
    with EmbeddedDynamoDB() as store:
        reachable = dataclasses.replace(settings, store="endpoint", dynamodb_endpoint=store.endpoint)
        backend = build_backend(reachable, client=store.client(), demo=True)
        figures.append(_measure("embedded store, running (baseline)", backend))
        store.stop()
        figures.append(_measure("embedded store, stopped", backend))
    figures.append(_measure("endpoint on a closed port", _backend_at(_closed_port(), settings, backend)))
    with _hung_endpoint() as endpoint:
        figures.append(_measure("hung endpoint (accepts, never answers)", _backend_at(endpoint, settings, backend)))
    return figures


def print_figures(figures: list[Figures], out: TextIO) -> None:
    out.write(
        "| store | first /readyz | burst of 16 /readyz: statuses, median, max | store calls the burst made | "
        "/healthz | voice add: seconds, heard |\n|---|---|---|---|---|---|\n"
    )
    for row in figures:
        statuses = ",".join(str(s) for s in sorted(row.burst_statuses))
        out.write(
            f"| {row.case} | {row.first_ready[0]} in {row.first_ready[1] * 1000:.0f} ms | {statuses}, "
            f"{statistics.median(row.burst) * 1000:.0f} ms, {max(row.burst) * 1000:.0f} ms | {row.store_calls} | "
            f"{row.health[0]} in {row.health[1] * 1000:.0f} ms | {row.turn_seconds:.2f} s, {row.heard[:70]} |\n"
        )
    load = os.getloadavg()
    out.write(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")


def run(args: argparse.Namespace) -> int:
    figures = measure(Settings.load())
    print_figures(figures, sys.stdout)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("unreachable", help="/readyz, /healthz and a voice turn with the store gone")
    parser.set_defaults(func=run)
