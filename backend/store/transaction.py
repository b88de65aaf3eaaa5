"""A unit of work: several modules stage writes, one ``transact_write_items`` applies them all or none.

A voice turn stages its cart change, its profile event, the summary update and the request marker here, then
commits once: one round trip, and never half a turn. Each staged write can name the domain error its condition
stands for (a request marker that already exists means ``AlreadyApplied``; a cart version that moved means
``ConcurrentUpdate``), so a cancelled transaction is reported as what actually happened.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from backend.errors import ConcurrentUpdate, StoreError, StoreUnavailable, ValidationError
from backend.store.codec import to_attribute_value, to_attribute_values
from backend.store.dynamo import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

log = logging.getLogger(__name__)

MAX_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems call


@dataclass(frozen=True)
class _Staged:
    operation: dict[str, Any]
    conflict: type[StoreError]
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
        conflict: type[StoreError] = ConcurrentUpdate,
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
        conflict: type[StoreError] = ConcurrentUpdate,
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
        conflict: type[StoreError] = ConcurrentUpdate,
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
        conflict: type[StoreError] = ConcurrentUpdate,
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
        conflict: type[StoreError],
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
            raise self._translate(exc) from exc
        except BotoCoreError as exc:
            log.warning("dynamodb transaction failed: %s", type(exc).__name__)
            raise StoreUnavailable(type(exc).__name__) from exc
        finally:
            self._staged.clear()
            self._keys.clear()

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

    def _translate(self, exc: ClientError) -> StoreError:
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
