"""The embedded store: moto's DynamoDB, inside this process, with no socket. In memory only.

Every call still goes through boto3 and the real DynamoDB wire protocol (serialised, signed, parsed), so the code
above it is exactly the code that talks to AWS; only the last step differs: instead of an HTTP request, the
prepared request is handed to moto's DynamoDB handler in this process. Everything it holds is lost when the
process stops.

What makes it fit for many concurrent clients:

- **Reachable only by this process.** There is no port to find; the endpoint is a name that resolves nowhere
  (``*.invalid``), and the dispatcher serves only the clients built here: each is wired to it with a key made up at
  start, which the dispatcher checks (a client wired to it without that key is refused). Nothing verifies a SigV4
  signature in process, so the clients do not compute one (a millisecond of every call).
- **One call at a time, fairly, with a bounded queue.** moto is not thread-safe (two requests can interleave in
  one backend and lose writes), and DynamoDB applies each request atomically, so calls run one at a time, in
  arrival order. At most ``max_waiting`` calls wait, each at most ``max_wait`` seconds: beyond that a call is
  refused at once with DynamoDB's own throttling error instead of joining a queue it would time out in.
- **No retries of calls whose caller has gone.** In-process, a call cannot outlive its caller; the clients made
  here do not retry a refusal either (the caller apologises or retries with fresh state itself).
- **Flat memory.** moto keeps every stream record and never runs TTL. Every ``maintenance_every`` calls, under the
  gate, a batch of at most ``sweep_batch`` items is swept for passed ``expires_at`` (deleted, as DynamoDB's TTL
  does) and stream records older than 24 hours or beyond the newest ``stream_records_kept`` are dropped
  (``backend.store.embedded_upkeep``), and moto's register of every model object it ever made (kept for its
  dashboard, the largest growth of all) is emptied. What expires and when is ``backend.store.retention``.
- **Fast answers.** moto serialises every response through a generic, model-driven serialiser: about 10 ms per
  item returned, so a query of one order's page took a second. The item operations' results are already in
  DynamoDB's wire shape, so they are written with ``json.dumps`` (a test checks both give the same document). And moto
  parses an update expression twice per update (once to check it, once to run it), at a millisecond or more each;
  the parse is a pure function of the expression's text, and every user of the tree copies it before changing it,
  so parsed trees are kept (a bounded cache: the skill writes a few dozen distinct expressions). The simple
  updates (top-level ``SET``, ``if_not_exists`` and numeric ``ADD`` by placeholder: the profile summary's, every
  turn) skip moto's tree walks altogether (``backend.store.embedded_updates``; a test checks moto's own answer),
  and an item is measured against the size limit once, not once per attribute (``backend.store.embedded_items``).
- **The turn's two calls, direct.** A ``TransactWriteItems`` or ``BatchGetItem`` whose request parses to its own
  JSON (every voice turn's write and read) is answered from botocore's ``before-call`` event by moto's own handler,
  under the gate, with no HTTP layers and no model walk of the request; botocore's own parser reads the answer
  (``backend.store.embedded_direct``; a differential test runs random transactions and batch reads both ways).
- **Queries that read one partition.** moto answers a query on the table by scanning every item of the table
  and sorting the whole partition; the query is given a view holding only the queried partition (and only its
  ``begins_with`` range, when asked), which is what DynamoDB reads.
- **Cheap rollbacks.** moto rolls a failed ``TransactWriteItems`` back by restoring a deep copy of every table it
  touched, taken before each transaction: a cost that grows with the table (seconds once the demo histories are
  loaded). We snapshot only the items the transaction names and restore those, which is what a rollback has to
  undo.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hmac
import json
import logging
import secrets
import string
import threading
import weakref
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import ModuleType, SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

import boto3
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from backend.clock import Clock, utc_now
from backend.settings import ENDPOINT, Settings
from backend.store import embedded_direct, embedded_items, embedded_moto, embedded_parse, embedded_updates
from backend.store.embedded_upkeep import Upkeep, item_bytes, item_kinds

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

EMBEDDED_ENDPOINT_SUFFIX = ".embedded-dynamodb.invalid"
REGION = "us-east-1"
# No retries: a refusal here is deliberate (the queue is full), and a retry would only join the queue again. Unsigned:
# the call never leaves the process, and the dispatcher checks its own key instead (see EmbeddedDynamoDB._send).
# Not validated client-side either: botocore's walk of every parameter against the service model was about a tenth
# of a turn's CPU here, and moto parses every request against the same model anyway (a malformed one is refused
# with a ClientError, as by DynamoDB; a test checks). Clients of DynamoDB itself and of mock_aws (most tests)
# still validate.
EMBEDDED_CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, signature_version=UNSIGNED, parameter_validation=False
)
PARSED_EXPRESSIONS_KEPT = 512
PARSED_CONDITIONS_KEPT = 256  # a turn's calls repeat their own conditions; 256 is a few seconds of turns at c48
# How often moto's condition parse ran and how often a kept tree answered instead (process-wide; tests and benches).
condition_parses: Counter[str] = Counter()

# The region the embedded store's clients sign for (any region works; one keeps its tables in one place).
EMBEDDED_REGION = REGION

_instances: weakref.WeakValueDictionary[str, EmbeddedDynamoDB] = weakref.WeakValueDictionary()
_instances_lock = threading.Lock()
# Set while the current thread holds an embedded store's gate (see the query view in _install_item_level_rollback).
_gated = threading.local()


class Refused(Exception):
    """The embedded store is saturated: too many calls waiting, or waited too long."""


class FairGate:
    """One holder at a time, handed over in arrival order; at most ``max_waiting`` waiters, each for at most
    ``max_wait`` seconds, else :class:`Refused` at once."""

    def __init__(self, *, max_waiting: int, max_wait: float) -> None:
        self._guard = threading.Lock()
        self._busy = False
        self._waiters: deque[threading.Event] = deque()
        self._max_waiting = max_waiting
        self._max_wait = max_wait
        self.refused = 0

    def enter(self) -> None:
        with self._guard:
            if not self._busy:
                self._busy = True
                return
            if len(self._waiters) >= self._max_waiting:
                self.refused += 1
                raise Refused("too many calls waiting")
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(self._max_wait):
            return
        with self._guard:
            if turn.is_set():  # handed over just as the wait ran out: the gate is ours
                return
            self._waiters.remove(turn)
            self.refused += 1
        raise Refused("waited too long")

    def leave(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().set()  # hand over directly: the gate stays busy
            else:
                self._busy = False

    @property
    def waiting(self) -> int:
        return len(self._waiters)


class _TablesAreNotCopied(ModuleType):
    """Stands in for ``copy`` inside moto's DynamoDB models: tables are 'copied' by reference (the caller restores
    the touched items itself), everything else is deep-copied as before."""

    def __init__(self, table_type: type) -> None:
        super().__init__("copy")
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_patch_lock = threading.Lock()
_PATCHED_FLAG = "_voicecart_item_level_rollback"


def _install_item_level_rollback() -> None:
    """Make moto's transaction rollback restore the touched items instead of deep-copying whole tables."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    with _patch_lock:
        if getattr(models.DynamoDBBackend, _PATCHED_FLAG, False):
            return

        original = models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            snapshots = []
            streams = _stream_lengths(self, transact_items)
            for entry in transact_items:
                _, operation = next(iter(entry.items()))
                table = self.tables.get(operation.get("TableName"))
                if table is None:
                    continue
                key = operation.get("Key") or {
                    name: operation["Item"][name]
                    for name in (table.hash_key_attr, table.range_key_attr)
                    if name and name in operation.get("Item", {})
                }
                hash_key = key.get(table.hash_key_attr)
                range_key = key.get(table.range_key_attr) if table.range_key_attr else None
                if hash_key is None:
                    continue
                before = _get(table, hash_key, range_key)
                snapshots.append((table, hash_key, range_key, before.to_json()["Attributes"] if before else None))
            try:
                original(self, transact_items)
            except Exception:
                for table, hash_key, range_key, attributes in reversed(snapshots):
                    if attributes is None:
                        if _get(table, hash_key, range_key) is not None:
                            table.delete_item(_dynamo(hash_key), _dynamo(range_key))
                    else:
                        table.put_item(attributes)
                _drop_stream_records_since(streams)  # a cancelled transaction writes no stream record
                raise

        query = _range_scoped_query(Table.query)

        embedded_updates.install(models.DynamoDBBackend)
        embedded_items.install(models.Item)
        _keep_parsed_update_expressions()
        _keep_parsed_conditions()
        _measure_stream_records_when_read()
        _convert_results_directly()
        models.copy = _TablesAreNotCopied(Table)
        setattr(Table, "query", query)  # noqa: B010
        setattr(models.DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
        setattr(models.DynamoDBBackend, _PATCHED_FLAG, True)


def _stream_lengths(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, int]]:
    """How many records the stream of each table a transaction names holds before it runs."""
    lengths = []
    for name in {operation.get("TableName") for entry in transact_items for operation in entry.values()}:
        shard = getattr(backend.tables.get(name), "stream_shard", None)
        if shard is not None:
            lengths.append((shard, len(shard.items)))
    return lengths


