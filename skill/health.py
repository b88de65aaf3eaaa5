"""Health that tells the truth: ``/healthz`` says the process answers; ``/readyz`` says it can do its job.

Ready means: the store answers (the main table is there and ACTIVE), the catalog is loaded and the resolver's
index holds it. A probe that finds any of them missing gets 503 with the check that failed, so a load balancer
stops sending turns to an instance that could only apologise. The store check is remembered for a second: a
burst of probes is not a burst of store calls; and a store that does not answer is reported within half a second,
with one thread at most waiting on it (``StoreCheck``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from backend.services import Backend

STORE_CHECK_SECONDS = 1.0
STORE_CHECK_WAIT = 0.5  # how long a probe waits for the store's answer: a load balancer's probe times out at ~2 s


class StoreCheck:
    """One store call at a time, whatever the probes: a probe starts a check when the last result is stale and
    none is running, and waits for it at most ``wait`` seconds. A store that does not answer (a hung endpoint holds
    the call until the client's own timeouts end it) is reported at once to every probe after the first, and only
    one thread is ever blocked on it: probes do not pile up threads on a dead store."""

    def __init__(
        self, backend: Backend, *, clock: Callable[[], float] = time.monotonic, wait: float = STORE_CHECK_WAIT
    ) -> None:
        self._backend = backend
        self._clock = clock
        self._wait = wait
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._result: tuple[bool, str] = (False, "not checked")
        self._running: threading.Event | None = None
        self._started_at = 0.0

    def __call__(self) -> tuple[bool, str]:
        with self._lock:
            now = self._clock()
            if now - self._checked_at < STORE_CHECK_SECONDS:
                return self._result
            if self._running is None:
                self._running, self._started_at = threading.Event(), now
                threading.Thread(target=self._run, args=(self._running,), name="readyz-store", daemon=True).start()
            elif now - self._started_at >= self._wait:
                return False, f"no answer for {now - self._started_at:.1f} s"
            running, waited = self._running, max(self._wait - (now - self._started_at), 0.0)
        if not running.wait(waited):
            return False, f"no answer within {self._wait:.1f} s"
        with self._lock:
            return self._result

    def _run(self, done: threading.Event) -> None:
        result = self._check()
        with self._lock:
            self._checked_at, self._result, self._running = self._clock(), result, None
        done.set()

    def _check(self) -> tuple[bool, str]:
        table = self._backend.table
        try:
            status = table.client.describe_table(TableName=table.name)["Table"]["TableStatus"]
        except (BotoCoreError, ClientError, RuntimeError) as exc:  # RuntimeError: the embedded store was stopped
            return False, f"unreachable ({type(exc).__name__})"
        return status == "ACTIVE", status.lower()


def register_health(app: Flask, backend: Backend) -> None:
    store = StoreCheck(backend)

    @app.get("/healthz")
    def health() -> ResponseReturnValue:
        return jsonify(status="ok", products=len(backend.catalog))

    @app.get("/readyz")
    def ready() -> ResponseReturnValue:
        store_ok, store_state = store()
        checks: dict[str, Any] = {
            "store": {"ok": store_ok, "state": store_state},
            "catalog": {"ok": len(backend.catalog) > 0, "products": len(backend.catalog)},
            "index": {"ok": len(backend.resolver) > 0, "products": len(backend.resolver)},
        }
        ready = all(check["ok"] for check in checks.values())
        return jsonify(status="ready" if ready else "not_ready", checks=checks), 200 if ready else 503
