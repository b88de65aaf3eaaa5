"""A thin, typed wrapper over an injected DynamoDB client: plain dict items in, plain dict items out.

Every botocore failure is translated here into a domain error from ``backend.errors`` (keeping the cause), so the
rest of the backend never sees ``ClientError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from backend.errors import AlreadyApplied, ConcurrentUpdate, StoreUnavailable
from backend.settings import AWS, EMBEDDED, ENDPOINT, Settings
from backend.store.budget import install_budget
from backend.store.codec import from_attribute_values, to_attribute_value, to_attribute_values
from backend.store.embedded import client_for

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

# A voice turn has about eight seconds in all and makes two or three calls. Connect fast or not at all; a read that
# takes two seconds is not coming back in time. Two attempts at most, so a retry never re-sends a call whose turn
# has already been answered with an apology ("standard" mode: retries only transient errors, with jitter).
CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"total_max_attempts": 2, "mode": "standard"},
    max_pool_connections=50,
)


def make_client(settings: Settings, *, session: boto3.session.Session | None = None) -> DynamoDBClient:
    """Create a DynamoDB client for the store the settings choose: the embedded store started in this process (its
    endpoint names nothing on the network), another endpoint (DynamoDB Local, LocalStack) or, only when ``store``
    says "aws", AWS itself. Missing credentials or region for AWS are a one-line :class:`StoreUnavailable`, before
    any call is made."""
    if settings.dynamodb_endpoint is not None:
        embedded = client_for(settings.dynamodb_endpoint)
        if embedded is not None:
            return embedded
    session = session or boto3.session.Session()
    kind = settings.store_kind
    if kind == EMBEDDED:
        raise StoreUnavailable(
            "the embedded store is not running: start it with backend.store.embedded.store_for(settings), "
            "or choose a store with VOICECART_STORE=aws or VOICECART_STORE=<endpoint URL>"
        )
    region = settings.aws_region or session.region_name
    if kind == AWS:
        if region is None:
            raise StoreUnavailable("VOICECART_STORE=aws needs a region: set AWS_REGION (or VOICECART_AWS_REGION)")
        if session.get_credentials() is None:
            raise StoreUnavailable(
                f"VOICECART_STORE=aws but no AWS credentials were found for {settings.describe_store()} "
                "(set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
            )
    client = session.client(
        "dynamodb",
        endpoint_url=settings.dynamodb_endpoint if kind == ENDPOINT else None,
        region_name=region or "us-east-1",
        config=CLIENT_CONFIG,
    )
    install_budget(client)  # a voice turn's calls share one deadline (backend.store.budget)
    return client


@contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Turn botocore failures into domain errors, keeping the cause."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            raise ConcurrentUpdate(f"{operation}: condition failed") from exc
        log.warning("dynamodb %s failed: %s", operation, code)
        raise StoreUnavailable(f"{operation}: {code}") from exc
    except BotoCoreError as exc:
        log.warning("dynamodb %s failed: %s", operation, type(exc).__name__)
        raise StoreUnavailable(f"{operation}: {type(exc).__name__}") from exc


class Table:
    """One physical table reached through an injected client."""

    def __init__(self, client: DynamoDBClient, name: str, *, key_names: tuple[str, ...] = ("pk", "sk")) -> None:
        self.client = client
        self.name = name
        self.key_names = key_names  # the primary key's attributes (schema.MAIN_TABLE's)

    def get(self, key: Mapping[str, Any], *, consistent: bool = True) -> dict[str, Any] | None:
        with translate_errors("get_item"):
            response = self.client.get_item(
                TableName=self.name, Key=to_attribute_values(key), ConsistentRead=consistent
            )
        item = response.get("Item")
        return from_attribute_values(item) if item else None

    def put(
        self,
        item: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": to_attribute_values(item)}
        _add_expression(kwargs, condition=condition, names=names, values=values)
        with translate_errors("put_item"):
            self.client.put_item(**kwargs)

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_attribute_values(key),
            "UpdateExpression": expression,
            "ReturnValues": "ALL_NEW",
        }
        _add_expression(kwargs, condition=condition, names=names, values=values)
        with translate_errors("update_item"):
            response = self.client.update_item(**kwargs)
        return from_attribute_values(response.get("Attributes", {}))

    def delete(self, key: Mapping[str, Any]) -> None:
        with translate_errors("delete_item"):
            self.client.delete_item(TableName=self.name, Key=to_attribute_values(key))

    def query(
        self,
        key_condition: str,
        *,
        values: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
        index: str | None = None,
        filter_expression: str | None = None,
        forward: bool = True,
        limit: int | None = None,
        start_key: Mapping[str, Any] | None = None,
        consistent: bool = False,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of a query: the items and the key to continue from (None at the end)."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": {k: to_attribute_value(v) for k, v in values.items()},
            "ScanIndexForward": forward,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = dict(names)
        if index:
            kwargs["IndexName"] = index
        else:
            kwargs["ConsistentRead"] = consistent
        if filter_expression:
            kwargs["FilterExpression"] = filter_expression
        if limit:
            kwargs["Limit"] = limit
        if start_key:
            kwargs["ExclusiveStartKey"] = to_attribute_values(start_key)
        with translate_errors("query"):
            response = self.client.query(**kwargs)
        items = [from_attribute_values(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return items, (from_attribute_values(last) if last else None)

    def query_all(self, key_condition: str, *, values: Mapping[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        """Every item of a query, following pagination."""
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            page, start = self.query(key_condition, values=values, start_key=start, **kwargs)
            items.extend(page)
            if start is None:
                return items


def _add_expression(
    kwargs: dict[str, Any],
    *,
    condition: str | None,
    names: Mapping[str, str] | None,
    values: Mapping[str, Any] | None,
) -> None:
    if condition:
        kwargs["ConditionExpression"] = condition
    if names:
        kwargs["ExpressionAttributeNames"] = dict(names)
    if values:
        kwargs["ExpressionAttributeValues"] = {k: to_attribute_value(v) for k, v in values.items()}


__all__ = ["AlreadyApplied", "Table", "make_client", "translate_errors"]
