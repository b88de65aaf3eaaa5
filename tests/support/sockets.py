"""Raw loopback connections to a test server, for what an HTTP client library would hide (half-sent requests,
the bytes of a refusal)."""

from __future__ import annotations

import socket

GIVE_UP_SECONDS = 15.0  # how long a test waits for the server before calling it stalled


def connect(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port))
    connection.settimeout(GIVE_UP_SECONDS)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def read_response(connection: socket.socket) -> bytes:
    """One answer framed by its ``Content-Length`` (all the server's answers have one), leaving the connection open."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            return received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")[1:]
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def is_closed(connection: socket.socket, *, within: float = GIVE_UP_SECONDS) -> bool:
    """Whether the server closes ``connection`` (sending nothing more) within ``within`` seconds."""
    connection.settimeout(within)
    try:
        return connection.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:  # reset: closed too
        return True
    finally:
        connection.settimeout(GIVE_UP_SECONDS)
