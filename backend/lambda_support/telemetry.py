"""Powertools for both Lambda functions: one JSON log line per record with the request id and the cold-start flag,
metrics in CloudWatch's embedded metric format flushed once per invocation, and X-Ray tracing only when asked for.

Every logger of the process writes through the Powertools handler (the root logger gets it), so the turn logs of
``skill.handlers.logging`` carry ``function_request_id`` and ``cold_start`` too. Nothing logs an event, a token or
an envelope: ``inject_lambda_context`` is used with ``log_event=False`` and fields whose names say they hold a
credential are masked (``backend.logs.SecretFieldFilter``).

Settings: ``VOICECART_LOG_LEVEL`` (the level), ``POWERTOOLS_SERVICE_NAME`` (default: the function's own name,
``voicecart-skill`` / ``voicecart-api``), ``POWERTOOLS_METRICS_NAMESPACE`` (default ``voicecart``),
``VOICECART_TRACING=true`` for X-Ray (needs ``aws-xray-sdk``, the ``tracing`` extra; without it the function runs
untraced and says so once).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from backend.logs import QUIET_LIBRARIES, SecretFieldFilter

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

    from backend.resolver import Resolver

DEFAULT_NAMESPACE = "voicecart"
TRACING_VARIABLE = "VOICECART_TRACING"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Telemetry:
    logger: Logger
    metrics: Metrics
    tracer: Tracer | None

    def handler(self, function: F) -> F:
        """Wrap a Lambda handler: the context in every log line, the metrics flushed after each invocation (also
        when it raises), and a trace segment when tracing is on."""
        wrapped: Any = function
        if self.tracer is not None:
            wrapped = self.tracer.capture_lambda_handler(wrapped, capture_response=False)
        wrapped = self.metrics.log_metrics(wrapped, capture_cold_start_metric=True)
        wrapped = self.logger.inject_lambda_context(wrapped, log_event=False, clear_state=True)
        result: F = wrapped
        return result

    def count(self, name: str, value: float = 1) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    def milliseconds(self, name: str, value: float) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=round(value, 3))

    def dimension(self, name: str, value: str) -> None:
        self.metrics.add_dimension(name=name, value=value)


def telemetry(service: str, *, level: str = "INFO", stream: IO[str] | None = None) -> Telemetry:
    """Powertools set up for ``service`` (unless ``POWERTOOLS_SERVICE_NAME`` names another) at ``level``."""
    service = os.environ.get("POWERTOOLS_SERVICE_NAME") or service
    logger = Logger(service=service, level=level.upper(), stream=stream)
    _route_every_logger_through(logger, level)
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE
    return Telemetry(logger=logger, metrics=Metrics(service=service, namespace=namespace), tracer=_tracer(service))


def _route_every_logger_through(logger: Logger, level: str) -> None:
    handler = logger.registered_handler
    if not any(isinstance(f, SecretFieldFilter) for f in handler.filters):
        handler.addFilter(SecretFieldFilter())
    # Its own records reach the handler once: directly, not again through the root.
    logging.getLogger(logger.name).propagate = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _tracer(service: str) -> Tracer | None:
    if os.environ.get(TRACING_VARIABLE, "").strip().lower() not in {"1", "true", "yes", "on"}:
        return None
    # Powertools' Tracer needs aws-xray-sdk; only the tracing extra installs it.
    if importlib.util.find_spec("aws_xray_sdk") is None:
        logging.getLogger(__name__).warning(
            "%s is set but aws-xray-sdk is not installed (pip install 'voicecart[tracing]'): not tracing",
            TRACING_VARIABLE,
        )
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=service)


def count_resolver_decisions(resolver: Resolver, telemetry: Telemetry) -> Resolver:
    """Count each resolution's decision (``ResolverAccept``, ``ResolverConfirm``, ...) on the resolver the backend
    built, whichever kind it is. The instance's ``resolve`` is wrapped in place, as tracing instrumentors do, so
    every service holding this resolver is measured without a second one being built."""
    resolve = resolver.resolve

    def counted(*args: Any, **kwargs: Any) -> Any:
        resolution = resolve(*args, **kwargs)
        decision = str(getattr(resolution, "decision", "unknown"))
        telemetry.count("Resolver" + "".join(part.title() for part in decision.split("_")))
        return resolution

    resolver.resolve = counted  # type: ignore[method-assign]
    return resolver
