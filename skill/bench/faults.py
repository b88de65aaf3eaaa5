"""``voicecart bench faults``: every write point of a voice turn and of the API, under injected store faults.

For each write point (a voice add, removal, quantity change, checkout, order cancellation, the turn's profile
event; an API cart write and an API event) the same request is run four ways on the real skill and the real store
(moto), from the same starting state:

- ``reference``: no fault, what the customer should hear and what the store should hold;
- ``refused``: the store refuses the first write (DynamoDB's throttling error, as botocore parses it): the customer
  hears an apology (the API answers 503) and the store holds what it held before;
- ``lost``: the first write is applied and its answer is lost on the way back (a read timeout raised after the
  real call): the skill re-reads with the request marker and says what happened, so the customer hears what the
  reference heard (the API returns the applied result) and the store holds what the reference left;
- ``retry``: the same request, same request id, sent again after the lost answer (what Alexa and API clients do):
  the answer is the same and nothing is applied twice.

Faults are botocore event hooks on the backend's own client (``before-call`` answers with an error response,
``after-call`` raises after the store applied the call), so everything above the wire is the code that serves.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import re
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from botocore.exceptions import ReadTimeoutError
from flask import Flask

from backend.services import Backend
from backend.settings import Settings
from backend.store.keys import customer_pk
from skill.simulator.conversation import Conversation
from skill.simulator.local import conversation_for
from skill.simulator.transport import InProcessTransport

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
FAULTS = ("reference", "refused", "lost", "retry")
CUSTOMER = "1285"  # a demo customer with a history (the product below is one of their wines)
PRODUCT = "29799"  # Russian River Pinot Noir
OTHER = "24852"  # Banana
APOLOGY = re.compile(r"\bsorry\b", re.IGNORECASE)


class _Response:
    """What a ``before-call`` hook returns in place of the HTTP response: botocore reads only its status."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}


