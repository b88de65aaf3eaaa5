"""What the shopping and conversation tests add to the one fixture chain of ``tests/conftest.py`` (moto, settings,
table, catalog, resolver, backend): the demo histories (read once per session), a Shopping on a clock pinned to a
fixed day, customers signed up the way the demo links them (past orders imported, a demo access token issued), a
serialising moto server for concurrent writers, and a client with injected faults."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory, load_histories
from backend.demo.history_import import import_history
from backend.identity.tokens import DynamoAccessTokenStore
from backend.profile.store import ProfileStore
from backend.services import Backend
from backend.settings import PACKAGE_DATA_DIR, Settings
from backend.shopping import Shopping
from backend.store.dynamo import Table
from backend.store.schema import MAIN_TABLE
from backend.store.tables import ensure_tables, physical_name

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "shopping"


@pytest.fixture(scope="session")
def histories() -> dict[str, CustomerHistory]:
    return load_histories(PACKAGE_DATA_DIR / "customers_sample.csv", last_order_on=TODAY)


@pytest.fixture
def shopping(table: Table, catalog: Catalog, settings: Settings) -> Shopping:
    return Shopping(table, catalog, settings, profiles=ProfileStore(table, clock=lambda: NOW), clock=lambda: NOW)


def sign_up(backend: Backend, customer_id: str, history: CustomerHistory | None = None) -> str:
    """Link a customer as the demo does: import their past orders (if any), issue their access token."""
    if history is not None:
        import_history(backend.table, history, backend.catalog, backend.settings)
    return DynamoAccessTokenStore(backend.identities).issue_demo_token(customer_id)


@pytest.fixture(scope="session")
def serial_moto_endpoint() -> Iterator[str]:
    """A moto server on loopback that answers one request at a time, for tests with concurrent writers.

    moto is not safe under concurrent requests: a failed ``transact_write_items`` restores a deep copy of the whole
    table taken before it started, wiping writes other threads made meanwhile (and its in-process mock shares
    dicts across threads). Real DynamoDB serialises conflicting writes per item; a single-threaded server is the
    closest moto gets. The client threads still interleave their read-modify-write cycles freely.
    """
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def server_shopping(serial_moto_endpoint: str, aws_credentials: None, catalog: Catalog, settings: Settings) -> Shopping:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=serial_moto_endpoint)
    ensure_tables(client, settings.table_name)
    table = Table(client, physical_name(settings.table_name, MAIN_TABLE))
    return Shopping(table, catalog, settings, profiles=ProfileStore(table, clock=lambda: NOW), clock=lambda: NOW)


class FailingClient:
    """The real DynamoDB client with a fault injected: the next ``fail_next`` transact_write_items calls raise a
    service error (as a throttled or failing DynamoDB would), everything else goes through."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.fail_next = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transact_write_items(self, **kwargs: Any) -> Any:
        if self.fail_next:
            self.fail_next -= 1
            raise ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "injected fault"}}, "TransactWriteItems"
            )
        return self._client.transact_write_items(**kwargs)
