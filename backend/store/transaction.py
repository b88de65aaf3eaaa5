"""A unit of work: several modules stage writes, one ``transact_write_items`` applies them all or none.

A voice turn stages its cart change, its profile event, the summary update and the request marker here, then
commits once: one round trip, and never half a turn. Each staged write can name the domain error its condition
stands for (a request marker that already exists means ``AlreadyApplied``; a cart version that moved means
``ConcurrentUpdate``), so a cancelled transaction is reported as what actually happened.

When the outcome itself is unknown (a read timeout, a dropped connection or a 5xx after botocore's retries: the
request may have been applied with its answer lost), the transaction asks the store. A staged put whose
condition stands for ``AlreadyApplied`` is an idempotency marker (``REQ#<request id>``, ``EVENTID#<event id>``),
and it is written in the same transaction as everything else, so it proves the outcome:

- the marker is there, as this transaction wrote it: the commit applied, and ``commit`` returns normally;
- the marker is there, written by an earlier attempt of the same request: ``AlreadyApplied``, as the condition
  would have said;
- the marker is absent: nothing was applied, ``StoreUnavailable`` (the caller may say nothing was changed);
- no marker was staged, or the re-read fails too: ``OutcomeUnknown`` (the caller must not claim either way).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from backend.errors import (
    AlreadyApplied,
    ConcurrentUpdate,
    OutcomeUnknown,
    StoreUnavailable,
    ValidationError,
    VoicecartError,
)
from backend.store.budget import recheck_allowance
from backend.store.codec import from_attribute_values, to_attribute_value, to_attribute_values
from backend.store.dynamo import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

log = logging.getLogger(__name__)

MAX_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems call
# Failures after which the request may have been applied: it was sent, and its answer was lost. (A connect timeout
# or a refused connection means it was never sent.)
_MAYBE_APPLIED = (ReadTimeoutError, ConnectionClosedError, ResponseStreamingError)


@dataclass(frozen=True)
class _Staged:
    operation: dict[str, Any]
    conflict: type[VoicecartError]
    description: str


class Transaction:
    def __init__(self, table: Table) -> None:
        self.table = table
        self._staged: list[_Staged] = []
        self._keys: set[tuple[object, object]] = set()

    def __len__(self) -> int:
        return len(self._staged)

    def touches(self, key: Mapping[str, Any]) -> bool:
        """Whether a staged write already names this item: DynamoDB refuses a transaction that names one twice."""
        return (key.get("pk"), key.get("sk")) in self._keys

    def put(
        self,
        item: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        conflict: type[VoicecartError] = ConcurrentUpdate,
    ) -> None:
        body: dict[str, Any] = {"TableName": self.table.name, "Item": to_attribute_values(item)}
        self._keys.add((item.get("pk"), item.get("sk")))
        self._stage(
            "Put",
            body,
            condition=condition,
            names=names,
            values=values,
            conflict=conflict,
            description=f"put {item.get('sk', '')}",
        )

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        conflict: type[VoicecartError] = ConcurrentUpdate,
    ) -> None:
        body: dict[str, Any] = {
            "TableName": self.table.name,
            "Key": to_attribute_values(key),
            "UpdateExpression": expression,
        }
        self._keys.add((key.get("pk"), key.get("sk")))
        self._stage(
            "Update",
            body,
            condition=condition,
            names=names,
            values=values,
            conflict=conflict,
            description=f"update {key.get('sk', '')}",
        )

    def delete(
        self,
        key: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        conflict: type[VoicecartError] = ConcurrentUpdate,
    ) -> None:
        body: dict[str, Any] = {"TableName": self.table.name, "Key": to_attribute_values(key)}
        self._keys.add((key.get("pk"), key.get("sk")))
        self._stage(
            "Delete",
            body,
            condition=condition,
            names=names,
            values=values,
            conflict=conflict,
            description=f"delete {key.get('sk', '')}",
        )

    def check(
        self,
        key: Mapping[str, Any],
        condition: str,
        *,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        conflict: type[VoicecartError] = ConcurrentUpdate,
    ) -> None:
        body: dict[str, Any] = {"TableName": self.table.name, "Key": to_attribute_values(key)}
        self._keys.add((key.get("pk"), key.get("sk")))
        self._stage(
            "ConditionCheck",
            body,
            condition=condition,
            names=names,
            values=values,
            conflict=conflict,
            description=f"check {key.get('sk', '')}",
        )

    def _stage(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        condition: str | None,
        names: Mapping[str, str] | None,
        values: Mapping[str, Any] | None,
        conflict: type[VoicecartError],
        description: str,
    ) -> None:
        if len(self._staged) >= MAX_ITEMS:
            raise ValidationError(f"a transaction holds at most {MAX_ITEMS} writes")
        if condition:
            body["ConditionExpression"] = condition
        if names:
            body["ExpressionAttributeNames"] = dict(names)
        if values:
            body["ExpressionAttributeValues"] = {k: to_attribute_value(v) for k, v in values.items()}
        self._staged.append(_Staged({kind: body}, conflict, description))

    def commit(self) -> None:
        """Apply every staged write atomically; raise the domain error of the first failed condition."""
        if not self._staged:
            return
        try:
            if len(self._staged) == 1:
                self._commit_single()
            else:
                self.table.client.transact_write_items(TransactItems=self._operations())
        except ClientError as exc:
            if _status(exc) >= 500:
                self._settle(exc)
                return
            raise self._translate(exc) from exc
        except _MAYBE_APPLIED as exc:
            self._settle(exc)
            return
        except BotoCoreError as exc:
            log.warning("dynamodb transaction failed: %s", type(exc).__name__)
            raise StoreUnavailable(type(exc).__name__) from exc
        finally:
            self._staged.clear()
            self._keys.clear()

    def _settle(self, exc: Exception) -> None:
        """The commit failed without saying whether it applied: return if it did, raise what is true if not."""
        cause = type(exc).__name__
        marker = next(
            (staged for staged in self._staged if staged.conflict is AlreadyApplied and "Put" in staged.operation),
            None,
        )
        if marker is None:
            log.error("dynamodb write outcome unknown and nothing to check it by: %s", cause)
            raise OutcomeUnknown(f"write outcome unknown ({cause})") from exc
        item = marker.operation["Put"]["Item"]
        key = {name: item[name] for name in self.table.key_names if name in item}
        try:
            with recheck_allowance():  # the turn's budget may be spent by the write that timed out
                found = self.table.client.get_item(TableName=self.table.name, Key=key, ConsistentRead=True).get("Item")
        except (BotoCoreError, ClientError) as read_failure:
            log.error("dynamodb write outcome unknown; the marker could not be read: %s", cause)
            raise OutcomeUnknown(f"write outcome unknown ({cause})") from read_failure
        if found is None:
            log.warning("dynamodb write failed (%s) and did not apply", cause)
            raise StoreUnavailable(f"write not applied ({cause})") from exc
        if from_attribute_values(found) == from_attribute_values(item):
            log.warning("dynamodb write answered %s but had applied", cause)
            return
        raise AlreadyApplied(f"{marker.description}: applied by an earlier attempt") from exc

    def _commit_single(self) -> None:
        # One write needs no transaction: the plain call costs half the capacity and behaves the same.
        ((kind, body),) = self._staged[0].operation.items()
        client = self.table.client
        if kind == "Put":
            client.put_item(**body)
        elif kind == "Update":
            client.update_item(**body)
        elif kind == "Delete":
            client.delete_item(**body)
        else:
            client.transact_write_items(TransactItems=self._operations())

    def _operations(self) -> list[TransactWriteItemTypeDef]:
        return [cast("TransactWriteItemTypeDef", staged.operation) for staged in self._staged]

    def _translate(self, exc: ClientError) -> VoicecartError:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            staged = self._staged[0]
            return staged.conflict(f"{staged.description}: condition failed")
        if code == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons") or _reasons_from_message(exc)
            for staged, reason in zip(self._staged, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    return staged.conflict(f"{staged.description}: condition failed")
            if any(reason.get("Code") == "TransactionConflict" for reason in reasons):
                return ConcurrentUpdate("transaction conflict")
        log.warning("dynamodb transaction failed: %s", code)
        return StoreUnavailable(f"transaction: {code}")


def _reasons_from_message(exc: ClientError) -> list[dict[str, str]]:
    """Some DynamoDB emulators put the reasons only in the message: "... reasons [None, ConditionalCheckFailed]"."""
    message = exc.response.get("Error", {}).get("Message", "")
    start, end = message.rfind("["), message.rfind("]")
    if start == -1 or end < start:
        return []
    return [{"Code": part.strip()} for part in message[start + 1 : end].split(",")]


def _status(exc: ClientError) -> int:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status if isinstance(status, int) else 0
