"""The cross-channel API as an AWS Lambda handler behind an API Gateway HTTP API: ``backend.api.lambda_entry.handler``.

The HTTP API (payload format 2.0, route ``/{proxy+}``) hands each request over as an event; this turns it into a
WSGI request for the same blueprint ``voicecart serve`` mounts at ``/api/v1``, so both answer alike. The app is
built on the first invocation (never at import) and reused while the container lives. No table is created here:
the deployed stack owns it.
"""

from __future__ import annotations

import base64
import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from backend.services import Backend

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

AppFactory = Callable[[], Flask]


def create_api_app(backend: Backend) -> Flask:
    """A Flask app holding only the API blueprint (the Lambda has no skill endpoint)."""
    from backend.api.blueprint import create_api_blueprint

    app = Flask("voicecart_api")
    app.register_blueprint(create_api_blueprint(backend), url_prefix=API_PREFIX)
    return app


class ApiLambda:
    def __init__(self, app_factory: AppFactory) -> None:
        self._app_factory = app_factory
        self._app: Flask | None = None
        self._lock = threading.Lock()

    def __call__(self, event: Mapping[str, Any], context: object) -> dict[str, Any]:
        environ = _environ(event)
        response = Response.from_app(self._app_for_this_container().wsgi_app, environ, buffered=True)
        return {
            "statusCode": response.status_code,
            "headers": {name.lower(): value for name, value in response.headers.items()},
            "body": response.get_data(as_text=True),
            "isBase64Encoded": False,
        }

    def _app_for_this_container(self) -> Flask:
        with self._lock:
            if self._app is None:
                self._app = self._app_factory()
            return self._app


def _environ(event: Mapping[str, Any]) -> dict[str, Any]:
    http = event.get("requestContext", {}).get("http", {})
    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode()
    headers = {str(name): str(value) for name, value in (event.get("headers") or {}).items()}
    headers.pop("content-length", None)  # recomputed from the body
    builder = EnvironBuilder(
        path=str(event.get("rawPath") or http.get("path") or "/"),
        method=str(http.get("method") or "GET"),
        query_string=str(event.get("rawQueryString") or ""),
        headers=list(headers.items()),
        data=data,
        content_type=headers.get("content-type"),
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _default_app() -> Flask:
    # Deferred imports: importing this module must stay free of settings, AWS clients and the catalog.
    from backend.services import build_backend
    from backend.settings import Settings

    return create_api_app(build_backend(Settings.load(), create_tables=False))


@functools.cache
def _default_entry() -> ApiLambda:
    return ApiLambda(_default_app)


def handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    return _default_entry()(event, context)
