"""The skill as an AWS Lambda handler, with no Flask: ``skill.lambda_entry.handler``.

The runtime is built in the init phase, when Lambda imports this module: settings, the store, the catalog and
the resolver's index (their prebuilt files when ``VOICECART_INDEX_DIR`` holds them, as in the Lambda package) and
the skill (``skill.lambda_skill.build_entry``). Alexa's first request then finds everything ready, and SnapStart
snapshots it (``skill.lambda_snapshot`` registers what each restored environment must redo). Importing this
module is the build, as Lambda expects: import ``skill.lambda_skill`` to build from other parts.

Each invocation logs through Powertools with the request id and the cold-start flag, and flushes its metrics
(``backend.lambda_support.telemetry``); ``VOICECART_LOG_LEVEL`` sets the level. The init runs with the garbage
collector paused and freezes what it built (``backend.lambda_support.collector``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from backend.lambda_support.collector import init_phase

if TYPE_CHECKING:
    from backend.lambda_support.telemetry import Telemetry
    from skill.lambda_skill import LambdaEntry

logger = logging.getLogger(__name__)

SERVICE = "voicecart-skill"


def _init() -> tuple[Telemetry, LambdaEntry]:
    # Everything the init imports and builds, with the garbage collector paused (backend.lambda_support.collector).
    with init_phase():
        from backend.lambda_support.telemetry import telemetry
        from backend.settings import Settings
        from skill.lambda_skill import build_entry
        from skill.lambda_snapshot import register_snapshot_hooks

        settings = Settings.load()
        observed = telemetry(SERVICE, level=settings.log_level)
        started = time.perf_counter()
        entry = build_entry(settings, telemetry=observed)
        init_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info("skill ready", extra={"init_ms": init_ms, **entry.init_figures})
        register_snapshot_hooks()
    return observed, entry


_telemetry, _entry = _init()


@_telemetry.handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """The Lambda handler (``Handler: skill.lambda_entry.handler``)."""
    return _entry(event, context)
