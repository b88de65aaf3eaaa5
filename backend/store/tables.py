"""Create (or reuse) the tables the schema defines, with TTL switched on."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from backend.store.dynamo import translate_errors
from backend.store.schema import TABLES, TableSpec

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)


def physical_name(base_name: str, spec: TableSpec) -> str:
    """The main table keeps the configured name; any added table is suffixed with its logical name."""
    return base_name if spec.logical_name == "main" else f"{base_name}-{spec.logical_name}"


def ensure_tables(client: DynamoDBClient, base_name: str, specs: tuple[TableSpec, ...] = TABLES) -> list[str]:
    """Create every missing table and wait until it is active. Existing tables are left as they are."""
    with translate_errors("list_tables"):
        existing = set(client.list_tables()["TableNames"])
    created = []
    for spec in specs:
        name = physical_name(base_name, spec)
        if name in existing:
            continue
        with translate_errors("create_table"):
            client.create_table(**spec.create_table_kwargs(name))
            client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
            if spec.ttl_attribute:
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
                )
        log.info("created table %s", name)
        created.append(name)
    return created
