"""Reading a DynamoDB stream with shard iterators (boto3 ``dynamodbstreams``; moto's in the embedded store).

``StreamReader.read`` returns the next records of the open shards, parents before children (DynamoDB splits
shards; a child's records come after its parent's). A shard is resumed after its checkpoint
(``AFTER_SEQUENCE_NUMBER``), or read from its oldest record (``TRIM_HORIZON``) when it has none. Iterators that
expired (15 minutes idle) or point at trimmed records are replaced. A closed shard read to its end is finished.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from backend.errors import StoreUnavailable
from backend.outbound.checkpoints import Checkpoint, CheckpointStore
from backend.settings import Settings
from backend.store.embedded import streams_client_for

log = logging.getLogger(__name__)

# Recent botocore sends calls that name a stream ARN to an account-specific host (<account>.streams-ddb...); the
# regional endpoint serves the same API in AWS and is the one moto (and the embedded store) answers.
STREAMS_CONFIG = Config(
    connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"},
    account_id_endpoint_mode="disabled",
)  # fmt: skip
_RESTART = frozenset({"ExpiredIteratorException", "TrimmedDataAccessException"})


@dataclass
class ShardBatch:
    shard_id: str
    records: list[dict[str, Any]]
    finished: bool  # the shard is closed and this batch reaches its end


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    iterator: str | None = None
    finished: bool = False
    last: str | None = None


@dataclass
class StreamReader:
    client: Any  # boto3 dynamodbstreams client
    stream_arn: str
    checkpoints: CheckpointStore
    # Small reads: the embedded store serves one request at a time (moto needs ~6 ms per record with images), and
    # a big read would hold up the voice turns waiting behind it.
    limit: int = 25
    _shards: dict[str, _Shard] = field(default_factory=dict)

    def refresh(self) -> None:
        """Learn about new shards (call now and then: shards split every few hours in AWS)."""
        start: str | None = None
        while True:
            kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            description = self._call("describe_stream", **kwargs)["StreamDescription"]
            for shard in description.get("Shards", []):
                shard_id = shard["ShardId"]
                if shard_id not in self._shards:
                    saved = self.checkpoints.load(shard_id)
                    self._shards[shard_id] = _Shard(
                        shard_id,
                        shard.get("ParentShardId"),
                        finished=bool(saved and saved.finished),
                        last=saved.sequence_number if saved else None,
                    )
            start = description.get("LastEvaluatedShardId")
            if not start:
                return

    def read(self) -> list[ShardBatch]:
        if not self._shards:
            self.refresh()
        batches = []
        for shard in list(self._shards.values()):
            if shard.finished or not self._parent_done(shard):
                continue
            batch = self._read(shard)
            if batch is not None:
                batches.append(batch)
        return batches

    def commit(self, shard_id: str, sequence_number: str | None, *, finished: bool = False) -> None:
        """Record that everything up to ``sequence_number`` in the shard is handled."""
        shard = self._shards[shard_id]
        if sequence_number:
            shard.last = sequence_number
        shard.finished = shard.finished or finished
        self.checkpoints.save(shard_id, Checkpoint(shard.last, shard.finished))

    def rewind(self, shard_id: str) -> None:
        """Read the shard again from its last commit (after a record failed)."""
        self._shards[shard_id].iterator = None

    def _parent_done(self, shard: _Shard) -> bool:
        parent = self._shards.get(shard.parent_id) if shard.parent_id else None
        return parent is None or parent.finished

    def _read(self, shard: _Shard) -> ShardBatch | None:
        if shard.iterator is None:
            shard.iterator = self._iterator(shard)
        try:
            response = self.client.get_records(ShardIterator=shard.iterator, Limit=self.limit)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _RESTART:
                shard.iterator = None
                return None
            raise StoreUnavailable(f"get_records: {exc.response.get('Error', {}).get('Code')}") from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"get_records: {type(exc).__name__}") from exc
        shard.iterator = response.get("NextShardIterator")
        records = list(response.get("Records", []))
        finished = shard.iterator is None
        if not records and not finished:
            return None
        return ShardBatch(shard.shard_id, records, finished)

    def _iterator(self, shard: _Shard) -> str:
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard.shard_id}
        if shard.last:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=shard.last)
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        return str(self._call("get_shard_iterator", **kwargs)["ShardIterator"])

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self.client, operation)(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"{operation}: {type(exc).__name__}") from exc
        return response


def stream_arn_of(dynamodb_client: Any, table_name: str) -> tuple[str, str]:
    """The table's current stream ARN and label."""
    try:
        table = dynamodb_client.describe_table(TableName=table_name)["Table"]
    except (ClientError, BotoCoreError) as exc:
        raise StoreUnavailable(f"describe_table: {type(exc).__name__}") from exc
    arn = table.get("LatestStreamArn")
    if not arn:
        raise StoreUnavailable(f"table {table_name} has no stream")
    return str(arn), str(table.get("LatestStreamLabel") or arn.rpartition("/")[2])


def make_streams_client(settings: Settings, *, session: boto3.session.Session | None = None) -> Any:
    """A DynamoDB Streams client for the same store the settings name (the embedded server answers both APIs)."""
    if settings.dynamodb_endpoint is not None:
        embedded = streams_client_for(settings.dynamodb_endpoint)
        if embedded is not None:
            return embedded
    session = session or boto3.session.Session()
    return session.client(
        "dynamodbstreams",
        endpoint_url=settings.dynamodb_endpoint,
        region_name=settings.aws_region or session.region_name or "us-east-1",
        config=STREAMS_CONFIG,
    )
