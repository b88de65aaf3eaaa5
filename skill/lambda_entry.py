"""The skill as an AWS Lambda handler, with no Flask: ``skill.lambda_entry.handler``.

Alexa invokes a Lambda directly (no signature headers to check); the skill id is still checked, as the ASK SDK
does. The runtime is built on the first invocation, never at import, and reused while the container lives. The
same envelope gets the same answer here as through the web adapter: both hand it to ``SkillRuntime.handle``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from skill.verification.envelope import EnvelopeHandler, checked_envelope
from skill.verification.errors import RequestVerificationError
from skill.verification.verifiers import ApplicationIdVerifier

logger = logging.getLogger(__name__)

RuntimeFactory = Callable[[], EnvelopeHandler]


class LambdaEntry:
    """Checks the envelope and its application id, then runs it through a lazily built runtime."""

    def __init__(self, runtime_factory: RuntimeFactory, *, skill_id: str | None) -> None:
        self._runtime_factory = runtime_factory
        self._runtime: EnvelopeHandler | None = None
        self._lock = threading.Lock()
        self._application_check = ApplicationIdVerifier(skill_id) if skill_id else None
        if self._application_check is None:
            logger.warning("no skill id configured: the Lambda accepts requests for any skill")

    def __call__(self, event: object, context: object) -> dict[str, Any]:
        try:
            envelope = checked_envelope(event)
            if self._application_check is not None:
                # A Lambda event carries no HTTP headers or raw body; the application check needs neither.
                self._application_check.verify({}, b"", envelope)
        except RequestVerificationError as exc:
            logger.warning("Alexa request rejected: %s", exc.reason, extra={"check": type(exc).__name__})
            raise
        return self._runtime_for_this_container().handle(envelope)

    def _runtime_for_this_container(self) -> EnvelopeHandler:
        with self._lock:
            if self._runtime is None:
                self._runtime = self._runtime_factory()
            return self._runtime


@functools.cache
def _default_entry() -> LambdaEntry:
    # Deferred imports: importing this module must stay free of settings, AWS clients and the skill build.
    from backend.settings import Settings

    settings = Settings.load()

    def build() -> EnvelopeHandler:
        from backend.services import build_backend
        from skill.app import build_runtime

        runtime: EnvelopeHandler = build_runtime(build_backend(settings))
        return runtime

    return LambdaEntry(build, skill_id=settings.skill_id)


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """The Lambda handler (``Handler: skill.lambda_entry.handler``)."""
    return _default_entry()(event, context)
