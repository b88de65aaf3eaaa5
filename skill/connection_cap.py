"""A bound on the connections ``voicecart serve`` holds at once, with a fast, truthful refusal beyond it.

werkzeug's threaded server starts a thread for every connection it accepts, however many: a flood of connections
(each held up to the read deadline, see :mod:`skill.app_server`) becomes thousands of threads, each with its stack
and a file descriptor, and every request, the real ones included, slows to a crawl or fails on "can't start new
thread". Here at most ``max_connections`` are served at once. When a connection arrives beyond that:

- if one of those held is still waiting for bytes (request line, headers or body incomplete, or idle between
  kept-alive requests: its thread is reading from it) and has waited for them ``SHED_AFTER_SECONDS`` or more, the
  one that has waited longest is closed and the newcomer takes its place. What counts is the age of the bytes
  awaited, never the connection's: a request from when it began to be awaited (on a new connection, its accept;
  on a kept-alive one, its first byte), an idle connection from its last answer. So a connection that has served
  for an hour and just began its next request keeps its place, while one idle for a second gives it up (its
  client reconnects, as after any idle close). A cap alone would make a slowloris cheaper, not dearer:
  ``max_connections`` connections that each dribble a byte now and then would refuse everyone else until the read
  deadline. Alexa sends a request whole, at once. A request being answered is never cut off;
- otherwise it is answered at once with ``503`` and ``Retry-After`` in JSON, as every refusal of ours is, without
  reading or parsing anything: a client that asks too much is told so, not left hanging. Refusals are themselves
  bounded (``max_refusing``, each done within ``REFUSAL_SECONDS`` on a short-lived thread); past both bounds a
  connection is closed unanswered, the one thing a server can still afford to do for it.

Alexa waits 8 s for a whole turn; a prompt 503 lets it report the skill unavailable instead of timing out.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from contextlib import suppress
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from skill.app_server import GuardedRequestHandler
from skill.throttled_log import ThrottledWarning

log = logging.getLogger(__name__)

DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_MAX_REFUSING = 16
RETRY_AFTER_SECONDS = 1
# How long a refusal may take: sending the 503, then reading what the client already sent so that closing does not
# reset the connection before the client has read the answer.
REFUSAL_SECONDS = 1.0
# A connection waiting this long for the bytes of its request (or idle between requests) gives its place to a new one.
SHED_AFTER_SECONDS = 1.0
_DRAIN_BYTES = 64 * 1024


def refusal_bytes(retry_after: int = RETRY_AFTER_SECONDS) -> bytes:
    body = json.dumps(
        {"error": "service_unavailable", "reason": "too many connections at once; retry shortly"}
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Retry-After: {retry_after}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    return head + body


class _Connection:
    """What the server knows of a connection it holds: when its current request began, and whether its thread is
    blocked reading from it now (request line, headers or body still arriving; or idle between requests)."""

    __slots__ = ("reading", "request_began")

    def __init__(self, now: float) -> None:
        self.request_began = now
        self.reading = False


class _ReadWatch(io.RawIOBase):
    """The connection's input, marking the connection as reading for the length of every read."""

    def __init__(self, inner: Any, state: _Connection) -> None:
        self._inner = inner
        self._state = state

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._state.reading = True
        try:
            # readinto1: at most one read from the socket, whatever it brings, as a raw stream must.
            count: int = self._inner.readinto1(buffer)
            return count
        finally:
            self._state.reading = False

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Tracked:
    """Keeps the server's ``_Connection`` for this connection up to date (a mixin over the request handler)."""

    server: CappedWSGIServer
    request: socket.socket
    rfile: Any

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        self._state = self.server.state_of(self.request)
        self.rfile = io.BufferedReader(_ReadWatch(self.rfile, self._state))

    def start_waiting(self, seconds: float) -> None:
        # The age that sheds a connection is that of the bytes it now waits for: a kept-alive connection's next
        # request from when the last answer went out, and once it has begun, that request from its first byte.
        # Never the connection's own age: one that has served for an hour and now idles a moment is not old.
        self._state.request_began = time.monotonic()
        super().start_waiting(seconds)  # type: ignore[misc]


def tracked(handler: type[GuardedRequestHandler]) -> type[GuardedRequestHandler]:
    return type(f"Tracked{handler.__name__}", (_Tracked, handler), {})


class CappedWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server, serving at most ``max_connections`` connections at once."""

    def __init__(
        self,
        host: str,
        port: int,
        app: Any,
        handler: type[GuardedRequestHandler] = GuardedRequestHandler,
        *,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_refusing: int = DEFAULT_MAX_REFUSING,
        shed_after: float = SHED_AFTER_SECONDS,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if max_refusing < 0:
            raise ValueError("max_refusing must not be negative")
        self.max_connections = max_connections
        self.max_refusing = max_refusing
        self.shed_after = shed_after
        self._count_lock = threading.Lock()
        self._held: dict[socket.socket, _Connection] = {}
        self._refusing = 0
        self.refused = 0  # connections answered 503 or closed unanswered, since the start
        self.shed = 0  # connections closed while waiting for a request, to make room
        self._warn_full = ThrottledWarning(log, f"connections refused: {max_connections} already being served")
        super().__init__(host, port, app, tracked(handler))

    @property
    def serving(self) -> int:
        return len(self._held)

    def longest_wait(self) -> float:
        """How long (seconds) the connection waiting longest for bytes has waited; 0 when none is waiting."""
        now = time.monotonic()
        with self._count_lock:
            return max((now - state.request_began for state in self._held.values() if state.reading), default=0.0)

    def state_of(self, connection: socket.socket) -> _Connection:
        with self._count_lock:
            # A connection shed before its thread started is not held any more: it gets a state nobody reads.
            return self._held.get(connection) or _Connection(time.monotonic())

    def process_request(self, request: Any, client_address: Any) -> None:
        shed: socket.socket | None = None
        with self._count_lock:
            if len(self._held) >= self.max_connections:
                shed = self._longest_waiting(time.monotonic())
                if shed is not None:
                    del self._held[shed]
                    self.shed += 1
            if len(self._held) < self.max_connections:
                self._held[request] = _Connection(time.monotonic())
                admitted, refusing = True, False
            else:
                admitted, refusing = False, self._refusing < self.max_refusing
                if refusing:
                    self._refusing += 1
                self.refused += 1
        if shed is not None:
            # Wakes its thread's blocked read with end-of-file; that thread closes it as for any client gone.
            with suppress(OSError):
                shed.shutdown(socket.SHUT_RDWR)
        if admitted:
            try:
                super().process_request(request, client_address)
            except RuntimeError:  # no thread could be started: the bound is above what this host can run
                self._release(request)
                self.shutdown_request(request)
                log.exception("could not start a connection thread")
            return
        self._warn_full()
        if not refusing:
            self.shutdown_request(request)
            return
        try:
            threading.Thread(target=self._refuse, args=(request,), name="voicecart-refuse", daemon=True).start()
        except RuntimeError:
            self._refused_one()
            self.shutdown_request(request)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release(request)

    def _longest_waiting(self, now: float) -> socket.socket | None:
        """The connection that has waited longest for the bytes it awaits now, if that is ``shed_after`` or more.

        Only one whose thread is reading from it now: a request being answered (its body read, the app at work)
        is never cut off, whatever it takes.
        """
        waiting = [(state.request_began, connection) for connection, state in self._held.items() if state.reading]
        if not waiting:
            return None
        began, connection = min(waiting, key=lambda pair: pair[0])
        return connection if now - began >= self.shed_after else None

    def _release(self, connection: socket.socket) -> None:
        with self._count_lock:
            self._held.pop(connection, None)

    def _refused_one(self) -> None:
        with self._count_lock:
            self._refusing -= 1

    def _refuse(self, connection: socket.socket) -> None:
        deadline = time.monotonic() + REFUSAL_SECONDS
        try:
            connection.settimeout(REFUSAL_SECONDS)
            connection.sendall(refusal_bytes())
            connection.shutdown(socket.SHUT_WR)
            # Read (and drop) what the client sends until it closes: closing with unread bytes would reset the
            # connection, and a reset can destroy the 503 before the client reads it. The whole refusal has one
            # deadline, so a client dribbling bytes cannot hold a refusal thread either.
            drained = 0
            while drained < _DRAIN_BYTES and (remaining := deadline - time.monotonic()) > 0:
                connection.settimeout(remaining)
                chunk = connection.recv(8192)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass  # a client gone, or too slow to take its answer: it had its chance
        finally:
            self._refused_one()
            self.shutdown_request(connection)


def make_capped_server(
    host: str,
    port: int,
    app: Any,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    handler: type[GuardedRequestHandler] = GuardedRequestHandler,
) -> CappedWSGIServer:
    """The server ``voicecart serve`` runs: guarded connections (:mod:`skill.app_server`), at most so many at once."""
    return CappedWSGIServer(host, port, app, handler, max_connections=max_connections)