def _drop_stream_records_since(lengths: list[tuple[Any, int]]) -> None:
    """Drop what a cancelled transaction wrote to the streams: moto applies its writes one by one before it
    checks the last condition, and the rollback's restores are writes too; each made a record (with the data of a
    write DynamoDB never applied: an erased customer's turn, say). Sequence numbers stay dense (moto numbers
    records by position), and nothing else ran meanwhile (the store's gate)."""
    for shard, length in lengths:
        del shard.items[length:]


def _range_scoped_query(original_query: Callable[..., Any]) -> Callable[..., Any]:
    """moto's Table.query sorts the whole partition before it applies the key condition; under the gate, sort only
    the items the condition can match."""

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # Positional as moto's backend calls it: (hash_key, range_comparison, range_objs, limit,
        # exclusive_start_key, scan_index_forward, projection_expressions, index_name, ...).
        # Only under the embedded store's gate: the view swaps the table's items for the call, which is safe
        # only when no other call can touch the table meanwhile (moto used directly, e.g. by mock_aws, is not).
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if not getattr(_gated, "active", False) or index_name or hash_key is None or not self.range_key_attr:
            return original_query(self, hash_key, *args, **kwargs)
        everything = self.items
        partition = everything.get(hash_key, {})  # .get: a defaultdict must not grow a partition here
        comparison, bounds = (args[0], args[1]) if len(args) > 1 else (None, None)
        if comparison == "BEGINS_WITH" and bounds and bounds[0].type == "S":
            # The same condition moto applies after sorting the whole partition, applied before it.
            prefix = bounds[0].value
            partition = {key: item for key, item in partition.items() if key.value.startswith(prefix)}
        elif comparison == "BETWEEN" and bounds and len(bounds) == 2 and all(b.type == "S" for b in bounds):
            low, high = bounds[0].value, bounds[1].value  # a time range of events: the same, for BETWEEN
            partition = {key: item for key, item in partition.items() if low <= key.value <= high}
        self.items = {hash_key: partition} if partition else {}
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            self.items = everything

    return query


