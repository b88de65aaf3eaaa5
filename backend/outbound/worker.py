"""The background worker beside a store without Lambda (the embedded moto server, DynamoDB Local): it polls the
table's stream, hands the records to the stream consumer, moves the checkpoint, and runs the reminder sweep.

One thread, started by ``start()`` and ended by ``stop()`` (which wakes it at once). It waits ``poll_seconds``
when the stream is quiet. While records keep coming it polls again after a pause as long as the last poll took
(``busy_share`` of the time at most): the embedded store serves one request at a time, and a stream read of a
few dozen records with full images costs it a noticeable fraction of a second, so an eager reader would slow
every voice turn (and the demo's loading) down. After an error it waits longer each time (up to a minute), so a
store that is down is not hammered.

Checkpoints: after each batch the shard's checkpoint moves to the last record handled. A batch holding nothing
but the worker's own checkpoint writes moves nothing (else each checkpoint write would be a record that causes
the next). A record that keeps failing is retried ``max_record_failures`` times, then logged and skipped, as the
Lambda's event source mapping does before it hands a batch to its on-failure destination.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from backend.outbound.checkpoints import is_checkpoint
from backend.outbound.consumer import StreamConsumer
from backend.outbound.reminders import ReminderSweep
from backend.outbound.streams import ShardBatch, StreamReader

log = logging.getLogger(__name__)

MAX_ERROR_WAIT = 60.0


def _kind(record: dict[str, Any]) -> str:
    image = record.get("dynamodb", {}).get("NewImage") or record.get("dynamodb", {}).get("OldImage") or {}
    return str(image.get("kind", {}).get("S", ""))


class OutboundWorker:
    def __init__(
        self,
        consumer: StreamConsumer,
        reader: StreamReader,
        *,
        sweep: ReminderSweep | None = None,
        poll_seconds: float = 1.0,
        sweep_seconds: float = 60.0,
        shard_refresh_seconds: float = 60.0,
        busy_share: float = 0.5,
        max_record_failures: int = 5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.consumer = consumer
        self.reader = reader
        self.sweep = sweep
        self.poll_seconds = poll_seconds
        self.sweep_seconds = sweep_seconds
        self.shard_refresh_seconds = shard_refresh_seconds
        self.busy_share = busy_share
        self.max_record_failures = max_record_failures
        self.monotonic = monotonic
        self.records_seen = 0
        self.polls = 0
        self._failures: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_sweep: float | None = None
        self._last_refresh: float | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> OutboundWorker:
        if self._thread is not None:
            raise RuntimeError("the outbound worker is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbound-worker", daemon=True)
        self._thread.start()
        log.info("outbound worker started")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("outbound worker did not stop within %.0f s", timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- work --------------------------------------------------------------------------------------------------
    def poll_once(self) -> int:
        """Read and handle one batch per open shard; the number of records read."""
        now = self.monotonic()
        if self._last_refresh is None or now - self._last_refresh >= self.shard_refresh_seconds:
            self.reader.refresh()
            self._last_refresh = now
        seen = 0
        self.polls += 1
        for batch in self.reader.read():
            seen += len(batch.records)
            self._handle(batch)
        self.records_seen += seen
        return seen

    def sweep_if_due(self) -> None:
        now = self.monotonic()
        if self.sweep is None or (self._last_sweep is not None and now - self._last_sweep < self.sweep_seconds):
            return
        self._last_sweep = now
        result = self.sweep.run()
        if result.reminded:
            log.info("cart reminders queued", extra={"count": len(result.reminded)})

    def _handle(self, batch: ShardBatch) -> None:
        result = self.consumer.handle(batch.records)
        if not result.failed:
            own_only = all(is_checkpoint(_kind(record)) for record in batch.records)
            if batch.finished or not own_only:
                self.reader.commit(batch.shard_id, result.last_handled, finished=batch.finished)
            return
        failed = result.failed[0]
        tries = self._failures.get(failed, 0) + 1
        if tries >= self.max_record_failures:
            log.error("outbound: record skipped after %d failures", tries, extra={"sequence_number": failed})
            self._failures.pop(failed, None)
            self.reader.commit(batch.shard_id, failed)
        else:
            self._failures[failed] = tries
            if result.last_handled:
                self.reader.commit(batch.shard_id, result.last_handled)
        self.reader.rewind(batch.shard_id)

    def _run(self) -> None:
        error_wait = self.poll_seconds
        while not self._stop.is_set():
            started = self.monotonic()
            try:
                seen = self.poll_once()
                self.sweep_if_due()
            except Exception:
                log.exception("outbound worker: poll failed; waiting %.0f s", error_wait)
                self._stop.wait(error_wait)
                error_wait = min(error_wait * 2, MAX_ERROR_WAIT)
                continue
            error_wait = self.poll_seconds
            self._stop.wait(self._pause(seen, self.monotonic() - started))
        log.info("outbound worker stopped")

    def _pause(self, seen: int, took: float) -> float:
        if not seen:
            return self.poll_seconds
        # Busy for `took`, then idle long enough that busy time is at most `busy_share` of the whole.
        return min(self.poll_seconds, took * (1 - self.busy_share) / self.busy_share)
