"""The HTTP server ``voicecart serve`` runs the app on: werkzeug's threaded server, hardened at the connection.

werkzeug's development server gives every connection a thread and reads it with no timeout at all, so a client
that sends half a request line, half its headers or a ``Content-Length`` it never delivers holds a thread and a
file descriptor forever (slowloris); and the errors it answers before the app runs (431, 414, a bad request line)
are HTML pages. Here:

- each request must arrive whole (request line, headers and body) within ``REQUEST_READ_SECONDS`` of the
  connection being ready for it. The deadline is checked before every ``recv``, so a client dribbling a byte at a
  time is cut off as surely as a silent one. A stalled header read drops the connection; a stalled body read is
  a 400 in JSON (werkzeug reports a read error as a client disconnect);
- writes time out after ``WRITE_SECONDS``, so a client that never reads its answer does not hold a thread either;
- a request with both ``Content-Length`` and ``Transfer-Encoding``, or with two different lengths, is refused:
  two framings of one body are how requests are smuggled past a proxy;
- every error the server itself answers is short JSON, as the app's are, and a 4xx (an HTTP version we do not
  speak is bad input, not http.server's 505).

Connections are kept alive (HTTP/1.1, or 1.0 asking for it), as Alexa reuses its connections: a turn then costs
no TCP handshake and no thread start. werkzeug closes every connection because http.server cannot tell where a
request's body ends and the next request begins; :meth:`GuardedRequestHandler.run_wsgi` gives the app a body
bounded by its framing, so what the app leaves unread is known and read away (up to ``DRAIN_BYTES``; more closes
the connection), and the next request line is never eaten as body. Between requests a connection may stay idle
``IDLE_SECONDS``; the next request's deadline starts at its first byte. A connection serves at most
``MAX_REQUESTS_PER_CONNECTION`` requests: the last of them is answered with ``Connection: close`` (and the connection
closed after it), so no client holds one thread and one connection's state for ever, and a long-lived connection's
client reconnects now and then (as it does after any close; Alexa does). A connection is closed after an answer of
4xx or 5xx (a refused request: whatever it sent next is not trusted to be framed, and a forger pays a connection
per try), after a request asking for it, and after an answer whose end the client could not otherwise tell.

Alexa sends a few KB in one go and gives up on the whole turn after 8 s, so 10 s to read a request refuses
nothing real.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import selectors
import socket
import time
from contextlib import suppress
from http import HTTPStatus
from typing import Any, Final

from werkzeug.exceptions import InternalServerError
from werkzeug.serving import BaseWSGIServer, DechunkedInput, WSGIRequestHandler, make_server

_access_log = logging.getLogger("werkzeug")  # where werkzeug writes its line per request

REQUEST_READ_SECONDS = 10.0
WRITE_SECONDS = 10.0
# How long a kept-alive connection may wait for its next request. Idle connections each hold a thread, but a bounded
# number of them (skill.connection_cap sheds the longest waiting when a newcomer needs the place).
IDLE_SECONDS = 30.0
# How many requests one kept-alive connection may carry: the last is answered with "Connection: close". About an
# hour of a busy device's turns; a reconnect per thousand turns costs nothing measurable.
MAX_REQUESTS_PER_CONNECTION = 1000
# What a request may leave unread and still keep its connection: read away before the next request line.
DRAIN_BYTES = 64 * 1024
# What is read away (and dropped) before a connection closes, so that the close does not reset the answer away.
_DISCARD_BYTES = 10_000_000
_DISCARD_READS = 1000
_DISCARD_SECONDS = 2.0


class _DeadlineSocketInput(io.RawIOBase):
    """The connection's bytes, each ``recv`` bounded by what is left of the request's deadline."""

    def __init__(self, connection: socket.socket, *, write_seconds: float) -> None:
        self._connection = connection
        self._write_seconds = write_seconds
        self.deadline = math.inf

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._connection.fileno()

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._connection.settimeout(remaining)
        try:
            return self._connection.recv_into(buffer)
        finally:
            # The socket's timeout also bounds writes: the answer gets its own allowance, not what reading left.
            self._connection.settimeout(self._write_seconds)


class _FramedBody(io.RawIOBase):
    """A request's body as its ``Content-Length`` frames it: the app can never read into the next request."""

    def __init__(self, rfile: Any, length: int) -> None:
        self._rfile = rfile
        self.remaining = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        view = memoryview(buffer)[: self.remaining]
        # As the socket's own buffered file would: the bytes asked for (within the body), or fewer at its end.
        count: int = self._rfile.readinto(view)
        self.remaining -= count
        if count < len(view):
            self.remaining = -1  # the client closed before its body was whole: nothing more will come
        return count