class FaultInjector:
    """Hooks on a client's events: ``arm(kind)`` makes the next write call fail that way, once."""

    def __init__(self, client: Any) -> None:
        self._events = client.meta.events
        self.armed: str | None = None
        self.target = ""
        self.hit: list[str] = []
        self._events.register("before-call.dynamodb", self._before)
        self._events.register("after-call.dynamodb", self._after)

    def close(self) -> None:
        self._events.unregister("before-call.dynamodb", self._before)
        self._events.unregister("after-call.dynamodb", self._after)

    def arm(self, kind: str | None, target: str = "") -> None:
        """Fail the next write that names an item whose sort key starts with ``target`` (another write of the
        same request, such as linking a new device, goes through)."""
        self.armed = kind if kind in ("refused", "lost") else None
        self.target = target
        self.hit = []

    def _operation(self, kwargs: dict[str, Any]) -> str | None:
        operation = str(kwargs.get("event_name", "")).rsplit(".", 1)[-1]
        if operation not in WRITE_OPERATIONS or self.armed is None:
            return None
        return operation if any(key.startswith(self.target) for key in _sort_keys(kwargs.get("params"))) else None

    def _before(self, **kwargs: Any) -> tuple[_Response, dict[str, Any]] | None:
        operation = self._operation(kwargs)
        if operation is None:
            return None
        if self.armed == "lost":
            # Sent as it is; its answer is dropped in ``after-call`` (the same request's context reaches both).
            self.armed = None
            kwargs["context"]["answer_lost"] = operation
            return None
        self.armed = None
        self.hit.append(operation)
        parsed = {
            "Error": {"Code": "ThrottlingException", "Message": "Rate of requests exceeds the allowed throughput."},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return _Response(400), parsed

    def _after(self, **kwargs: Any) -> None:
        operation = (kwargs.get("context") or {}).pop("answer_lost", None)
        if operation is None:
            return
        self.hit.append(operation)
        raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


def _sort_keys(request: Any) -> list[str]:
    """The sort keys a write names, read off the serialised request botocore is about to send."""
    try:
        body = json.loads((request or {}).get("body") or b"{}")
    except ValueError:
        return []
    operations: list[dict[str, Any]] = [next(iter(op.values()), {}) for op in body.get("TransactItems", [])]
    operations = operations or [body]
    keys = []
    for operation in operations:
        item = operation.get("Item") or operation.get("Key") or {}
        sort_key = item.get("sk", {}).get("S") if isinstance(item.get("sk"), dict) else None
        if sort_key:
            keys.append(str(sort_key))
    return keys


@contextmanager
def injected(backend: Backend) -> Iterator[FaultInjector]:
    injector = FaultInjector(backend.table.client)
    try:
        yield injector
    finally:
        injector.close()


@dataclass(frozen=True)
class State:
    """What a customer's partition holds, as the customer would see it: cart lines, orders and their status, the
    e-mail outbox, profile events by outcome (a "failed" event is the record of an apology, not a change)."""

    cart: tuple[tuple[str, int], ...]
    orders: tuple[tuple[str, str], ...]
    outbox: int
    events: tuple[tuple[str, int], ...]

    @classmethod
    def read(cls, backend: Backend, customer_id: str) -> State:
        items = backend.table.query_all("pk = :pk", values={":pk": customer_pk(customer_id)}, consistent=True)
        cart = tuple(sorted((line.product_id, line.quantity) for line in backend.shopping.cart(customer_id).lines))
        orders = sorted(
            (str(item.get("order_id", "")), str(item.get("status", "placed")))
            for item in items
            if str(item["sk"]).startswith("ORDER#") and str(item["sk"]).count("#") == 1
        )
        outbox = sum(1 for item in items if str(item["sk"]).startswith("OUTBOX#"))
        outcomes = Counter(
            str(item.get("outcome"))
            for item in items
            if str(item["sk"]).startswith("EVENT#")
            and not str(item["sk"]).endswith("#HEARD")
            and item.get("outcome") != "failed"
        )
        return cls(cart, tuple((status, oid) for oid, status in orders), outbox, tuple(sorted(outcomes.items())))

    def relative(self, before: State) -> State:
        """This state with what ``before`` held taken out: orders new since, status changes, counts added."""
        old = dict((oid, status) for status, oid in before.orders)
        orders = tuple(
            (status, "new" if oid not in old else "old") for status, oid in self.orders if old.get(oid) != status
        )
        was = dict(before.events)
        events = tuple((name, count - was.get(name, 0)) for name, count in self.events if count != was.get(name, 0))
        return State(self.cart, tuple(sorted(orders)), self.outbox - before.outbox, events)


@dataclass
class Outcome:
    heard: str
    before: State  # read just before the request that writes (after any unfaulted turns that lead to it)
    state: State
    operation: str = ""
    status: int | None = None


@dataclass
class Row:
    point: str
    fault: str
    heard: str
    operation: str
    status: int | None
    state_matches: bool
    answer_ok: bool
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state_matches and self.answer_ok


# --- the write points ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    name: str
    setup: Callable[[Backend, str], None]
    run: Callable[[Fixture, str, str], Outcome]  # (fixture, fault, target): armed just before the request that writes
    target: str  # the sort key prefix of an item the faulted write names
    apologises: bool = True  # a refused write is apologised for (the turn's own event is recorded best effort)


@dataclass
class Fixture:
    backend: Backend
    runtime: Any  # the skill's request handler, as ``serve`` builds it
    app: Flask
    injector: FaultInjector
    customer_id: str
    api_key: str
    transport: _Recording | None = None  # the last conversation's, to send its last request again

    def conversation(self) -> Conversation:
        """A new conversation of the customer (a new device, as Alexa gives one)."""
        assert self.backend.demo is not None
        token = self.backend.demo.demo_token(self.customer_id)
        self.transport = _Recording(InProcessTransport(self.runtime))
        return conversation_for(
            self.transport, skill_id=self.backend.settings.skill_id or "", account={"access_token": token}
        )


class _Recording:
    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner
        self.sent: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        return self.inner.send(envelope)


def _speech(body: dict[str, Any]) -> str:
    from skill.simulator.conversation import plain_speech

    return plain_speech(body.get("response", {}).get("outputSpeech"))


def voice(*before: str, then: str) -> Callable[[Fixture, str, str], Outcome]:
    """Say ``before`` unfaulted, arm the fault, say ``then``; ``retry`` sends that last envelope again."""

    def run(fixture: Fixture, fault: str, target: str) -> Outcome:
        conversation = fixture.conversation()
        for words in before:
            conversation.say(words)
        start = State.read(fixture.backend, fixture.customer_id)
        fixture.injector.arm("lost" if fault == "retry" else fault, target)
        turn = conversation.say(then)
        operation = ",".join(fixture.injector.hit)
        fixture.injector.arm(None)
        heard = turn.speech
        if fault == "retry" and fixture.transport is not None:
            heard = _speech(fixture.transport.inner.send(fixture.transport.sent[-1]))
        return Outcome(heard, start, State.read(fixture.backend, fixture.customer_id), operation)

    return run


def api(method: str, path: str, body: Callable[[], dict[str, Any]]) -> Callable[[Fixture, str, str], Outcome]:
    def run(fixture: Fixture, fault: str, target: str) -> Outcome:
        client = fixture.app.test_client()
        headers = {"Authorization": f"Bearer {fixture.api_key}"}
        url = "/api/v1" + path.format(customer=fixture.customer_id)
        payload = body()
        start = State.read(fixture.backend, fixture.customer_id)
        fixture.injector.arm("lost" if fault == "retry" else fault, target)
        response = client.open(url, method=method, json=payload, headers=headers)
        operation = ",".join(fixture.injector.hit)
        fixture.injector.arm(None)
        if fault == "retry":
            response = client.open(url, method=method, json=payload, headers=headers)
        heard = json.dumps(_api_summary(response.get_json(silent=True)), sort_keys=True)
        state = State.read(fixture.backend, fixture.customer_id)
        return Outcome(heard, start, state, operation, status=response.status_code)

    return run


def _api_summary(body: Any) -> Any:
    """The parts of an API answer that say what happened (not its timestamps)."""
    if not isinstance(body, dict):
        return body
    if "error" in body:
        return {"error": body["error"].get("code")}
    if "lines" in body:
        return {"lines": [(line["product_id"], line["quantity"]) for line in body["lines"]]}
    return {key: body[key] for key in ("status",) if key in body}


def _cart_of(*lines: tuple[str, int]) -> Callable[[Backend, str], None]:
    def setup(backend: Backend, customer_id: str) -> None:
        backend.shopping.change_cart(customer_id, lambda cart: cart.cleared(), request_id=None)
        if lines:
            backend.shopping.add_items(customer_id, list(lines), request_id=None)

    return setup


def _with_an_order(backend: Backend, customer_id: str) -> None:
    _cart_of((PRODUCT, 1))(backend, customer_id)
    backend.shopping.place_order(customer_id, request_id=f"setup-{uuid.uuid4().hex}")
    _cart_of()(backend, customer_id)


def _event_body() -> dict[str, Any]:
    from datetime import UTC, datetime

    return {
        "event_id": f"web-{uuid.uuid4().hex}",
        "channel": "web",
        "type": "product_viewed",
        "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "outcome": "answered",
    }


POINTS: tuple[Point, ...] = (
    Point(
        "voice cart add",
        _cart_of(),
        voice(then="ask my grocer to add three bottles of russian river pinot noir"),
        target="CART",
    ),
    Point(
        "voice cart remove",
        _cart_of((PRODUCT, 3), (OTHER, 1)),
        voice(then="ask my grocer to remove the bananas"),
        target="CART",
    ),
    Point(
        "voice quantity",
        _cart_of((PRODUCT, 3)),
        voice(then="ask my grocer to change the pinot noir to two"),
        target="CART",
    ),
    Point("voice checkout", _cart_of((PRODUCT, 3)), voice("ask my grocer to check out", then="yes"), target="ORDER#"),
    Point(
        "voice cancel", _with_an_order, voice("ask my grocer to cancel my latest order", then="yes"), target="ORDER#"
    ),
    Point(
        "voice profile event",
        _cart_of((PRODUCT, 3)),
        voice(then="ask my grocer what's in my cart"),
        target="EVENT#",
        apologises=False,
    ),
    Point(
        "api cart write",
        _cart_of(),
        api(
            "POST",
            "/customers/{customer}/cart/items",
            lambda: {"product_id": PRODUCT, "quantity": 2, "event_id": f"web-{uuid.uuid4().hex}"},
        ),
        target="CART",
    ),
    Point("api event ingest", _cart_of(), api("POST", "/customers/{customer}/events", _event_body), target="EVENT#"),
)


_DIGITS = re.compile(r"\d")
_PLACEHOLDER = re.compile(r"\\\{[a-z_]+\\\}")


@functools.cache
def _variants() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each phrasing of a sentence that has several, as a pattern, with the key it stands for."""
    from skill.speech import _load_locale

    found = []
    for key, template in _load_locale("en-US").items():
        if isinstance(template, list):
            for variant in template:
                pattern = _PLACEHOLDER.sub(lambda _: "[^.?!]*?", re.escape(variant))
                found.append((re.compile(pattern), f"<{key}>"))
    return tuple(found)


def _canonical(heard: str) -> str:
    """The answer with digits masked (order numbers, dates) and each phrasing replaced by its sentence's key: a
    request with another id may be told the same thing in other words."""
    for pattern, key in _variants():
        heard = pattern.sub(key, heard)
    return _DIGITS.sub("#", heard)


def _same_answer(heard: str, reference: str) -> bool:
    return _canonical(heard) == _canonical(reference)


def measure(backend: Backend, *, points: Sequence[Point] = POINTS, customer_id: str = CUSTOMER) -> list[Row]:
    """Every point x fault on ``backend`` (a demo backend), from the same starting state each time."""
    from skill.app import build_runtime, create_app

    app = create_app(backend.settings, backend=backend)
    backend.profiles.ensure_customer(customer_id)
    key = backend.clients.create(name="faults bench", channel="web").key
    rows: list[Row] = []
    with injected(backend) as injector:
        fixture = Fixture(backend, build_runtime(backend), app, injector, customer_id, key)
        fixture.conversation().say("ask my grocer what's in my cart")  # provisions the demo customer
        for point in points:
            reference: Outcome | None = None
            wanted: State | None = None
            for fault in FAULTS:
                point.setup(backend, customer_id)
                outcome = point.run(fixture, fault, point.target)
                change = outcome.state.relative(outcome.before)
                if fault == "reference":
                    reference, wanted = outcome, change
                assert reference is not None and wanted is not None
                rows.append(_judge(point, fault, outcome=outcome, change=change, reference=reference, wanted=wanted))
    return rows


def _judge(point: Point, fault: str, *, outcome: Outcome, change: State, reference: Outcome, wanted: State) -> Row:
    unchanged = State(outcome.before.cart, (), 0, ())
    if fault == "refused" and point.apologises:
        state_ok = change == unchanged
        answer_ok = (outcome.status == 503) if outcome.status is not None else bool(APOLOGY.search(outcome.heard))
    elif fault == "refused":
        # The turn's answer was built before its event: the answer stands, the event is not there.
        state_ok = change == dataclasses.replace(wanted, events=())
        answer_ok = _same_answer(outcome.heard, reference.heard)
    else:
        state_ok = change == wanted
        answer_ok = _same_answer(outcome.heard, reference.heard) and outcome.status == reference.status
        if fault == "retry" and outcome.status == 200 and reference.status == 201:
            # The API's idempotent answer to an event sent again: 200, "already_written" (201 is for the first).
            answer_ok = json.loads(outcome.heard) == {"status": "already_written"}
    detail = "" if state_ok else f"store {change} (wanted {unchanged if fault == 'refused' else wanted})"
    return Row(point.name, fault, outcome.heard, outcome.operation, outcome.status, state_ok, answer_ok, detail)


def print_rows(rows: Sequence[Row], out: TextIO) -> None:
    out.write("| write point | fault | write hit | API status | what the customer heard / API body | store | ok |\n")
    out.write("|---|---|---|---|---|---|---|\n")
    for row in rows:
        heard = row.heard if len(row.heard) <= 110 else row.heard[:107] + "..."
        store = "matches" if row.state_matches else "MISMATCH"
        out.write(
            f"| {row.point} | {row.fault} | {row.operation or '-'} | {row.status or '-'} | {heard} | {store} | "
            f"{'yes' if row.ok else 'NO'} |\n"
        )
        if row.detail:
            out.write(f"|  |  |  |  | {row.detail} |  |  |\n")
    bad = sum(1 for row in rows if not row.ok)
    out.write(f"\n{len(rows)} rows, {bad} wrong\n")


def run(args: argparse.Namespace) -> int:
    from backend.services import build_backend
    from backend.store.embedded import store_for

    settings = Settings.load()
    with store_for(dataclasses.replace(settings, load_demo_data=True)) as reachable:
        backend = build_backend(reachable, demo=True)
        rows = measure(backend)
    print_rows(rows, sys.stdout)
    return 0 if all(row.ok for row in rows) else 1


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "faults", help="every write point of a voice turn and the API under refused and lost store writes"
    )
    parser.set_defaults(func=run)
