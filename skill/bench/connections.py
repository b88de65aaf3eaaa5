"""``voicecart bench connections``: what serve's HTTP layer costs per request, connections kept alive or not.

serve's server (``skill.connection_cap`` over ``skill.app_server``: the cap, deadlines, framing, keep-alive) runs
in a process of its own with a WSGI app that does nearly nothing (reads the body, answers a short JSON), so what
is measured is the server's own work per request: accept, thread, parse, answer, close. One client sends
``--requests`` POSTs of ``--body-bytes`` each, first on one kept-alive connection, then with ``Connection: close``
(a new connection and thread per request, as every request cost before serve kept connections alive). Reported:
the server's CPU per request (its own count of user + system time), wall time per request, connections opened.
Usage::

    voicecart bench connections [--requests 2000] [--body-bytes 3000] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from typing import Any

from skill.bench.stats import summary_ms

ANSWER = b'{"version":"1.0","response":{"shouldEndSession":true}}'  # what the measured server answers

MODES = ("keep-alive", "close")
WARM_REQUESTS = 50


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = bench_commands.add_parser("connections", help="serve's HTTP cost per request, kept alive or not")
    parser.add_argument("--requests", type=int, default=2000, help="requests in each mode")
    parser.add_argument("--body-bytes", type=int, default=3000, help="size of each request body (Alexa's: ~2-4 KB)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.requests <= 100_000 or not 0 <= args.body_bytes <= 1_000_000:
        raise SystemExit("--requests takes 1..100,000 and --body-bytes 0..1,000,000")
    report = measure(requests=args.requests, body_bytes=args.body_bytes)
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0


def measure(*, requests: int, body_bytes: int) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, "-m", "skill.bench.connections_server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        port = int(server.stdout.readline())

        def server_cpu_ms() -> int:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write("cpu\n")
            server.stdin.flush()
            return int(server.stdout.readline())

        body = b"x" * body_bytes
        modes: dict[str, dict[str, Any]] = {}
        for mode in MODES:
            client = _Client(port, keep_alive=mode == "keep-alive")
            client.send(body, WARM_REQUESTS)
            opened, before = client.opened, server_cpu_ms()
            latencies = client.send(body, requests)
            used = server_cpu_ms() - before
            client.close()
            modes[mode] = {
                "server_cpu_us_per_request": round(used * 1000 / requests),
                "wall_us_per_request": round(sum(latencies) * 1e6 / requests),
                "latency": summary_ms(latencies),
                "connections_opened": client.opened - opened,
            }
        keep, close = modes["keep-alive"], modes["close"]
        return {
            "requests": requests,
            "body_bytes": body_bytes,
            "modes": modes,
            "cpu_ratio_keep_alive_to_close": round(
                keep["server_cpu_us_per_request"] / max(close["server_cpu_us_per_request"], 1), 2
            ),
        }
    finally:
        server.stdin.close()  # the server stops at the end of its input
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
        server.stdout.close()


class _Client:
    def __init__(self, port: int, *, keep_alive: bool) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._headers = {"Content-Type": "application/json"}
        if not keep_alive:
            self._headers["Connection"] = "close"
        self.opened = 0

    def send(self, body: bytes, count: int) -> list[float]:
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            if self._connection.sock is None:
                self._connection.connect()
                self.opened += 1
            self._connection.request("POST", "/alexa", body=body, headers=self._headers)
            response = self._connection.getresponse()
            answer = response.read()
            if response.status != 200 or answer != ANSWER:
                raise SystemExit(f"the server answered {response.status}: {answer[:80]!r}")
            latencies.append(time.perf_counter() - started)
        return latencies

    def close(self) -> None:
        self._connection.close()


def _print(report: dict[str, Any]) -> None:
    print(
        f"serve's server, an app that does nothing; {report['requests']} POSTs of {report['body_bytes']} bytes "
        "in each mode, one client"
    )
    header = (
        f"{'connections':<12} {'server CPU us/req':>17} {'wall us/req':>11} {'p50 ms':>7} {'p99 ms':>7} {'opened':>7}"
    )
    print(header)
    print("-" * len(header))
    for mode, row in report["modes"].items():
        print(
            f"{mode:<12} {row['server_cpu_us_per_request']:>17} {row['wall_us_per_request']:>11} "
            f"{row['latency']['p50_ms']:>7} {row['latency']['p99_ms']:>7} {row['connections_opened']:>7}"
        )
    print(f"server CPU, kept alive / closed: {report['cpu_ratio_keep_alive_to_close']}")
