"""DynamoDB Streams records as plain values, whichever way they arrive.

Lambda delivers ``{"Records": [{"eventID", "eventName", "dynamodb": {"Keys", "NewImage", "OldImage",
"SequenceNumber", "ApproximateCreationDateTime": <epoch seconds>}, "eventSourceARN"}]}``; boto3's
``dynamodbstreams.get_records`` returns the same records with ``ApproximateCreationDateTime`` as a ``datetime``.
Both carry images as typed attribute values (``{"S": ...}``); here they become plain items (numbers as Decimal),
the same shape ``backend.store.dynamo.Table`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backend.store.codec import from_attribute_values

INSERT = "INSERT"
MODIFY = "MODIFY"
REMOVE = "REMOVE"


@dataclass(frozen=True)
class Change:
    """One item change: what it was (``old``) and what it is (``new``); either is empty for inserts and removals."""

    event_id: str
    event_name: str
    sequence_number: str
    keys: Mapping[str, Any]
    new: Mapping[str, Any] = field(default_factory=dict)
    old: Mapping[str, Any] = field(default_factory=dict)
    approximate_time: datetime | None = None

    @property
    def pk(self) -> str:
        return str(self.keys.get("pk", ""))

    @property
    def sk(self) -> str:
        return str(self.keys.get("sk", ""))

    @property
    def kind(self) -> str:
        """The item kind (``kind`` attribute) of the new image, else of the old one."""
        return str((self.new or self.old).get("kind", ""))


def _moment(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if isinstance(raw, int | float):
        return datetime.fromtimestamp(raw, tz=UTC)
    return None


def parse_record(record: Mapping[str, Any]) -> Change:
    body = record.get("dynamodb") or {}
    return Change(
        event_id=str(record.get("eventID", "")),
        event_name=str(record.get("eventName", "")),
        sequence_number=str(body.get("SequenceNumber", "")),
        keys=from_attribute_values(body.get("Keys") or {}),
        new=from_attribute_values(body.get("NewImage") or {}),
        old=from_attribute_values(body.get("OldImage") or {}),
        approximate_time=_moment(body.get("ApproximateCreationDateTime")),
    )


def parse_records(records: Iterable[Mapping[str, Any]]) -> list[Change]:
    return [parse_record(record) for record in records]
