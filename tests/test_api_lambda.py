"""The API behind API Gateway (Lambda entry) and mounted from the app's Backend: the same blueprint answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from backend.api import create_api_blueprint
from backend.api.lambda_entry import ApiLambda, create_api_app
from backend.catalog import Catalog
from backend.services import build_backend
from backend.settings import Settings
from backend.store.dynamo import Table

FIXTURES = Path(__file__).parent / "fixtures" / "api"


def http_api_event(key: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((FIXTURES / "http_api_event.json").read_text())
    event["headers"]["authorization"] = f"Bearer {key}"
    event.update(changes)
    return event


def test_the_lambda_entry_serves_the_api(table: Table, settings: Settings, catalog: Catalog) -> None:
    backend = build_backend(
        settings,
        client=table.client,
        clock=lambda: datetime(2026, 11, 22, 10, 5, tzinfo=UTC),
        catalog=catalog,
        create_tables=False,
    )
    backend.profiles.ensure_customer("1285")
    key = backend.clients.create(name="web shop", channel="web").key
    built: list[Flask] = []

    def factory() -> Flask:
        built.append(create_api_app(backend))
        return built[-1]

    entry = ApiLambda(factory)
    written = entry(http_api_event(key), None)
    assert written["statusCode"] == 201, written
    assert json.loads(written["body"]) == {"event_id": "web-view-lambda", "status": "written"}
    assert written["headers"]["content-type"] == "application/json"

    read = entry(
        http_api_event(
            key,
            rawPath="/api/v1/customers/1285/events",
            rawQueryString="channel=web&limit=5",
            body=None,
            isBase64Encoded=False,
            requestContext={"http": {"method": "GET", "path": "/api/v1/customers/1285/events"}},
        ),
        None,
    )
    assert [e["event_id"] for e in json.loads(read["body"])["events"]] == ["web-view-lambda"]
    forged = entry(http_api_event("vck_" + "f" * 43), None)
    assert forged["statusCode"] == 401 and json.loads(forged["body"])["error"]["code"] == "unauthorized"
    plain_body = {**http_api_event(key), "isBase64Encoded": False, "body": "{broken"}
    assert entry(plain_body, None)["statusCode"] == 400
    assert len(built) == 1  # built once per container


def test_the_blueprint_mounts_from_the_apps_backend(table: Table, settings: Settings, catalog: Catalog) -> None:
    # The app's Backend; the API never asks for the resolver, so its index is never built.
    backend = build_backend(settings, client=table.client, catalog=catalog, create_tables=False)
    key = backend.clients.create(name="web shop", channel="web").key
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(backend), url_prefix="/api/v1")
    response = app.test_client().get("/api/v1/customers/1285/cart", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404  # authenticated, and customer 1285 has nothing in this empty table
