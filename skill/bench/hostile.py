"""``voicecart bench hostile``: the forged and malformed corpus against a running ``voicecart serve``.

Sends every Alexa case of the corpus (``tests/fixtures/requests/hostile/``: forged signatures, chain-URL tricks,
stale and odd timestamps, another skill's id, deep and huge bodies, wrong types in every envelope field, no
request id, odd unicode) and every API case of ``skill.bench.hostile_cases.api_cases`` (bad keys, missing scopes,
extreme dates, huge limits, odd unicode in ids and bodies), over HTTP, and counts the answers: accepted (2xx),
refused (4xx), 5xx, no answer, and answers that are not JSON. Three unedited signed requests go first as the
control: if they are not accepted, the signer is not trusted and the figures would mean nothing. Last, the
controls again, "crowded": sent while ``CROWD`` connections (well past serve's connection cap) each hold half a
request line open; serve must still answer them, not refuse everyone until the slow ones time out.

By default it starts ``voicecart serve`` itself (embedded store, demo data, trusting a throwaway local signer) and
stops it afterwards. Against a server you started::

    voicecart signer init /tmp/signer
    VOICECART_LOCAL_SIGNER_DIR=/tmp/signer voicecart serve --port 8080
    voicecart bench hostile --url http://127.0.0.1:8080 --signer /tmp/signer --api-key <demo API key> [--json]

Exit status 1 when a hostile request is accepted, answered 5xx or not at all, or a control is refused.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from skill.app_server import REQUEST_READ_SECONDS
from skill.bench.hostile_cases import (
    CONTROL_BASES,
    PROJECT_CORPUS,
    ApiCase,
    WireCase,
    api_cases,
    bench_envelope,
    case_request,
    load_alexa_cases,
    wire_cases,
)
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner, init_local_signer

ALEXA_ROUTE = "/alexa"
API_PREFIX = "/api/v1"
STARTUP_SECONDS = 240.0
# How long past the server's read deadline a stalled connection may stay open before it counts as held.
WIRE_GRACE_SECONDS = 5.0
CLOSED = -1  # the server closed the connection without an answer (right for a request that stalls)
CROWD = 200  # slow connections held open for the crowded controls: three times serve's default connection cap
CROWD_WAIT_SECONDS = 1.5  # long enough for serve to count them as waiting (skill.connection_cap.SHED_AFTER_SECONDS)


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = bench_commands.add_parser("hostile", help="forged and malformed requests against a running serve")
    parser.add_argument("--url", help="a running serve's base URL (default: start one)")
    parser.add_argument("--signer", type=Path, help="the local signer directory that serve trusts (with --url)")
    parser.add_argument("--api-key", help="the demo API key serve printed (with --url)")
    parser.add_argument("--customer", help="a demo customer id for the API cases (default: the first serve lists)")
    parser.add_argument("--corpus", type=Path, default=PROJECT_CORPUS, help="directory of Alexa cases")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Target:
    base_url: str
    signer: LocalSigner
    api_key: str
    customer: str


@dataclass(frozen=True, slots=True)
class Answer:
    group: str
    name: str
    status: int  # 0: no answer
    json_object: bool
    excerpt: str


def run(args: argparse.Namespace) -> int:
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}: pass --corpus (the project's tests/fixtures/requests/hostile)")
    if args.url:
        if args.signer is None or not args.api_key:
            raise SystemExit("--url needs --signer (the directory serve trusts) and --api-key")
        target = Target(args.url.rstrip("/"), LocalSigner.load(args.signer), args.api_key, args.customer or "1285")
        report = measure(target, args.corpus)
    else:
        with started_serve() as started:
            report = measure(started if not args.customer else _with_customer(started, args.customer), args.corpus)
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0 if report["ok"] else 1


def _with_customer(target: Target, customer: str) -> Target:
    return Target(target.base_url, target.signer, target.api_key, customer)


def measure(target: Target, corpus: Path) -> dict[str, Any]:
    stranger = LocalCertificateAuthority.create().issue_signer()
    answers: list[Answer] = []
    for base in CONTROL_BASES:
        body, headers = target.signer.sign_envelope(bench_envelope(base))
        answers.append(_send("control", base, target.base_url + ALEXA_ROUTE, "POST", body, headers=headers))
    for case in load_alexa_cases(corpus):
        body, headers = case_request(case, target.signer, stranger, bench_envelope)
        answers.append(_send("alexa", case["name"], target.base_url + ALEXA_ROUTE, "POST", body, headers=headers))
    for api in api_cases():
        answers.append(_send_api(target, api))
    cases = wire_cases()
    with ThreadPoolExecutor(len(cases)) as pool:  # the stalled ones each wait out the read deadline: together
        answers.extend(pool.map(lambda case: send_wire(target.base_url, case), cases))
    answers.extend(crowded_controls(target))
    return _report(answers, target.base_url, {case.name for case in cases if case.stalls})


def crowded_controls(target: Target, crowd: int = CROWD) -> list[Answer]:
    """The signed controls, each sent while ``crowd`` other connections dribble a request that never completes."""
    parts = urlsplit(target.base_url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    slow: list[socket.socket] = []
    try:
        for _ in range(crowd):
            with suppress(OSError):  # refused or reset: the server is already protecting itself
                connection = socket.create_connection(address, timeout=REQUEST_READ_SECONDS)
                slow.append(connection)
                connection.sendall(b"POST /alexa HT")
        time.sleep(CROWD_WAIT_SECONDS)
        answers = []
        for base in CONTROL_BASES:
            body, headers = target.signer.sign_envelope(bench_envelope(base))
            answers.append(_send("crowded", base, target.base_url + ALEXA_ROUTE, "POST", body, headers=headers))
        return answers
    finally:
        for connection in slow:
            connection.close()


def _send_api(target: Target, case: ApiCase) -> Answer:
    headers = {"Content-Type": case.content_type, **case.headers}
    if case.key == "demo":
        headers["Authorization"] = f"Bearer {target.api_key}"
    elif case.key is not None:
        headers["Authorization"] = case.key
    url = target.base_url + API_PREFIX + case.path.replace("{c}", target.customer)
    return _send("api", case.name, url, case.method, case.body, headers=headers)


def _send(group: str, name: str, url: str, method: str, body: bytes | None, *, headers: dict[str, str]) -> Answer:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30.0)
    try:
        # putrequest sends the path as already quoted and the headers as given (latin-1): what an attacker sends.
        connection.putrequest(method, path, skip_accept_encoding=True)
        for header, value in headers.items():
            connection.putheader(header, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body or b"")
        response = connection.getresponse()
        raw = response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return Answer(group, name, 0, False, type(exc).__name__)
    finally:
        connection.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return Answer(group, name, status, isinstance(parsed, dict), raw[:160].decode("utf-8", "replace"))


def send_wire(base_url: str, case: WireCase) -> Answer:
    """The case's bytes on a raw connection, then whatever the server sends until it closes the connection."""
    parts = urlsplit(base_url)
    received = b""
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 80), timeout=REQUEST_READ_SECONDS + WIRE_GRACE_SECONDS
        ) as connection:
            # Refused before it all went out (a header too long)? The answer may still be there to read.
            with suppress(OSError):
                connection.sendall(case.data)
            while chunk := connection.recv(65536):
                received += chunk
    except TimeoutError:
        return Answer("wire", case.name, 0, False, "still open after the read deadline")
    except OSError as exc:
        if not received:
            return Answer("wire", case.name, CLOSED, False, type(exc).__name__)
    if not received:
        return Answer("wire", case.name, CLOSED, False, "closed without an answer")
    while received.startswith(b"HTTP/1.1 100"):  # interim answers to Expect: 100-continue
        received = received.partition(b"\r\n\r\n")[2]
    head, _, body = received.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    return Answer("wire", case.name, status, isinstance(parsed, dict), received[:160].decode("utf-8", "replace"))


