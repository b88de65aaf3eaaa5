"""The server ``voicecart serve`` runs on: slow and malformed connections are cut off or refused in JSON."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Any

import pytest

from backend.services import Backend
from skill.app import create_app
from skill.app_server import DRAIN_BYTES, GuardedRequestHandler, make_guarded_server
from skill.bench.hostile import CLOSED, send_wire
from skill.bench.hostile_cases import WireCase, wire_cases
from tests.support.sockets import GIVE_UP_SECONDS, connect, is_closed, read_response, read_until_closed

READ_SECONDS = 0.5
IDLE_SECONDS = 1.0


class _QuickHandler(GuardedRequestHandler):
    read_seconds = READ_SECONDS
    idle_seconds = IDLE_SECONDS


def _echo_length(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """A plain WSGI app (not ours): answers with the length of the body it read (on ``/ignore``, reads none)."""
    if environ["PATH_INFO"] == "/ignore":
        return _json("200 OK", {"read": 0}, start_response)
    if environ["PATH_INFO"] == "/stream":  # an answer without a length: chunked on HTTP/1.1
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"read": ', b"0}"]
    body = environ["wsgi.input"].read() if environ.get("wsgi.input_terminated") else b""
    if not body and environ.get("CONTENT_LENGTH"):
        try:
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        except OSError:
            return _json("400 Bad Request", {"error": "body"}, start_response)
    return _json("200 OK", {"read": len(body)}, start_response)


def _json(status: str, document: dict[str, Any], start_response: Any) -> list[bytes]:
    data = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = make_guarded_server("127.0.0.1", 0, _echo_length, handler=_QuickHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


def _exchange(port: int, data: bytes) -> bytes:
    with connect(port) as connection:
        connection.sendall(data)
        return read_until_closed(connection)


def _json_body(answer: bytes) -> dict[str, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), answer
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def test_a_whole_request_is_served(port: int) -> None:
    answer = _exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
    assert answer.startswith(b"HTTP/1.1 200") and _json_body(answer) == {"read": 5}


def test_a_chunked_request_is_served(port: int) -> None:
    answer = _exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 200") and _json_body(answer) == {"read": 5}


def test_requests_one_after_another_share_one_connection(port: int) -> None:
    with connect(port) as connection:
        for n in range(3):
            connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n + b"x" * n)
            answer = read_response(connection)
            assert answer.startswith(b"HTTP/1.1 200") and _json_body(answer) == {"read": n}
            assert b"connection: close" not in answer.lower()
        chunked = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        connection.sendall(chunked)
        assert _json_body(read_response(connection)) == {"read": 3}
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        last = read_until_closed(connection)  # asked to be the last: answered, then closed
    assert last.startswith(b"HTTP/1.1 200") and b"connection: close" in last.lower()


class _ThreeRequestsHandler(_QuickHandler):
    max_requests = 3


def test_a_connection_carries_at_most_max_requests_the_last_answered_with_close() -> None:
    server = make_guarded_server("127.0.0.1", 0, _echo_length, handler=_ThreeRequestsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with connect(server.server_port) as connection:
            for n in range(2):
                connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n + b"x" * n)
                answer = read_response(connection)
                assert _json_body(answer) == {"read": n} and b"connection: close" not in answer.lower()
            # The third (and a fourth sent right behind it): the third is answered and says it is the last; the
            # fourth is never answered on this connection.
            connection.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd"
            )
            last = read_until_closed(connection)
        assert last.startswith(b"HTTP/1.1 200") and b"connection: close" in last.lower()
        assert last.count(b"HTTP/1.1") == 1 and _json_body(last) == {"read": 3}
        with connect(server.server_port) as again:  # a new connection starts its own count
            again.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx")
            answer = read_response(again)
            assert _json_body(answer) == {"read": 1} and b"connection: close" not in answer.lower()
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_serve_closes_a_connection_after_a_bounded_number_of_requests() -> None:
    assert 100 <= GuardedRequestHandler.max_requests <= 100_000


def test_requests_sent_together_are_answered_in_order_none_eaten_as_a_body(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd"
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        answers = read_until_closed(connection)
    assert answers.count(b"HTTP/1.1 200") == 3
    assert [json.loads(part.split(b"\r\n\r\n")[1]) for part in answers.split(b"HTTP/1.1 ")[1:]] == [
        {"read": 2},
        {"read": 4},
        {"read": 0},
    ]


def test_a_body_the_app_left_unread_is_read_away_not_taken_for_the_next_request(port: int) -> None:
    with connect(port) as connection:
        # The body looks like a request of its own: were it left on the connection, it would be answered.
        smuggled = b"GET /ignore HTTP/1.1\r\nHost: x\r\n\r\n"
        connection.sendall(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(smuggled) + smuggled)
        assert read_response(connection).startswith(b"HTTP/1.1 200")
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
        rest = read_until_closed(connection)
    assert rest.count(b"HTTP/1.1 ") == 1 and _json_body(rest) == {"read": 3}


def test_a_large_body_left_unread_ends_the_connection_after_the_answer(port: int) -> None:
    body = b"x" * (DRAIN_BYTES + 10_000)
    with connect(port) as connection:
        connection.sendall(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
        with suppress(OSError):  # the server may close before all of it went out
            connection.sendall(body)
        answer = read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 200")


def test_an_answer_without_a_length_is_chunked_and_the_connection_goes_on(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while not received.endswith(b"0\r\n\r\n"):
            received += connection.recv(65536)
        assert b"transfer-encoding: chunked" in received.lower()
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        assert read_response(connection).startswith(b"HTTP/1.1 200")


def test_an_http_1_0_request_is_the_last_unless_it_asks_to_keep_alive(port: int) -> None:
    assert _exchange(port, b"GET / HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 200")  # closed after it
    with connect(port) as connection:
        connection.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        answer = read_response(connection)
        assert b"connection: keep-alive" in answer.lower()
        connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert read_until_closed(connection).startswith(b"HTTP/1.1 200")


def test_a_refused_request_ends_its_connection(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")
        answer = read_response(connection)
        assert answer.startswith(b"HTTP/1.1 400")
        assert is_closed(connection)


def test_an_idle_connection_is_closed_after_the_idle_allowance(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(connection)
        assert not is_closed(connection, within=IDLE_SECONDS / 2)  # idle, but within its allowance
        assert is_closed(connection, within=IDLE_SECONDS * 3)


def test_a_kept_alive_request_has_the_whole_read_deadline_from_its_first_byte(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(connection)
        time.sleep(READ_SECONDS * 1.2)  # idle longer than a request may take to arrive, as a keep-alive client may
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        time.sleep(READ_SECONDS / 2)
        connection.sendall(b"Content-Length: 2\r\n\r\nab")
        assert _json_body(read_response(connection)) == {"read": 2}


def test_a_connection_that_stops_mid_headers_is_closed(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Half: ")
        assert read_until_closed(connection) == b""  # closed by the server (else no return)


def test_a_client_dribbling_its_headers_is_cut_off_at_the_deadline(port: int) -> None:
    # Each byte comes well within any per-read timeout; only a deadline for the whole request stops this.
    with connect(port) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        closed = False
        for _ in range(int(GIVE_UP_SECONDS / 0.05)):
            try:
                connection.sendall(b"a")
            except OSError:
                closed = True
                break
            time.sleep(0.05)
            connection.setblocking(False)
            try:
                closed = connection.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed = True
            finally:
                connection.setblocking(True)
                connection.settimeout(GIVE_UP_SECONDS)
            if closed:
                break
        assert closed


def test_a_body_that_never_arrives_is_a_refusal_not_a_held_thread(port: int) -> None:
    with connect(port) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b")
        answer = read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 400"), answer


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        b"Content-Length: 5\r\nContent-Length: 50\r\n",
    ],
    ids=["length-and-chunked", "two-lengths"],
)
def test_two_framings_of_one_body_are_refused(port: int, framing: bytes) -> None:
    answer = _exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n5\r\nhello\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert _json_body(answer)["error"] == "bad_request"


@pytest.mark.parametrize(
    "size", [b"0x5", b"+5", b"5_", b" 5", b"5\n"], ids=["0x", "plus", "underscore", "space", "bare-lf"]
)
def test_a_chunk_size_that_is_no_hex_number_ending_in_crlf_is_refused(app_port: int, size: bytes) -> None:
    line = size if size.endswith(b"\n") else size + b"\r\n"
    head = b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    answer = _exchange(app_port, head + line + b"hello\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer


def test_a_chunk_extension_is_allowed(port: int) -> None:
    answer = _exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5;name=v\r\nhello\r\n0\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 200"), answer


HIDDEN_REQUEST = b"GET /hidden HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 0\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n",
    ],
    ids=["gzip", "identity", "gzip-then-chunked", "space-before-colon", "length-with-space"],
)
def test_a_body_framed_by_nothing_this_server_reads_is_refused_never_served_as_the_next_request(
    port: int, head: bytes
) -> None:
    # With connections kept alive, a body whose end the server cannot tell (an encoding other than chunked, or a
    # header line http.client drops with every line after it) would be read as a request of its own: smuggled.
    answer = _exchange(port, head + b"\r\n" + HIDDEN_REQUEST)
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert answer.count(b"HTTP/1.1 ") == 1 and b"/hidden" not in answer, answer


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: a\r\n" % n for n in range(101)) + b"\r\n", b"431"),
        (b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", b"431"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", b"414"),
        (b"GET / HTTP/1.1<script>\r\n\r\n", b"400"),
        (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"400"),
    ],
    ids=["101-headers", "huge-header", "huge-request-line", "bad-version", "http2-preface"],
)
def test_errors_before_the_app_are_json_and_echo_nothing(port: int, request_bytes: bytes, status: bytes) -> None:
    answer = _exchange(port, request_bytes)
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
    refusal = _json_body(answer)
    assert set(refusal) == {"error", "reason"} and "<script>" not in refusal["reason"]


@pytest.fixture(scope="module")
def app_port(shared_backend: Backend) -> Iterator[int]:
    """The real app (verification on) behind the guarded server, with a short read deadline."""
    server = make_guarded_server("127.0.0.1", 0, create_app(backend=shared_backend), handler=_QuickHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


WIRE_CASES = wire_cases()


@pytest.mark.parametrize("case", WIRE_CASES, ids=[case.name for case in WIRE_CASES])
def test_the_benchs_wire_cases_are_refused_in_json_or_cut_off(app_port: int, case: WireCase) -> None:
    answer = send_wire(f"http://127.0.0.1:{app_port}", case)
    if case.stalls and answer.status == CLOSED:
        return
    assert 400 <= answer.status < 500 and answer.json_object, (answer.status, answer.excerpt)


def test_the_access_line_is_written_when_its_logger_listens_and_only_then(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    request = b"GET /ignore HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        _exchange(port, request)
    assert any('"GET /ignore HTTP/1.1" 200' in record.getMessage() for record in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="werkzeug"):
        _exchange(port, request)
    assert not [record for record in caplog.records if record.name == "werkzeug"]