def _keep_parsed_update_expressions() -> None:
    """Parse each update expression once (moto parses it on every update, twice). Safe to share: moto's validator
    deep-copies the tree before it resolves names and values into it, and the other caller only reads it."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    make = UpdateExpressionParser.make
    if hasattr(make, "cache_info"):
        return
    cached = functools.lru_cache(maxsize=PARSED_EXPRESSIONS_KEPT)(make)
    setattr(UpdateExpressionParser, "make", staticmethod(cached))  # noqa: B010


def _keep_parsed_conditions() -> None:
    """Parse each condition once per (expression, names, values) (moto parses a call's condition two to five times:
    to validate it, then per item or transaction step). A parse is a pure function of the three: the values are bound
    into the tree, so they are part of the key. Safe to share: moto's condition trees are only read once built (their
    nodes set attributes in ``__init__`` alone), and the names and values the parse reports found are kept with it.
    The repeats are within a call; keys with fresh values age out of a bounded cache."""
    from moto.dynamodb.comparisons import ConditionExpressionParser

    parse = ConditionExpressionParser.parse
    if getattr(parse, _PATCHED_FLAG, False):
        return
    kept: OrderedDict[tuple[str, str, str], tuple[Any, tuple[str, ...], tuple[str, ...]]] = OrderedDict()
    lock = threading.Lock()

    def cached_parse(self: Any) -> Any:
        expression = self.condition_expression
        if not expression:
            return parse(self)
        # repr: the names and values are parsed JSON (strings, numbers, booleans, lists and dicts of them), whose repr
        # tells any two apart; the same mapping in another key order is only a miss.
        key = (expression, repr(self.expression_attribute_names), repr(self.expression_attribute_values))
        with lock:
            hit = kept.get(key)
            if hit is not None:
                kept.move_to_end(key)
        if hit is None:
            tree = parse(self)  # an invalid expression raises here, and nothing is kept
            condition_parses["parsed"] += 1
            hit = (tree, tuple(self.expr_attr_names_found), tuple(self.expr_attr_values_found))
            with lock:
                kept[key] = hit
                while len(kept) > PARSED_CONDITIONS_KEPT:
                    kept.popitem(last=False)
        else:
            condition_parses["reused"] += 1
            self.expr_attr_names_found.extend(hit[1])
            self.expr_attr_values_found.extend(hit[2])
        return hit[0]

    setattr(cached_parse, _PATCHED_FLAG, True)
    setattr(ConditionExpressionParser, "parse", cached_parse)  # noqa: B010


def _measure_stream_records_when_read() -> None:
    """moto measures every stream record as it makes it (a JSON dump of both images, for ``SizeBytes``): a tenth of a
    write's CPU, for a figure read only when a stream reader asks for the record. Measured when first read instead,
    the same way, so it says the same (a record the erasure rewrote in the meantime keeps the size it was given)."""
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.utilities import dynamo_json_dump

    record_class = table_module.StreamRecord
    if getattr(record_class, _PATCHED_FLAG, False):
        return
    made = record_class.__init__

    def __init__(self: Any, *args: Any) -> None:  # noqa: N807
        made(self, *args)  # measures with _unmeasured_dump (below): SizeBytes stays 1 until read
        self._unmeasured = self.record["dynamodb"]

    def to_json(self: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.record.get("dynamodb") or {}
        if data is getattr(self, "_unmeasured", None):
            data["SizeBytes"] = len(dynamo_json_dump(data))  # moto's own measure, of the record as made
            self._unmeasured = None
        return cast("dict[str, Any]", self.record)

    setattr(record_class, "__init__", __init__)  # noqa: B010
    setattr(record_class, "to_json", to_json)  # noqa: B010
    setattr(record_class, _PATCHED_FLAG, True)
    setattr(table_module, "dynamo_json_dump", _unmeasured_dump)  # noqa: B010 - the module's one use is this measure


def _convert_results_directly() -> None:
    """moto turns every result into plain values with ``dynamo_to_dict`` (recursively, asking every value, strings
    included, whether it has a ``to_json``): a twentieth of a batch read's CPU. The same conversion, with the common
    values (moto's own ``DynamoType`` but blobs, plain dicts, lists, strings, numbers) converted at once and
    everything else left to moto's function (a test checks both give the same). An item read comes as moto's
    ``LimitedSizeDict`` (``Item.describe_attrs``: a dict that measures itself on every write), converted as a dict,
    as moto's function converts it: left to that function, every value of every item read was walked the slow way."""
    from moto.dynamodb import responses

    if getattr(responses.dynamo_to_dict, _PATCHED_FLAG, False):
        return
    setattr(responses, "dynamo_to_dict", make_fast_dynamo_to_dict(responses.dynamo_to_dict))  # noqa: B010


def make_fast_dynamo_to_dict(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    plain = (str, int, float, bool, type(None))
    # moto's function converts these (no ``to_json``) as plain dicts; checked, so a moto that gave one a ``to_json``
    # keeps its own conversion
    dicts = (dict,) if hasattr(LimitedSizeDict, "to_json") else (dict, LimitedSizeDict)

    def convert(obj: Any) -> Any:
        kind = type(obj)
        if kind is DynamoType:
            if obj.type in ("B", "BS"):
                return original(obj)
            return {obj.type: convert(obj.value)}
        if kind in dicts:
            return {k: convert(v) for k, v in obj.items()}
        if kind is list:
            return [convert(item) for item in obj]
        if kind in plain:
            return obj
        if not isinstance(obj, (datetime, DynamoType)) and hasattr(obj, "to_json"):
            return convert(obj.to_json())  # a model object (an Item): as moto's, its JSON converted
        return original(obj)

    setattr(convert, _PATCHED_FLAG, True)
    return convert


def _unmeasured_dump(_: Any) -> str:
    """moto's measuring dump, in the module that makes stream records: one character (``SizeBytes`` 1, as moto puts
    it in the record before it measures) until the record is read."""
    return "-"


def _dynamo(raw: dict[str, Any] | None) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(raw) if raw is not None else None


def _get(table: Any, hash_key: dict[str, Any], range_key: dict[str, Any] | None) -> Any:
    return table.get_item(_dynamo(hash_key), _dynamo(range_key))


class EmbeddedDynamoDB:
    """moto's DynamoDB in this process. ``client()`` gives a boto3 client wired to it (and to nothing else)."""

    def __init__(
        self,
        *,
        max_waiting: int = 256,
        max_wait: float = 5.0,
        stream_records_kept: int = 1000,
        maintenance_every: int = 200,
        sweep_batch: int = 2000,
        clock: Clock = utc_now,
        direct_calls: bool = True,
    ) -> None:
        self._direct_calls = direct_calls  # off: every call through botocore's HTTP layers and moto's parser
        self._gate = FairGate(max_waiting=max_waiting, max_wait=max_wait)
        self._key = secrets.token_urlsafe(30)  # what the clients built here give the dispatcher
        # TTL deletion and stream retention, as DynamoDB runs them (backend.store.embedded_upkeep)
        self.upkeep = Upkeep(
            _tables,
            every=maintenance_every,
            sweep_batch=sweep_batch,
            stream_records_kept=stream_records_kept,
            clock=clock,
        )
        self._started = False
        self.calls = 0
        self.endpoint: str | None = None

    def start(self) -> str:
        embedded_moto.check_handler(_handler())  # a moto whose handler changed: refused here, not mid-turn
        _install_item_level_rollback()
        self.endpoint = f"http://{secrets.token_hex(8)}{EMBEDDED_ENDPOINT_SUFFIX}"
        with _instances_lock:
            _instances[self.endpoint] = self
        self._started = True
        log.info("embedded DynamoDB (moto) in this process, in memory; no port is open")
        return self.endpoint

    def stop(self) -> None:
        if self.endpoint is not None:
            with _instances_lock:
                _instances.pop(self.endpoint, None)
        self._started = False
        self.endpoint = None

    def client(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self._client("dynamodb"))

    def streams_client(self) -> Any:
        """A DynamoDB Streams client on this store (the outbound worker reads the table's stream with it)."""
        return self._client("dynamodbstreams")

    def _client(self, service: str) -> Any:
        if not self._started or self.endpoint is None:
            raise RuntimeError("the embedded store is not started")
        session = boto3.session.Session(region_name=REGION)
        # Items read are converted directly, not by botocore's model walk (backend.store.embedded_parse)
        session._session.register_component("response_parser_factory", embedded_parse.FastResponseParserFactory())
        client = session.client(service, endpoint_url=self.endpoint, config=EMBEDDED_CLIENT_CONFIG)  # type: ignore[call-overload]
        client._serializer = embedded_parse.fast_serializer(client._serializer)  # items written directly, too
        _keep_resolved_endpoints(client)
        _skip_unsigned_request_steps(client)
        handler = _handler() if service == "dynamodb" else _streams_handler()
        event = f"before-send.{client.meta.service_model.service_id.hyphenize()}"
        client.meta.events.register_first(event, functools.partial(self._send, handler=handler, key=self._key))
        if service == "dynamodb" and self._direct_calls and embedded_direct.supports(client):
            # Last: every other before-call hook (a test's fault, the fault bench's) answers first if it answers.
            direct = functools.partial(self._direct, client=weakref.ref(client), key=self._key)
            client.meta.events.register_last("before-call.dynamodb", direct)
        return client

    @property
    def refused(self) -> int:
        return self._gate.refused

    def _send(self, request: AWSPreparedRequest, *, handler: Any = None, key: str = "", **_: Any) -> AWSResponse:
        from moto.core.botocore_stubber import MockRawResponse
        from moto.core.request import normalize_request

        if not hmac.compare_digest(key, self._key):
            return _error(request, 400, "UnrecognizedClientException", "The security token is not valid.")
        if not self._started:
            # A stopped store answers nothing, as an endpoint whose server has gone (its clients outlive it).
            raise EndpointConnectionError(endpoint_url=request.url)

        def serve() -> tuple[int, dict[str, Any], Any]:
            try:
                if handler is None or handler is _handler():
                    return cast("tuple[int, dict[str, Any], Any]", _handler()().serve(request))
                normalized = normalize_request(request)
                return cast(
                    "tuple[int, dict[str, Any], Any]",
                    handler.dispatch(normalized, normalized.raw_url, normalized.headers),
                )
            except AssertionError:
                # moto asserts when a shard iterator points before the records trim_stream kept; DynamoDB answers
                # that with TrimmedDataAccessException, which stream readers handle by starting again.
                if handler is not _streams_handler():
                    raise
                return _error_parts(400, "TrimmedDataAccessException", "the iterator points at trimmed records")
            except KeyError:
                # an iterator the upkeep forgot (embedded_upkeep.forget_shard_iterators), as DynamoDB's expire
                if handler is not _streams_handler():
                    raise
                return _error_parts(400, "ExpiredIteratorException", "the shard iterator has expired")

        status, headers, body = self._gated_call(serve)
        return AWSResponse(request.url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]

    def _gated_call(self, serve: Callable[[], tuple[int, dict[str, Any], Any]]) -> tuple[int, dict[str, Any], Any]:
        """``serve()`` under the gate, counted, with the upkeep after it; DynamoDB's throttling error if refused."""
        try:
            self._gate.enter()
        except Refused as refusal:
            log.warning("embedded DynamoDB refused a call: %s", refusal)
            return _error_parts(400, "ThrottlingException", f"embedded store saturated: {refusal}")
        _gated.active = True
        try:
            answer = serve()
            self.calls += 1
            self.upkeep.maybe_run()
        finally:
            _gated.active = False
            self._gate.leave()
        return answer

    def _direct(
        self, *, model: Any, params: dict[str, Any], client: Any = None, key: str = "", **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        """``before-call`` hook: answer an operation of ``embedded_direct.DIRECT_OPERATIONS`` without the HTTP layers
        or moto's request parser, when its request parses to its own JSON (``backend.store.embedded_direct``); else
        ``None``, and the call takes the usual path (so does any call of a stopped store, or of another key)."""
        if model.name not in embedded_direct.DIRECT_OPERATIONS or not self._started:
            return None
        owner = client() if client is not None else None
        if owner is None or not hmac.compare_digest(key, self._key):
            return None
        parsed = embedded_direct.parsed_request(model, params.get("body"))
        if parsed is None:
            return None
        request = SimpleNamespace(
            url=params["url"], method=params["method"], headers=params["headers"], body=params["body"]
        )
        return embedded_direct.answer(
            owner, model, params, self._gated_call(lambda: _handler()().serve(request, parsed))
        )

    def __enter__(self) -> EmbeddedDynamoDB:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# Operations whose successful result is plain DynamoDB JSON (strings, numbers as strings, lists and maps of them).
FAST_SERIALISED = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }
)


@functools.cache
def _streams_handler() -> Any:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    return DynamoDBStreamsHandler


@functools.cache
def _dynamo_target_prefix() -> str:
    from moto.core.utils import get_service_model

    return str(get_service_model("dynamodb").metadata["targetPrefix"])


@functools.cache
def _dynamo_operations() -> frozenset[str]:
    from moto.core.utils import get_service_model

    return frozenset(get_service_model("dynamodb").operation_names)


@functools.cache
def _handler() -> Any:
    """moto's DynamoDB handler, answering the item operations with ``json.dumps`` of their result."""
    from moto.core import responses
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler

    # moto lists the handler's methods with inspect.getmembers on every call; a class's methods do not change.
    if not hasattr(responses.method_names_from_class, "cache_info"):
        responses.method_names_from_class = functools.cache(responses.method_names_from_class)
    if not getattr(responses.gen_amzn_requestid_long, _PATCHED_FLAG, False):
        responses.gen_amzn_requestid_long = _request_id

    class FastDynamoHandler(DynamoHandler):
        @functools.cached_property
        def normalized_request(self) -> Any:  # type: ignore[override]  # moto's attribute, made on first use
            """moto's own request object for this call, made by moto from the request ``serve`` was given, on first
            use: moto 5.2.6 routes every call (``_get_action``) and picks the answer's protocol by it (5.2.5 only
            for a call without ``X-Amz-Target``). ``embedded_moto`` checks at start that ``serve`` builds all that
            ``setup_class`` sets."""
            from moto.core.request import Request

            request = self._served
            return Request.from_primitives(request.method, request.url, request.headers, request.body)

        def _get_action(self) -> str:
            """The call's operation, named by its ``X-Amz-Target`` (``DynamoDB_20120810.GetItem``) as every DynamoDB
            call names it (moto 5.2.5 read it there too); moto's own routing, by ``normalized_request``, for a
            target that names no DynamoDB operation. ``embedded_moto`` checks moto's method at start."""
            target: str = self.headers.get("X-Amz-Target", "")
            prefix, _, operation = target.partition(".")
            if prefix == _dynamo_target_prefix() and operation in _dynamo_operations():
                return operation
            return super()._get_action()

        def determine_response_protocol(self, service_model: Any) -> str:
            """The answer's protocol as moto decides it, from what moto's decision reads of the request (its
            content type and headers), without building ``normalized_request`` for it: JSON 1.0 for every
            DynamoDB call. Anything else is moto's own answer. ``embedded_moto`` checks the shapes at start."""
            if not embedded_moto.protocol_reads_request() or "normalized_request" in vars(self):
                return super().determine_response_protocol(service_model)
            from moto.core.request import determine_request_protocol

            view = SimpleNamespace(content_type=self.headers.get("Content-Type", ""), headers=self._served.headers)
            protocol = determine_request_protocol(service_model, cast(Any, view))  # moto 5.2.6: (model, request)
            return protocol if protocol == "json" else super().determine_response_protocol(service_model)

        def serve(self, request: Any, parsed: dict[str, Any] | None = None) -> Any:
            """Answer botocore's prepared request: what ``setup_class`` derives from it for a DynamoDB JSON call,
            without first rebuilding it as a werkzeug request (a WSGI environ, form and query parsing, header
            views: most of a small call's time). Parameters are parsed by moto's own parser, as before, unless
            ``parsed`` gives what that parser makes of the body (the direct path)."""
            from moto.core.utils import get_service_model
            from moto.utilities.utils import get_partition
            from werkzeug.datastructures import ImmutableMultiDict, MultiDict
            from werkzeug.http import http_date

            body = request.body or b""
            text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
            self._served = request  # for normalized_request
            self.is_werkzeug_request = False
            self.uri = request.url
            self.parsed_url = urlparse(request.url)
            self.path = self.raw_path = self.parsed_url.path or "/"
            self.method = request.method
            self.body = self.raw_body = text
            self.querystring: dict[str, Any] = {}
            self.data = self.querystring
            self.form_data = ImmutableMultiDict()  # no form in a JSON call (moto reads it for S3 only)
            self.headers = {
                name: value
                for name in ("X-Amz-Target", "Content-Type", "User-Agent", "Authorization")
                if (value := _header(request, name))
            }
            self.region = self.get_region_from_url(SimpleNamespace(headers=self.headers), request.url)
            self.partition = get_partition(self.region)
            self.uri_match: dict[str, Any] = {}
            self.response_headers = {"server": "amazon.com", "date": http_date(datetime.now(UTC))}
            self.access_key = self.get_access_key()
            self.current_account = self.get_current_account()
            if parsed is not None:
                self.params = parsed  # what moto's parser makes of this body (backend.store.embedded_direct)
                return self.call_action()
            operation = get_service_model("dynamodb").operation_model(self._get_action())
            # moto's own parser, with items converted directly (backend.store.embedded_parse)
            parser = embedded_parse.fast_request_parser_class()(operation, map_type=self.PROTOCOL_PARSER_MAP_TYPE)
            self.params = parser.parse(
                {"method": self.method, "values": MultiDict(), "headers": self.headers, "body": text,
                 "url_path": self.path, "url_params": {}}
            )  # fmt: skip
            return self.call_action()

        def batch_get_item(self) -> Any:
            """moto's, unmeasured when the batch cannot reach the response limit (``embedded_items``)."""
            requests = self.body.get("RequestItems") if isinstance(self.body, dict) else None
            keys = [request.get("Keys") for request in (requests or {}).values() if isinstance(request, dict)]
            if sum(len(k) for k in keys if isinstance(k, list)) > embedded_items.UNMEASURED_BATCH_KEYS:
                return super().batch_get_item()
            with embedded_items.unmeasured():
                return super().batch_get_item()

        def serialized(self, action_result: ActionResult) -> Any:
            result = action_result.result
            if isinstance(result, dict) and self._get_action() in FAST_SERIALISED:
                try:
                    body = json.dumps(result, separators=(",", ":"))
                except TypeError:  # binary attributes (bytes) need moto's own serialiser
                    return super().serialized(action_result)
                headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
                return 200, headers, body
            return super().serialized(action_result)

    return FastDynamoHandler


def _keep_resolved_endpoints(client: Any) -> None:
    """Resolve each operation's endpoint once: botocore runs its endpoint rules on every call (a fortieth of a turn's
    CPU here), and with the endpoint given they answer that endpoint, whatever the call's parameters. Kept only when
    the rules answered nothing else (no headers, no properties, the request's context untouched): else they run."""
    resolve = client._resolve_endpoint_ruleset
    kept: dict[str, str] = {}

    def resolved(
        operation_model: Any, params: Any, request_context: dict[str, Any], ignore_signing_region: bool = False
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        url = kept.get(operation_model.name)
        if url is not None:
            return url, {}, {}
        before = dict(request_context)
        answer = resolve(operation_model, params, request_context, ignore_signing_region=ignore_signing_region)
        if not answer[1] and not answer[2] and request_context == before and answer[0] == client.meta.endpoint_url:
            kept[operation_model.name] = answer[0]
        return cast("tuple[str, dict[str, Any], dict[str, Any]]", answer)

    client._resolve_endpoint_ruleset = resolved


class _FixedUserAgent:
    """A client's user agent, built once: botocore builds the string on every call, and once more just before it
    sends (to add the features the call used). The embedded store reads nothing from it."""

    def __init__(self, user_agent: str) -> None:
        self._user_agent = user_agent

    def to_string(self) -> str:
        return self._user_agent


def _skip_unsigned_request_steps(client: Any) -> None:
    """Drop what botocore does to every request of an unsigned embedded client that changes nothing the store reads:
    the signer's step (it decides, on every call, not to sign) and the user agent's rebuild (a twentieth of a store
    call's CPU together). The request, its body and its target are as before."""
    service_id = client.meta.service_model.service_id.hyphenize()
    event = f"request-created.{service_id}"
    if client.meta.config.signature_version is UNSIGNED:
        client.meta.events.unregister(event, client._request_signer.handler)
    creator = client._user_agent_creator
    client.meta.events.unregister(event, creator.rebuild_and_replace_user_agent_handler)
    client._user_agent_creator = _FixedUserAgent(creator.to_string())


_REQUEST_ID_CHARACTERS = string.ascii_letters + string.digits


def _request_id(headerdict: dict[str, Any] | None = None) -> str:
    """moto's request id (52 letters and digits from its own random source, also set as ``x-amzn-requestid``),
    drawn in one call instead of 52: it was a fiftieth of a turn's CPU."""
    from moto.moto_api._internal import mock_random

    request_id = "".join(mock_random.choices(_REQUEST_ID_CHARACTERS, k=52))
    if isinstance(headerdict, dict):
        headerdict["x-amzn-requestid"] = request_id
    return request_id


setattr(_request_id, _PATCHED_FLAG, True)


def client_for(endpoint: str) -> DynamoDBClient | None:
    """The client for an embedded store's endpoint (``None`` if ``endpoint`` is not one started here)."""
    instance = _instance_at(endpoint)
    return instance.client() if instance is not None else None


def streams_client_for(endpoint: str) -> Any:
    """The DynamoDB Streams client for an embedded store's endpoint (``None`` if it is not one started here)."""
    instance = _instance_at(endpoint)
    return instance.streams_client() if instance is not None else None


def _instance_at(endpoint: str) -> EmbeddedDynamoDB | None:
    if not endpoint.endswith(EMBEDDED_ENDPOINT_SUFFIX):
        return None
    with _instances_lock:
        instance = _instances.get(endpoint)
    if instance is None:
        raise RuntimeError("that embedded store is not running in this process")
    return instance


def _header(request: AWSPreparedRequest, name: str) -> str:
    value: Any = request.headers.get(name) or ""  # botocore keeps some header values as bytes
    return value.decode() if isinstance(value, bytes) else str(value)


def _error(request: AWSPreparedRequest, status: int, code: str, message: str) -> AWSResponse:
    from moto.core.botocore_stubber import MockRawResponse

    status, headers, body = _error_parts(status, code, message)
    return AWSResponse(request.url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]


def _error_parts(status: int, code: str, message: str) -> tuple[int, dict[str, Any], str]:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message})
    return status, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}, body


