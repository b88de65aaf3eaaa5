"""The server ``voicecart bench connections`` measures: serve's (``skill.connection_cap.make_capped_server``) with an
app that does nearly nothing, in a process of its own. Prints its port, answers ``cpu`` on stdin with the CPU
milliseconds it has used, stops at the end of its input."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import Any

from skill.bench.connections import ANSWER
from skill.bench.stats import cpu_ms, quiet_logs
from skill.connection_cap import make_capped_server


def _app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER)))])
    return [ANSWER]


def serve_child() -> int:
    """The measured server: prints its port, answers ``cpu`` with its CPU milliseconds, stops at end of input."""
    quiet_logs()
    server = make_capped_server("127.0.0.1", 0, _app)
    thread = threading.Thread(target=server.serve_forever, name="bench-connections", daemon=True)
    thread.start()
    print(server.server_port, flush=True)
    for line in sys.stdin:
        if line.strip() == "cpu":
            print(cpu_ms(), flush=True)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(serve_child())
