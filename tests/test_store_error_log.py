"""A store refusal during a turn is answered with the apology; only a real fault is logged with its traceback."""

from __future__ import annotations

import logging

import pytest
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import LaunchRequest, RequestEnvelope

from backend.errors import ConcurrentUpdate, StoreUnavailable
from skill.handlers.errors import StoreErrorHandler

HANDLER_LOG = "skill.handlers.errors"


def _turn() -> HandlerInput:
    return HandlerInput(request_envelope=RequestEnvelope(request=LaunchRequest(request_id="r-1", locale="en-US")))


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == HANDLER_LOG]


def test_a_write_that_kept_conflicting_is_one_line_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=HANDLER_LOG):
        response = StoreErrorHandler().handle(_turn(), ConcurrentUpdate("the cart kept changing"))
    (record,) = _records(caplog)
    assert record.exc_info is None
    assert record.levelno == logging.WARNING
    assert "the cart kept changing" in record.getMessage()
    assert response.output_speech is not None  # the customer still hears the apology


def test_a_store_that_could_not_be_reached_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise StoreUnavailable("the store did not answer")
    except StoreUnavailable as error:
        with caplog.at_level(logging.INFO, logger=HANDLER_LOG):
            StoreErrorHandler().handle(_turn(), error)
    (record,) = _records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
