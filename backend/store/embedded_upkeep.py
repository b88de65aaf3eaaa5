"""What DynamoDB does in the background, done for the embedded store (moto does neither): TTL deletion and the
stream's bounded retention.

- **TTL.** DynamoDB deletes items whose TTL attribute (``expires_at``, epoch seconds) has passed. ``TtlSweeper``
  does the same in small batches: each step looks at no more than ``batch`` items, going on from where the last step
  stopped, partition by partition, so a step costs the same however big the table is, and every item is looked at
  once per pass. Emptied partitions are dropped (moto would keep an empty one per key ever written).
- **Stream retention.** DynamoDB keeps stream records 24 hours. ``trim_stream`` drops records older than
  ``max_age`` and all but the newest ``keep`` (a count bound too: in memory a busy hour is already a lot).
  Sequence numbers stay as they were, so readers behind the trim are told ``TrimmedDataAccessException``.

- **moto's instance register.** Every moto model object (each item version an update copies, each stream record,
  each shard iterator) is appended, at creation, to a class-level list kept for moto's web dashboard, and never
  removed: about 70 KB per voice turn, for as long as the process runs, whatever is deleted or trimmed.
  ``forget_tracked_instances`` empties those lists of the DynamoDB models; nothing else reads them, and the
  embedded store serves no dashboard.

- **Shard iterators.** moto's streams backend keeps every shard iterator it hands out (each ``GetRecords`` returns a
  new one) in a dict, for ever: a stream reader polling once a second adds 3,600 an hour, whether or not anything
  was written. DynamoDB's iterators expire 15 minutes after they are issued; ``forget_shard_iterators`` keeps only
  the newest ``keep`` (a reader needs one), and the store answers a forgotten one with ``ExpiredIteratorException``
  (readers get a fresh iterator from their checkpoint, as they do on AWS).

``Upkeep`` runs all four, on the store's own (injected) clock, from the store's call path every few hundred calls and
under its gate: no thread of its own, nothing to race with a call, and a cost spread over the calls that caused it.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.clock import Clock, utc_now

STREAM_RETENTION = timedelta(hours=24)  # as DynamoDB Streams
TRACKED_SERVICES = ("dynamodb", "dynamodbstreams")


def forget_tracked_instances() -> int:
    """Empty moto's register of DynamoDB model instances (see the module's note); the number of references dropped."""
    from moto.core.model_instances import model_data

    dropped = 0
    for service in TRACKED_SERVICES:
        for model in list(model_data.get(service, {}).values()):
            tracked = getattr(model, "instances_tracked", None)
            if tracked:
                dropped += len(tracked)
                tracked.clear()
    return dropped


def forget_shard_iterators(keep: int) -> int:
    """Drop all but the newest ``keep`` shard iterators moto's streams backends hold; the number dropped."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    dropped = 0
    for regions in list(dynamodbstreams_backends.values()):
        for streams in list(regions.values()):
            iterators = streams.shard_iterators
            excess = len(iterators) - keep
            if excess > 0:
                for arn in list(iterators)[:excess]:  # a dict keeps insertion order: the oldest first
                    del iterators[arn]
                dropped += excess
    return dropped


class TtlSweeper:
    """Deletes expired items of one moto table, ``batch`` items at a time."""

    def __init__(self, table: Any, *, batch: int) -> None:
        self._table = table
        self._batch = batch
        self._partitions: deque[Any] = deque()  # still to visit in this pass
        self.expired = 0

    def attribute(self) -> str | None:
        ttl = getattr(self._table, "ttl", None) or {}
        return ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None

    def step(self, now: datetime) -> int:
        """Look at up to ``batch`` items (whole partitions, at least one); delete those expired. Returns how many."""
        attribute = self.attribute()
        if not attribute:
            return 0
        items = self._table.items
        if not self._partitions:
            self._partitions.extend(list(items))
        cutoff = now.timestamp()
        looked = deleted = 0
        while self._partitions and looked < self._batch:
            hash_key = self._partitions.popleft()
            partition = items.get(hash_key)
            if partition is None:
                continue
            # A table with a range key holds {range key: item} per partition; one without holds the item itself.
            entries = list(partition.values()) if isinstance(partition, dict) else [partition]
            looked += len(entries)
            for item in entries:
                if _expired(item, attribute, cutoff):
                    self._table.delete_item(item.hash_key, item.range_key)
                    deleted += 1
            if isinstance(partition, dict) and not partition:
                items.pop(hash_key, None)
        self.expired += deleted
        return deleted


def _expired(item: Any, attribute: str, cutoff: float) -> bool:
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return False  # as DynamoDB: an item without a number in the TTL attribute never expires
    try:
        return float(value.value) < cutoff
    except ValueError:
        return False


