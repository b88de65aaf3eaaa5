"""The one fixture chain of the suite. The moto chain follows moto's own tests: credentials -> mock_aws() -> tables
with unique names; on it ``backend`` (``build_backend``, the composition root), ``app`` and ``client`` (Flask's
test client), as Flask's tutorial builds them.

Nothing here talks to real AWS: dummy credentials are set before any client exists, and every client is created
inside ``mock_aws()``. The catalog is loaded and the resolver's 50k-product index is built once per session (both
are immutable), the index only when a test first resolves words.

``slow`` marks what builds that index for its own sake (the ``resolver`` fixture) or loads every demo customer's
history (``demo_backend``): ``pytest -m "not slow"`` is the fast loop.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from backend.catalog import Catalog, load_default_catalog
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.dynamo import Table
from backend.store.schema import MAIN_TABLE
from backend.store.tables import ensure_tables, physical_name
from skill.app import create_app
from tests.support.envelopes import SKILL_ID

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.resolver import Resolver

TEST_SKILL_ID = SKILL_ID
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
def shared_resolver(catalog: Catalog) -> Callable[[], Resolver]:
    """The session's one resolver, built on first use."""

    @functools.cache
    def build() -> Resolver:
        from backend.resolver import Resolver

        return Resolver(catalog)

    return build


@pytest.fixture(scope="session")
def resolver(shared_resolver: Callable[[], Resolver]) -> Resolver:
    return shared_resolver()


@pytest.fixture
def backend(
    settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, shared_resolver: Callable[[], Resolver]
) -> Backend:
    return build_backend(settings, client=dynamodb_client, catalog=catalog, resolver=shared_resolver)


@pytest.fixture
def app(settings: Settings, backend: Backend) -> Flask:
    """The web app as ``voicecart serve`` builds it (verification on, the test skill id)."""
    return create_app(settings, backend=backend)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo_backend(
    settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, shared_resolver: Callable[[], Resolver]
) -> Backend:
    """The backend as ``voicecart serve`` builds it: the demo customers provisioned on first use."""
    return build_backend(settings, client=dynamodb_client, catalog=catalog, resolver=shared_resolver, demo=True)


SLOW_FIXTURES = {"resolver", "demo_backend"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
