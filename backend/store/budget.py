"""A time budget for the store calls of one voice turn, enforced on every attempt the DynamoDB client sends.

Alexa waits 8 seconds for the whole turn, network and speech included. Each call to a networked store is bounded
on its own (``dynamo.CLIENT_CONFIG``: 2 s per attempt, 2 attempts), but a turn makes several calls: a token read
that succeeds on its second attempt after 4 s, then a slow cart read and a slow write, would answer after Alexa
has given up, and the customer hears nothing at all. So the turn gets one budget:

- every store call of a turn must be sent within ``TURN_STORE_SECONDS`` of the turn's start, and each attempt
  waits for its answer at most what is left (never more than the client's own read timeout);
- an attempt with less than ``MIN_ATTEMPT_SECONDS`` left is not sent: the call fails at once as
  :class:`StoreBudgetSpent`, so the turn apologises while Alexa is still listening;
- re-reading a write whose outcome is unknown (``transaction.Transaction``) gets ``RECHECK_SECONDS`` more, so the
  customer is told what happened rather than "maybe";
- when a turn's budget runs out after an earlier attempt of the same call was sent (and timed out), that attempt
  may have applied: :class:`StoreBudgetSpentAfterAttempt` is a read timeout, which the write path treats as an
  unknown outcome and re-reads.

With a hung store the turn apologises after ``TURN_STORE_SECONDS`` (3 s) instead of 4 s per call, and whatever the
store does, the last store answer of a turn comes by 4 s plus one connect timeout, leaving Alexa's other 4 s for
the network, the rest of the turn and the speech.

The budget lives in a context variable set by ``store_budget`` around a turn; outside one (API requests, workers,
benchmarks) calls are bounded by the client's timeouts alone. Only networked clients carry the hook: the embedded
store answers in process and queues with its own bounds (``embedded.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botocore.exceptions import BotoCoreError, ReadTimeoutError

TURN_STORE_SECONDS = 3.0
RECHECK_SECONDS = 1.0
MIN_ATTEMPT_SECONDS = 0.05

_deadline: ContextVar[float | None] = ContextVar("voicecart_store_deadline", default=None)


class StoreBudgetSpent(BotoCoreError):
    """The turn's time for the store is gone and this call was never sent: nothing it would write was written."""

    fmt = "the store budget of this turn is spent; the call was not sent"


class StoreBudgetSpentAfterAttempt(ReadTimeoutError):
    """The turn's time ran out after an earlier attempt of this call was sent and timed out: it may have applied."""

    fmt = "the store budget of this turn is spent after an attempt that timed out: {endpoint_url}"


@contextmanager
def store_budget(seconds: float | None = None) -> Iterator[None]:
    """Store calls inside this block share ``seconds`` (default ``TURN_STORE_SECONDS``) from now; a nested budget
    never extends an outer one."""
    outer = _deadline.get()
    deadline = time.monotonic() + (TURN_STORE_SECONDS if seconds is None else seconds)
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def recheck_allowance(seconds: float | None = None) -> Iterator[None]:
    """Inside a budget, give the calls in this block ``seconds`` more (re-reading an unknown write outcome)."""
    outer = _deadline.get()
    if outer is None:
        yield
        return
    token = _deadline.set(max(outer, time.monotonic()) + (RECHECK_SECONDS if seconds is None else seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining_seconds() -> float | None:
    """What is left of the current budget, or ``None`` outside one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def enforce_budget(request: Any, **_: Any) -> None:
    """botocore ``before-send`` hook: refuse an attempt the budget cannot cover, else wait at most what is left."""
    remaining = remaining_seconds()
    if remaining is None:
        return
    context = request.context if isinstance(getattr(request, "context", None), dict) else {}
    attempt = int((context.get("retries") or {}).get("attempt", 1))
    if remaining < MIN_ATTEMPT_SECONDS:
        if attempt > 1:
            raise StoreBudgetSpentAfterAttempt(endpoint_url=getattr(request, "url", "the store"))
        raise StoreBudgetSpent()
    configured = _client_read_timeout(context)
    context["read_timeout"] = min(configured, remaining) if configured else remaining


def _client_read_timeout(context: dict[str, Any]) -> float | None:
    config = context.get("client_config")
    value = getattr(config, "read_timeout", None)
    return float(value) if isinstance(value, int | float) else None


def install_budget(client: Any) -> None:
    """Make every attempt ``client`` sends respect the current turn's budget."""
    client.meta.events.register_first("before-send.dynamodb", enforce_budget)
