"""The embedded store: moto's DynamoDB server, in this process, on loopback, on a free port. In memory only.

It speaks the real DynamoDB wire protocol, so the code under it is exactly the code that talks to AWS; only the
endpoint differs. Everything it holds is lost when the process stops.
"""

from __future__ import annotations

import logging
import os
from types import TracebackType

from moto.server import ThreadedMotoServer

log = logging.getLogger(__name__)

# moto needs some credentials to sign with; they never leave this machine.
_LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "voicecart-local", "AWS_SECRET_ACCESS_KEY": "voicecart-local"}


class EmbeddedDynamoDB:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.endpoint: str | None = None

    def start(self) -> str:
        for name, value in _LOCAL_CREDENTIALS.items():
            os.environ.setdefault(name, value)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        log.info("embedded DynamoDB (moto, in memory) listening on %s", self.endpoint)
        return self.endpoint

    def stop(self) -> None:
        if self.endpoint is not None:
            self._server.stop()
            self.endpoint = None

    def __enter__(self) -> EmbeddedDynamoDB:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
