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

Alexa sends a few KB in one go and gives up on the whole turn after 8 s, so 10 s to read a request refuses
nothing real.
"""

from __future__ import annotations

import io
import json
import math
import socket
import time
from http import HTTPStatus
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

REQUEST_READ_SECONDS = 10.0
WRITE_SECONDS = 10.0


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


class GuardedRequestHandler(WSGIRequestHandler):
    """werkzeug's handler with a read deadline per request, a write timeout, strict framing and JSON errors."""

    read_seconds = REQUEST_READ_SECONDS
    write_seconds = WRITE_SECONDS

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.write_seconds)
        # Replace the socket's own buffered file with one whose every recv respects the request's deadline.
        self.rfile.close()
        self._input = _DeadlineSocketInput(self.connection, write_seconds=self.write_seconds)
        self.rfile = io.BufferedReader(self._input)

    def handle_one_request(self) -> None:
        self._input.deadline = time.monotonic() + self.read_seconds
        super().handle_one_request()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        lengths = set(self.headers.get_all("Content-Length") or [])
        if len(lengths) > 1 or (lengths and "Transfer-Encoding" in self.headers):
            self.send_error(HTTPStatus.BAD_REQUEST, "one body, one framing: a single Content-Length or chunked")
            return False
        return True

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
