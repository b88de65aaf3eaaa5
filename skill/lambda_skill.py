"""The skill behind a Lambda handler: ``LambdaEntry`` checks an envelope and runs it through a built runtime with the
Lambda context; ``build_entry`` builds it, every slow part now (``skill.lambda_entry`` calls it in the init phase).

Alexa invokes a Lambda directly (no signature headers to check); the skill id is still checked, as the ASK SDK
does. The same envelope gets the same answer here as through the web adapter: both hand it to
``SkillRuntime.handle``, this one with the Lambda context (``handler_input.context`` in the skill's handlers).

Metrics per invocation (``backend.lambda_support.telemetry``): ``Turns`` and ``TurnLatency`` by ``intent`` (the
intent name, or the request type), ``Resolver<Decision>`` per resolution, and ``Errors`` by ``kind`` when an
invocation fails.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from backend.lambda_support.telemetry import Telemetry, count_resolver_decisions
from skill.runtime import SkillRuntime
from skill.verification.application import ApplicationIdVerifier
from skill.verification.envelope import checked_envelope
from skill.verification.errors import RequestVerificationError

if TYPE_CHECKING:
    from backend.services import Backend
    from backend.settings import Settings

logger = logging.getLogger(__name__)


class LambdaEntry:
    """Checks the envelope and its application id, then runs it through the runtime built at init."""

    def __init__(self, runtime: SkillRuntime, *, skill_id: str | None, telemetry: Telemetry | None = None) -> None:
        self._runtime = runtime
        self._telemetry = telemetry
        self.init_figures: dict[str, float] = {}
        self._application_check = ApplicationIdVerifier(skill_id) if skill_id else None
        if self._application_check is None:
            logger.warning("no skill id configured: the Lambda accepts requests for any skill")

    def __call__(self, event: object, context: object) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            envelope = checked_envelope(event)
            if self._application_check is not None:
                # A Lambda event carries no HTTP headers or raw body; the application check needs neither.
                self._application_check.verify({}, b"", envelope)
        except RequestVerificationError as exc:
            logger.warning("Alexa request rejected: %s", exc.reason, extra={"check": type(exc).__name__})
            self._failed("rejected")
            raise
        # Only a verified envelope names a dimension: a forged one cannot mint metric series.
        self._measure("intent", _turn_name(envelope))
        try:
            answer = self._runtime.handle(envelope, context=context)
        except Exception:
            self._failed("unhandled")
            raise
        if self._telemetry is not None:
            self._telemetry.count("Turns")
            self._telemetry.milliseconds("TurnLatency", (time.perf_counter() - started) * 1000)
        return answer

    def _measure(self, dimension: str, value: str) -> None:
        if self._telemetry is not None:
            self._telemetry.dimension(dimension, value)

    def _failed(self, kind: str) -> None:
        self._measure("kind", kind)
        if self._telemetry is not None:
            self._telemetry.count("Errors")


def _turn_name(envelope: dict[str, Any]) -> str:
    request = envelope["request"]
    intent = request.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) and name else str(request["type"])


def build_entry(
    settings: Settings, *, backend: Backend | None = None, telemetry: Telemetry | None = None
) -> LambdaEntry:
    """The skill on ``backend`` (default: built from ``settings`` on the store they choose), every slow part built
    now: the catalog and the resolver's index are ready before the first request. ``init_figures`` on the entry
    says how long each part took (milliseconds), for the init log line and ``voicecart bench coldstart``."""
    from backend.services import build_backend, load_catalog
    from skill.skill_builder import build_skill  # not skill.app: a Lambda has no use for Flask and the web pages

    figures: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        figures[name] = round((now - started) * 1000, 1)
        started = now

    if backend is None:
        from backend.lambda_support.init import reachable

        reached = reachable(settings)
        lap("store_ms")
        catalog = load_catalog(reached)
        lap("catalog_ms")
        backend = build_backend(reached, catalog=catalog)
        lap("backend_ms")
    resolver = backend.resolver  # builds (or loads) the index in the init phase, not on the first turn
    lap("index_ms")
    if telemetry is not None:
        count_resolver_decisions(resolver, telemetry)
    entry = LambdaEntry(SkillRuntime(build_skill(backend)), skill_id=settings.skill_id, telemetry=telemetry)
    lap("skill_ms")
    entry.init_figures = figures
    return entry
