"""A table of its own on a module's embedded store (``embedded`` in conftest), named after the test."""

from __future__ import annotations

import pytest

from backend.settings import Settings
from backend.store.dynamo import Table, make_client
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.tables import ensure_tables


def embedded_table(embedded: EmbeddedDynamoDB, prefix: str, request: pytest.FixtureRequest) -> Table:
    settings = Settings.load(env={}, dynamodb_endpoint=embedded.endpoint, aws_region="us-east-1")
    client = make_client(settings)
    name = f"{prefix}-{request.node.name[:40]}"
    ensure_tables(client, name)
    return Table(client, name)