def _bucket(status: int) -> str:
    if status == CLOSED:
        return "closed"
    if status == 0:
        return "no answer"
    return f"{status // 100}xx"


def _report(answers: list[Answer], base_url: str, stalling: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    failures: list[dict[str, Any]] = []
    for group in ("control", "alexa", "api", "wire", "crowded"):
        mine = [answer for answer in answers if answer.group == group]
        buckets = Counter(_bucket(answer.status) for answer in mine)
        groups[group] = {
            "sent": len(mine),
            "accepted": buckets.get("2xx", 0),
            "4xx": buckets.get("4xx", 0),
            "5xx": buckets.get("5xx", 0),
            "closed": buckets.get("closed", 0),
            "other": sum(count for bucket, count in buckets.items() if bucket not in ("2xx", "4xx", "5xx", "closed")),
            "not_json": sum(1 for answer in mine if not answer.json_object),
            "statuses": dict(sorted(Counter(str(answer.status) for answer in mine).items())),
        }
        for answer in mine:
            if group in ("control", "crowded"):
                wanted = answer.status // 100 == 2 and answer.json_object
            else:
                closed_as_it_should = answer.status == CLOSED and answer.name in stalling
                wanted = (answer.status // 100 == 4 and answer.json_object) or closed_as_it_should
            if not wanted:
                failures.append(
                    {"group": group, "name": answer.name, "status": answer.status, "excerpt": answer.excerpt}
                )
    hostile = [answer for answer in answers if answer.group not in ("control", "crowded")]
    return {
        "server": base_url,
        "hostile_sent": len(hostile),
        "hostile_accepted": sum(1 for answer in hostile if answer.status // 100 == 2),
        "hostile_4xx": sum(1 for answer in hostile if answer.status // 100 == 4),
        "hostile_5xx": sum(1 for answer in hostile if answer.status // 100 == 5),
        "hostile_closed": sum(1 for answer in hostile if answer.status == CLOSED),
        "groups": groups,
        "failures": failures,
        "ok": not failures,
    }


@contextmanager
def started_serve() -> Iterator[Target]:
    """``voicecart serve`` on a free loopback port, trusting a fresh local signer; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="voicecart-hostile-") as scratch:
        signer_dir = Path(scratch) / "signer"
        signer = init_local_signer(signer_dir)
        environment = {
            **os.environ,
            "VOICECART_LOCAL_SIGNER_DIR": str(signer_dir),
            "VOICECART_LOG_LEVEL": "ERROR",
            "VOICECART_EMAIL_FOLDER": str(Path(scratch) / "mail"),
        }
        command = [sys.executable, "-m", "skill.cli", "serve", "--host", "127.0.0.1", "--port", "0"]
        process = subprocess.Popen(  # noqa: S603 - our own CLI, by the running interpreter
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=environment,
        )
        try:
            announced = _read_announcement(process)
            yield Target(announced["base_url"], signer, announced["api_key"], announced["customer"])
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_ENDPOINT = re.compile(r"Alexa endpoint\s+POST (http://\S+?)/alexa")
_API_KEY = re.compile(r"demo API key\s+(\S+)")
_CUSTOMER = re.compile(r"customer\s+(\S+)\s+token\s")


def _read_announcement(process: subprocess.Popen[str]) -> dict[str, str]:
    """Read serve's banner until 'Talk to it'; its stdout is drained afterwards so it never blocks."""
    assert process.stdout is not None
    found: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_SECONDS
    for line in process.stdout:
        if (match := _ENDPOINT.search(line)) is not None:
            found["base_url"] = match.group(1)
        elif (match := _API_KEY.search(line)) is not None:
            found["api_key"] = match.group(1)
        elif (match := _CUSTOMER.search(line)) is not None and "customer" not in found:
            found["customer"] = match.group(1)
        if line.startswith("Talk to it") or time.monotonic() > deadline:
            break
    if set(found) != {"base_url", "api_key", "customer"}:
        raise SystemExit(f"voicecart serve did not announce itself as expected (exit {process.poll()}): {found}")
    stdout = process.stdout
    threading.Thread(target=stdout.read, name="serve-stdout", daemon=True).start()
    return found


def _print(report: dict[str, Any]) -> None:
    print(f"hostile corpus against {report['server']}")
    header = f"{'group':<8} {'sent':>5} {'2xx':>5} {'4xx':>5} {'5xx':>5} {'closed':>7} {'other':>6} {'not JSON':>9}"
    print(header)
    print("-" * len(header))
    for group, row in report["groups"].items():
        print(
            f"{group:<8} {row['sent']:>5} {row['accepted']:>5} {row['4xx']:>5} {row['5xx']:>5} {row['closed']:>7} "
            f"{row['other']:>6} "
            f"{row['not_json']:>9}"
        )
    print(
        f"hostile requests: {report['hostile_sent']} sent, {report['hostile_accepted']} accepted, "
        f"{report['hostile_4xx']} refused 4xx, {report['hostile_closed']} stalled and cut off, "
        f"{report['hostile_5xx']} answered 5xx  (target: 0 accepted, 0 5xx, none held open)"
    )
    for failure in report["failures"]:
        print(f"  FAIL {failure['group']}/{failure['name']}: {failure['status']} {failure['excerpt']!r}")
