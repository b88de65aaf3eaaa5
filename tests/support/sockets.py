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
