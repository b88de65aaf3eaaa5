"""Where the worker got to in each shard of the stream, kept in the table so a restart resumes, not resends.

One item per shard (``OUTBOUND#STREAM#<stream label>`` / ``SHARD#<shard id>``): the last sequence number handled
in full, and whether the shard is finished (closed and read to its end). The Lambda needs none of this: its event
source mapping keeps its own position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from backend.profile.events import format_timestamp
from backend.store import keys
from backend.store.dynamo import Table

CHECKPOINT_KIND = "stream_checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    sequence_number: str | None
    finished: bool = False


class CheckpointStore:
    def __init__(self, table: Table, stream_label: str, *, clock: Callable[[], datetime]) -> None:
        self.table = table
        self.pk = keys.checkpoint_pk(stream_label)
        self.clock = clock

    def load(self, shard_id: str) -> Checkpoint | None:
        item = self.table.get({"pk": self.pk, "sk": keys.checkpoint_sk(shard_id)})
        if item is None:
            return None
        number = item.get("sequence_number")
        return Checkpoint(str(number) if number else None, bool(item.get("finished")))

    def save(self, shard_id: str, checkpoint: Checkpoint) -> None:
        item = {
            "pk": self.pk,
            "sk": keys.checkpoint_sk(shard_id),
            "kind": CHECKPOINT_KIND,
            "shard_id": shard_id,
            "finished": checkpoint.finished,
            "saved_at": format_timestamp(self.clock()),
        }
        if checkpoint.sequence_number:
            item["sequence_number"] = checkpoint.sequence_number
        self.table.put(item)


def is_checkpoint(record_kind: str) -> bool:
    return record_kind == CHECKPOINT_KIND