def trim_stream(table: Any, *, keep: int, now: datetime | None = None, max_age: timedelta = STREAM_RETENTION) -> int:
    """Drop stream records older than ``max_age`` (when ``now`` is given) and all but the newest ``keep``."""
    shard = getattr(table, "stream_shard", None)
    if shard is None or not shard.items:
        return 0
    dropped = max(len(shard.items) - keep, 0)
    if now is not None:
        oldest_kept = now - max_age
        while dropped < len(shard.items) and _created(shard.items[dropped]) < oldest_kept:
            dropped += 1
    if dropped:
        shard.items = shard.items[dropped:]
        shard.starting_sequence_number += dropped
    return dropped


def _created(stream_record: Any) -> datetime:
    # moto stamps each record with the wall clock of its own process (utcnow, naive); records are in time order.
    created = stream_record.record["dynamodb"].get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(created or 0), tz=UTC)


class Upkeep:
    """TTL sweeps and stream trims for the tables ``tables()`` lists, run by ``maybe_run`` every ``every`` calls."""

    def __init__(
        self,
        tables: Callable[[], Iterable[Any]],
        *,
        every: int = 200,
        sweep_batch: int = 2000,
        stream_records_kept: int = 1000,
        stream_max_age: timedelta = STREAM_RETENTION,
        shard_iterators_kept: int = 1000,
        clock: Clock = utc_now,
    ) -> None:
        self._tables = tables
        self._every = every
        self._sweep_batch = sweep_batch
        self._stream_records_kept = stream_records_kept
        self._stream_max_age = stream_max_age
        self._shard_iterators_kept = shard_iterators_kept
        self._clock = clock
        self._sweepers: dict[int, TtlSweeper] = {}
        self._calls = 0
        self.expired = 0
        self.trimmed = 0

    def maybe_run(self) -> None:
        """Count one call; every ``every`` calls, run one step. Call under the store's gate."""
        self._calls += 1
        if self._calls % self._every == 0:
            self.run()

    def run(self) -> None:
        now = self._clock()
        for table in self._tables():
            sweeper = self._sweepers.get(id(table))
            if sweeper is None or sweeper._table is not table:
                sweeper = self._sweepers[id(table)] = TtlSweeper(table, batch=self._sweep_batch)
            self.expired += sweeper.step(now)
            self.trimmed += trim_stream(table, keep=self._stream_records_kept, now=now, max_age=self._stream_max_age)
        forget_tracked_instances()
        forget_shard_iterators(self._shard_iterators_kept)


def expire_ttl_items(table: Any, *, now: float) -> int:
    """Delete every expired item of ``table`` at once (``now`` in epoch seconds): one whole pass of a sweeper."""
    sweeper = TtlSweeper(table, batch=1 << 62)
    return sweeper.step(datetime.fromtimestamp(now, tz=UTC))


def item_kinds(tables: Iterable[Any]) -> dict[str, int]:
    """Items held, by the first part of their sort key (``EVENT``, ``REQ``, ``ORDER``...; heard words apart): what
    a memory benchmark needs to tell data that is kept from data that should have gone."""
    counts: dict[str, int] = {}
    for table in tables:
        for partition in table.items.values():
            entries = partition.values() if isinstance(partition, dict) else [partition]
            for item in entries:
                sort_key = str(item.range_key.value) if item.range_key is not None else ""
                kind = sort_key.split("#", 1)[0] + ("#HEARD" if sort_key.endswith("#HEARD") else "")
                counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def item_bytes(tables: Iterable[Any], *, ttl_attribute: str = "expires_at") -> dict[str, int]:
    """Bytes the held items take in this process (moto's objects, deep ``sys.getsizeof``), split into ``kept``
    (items without a TTL: orders, carts, profiles, identities, which last until the customer is erased) and
    ``expiring`` (items with one). A memory benchmark subtracts the growth of ``kept`` from the RSS growth: what is
    left is growth nothing accounts for, and flat must mean that is about nothing."""
    kept = expiring = 0
    for table in tables:
        for partition in table.items.values():
            entries = partition.values() if isinstance(partition, dict) else [partition]
            for item in entries:
                size = _deep_size(item)
                if ttl_attribute in item.attrs:
                    expiring += size
                else:
                    kept += size
    return {"kept": kept, "expiring": expiring}


def _deep_size(root: Any) -> int:
    """Deep ``sys.getsizeof`` of a moto item: the objects, their ``__dict__``, and the dicts, lists and strings
    they hold (each object counted once)."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        value = stack.pop()
        if id(value) in seen or (isinstance(value, str) and len(value) <= 1):
            continue  # CPython shares one object per 1-character string (DynamoDB's type tags "S", "N"...)
        seen.add(id(value))
        total += sys.getsizeof(value)
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set)):
            stack.extend(value)
        elif hasattr(value, "__dict__"):
            stack.append(value.__dict__)
    return total
