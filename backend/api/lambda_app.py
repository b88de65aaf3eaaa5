"""The cross-channel API behind API Gateway: ``ApiLambda`` turns each event into a WSGI request for the blueprint
``voicecart serve`` mounts at ``/api/v1``, so both answer alike. ``build_api`` builds it, with the catalog loaded
now; ``backend.api.lambda_entry`` calls it in the init phase. No table is created here: the deployed stack owns it.

The translation is apig-wsgi's: HTTP API payloads 2.0 and REST API payloads 1.0 (and ALB), with cookies, the
client's address (``REMOTE_ADDR`` from ``sourceIp``, or the first ``X-Forwarded-For`` hop for 1.0), repeated
headers and query values (``multiValue*`` in 1.0), and several ``Set-Cookie`` answers kept. The event and the
Lambda context reach the app as ``apig_wsgi.full_event`` and ``apig_wsgi.context`` in the WSGI environ.

Metrics per invocation: ``Requests`` and ``RequestLatency`` by ``status`` class (2xx, 4xx, 5xx), and ``Errors`` for
a 5xx answer or an invocation that fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apig_wsgi import make_lambda_handler
from flask import Flask

if TYPE_CHECKING:
    from backend.lambda_support.telemetry import Telemetry
    from backend.services import Backend
    from backend.settings import Settings

API_PREFIX = "/api/v1"


def create_api_app(backend: Backend) -> Flask:
    """A Flask app holding only the API blueprint (the Lambda has no skill endpoint)."""
    from backend.api.blueprint import create_api_blueprint

    app = Flask("voicecart_api")
    app.register_blueprint(create_api_blueprint(backend), url_prefix=API_PREFIX)
    return app


class ApiLambda:
    def __init__(self, app: Flask, *, telemetry: Telemetry | None = None) -> None:
        self._handle: Callable[[dict[str, Any], Any], dict[str, Any]] = make_lambda_handler(app.wsgi_app)
        self._telemetry = telemetry

    def __call__(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            answer = self._handle(event, context)
        except Exception:
            self._count_error("unhandled")
            raise
        status = int(answer.get("statusCode", 500))
        if self._telemetry is not None:
            self._telemetry.dimension("status", f"{status // 100}xx")
            self._telemetry.count("Requests")
            self._telemetry.milliseconds("RequestLatency", (time.perf_counter() - started) * 1000)
            if status >= 500:
                self._telemetry.count("Errors")
        return answer

    def _count_error(self, kind: str) -> None:
        if self._telemetry is not None:
            self._telemetry.dimension("kind", kind)
            self._telemetry.count("Errors")


def build_api(settings: Settings, *, backend: Backend | None = None, telemetry: Telemetry | None = None) -> ApiLambda:
    """The API on ``backend`` (default: built from ``settings`` on the store they choose, creating no table)."""
    if backend is None:
        from backend.lambda_support.init import reachable
        from backend.services import build_backend

        backend = build_backend(reachable(settings), create_tables=False)
    return ApiLambda(create_api_app(backend), telemetry=telemetry)