def _tables() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    return list(backend.tables.values())


@contextmanager
def store_for(settings: Settings) -> Iterator[Settings]:
    """Settings that reach the chosen DynamoDB: pointing at an embedded store started for the duration of the
    block when the store is the embedded one (``make_client`` turns its endpoint into a client wired to it), else
    as given. Demo data goes into the embedded store only, unless ``demo_data_anywhere`` asks for it elsewhere."""
    if not settings.uses_embedded_store:
        yield dataclasses.replace(settings, load_demo_data=settings.load_demo_data and settings.demo_data_anywhere)
        return
    with EmbeddedDynamoDB() as embedded:
        assert embedded.endpoint is not None
        yield dataclasses.replace(
            settings,
            store=ENDPOINT,
            dynamodb_endpoint=embedded.endpoint,
            aws_region=EMBEDDED_REGION,
            # The developer console is on by default with the embedded store only: decided here, where it is known.
            console=True if settings.console is None else settings.console,
        )


def store_kinds(store: EmbeddedDynamoDB) -> dict[str, int]:
    """Items held by kind (``embedded_upkeep.item_kinds``), read under the gate."""
    store._gate.enter()
    try:
        return item_kinds(_tables())
    finally:
        store._gate.leave()


def store_item_bytes(store: EmbeddedDynamoDB) -> dict[str, int]:
    """Bytes of the items held, kept (no TTL) and expiring (``embedded_upkeep.item_bytes``), read under the gate."""
    store._gate.enter()
    try:
        return item_bytes(_tables())
    finally:
        store._gate.leave()


def store_stats(store: EmbeddedDynamoDB) -> dict[str, int]:
    """Counters for benchmarks: calls served and refused, items held and stream records kept, over all tables.
    Read under the gate, like every call: a call in progress may be looking at a partial view of a table."""
    store._gate.enter()
    try:
        tables = _tables()
        return {
            "store_calls": store.calls,
            "refused": store.refused,
            "items": sum(sum(len(partition) for partition in table.items.values()) for table in tables),
            "stream_records": sum(len(t.stream_shard.items) for t in tables if t.stream_shard is not None),
            "expired": store.upkeep.expired,
        }
    finally:
        store._gate.leave()