_CHUNK_SIZE_LINE: Final = re.compile(rb"[0-9A-Fa-f]{1,16}(;[^\r\n]*)?\r\n")


class _StrictDechunkedInput(DechunkedInput):
    """werkzeug's chunked reader, but a chunk-size line is hex digits (an extension allowed) ending in CRLF.

    ``int(line, 16)`` also takes "0x5", "+5", "5_0" and a bare LF: a front end reading the same bytes strictly
    would see another body end, and with connections kept alive the difference is a request smuggled between them.
    """

    def read_chunk_len(self) -> int:
        line = self._rfile.readline(100)
        if _CHUNK_SIZE_LINE.fullmatch(line) is None:
            raise OSError("Invalid chunk header")
        return int(line.split(b";", 1)[0].strip(b"\r\n"), 16)


def _content_length(value: str | None) -> int | None:
    """The length a request's body declares (0 without one); ``None`` when it is no length at all."""
    if value is None:
        return 0
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


class _Answer:
    """One WSGI answer written on the handler's connection, saying whether the connection goes on after it."""

    def __init__(self, handler: GuardedRequestHandler, environ: dict[str, Any]) -> None:
        self._handler = handler
        self._environ = environ
        self._status: str | None = None
        self._headers: list[tuple[str, str]] = []
        self.sent = False
        self._chunked = False

    def run(self, app: Any) -> None:
        answer = app(self._environ, self.start_response)
        try:
            for data in answer:
                self.write(data)
            if not self.sent:
                self.write(b"")
            if self._chunked:
                self._handler.wfile.write(b"0\r\n\r\n")
        finally:
            if hasattr(answer, "close"):
                answer.close()

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self._status is not None:
            raise AssertionError("Headers already set")
        self._status, self._headers = status, headers
        return self.write

    def write(self, data: bytes) -> None:
        assert self._status is not None, "write() before start_response"
        assert isinstance(data, bytes), "applications must write bytes"
        head = b""
        if not self.sent:
            self.sent = True
            head = self._head(self._status)
        if data and self._chunked:
            data = b"%x\r\n%s\r\n" % (len(data), data)
        # The head and the first data in one send: two small writes on a kept-alive connection would wait on the
        # client's delayed acknowledgement (Nagle), tens of milliseconds a turn.
        if head or data:
            self._handler.wfile.write(head + data)
        self._handler.wfile.flush()

    def _head(self, status: str) -> bytes:
        """The status line and headers, as bytes to send (http.server's own buffer, taken instead of flushed)."""
        handler = self._handler
        code_text, _, message = status.partition(" ")
        code = int(code_text)
        handler.send_response(code, message)
        names = set()
        for name, value in self._headers:
            if name.lower() == "connection":
                continue  # whether the connection goes on is the server's to say, below
            handler.send_header(name, value)
            names.add(name.lower())
        bodiless = self._environ["REQUEST_METHOD"] == "HEAD" or 100 <= code < 200 or code in (204, 304)
        if not bodiless and "content-length" not in names and handler.request_version >= "HTTP/1.1":
            self._chunked = True
            handler.send_header("Transfer-Encoding", "chunked")
        framed = bodiless or self._chunked or "content-length" in names
        if handler.close_connection or code >= HTTPStatus.BAD_REQUEST or not framed:
            handler.send_header("Connection", "close")  # http.server then closes after this answer
        elif handler.request_version == "HTTP/1.0":
            handler.send_header("Connection", "keep-alive")
        buffered: list[bytes] = handler._headers_buffer
        head = b"".join([*buffered, b"\r\n"])
        buffered.clear()
        return head


