"""``voicecart serve``'s bound on connections served at once: beyond it, a prompt 503 with Retry-After in JSON."""

from __future__ import annotations

import argparse
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from skill.commands import serve
from skill.connection_cap import CappedWSGIServer, make_capped_server
from tests.support.sockets import GIVE_UP_SECONDS, connect, is_closed, read_response, read_until_closed

REQUEST = b"GET /held HTTP/1.1\r\nHost: x\r\n\r\n"


class HeldApp:
    """A plain WSGI app (not ours) that holds every request until released, counting those it holds."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._held = 0
        self.all_held = threading.Condition(self._lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._lock:
            self._held += 1
            self.all_held.notify_all()
        self.release.wait(GIVE_UP_SECONDS)
        with self._lock:
            self._held -= 1
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]

    def wait_until_holding(self, count: int) -> None:
        with self._lock:
            assert self.all_held.wait_for(lambda: self._held >= count, GIVE_UP_SECONDS), "requests never arrived"


@pytest.fixture
def held() -> HeldApp:
    return HeldApp()


@pytest.fixture
def server(held: HeldApp) -> Iterator[CappedWSGIServer]:
    capped = make_capped_server("127.0.0.1", 0, held, max_connections=2)
    thread = threading.Thread(target=capped.serve_forever, daemon=True)
    thread.start()
    yield capped
    held.release.set()
    capped.shutdown()
    thread.join(timeout=5)
    capped.server_close()


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the server never got there"
        time.sleep(0.01)


def _hold(port: int, count: int, held: HeldApp) -> list[socket.socket]:
    connections = [connect(port) for _ in range(count)]
    for connection in connections:
        connection.sendall(REQUEST)
    held.wait_until_holding(count)
    return connections


def test_a_connection_beyond_the_cap_is_answered_503_with_retry_after_while_the_others_are_held(
    server: CappedWSGIServer, held: HeldApp
) -> None:
    holding = _hold(server.server_port, 2, held)
    with connect(server.server_port) as third:
        third.sendall(REQUEST)
        answer = read_until_closed(third)  # answered while both held requests are still held: it did not wait for them
    assert not held.release.is_set()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 ")
    assert b"\r\nRetry-After: 1" in head
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"] == "service_unavailable"
    held.release.set()
    for connection in holding:
        with connection:
            connection.sendall(b"")
            assert b" 200 " in connection.recv(65536).split(b"\r\n", 1)[0]


def test_a_refusal_reaches_a_client_that_sends_its_request_after_connecting(
    server: CappedWSGIServer, held: HeldApp
) -> None:
    """The 503 goes out before the request is read; the late request must not reset the answer away."""
    holding = _hold(server.server_port, 2, held)
    with connect(server.server_port) as late:
        _wait_for(lambda: server.refused == 1)  # refused on arrival, before it sent a byte
        body = b'{"x": "' + b"y" * 20_000 + b'"}'
        late.sendall(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert read_until_closed(late).startswith(b"HTTP/1.1 503 ")
    for connection in holding:
        connection.close()


def test_slots_come_back_when_connections_end_however_many_were_refused(
    server: CappedWSGIServer, held: HeldApp
) -> None:
    holding = _hold(server.server_port, 2, held)
    for _ in range(40):
        with connect(server.server_port) as refused:
            refused.sendall(REQUEST)
            assert read_until_closed(refused).startswith(b"HTTP/1.1 503 ")
    assert server.refused == 40
    held.release.set()
    for connection in holding:
        with connection:
            assert b" 200 " in connection.recv(65536)
    held.release.clear()
    _wait_for(lambda: server.serving == 0)
    # Both slots are free again: two more are served (held), none refused.
    again = _hold(server.server_port, 2, held)
    assert server.refused == 40
    held.release.set()
    for connection in again:
        connection.close()


def test_past_the_refusal_bound_a_connection_is_closed_unanswered_and_nothing_leaks(held: HeldApp) -> None:
    capped = CappedWSGIServer("127.0.0.1", 0, held, max_connections=1, max_refusing=0)
    thread = threading.Thread(target=capped.serve_forever, daemon=True)
    thread.start()
    try:
        holding = _hold(capped.server_port, 1, held)
        with connect(capped.server_port) as dropped:
            dropped.sendall(REQUEST)
            assert read_until_closed(dropped) == b""
        held.release.set()
        with holding[0]:
            assert b" 200 " in holding[0].recv(65536)
        _wait_for(lambda: capped.serving == 0)
        with connect(capped.server_port) as after:
            after.sendall(REQUEST)
            assert b" 200 " in after.recv(65536)
    finally:
        held.release.set()
        capped.shutdown()
        thread.join(timeout=5)
        capped.server_close()


def test_serve_takes_a_bound_and_refuses_a_bound_that_is_not_one() -> None:
    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers())
    assert parser.parse_args(["serve", "--max-connections", "5"]).max_connections == 5
    assert parser.parse_args(["serve"]).max_connections >= 16
    for bad in ("0", "-3", "many"):
        with pytest.raises(SystemExit):
            parser.parse_args(["serve", "--max-connections", bad])


def _slow(port: int) -> socket.socket:
    """A slowloris: half a request line, then nothing."""
    connection = connect(port)
    connection.sendall(b"GET /held HT")
    return connection


def _capped(app: Any, **options: Any) -> tuple[CappedWSGIServer, threading.Thread]:
    capped = CappedWSGIServer("127.0.0.1", 0, app, max_connections=2, **options)
    thread = threading.Thread(target=capped.serve_forever, daemon=True)
    thread.start()
    return capped, thread


def _stop(capped: CappedWSGIServer, thread: threading.Thread) -> None:
    capped.shutdown()
    thread.join(timeout=5)
    capped.server_close()


def test_connections_that_never_finish_their_request_give_their_places_to_new_ones(held: HeldApp) -> None:
    capped, thread = _capped(held, shed_after=0.05)
    try:
        slow = [_slow(capped.server_port) for _ in range(2)]
        _wait_for(lambda: capped.serving == 2)
        time.sleep(0.1)  # both have waited longer than shed_after
        fresh = _hold(capped.server_port, 2, held)  # each takes a slow one's place, and is held being answered
        assert (capped.shed, capped.refused) == (2, 0)
        for connection in slow:  # each was closed by the server, unanswered
            with connection:
                assert read_until_closed(connection) == b""
        held.release.set()
        for connection in fresh:
            with connection:
                assert b" 200 " in connection.recv(65536)
    finally:
        held.release.set()
        _stop(capped, thread)


def test_a_body_that_dribbles_in_gives_its_place_too(held: HeldApp) -> None:
    capped, thread = _capped(_reads_body(held), shed_after=0.05)
    try:
        dribbling = []
        for _ in range(2):
            connection = connect(capped.server_port)
            connection.sendall(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)
            dribbling.append(connection)
        _wait_for(lambda: capped.serving == 2)
        time.sleep(0.1)
        fresh = _hold(capped.server_port, 1, held)[0]
        assert (capped.shed, capped.refused) == (1, 0)
        held.release.set()
        with fresh:
            assert b" 200 " in fresh.recv(65536)
        for connection in dribbling:
            connection.close()
    finally:
        held.release.set()
        _stop(capped, thread)


def _reads_body(app: HeldApp) -> Any:
    def reading(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            try:
                environ["wsgi.input"].read(length)
            except OSError:
                start_response("400 Bad Request", [("Content-Length", "0")])
                return [b""]
        return app(environ, start_response)

    return reading


def test_a_request_being_answered_keeps_its_place_however_long_it_takes(held: HeldApp) -> None:
    capped, thread = _capped(held, shed_after=0.05)
    try:
        busy = _hold(capped.server_port, 2, held)
        time.sleep(0.1)  # longer than shed_after: they are being answered, not waiting
        with connect(capped.server_port) as third:
            third.sendall(REQUEST)
            assert read_until_closed(third).startswith(b"HTTP/1.1 503 ")
        assert capped.shed == 0
        held.release.set()
        for connection in busy:
            with connection:
                assert b" 200 " in connection.recv(65536)
    finally:
        held.release.set()
        _stop(capped, thread)


def test_a_request_that_just_began_keeps_its_place(held: HeldApp) -> None:
    capped, thread = _capped(held, shed_after=60.0)
    try:
        slow = [_slow(capped.server_port) for _ in range(2)]
        _wait_for(lambda: capped.serving == 2)
        with connect(capped.server_port) as third:
            third.sendall(REQUEST)
            assert read_until_closed(third).startswith(b"HTTP/1.1 503 ")
        assert capped.shed == 0
        for connection in slow:
            connection.close()
    finally:
        _stop(capped, thread)


def test_a_flood_of_refusals_is_one_log_line_not_one_a_connection(
    server: CappedWSGIServer, held: HeldApp, caplog: pytest.LogCaptureFixture
) -> None:
    holding = _hold(server.server_port, 2, held)
    with caplog.at_level(logging.WARNING, logger="skill.connection_cap"):
        for _ in range(20):
            with connect(server.server_port) as refused:
                refused.sendall(REQUEST)
                read_until_closed(refused)
    assert len([record for record in caplog.records if record.name == "skill.connection_cap"]) == 1
    held.release.set()
    for connection in holding:
        connection.close()


QUICK = b"GET /quick HTTP/1.1\r\nHost: x\r\n\r\n"


def _quick_or_held(app: HeldApp) -> Any:
    """Answers ``/quick`` at once; holds every other request as ``app`` does."""

    def answering(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/quick":
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
            return [b"{}"]
        return app(environ, start_response)

    return answering


def _answered(connection: socket.socket, request: bytes = QUICK) -> socket.socket:
    connection.sendall(request)
    assert read_response(connection).startswith(b"HTTP/1.1 200 ")
    return connection


def test_a_kept_alive_connection_serves_one_request_after_another_in_one_place(held: HeldApp) -> None:
    capped, thread = _capped(_quick_or_held(held))
    try:
        with connect(capped.server_port) as connection:
            for _ in range(5):
                _answered(connection)
            assert capped.serving == 1
        _wait_for(lambda: capped.serving == 0)  # the client closed it: its place is free at once
        assert (capped.shed, capped.refused) == (0, 0)
    finally:
        _stop(capped, thread)


def test_idle_kept_alive_connections_give_their_places_to_new_ones(held: HeldApp) -> None:
    capped, thread = _capped(_quick_or_held(held), shed_after=0.05)
    try:
        idle = [_answered(connect(capped.server_port)) for _ in range(2)]
        time.sleep(0.1)  # both idle longer than shed_after
        fresh = _hold(capped.server_port, 2, held)
        assert (capped.shed, capped.refused) == (2, 0)
        for connection in idle:
            with connection:
                assert is_closed(connection)
        held.release.set()
        for connection in fresh:
            with connection:
                assert b" 200 " in connection.recv(65536)
    finally:
        held.release.set()
        _stop(capped, thread)


def test_what_sheds_is_the_age_of_the_request_awaited_not_of_the_connection(held: HeldApp) -> None:
    """A connection idle a long while that has just begun its next request is not old: it keeps its place."""
    capped, thread = _capped(_quick_or_held(held), shed_after=1.0)
    try:
        kept = _answered(connect(capped.server_port))
        time.sleep(1.5)  # idle for longer than shed_after ...
        # (its wait began when the server finished the answer, a little after the client read it)
        assert capped.longest_wait() > 1.0
        kept.sendall(b"GET /quick HTTP/1.1\r\n")  # ... then its next request begins, and is still arriving
        _wait_for(lambda: capped.longest_wait() < 1.0)  # the server has seen its first byte
        busy = _hold(capped.server_port, 1, held)[0]
        with connect(capped.server_port) as third:
            third.sendall(REQUEST)
            assert read_until_closed(third).startswith(b"HTTP/1.1 503 ")
        assert capped.shed == 0
        kept.sendall(b"Host: x\r\n\r\n")
        assert read_response(kept).startswith(b"HTTP/1.1 200 ")
        held.release.set()
        with busy:
            assert b" 200 " in busy.recv(65536)
        kept.close()
    finally:
        held.release.set()
        _stop(capped, thread)
