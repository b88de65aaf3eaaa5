"""Powertools for the Lambda functions: tracing only when asked for and never required, secrets masked."""

from __future__ import annotations

import importlib.util
import io
import logging
import uuid
from collections.abc import Iterator

import pytest

from backend.lambda_support.telemetry import TRACING_VARIABLE, telemetry
from tests.support.lambda_output import json_lines


@pytest.fixture(autouse=True)
def own_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"voicecart-test-{uuid.uuid4().hex[:8]}")
    root = logging.getLogger()
    handlers, level, disabled = root.handlers[:], root.level, logging.root.manager.disable
    logging.disable(logging.NOTSET)  # a command run earlier in this process may have silenced logging
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.disable(disabled)


def test_tracing_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TRACING_VARIABLE, raising=False)
    assert telemetry("voicecart-skill", stream=io.StringIO()).tracer is None


@pytest.mark.skipif(importlib.util.find_spec("aws_xray_sdk") is not None, reason="aws-xray-sdk is installed here")
def test_tracing_asked_for_without_the_xray_sdk_runs_untraced_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TRACING_VARIABLE, "true")
    stream = io.StringIO()
    assert telemetry("voicecart-skill", stream=stream).tracer is None
    assert any("aws-xray-sdk is not installed" in line["message"] for line in json_lines(stream.getvalue()))


def test_every_logger_writes_one_json_line_at_the_level_with_credentials_masked() -> None:
    stream = io.StringIO()
    telemetry("voicecart-skill", level="WARNING", stream=stream)
    log = logging.getLogger("voicecart.anything")
    log.info("below the level")
    log.warning("link failed", extra={"authorization": "Bearer vck_secret", "customer_id": "1285"})
    (line,) = json_lines(stream.getvalue())
    assert (line["message"], line["authorization"], line["customer_id"]) == ("link failed", "***", "1285")
