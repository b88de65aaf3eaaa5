"""The cross-channel API as an AWS Lambda handler behind API Gateway: ``backend.api.lambda_entry.handler``.

Built in the init phase, when Lambda imports this module: settings, the store, the catalog and the Flask app
(``backend.api.lambda_app.build_api``); the resolver's index is never built here, the API does not resolve words.
Importing this module is the build, as Lambda expects: import ``backend.api.lambda_app`` to build from other parts.

Each invocation logs through Powertools with the request id and the cold-start flag, and flushes its metrics
(``backend.lambda_support.telemetry``); ``VOICECART_LOG_LEVEL`` sets the level.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from backend.api.lambda_app import ApiLambda, build_api
from backend.lambda_support.telemetry import Telemetry, telemetry
from backend.settings import Settings

logger = logging.getLogger(__name__)

SERVICE = "voicecart-api"


def _init() -> tuple[Telemetry, ApiLambda]:
    settings = Settings.load()
    observed = telemetry(SERVICE, level=settings.log_level)
    started = time.perf_counter()
    api = build_api(settings, telemetry=observed)
    logger.info("API ready", extra={"init_ms": round((time.perf_counter() - started) * 1000, 1)})
    return observed, api


_telemetry, _api = _init()


@_telemetry.handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """The Lambda handler (``Handler: backend.api.lambda_entry.handler``)."""
    return _api(event, context)
