"""Small helpers the edge benchmarks share: percentiles and a WSGI app served on loopback for the block."""

from __future__ import annotations

import logging
import math
import resource
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for no values): p99 of 100 values is the 99th smallest."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "max_ms": round(max(seconds, default=0.0) * 1000, 1),
    }


@contextmanager
def served_on_loopback(app: Any) -> Iterator[str]:
    """Serve ``app`` as ``voicecart serve`` does (werkzeug, threaded) on 127.0.0.1 and a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="bench-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def quiet_logs() -> None:
    """A benchmark prints its own figures: per-request access logs and expected refusals would drown them."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("skill").setLevel(logging.ERROR)
    logging.getLogger("backend").setLevel(logging.ERROR)


def rss_kb() -> int:
    """This process's resident set size in KiB (Linux), 0 where /proc is not available."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def cpu_ms() -> int:
    """CPU time (user + system) this process has used so far, in milliseconds: threads included, children not."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round((usage.ru_utime + usage.ru_stime) * 1000)