class GuardedRequestHandler(WSGIRequestHandler):
    """werkzeug's handler with a read deadline per request, a write timeout, strict framing and JSON errors."""

    read_seconds = REQUEST_READ_SECONDS
    write_seconds = WRITE_SECONDS
    idle_seconds = IDLE_SECONDS
    max_requests = MAX_REQUESTS_PER_CONNECTION
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self._served = 0
        if self.connection.family in (socket.AF_INET, socket.AF_INET6):
            # Each answer goes out whole as soon as it is written, not after the client acknowledges the last one.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection.settimeout(self.write_seconds)
        # Replace the socket's own buffered file with one whose every recv respects the request's deadline.
        self.rfile.close()
        self._input = _DeadlineSocketInput(self.connection, write_seconds=self.write_seconds)
        self.rfile: io.BufferedReader = io.BufferedReader(self._input)

    def handle_one_request(self) -> None:
        if self._served:
            # Kept alive: the next request may take its time to come, not to arrive once it has begun.
            self.start_waiting(self.idle_seconds)
            try:
                begun = self.rfile.peek(1)
            except OSError:  # idle past the allowance (a timeout), or the client reset the connection
                begun = b""
            if not begun:  # gone, shed to make room, or idle too long: closed without a word, as HTTP allows
                self.close_connection = True
                return
        self.start_waiting(self.read_seconds)
        self._served += 1
        super().handle_one_request()

    def start_waiting(self, seconds: float) -> None:
        """What the connection waits for next (a request, or the first byte of one) must come within ``seconds``."""
        self._input.deadline = time.monotonic() + seconds

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.headers.defects or self.headers.get_payload():
            # a line that is no header ("Transfer-Encoding : chunked"): http.client drops it and every line after it
            self.send_error(HTTPStatus.BAD_REQUEST, "a header line is not a name, a colon and a value")
            return False
        encodings = self.headers.get_all("Transfer-Encoding") or []
        if encodings and [value.strip().lower() for value in encodings] != ["chunked"]:
            self.send_error(HTTPStatus.BAD_REQUEST, "a request body is framed by Content-Length or chunked alone")
            return False
        lengths = set(self.headers.get_all("Content-Length") or [])
        if len(lengths) > 1 or (lengths and "Transfer-Encoding" in self.headers):
            self.send_error(HTTPStatus.BAD_REQUEST, "one body, one framing: a single Content-Length or chunked")
            return False
        return True

    def run_wsgi(self) -> None:
        """werkzeug's ``run_wsgi``, keeping the connection alive when the request was read whole and answered well.

        The same WSGI contract (100-continue, chunked answers without a length, a 500 for an app that raised),
        but the app reads a body bounded by its framing, and what it leaves unread is read away here instead of
        draining the socket until the client pauses (which would eat the next request of a kept-alive connection).
        """
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if self._served >= self.max_requests:
            self.close_connection = True  # this connection's last request: answered with "Connection: close"
        self.environ = environ = self.make_environ()
        body: _FramedBody | DechunkedInput | None = None
        if isinstance(environ["wsgi.input"], DechunkedInput):
            body = environ["wsgi.input"] = _StrictDechunkedInput(self.rfile)
        else:
            length = _content_length(self.headers.get("Content-Length"))
            if length is None:
                self.close_connection = True  # where this body ends is unknowable: this request is the last
            else:
                body = environ["wsgi.input"] = _FramedBody(self.rfile, length)
        answer = _Answer(self, environ)
        try:
            answer.run(self.server.app)
        except (ConnectionError, TimeoutError) as error:
            self.close_connection = True
            self.connection_dropped(error, environ)
            return
        except Exception as error:
            self.close_connection = True
            if self.server.passthrough_errors:
                raise
            if not answer.sent:
                with suppress(Exception):
                    _Answer(self, environ).run(InternalServerError())
            self._discard_pending()
            from werkzeug.debug.tbtools import DebugTraceback  # only when an app raised past its own handler

            self.server.log("error", f"Error on request:\n{DebugTraceback(error).render_traceback_text()}")
            return
        if not self.close_connection and not self._read_away(body):
            self.close_connection = True
        if self.close_connection:
            self._discard_pending()

    def _discard_pending(self) -> None:
        """Before closing, read away what the client has sent meanwhile (as werkzeug does), within a bound.

        Closing a socket with bytes unread resets the connection, and a reset can destroy the answer (a 413, a 400)
        before the client has read it. Only what arrives without a pause is read: a client that keeps sending
        gets the reset it asked for.
        """
        # Through the request's input: its deadline bounds the reads, and a connection closing slowly stays one that
        # skill.connection_cap may shed (it is reading, for a request that began long ago).
        self._input.deadline = time.monotonic() + _DISCARD_SECONDS
        discarded = 0
        with selectors.DefaultSelector() as selector, suppress(OSError, ValueError):
            selector.register(self.connection, selectors.EVENT_READ)
            for _ in range(_DISCARD_READS):
                if discarded >= _DISCARD_BYTES or not selector.select(timeout=0.01):
                    return
                chunk = self.rfile.read1(1024 * 1024)
                if not chunk:
                    return
                discarded += len(chunk)

    def _read_away(self, body: _FramedBody | DechunkedInput | None) -> bool:
        """Read (and drop) what the app left of the body; ``False`` if it is more than ``DRAIN_BYTES`` or broken."""
        if body is None:
            return True
        drained = 0
        try:
            while drained <= DRAIN_BYTES:
                if isinstance(body, _FramedBody) and body.remaining == 0:
                    return True
                if isinstance(body, DechunkedInput) and body._done:  # werkzeug keeps no public flag
                    return True
                chunk = body.read(min(8192, DRAIN_BYTES + 1 - drained))
                if not chunk:
                    return False
                drained += len(chunk)
        except OSError:
            return False
        return False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # werkzeug formats the access line (the path decoded, escaped and styled) before the logger drops it.
        if _access_log.isEnabledFor(logging.INFO):
            super().log_request(code, size)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """As ``http.server`` does, but the body is ``{"error": ..., "reason": ...}`` and echoes nothing sent."""
        if code == HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:
            # What the client sent is bad input like any other (an HTTP/2 preface, "HTTP/9.9"): a 4xx, never a 5xx.
            code, message = HTTPStatus.BAD_REQUEST, "only HTTP/1.0 and HTTP/1.1 are served here"
        status = HTTPStatus(code)
        reason = message if message and message.isascii() and len(message) <= 120 else status.phrase
        if code == HTTPStatus.BAD_REQUEST and message and message.startswith("Bad request"):
            reason = status.phrase  # http.server's message quotes the request line back: never echo it
        self.log_error("code %d, message %s", code, message)
        # An unreadable request line leaves http.server thinking HTTP/0.9, which has no status line: answer 1.1.
        self.request_version = "HTTP/1.1" if self.request_version == "HTTP/0.9" else self.request_version
        self.send_response(code)
        self.send_header("Connection", "close")
        body = b""
        if code >= 200 and code not in (HTTPStatus.NO_CONTENT, HTTPStatus.RESET_CONTENT, HTTPStatus.NOT_MODIFIED):
            error = status.phrase.lower().replace(" ", "_").replace("-", "_")
            body = json.dumps({"error": error, "reason": reason}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)


def make_guarded_server(
    host: str, port: int, app: Any, *, handler: type[GuardedRequestHandler] = GuardedRequestHandler
) -> BaseWSGIServer:
    """A threaded werkzeug server for ``app`` whose connections are read and written under deadlines."""
    return make_server(host, port, app, threaded=True, request_handler=handler)
