"""Shared fixtures. The moto chain follows moto's own tests: credentials -> mock_aws() -> tables with unique names.

Nothing here talks to real AWS: dummy credentials are set before any client exists, and every client is created
inside ``mock_aws()``. The catalog and the resolver's index are built once per session (they are immutable).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from backend.catalog import Catalog, load_default_catalog
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.dynamo import Table
from backend.store.schema import MAIN_TABLE
from backend.store.tables import ensure_tables, physical_name
from tests.support.requests import FIXTURE_SKILL_ID

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.resolver import Resolver

TEST_SKILL_ID = FIXTURE_SKILL_ID
TEST_REGION = "us-east-1"


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", TEST_REGION)


@pytest.fixture
def mocked_aws(aws_credentials: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def dynamodb_client(mocked_aws: None) -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=TEST_REGION)


@pytest.fixture
def settings() -> Settings:
    """Test settings: no environment read, a unique table name, verification on with the test skill id."""
    return Settings.load(
        env={},
        table_name=f"voicecart-test-{uuid.uuid4().hex[:8]}",
        aws_region=TEST_REGION,
        skill_id=TEST_SKILL_ID,
        load_demo_data=False,
    )


@pytest.fixture
def table(dynamodb_client: DynamoDBClient, settings: Settings) -> Table:
    ensure_tables(dynamodb_client, settings.table_name)
    return Table(dynamodb_client, physical_name(settings.table_name, MAIN_TABLE))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture(scope="session")
def resolver(catalog: Catalog) -> Resolver:
    from backend.resolver import Resolver

    return Resolver(catalog)


@pytest.fixture
def backend(settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, resolver: Resolver) -> Backend:
    return build_backend(settings, client=dynamodb_client, catalog=catalog, resolver=resolver)


@pytest.fixture
def demo_backend(settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, resolver: Resolver) -> Backend:
    """The backend as ``voicecart serve`` builds it: the demo customers provisioned on first use."""
    return build_backend(settings, client=dynamodb_client, catalog=catalog, resolver=resolver, demo=True)
