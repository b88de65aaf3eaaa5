"""Health that tells the truth: ``/healthz`` says the process answers; ``/readyz`` says it can do its job.

Ready means: the store answers (the main table is there and ACTIVE), the catalog is loaded and the resolver's
index holds it. A probe that finds any of them missing gets 503 with the check that failed, so a load balancer
stops sending turns to an instance that could only apologise. The store check is remembered for a second: a
burst of probes is not a burst of store calls.
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


class StoreCheck:
    def __init__(self, backend: Backend, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._backend = backend
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._result: tuple[bool, str] = (False, "not checked")

    def __call__(self) -> tuple[bool, str]:
        with self._lock:
            if self._clock() - self._checked_at < STORE_CHECK_SECONDS:
                return self._result
        result = self._check()
        with self._lock:
            self._checked_at, self._result = self._clock(), result
        return result

    def _check(self) -> tuple[bool, str]:
        table = self._backend.table
        try:
            status = table.client.describe_table(TableName=table.name)["Table"]["TableStatus"]
        except (BotoCoreError, ClientError) as exc:
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
