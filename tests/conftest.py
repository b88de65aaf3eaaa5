"""The one fixture chain of the suite. The moto chain follows moto's own tests: credentials -> mock_aws() -> tables
with unique names; on it ``backend`` (``build_backend``, the composition root), ``app`` and ``client`` (Flask's
test client), as Flask's tutorial builds them. ``make_backend`` builds the backend on the same table with other
options of ``build_backend`` (a clock, the demo customers).

Nothing here talks to real AWS: dummy credentials are set before any client exists, and every client is created
inside ``mock_aws()``. The catalog is loaded and the resolver's 50k-product index is built once per test run (both
are immutable), the index only when a test first resolves words; under pytest-xdist the first worker that needs it
builds it and writes the prebuilt tables once (under a file lock), the others load them.

``shared_backend``, ``shared_app`` and ``shared_client`` are the same chain at module scope: one table for the tests
of a module that only read, are refused before writing, or write to customers no other test of the module reads.

``slow`` marks what builds that index for its own sake (the ``resolver`` fixture) or loads every demo customer's
history (``demo_backend``): ``pytest -m "not slow"`` is the fast loop.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import botocore.loaders
import botocore.session
import hypothesis
import pytest
from filelock import FileLock
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from backend.catalog import Catalog, load_default_catalog
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.dynamo import Table
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.schema import MAIN_TABLE
from backend.store.tables import ensure_tables, physical_name
from skill.app import create_app
from tests.support import moto_speed
from tests.support.envelopes import SKILL_ID
from tests.support.properties import FAST, FULL, register_profiles

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.resolver import Resolver

TEST_SKILL_ID = SKILL_ID
TEST_REGION = "us-east-1"
# botocore reads and parses its service descriptions anew for every new session (a tenth of a second for DynamoDB);
# the test clients share one loader, which only caches those read-only files.
_LOADER = botocore.loaders.create_loader()
# Registered on import, before hypothesis' own plugin loads a ``--hypothesis-profile``
register_profiles()
# moto's DynamoDB answers encoded directly, as moto's own encoder would (tests/test_moto_speed.py)
moto_speed.install()


def dummy_credentials(patch: pytest.MonkeyPatch) -> None:
    """What moto's own tests set: no profile or endpoint of the developer's reaches a client."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        patch.delenv(name, raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        patch.setenv(name, "testing")
    patch.setenv("AWS_DEFAULT_REGION", TEST_REGION)


def new_dynamodb_client() -> DynamoDBClient:
    """A DynamoDB client of its own session (credentials read now), on the shared service descriptions."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _LOADER)
    client: DynamoDBClient = session.create_client("dynamodb", region_name=TEST_REGION)
    return client


def fresh_settings() -> Settings:
    """Test settings: no environment read, a unique table name, verification on with the test skill id."""
    return Settings.load(
        env={},
        table_name=f"voicecart-test-{uuid.uuid4().hex[:8]}",
        aws_region=TEST_REGION,
        skill_id=TEST_SKILL_ID,
        load_demo_data=False,
    )


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch)


@pytest.fixture
def mocked_aws(aws_credentials: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def dynamodb_client(mocked_aws: None) -> DynamoDBClient:
    return new_dynamodb_client()


@pytest.fixture
def settings() -> Settings:
    """Test settings: no environment read, a unique table name, verification on with the test skill id."""
    return fresh_settings()


@pytest.fixture
def table(dynamodb_client: DynamoDBClient, settings: Settings) -> Table:
    ensure_tables(dynamodb_client, settings.table_name)
    return Table(dynamodb_client, physical_name(settings.table_name, MAIN_TABLE))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedDynamoDB]:
    """The module's own embedded store (moto in this process, as ``serve`` runs it)."""
    with EmbeddedDynamoDB() as server:
        yield server


@pytest.fixture(scope="session")
def shared_resolver(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Resolver]:
    """The test run's one resolver, built on first use."""

    @functools.cache
    def build() -> Resolver:
        from backend.resolver import Resolver

        if not os.environ.get("PYTEST_XDIST_WORKER"):
            return Resolver(catalog)
        # Workers share the base temp directory's parent: the first to get here builds and writes the tables.
        shared = Path(tmp_path_factory.getbasetemp().parent) / "resolver-index"
        with FileLock(f"{shared}.lock"):
            return Resolver.cached(catalog, cache_dir=shared)

    return build


@pytest.fixture(scope="session")
def resolver(shared_resolver: Callable[[], Resolver]) -> Resolver:
    return shared_resolver()


@pytest.fixture
def make_backend(
    settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, shared_resolver: Callable[[], Resolver]
) -> Callable[..., Backend]:
    """``build_backend`` on this test's table, the session's catalog and resolver, with any of its other options."""

    def make(*, settings: Settings = settings, **options: Any) -> Backend:
        options = {"catalog": catalog, "resolver": shared_resolver, **options}
        return build_backend(settings, client=dynamodb_client, **options)

    return make


@pytest.fixture
def backend(make_backend: Callable[..., Backend]) -> Backend:
    return make_backend()


@pytest.fixture
def app(settings: Settings, backend: Backend) -> Flask:
    """The web app as ``voicecart serve`` builds it (verification on, the test skill id)."""
    return create_app(settings, backend=backend)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo_backend(make_backend: Callable[..., Backend]) -> Backend:
    """The backend as ``voicecart serve`` builds it: the demo customers provisioned on first use."""
    return make_backend(demo=True)


@pytest.fixture(scope="module")
def shared_backend(catalog: Catalog, shared_resolver: Callable[[], Resolver]) -> Iterator[Backend]:
    """The same chain at module scope: one table for the tests of a module that do not need a fresh one."""
    with pytest.MonkeyPatch.context() as patch:
        dummy_credentials(patch)
        with mock_aws():
            yield build_backend(
                fresh_settings(), client=new_dynamodb_client(), catalog=catalog, resolver=shared_resolver
            )


@pytest.fixture(scope="module")
def shared_app(shared_backend: Backend) -> Flask:
    return create_app(shared_backend.settings, backend=shared_backend)


@pytest.fixture(scope="module")
def shared_client(shared_app: Flask) -> FlaskClient:
    return shared_app.test_client()


SLOW_FIXTURES = {"resolver", "demo_backend"}


def pytest_configure(config: pytest.Config) -> None:
    """The fast loop (``-m "not slow"``) draws a fifth of each property's examples, everything else all of them
    (tests/support/properties.py); an explicit ``HYPOTHESIS_PROFILE`` or ``--hypothesis-profile`` wins."""
    chosen = os.environ.get("HYPOTHESIS_PROFILE") or config.getoption("hypothesis_profile", None)
    if chosen:
        hypothesis.settings.load_profile(chosen)
        return
    fast = "not slow" in " ".join(str(config.getoption("markexpr", "") or "").split())
    hypothesis.settings.load_profile(FAST if fast else FULL)


def pytest_report_header() -> str:
    return f"hypothesis profile: {hypothesis.settings.get_current_profile_name()} (tests/support/properties.py)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
