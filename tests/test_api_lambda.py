"""The API behind API Gateway (Lambda entry, through apig-wsgi) and mounted from the app's Backend: the same
blueprint answers; REST API (payload 1.0) and HTTP API (2.0) events keep cookies, the client's address and
repeated headers and query values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from backend.api import create_api_blueprint
from backend.api.lambda_app import ApiLambda, create_api_app
from backend.catalog import Catalog
from backend.services import build_backend
from backend.settings import Settings
from backend.store.dynamo import Table
from tests.support.lambda_output import emf_blobs, json_lines

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
    entry = ApiLambda(create_api_app(backend))
    context = http_api_event(key)["requestContext"]
    get_context = {**context, "http": {**context["http"], "method": "GET"}}
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
            requestContext=get_context,
        ),
        None,
    )
    assert [e["event_id"] for e in json.loads(read["body"])["events"]] == ["web-view-lambda"]
    forged = entry(http_api_event("vck_" + "f" * 43), None)
    assert forged["statusCode"] == 401 and json.loads(forged["body"])["error"]["code"] == "unauthorized"
    plain_body = {**http_api_event(key), "isBase64Encoded": False, "body": "{broken"}
    assert entry(plain_body, None)["statusCode"] == 400


def test_the_blueprint_mounts_from_the_apps_backend(table: Table, settings: Settings, catalog: Catalog) -> None:
    # The app's Backend; the API never asks for the resolver, so its index is never built.
    backend = build_backend(settings, client=table.client, catalog=catalog, create_tables=False)
    key = backend.clients.create(name="web shop", channel="web").key
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(backend), url_prefix="/api/v1")
    response = app.test_client().get("/api/v1/customers/1285/cart", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404  # authenticated, and customer 1285 has nothing in this empty table


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return event


def test_a_rest_api_event_reaches_the_api(table: Table, settings: Settings, catalog: Catalog) -> None:
    backend = build_backend(settings, client=table.client, catalog=catalog, create_tables=False)
    backend.profiles.ensure_customer("1285")
    key = backend.clients.create(name="store tills", channel="store").key
    event = load_event("rest_api_v1_event.json")
    event["headers"]["Authorization"] = f"Bearer {key}"
    event["multiValueHeaders"]["Authorization"] = [f"Bearer {key}"]
    answer = ApiLambda(create_api_app(backend))(event, None)
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["events"] == []
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]  # 1.0 asked in multi-value form


def echo_app() -> Flask:
    """A WSGI app that answers with what it was given, and sets two cookies: what the translation must keep."""
    app = Flask(__name__)

    @app.get("/api/v1/customers/<customer_id>/events")
    def echo(customer_id: str) -> ResponseReturnValue:
        response = jsonify(
            client=request.remote_addr,
            cookies=dict(request.cookies),
            tags=request.headers.get("X-Tag"),
            channels=request.args.getlist("channel"),
            scheme=request.scheme,
            has_context="apig_wsgi.context" in request.environ,
        )
        response.set_cookie("seen", "1")
        response.set_cookie("visit", "2")
        return response

    return app


def test_a_rest_api_event_keeps_cookies_the_client_address_and_repeated_headers() -> None:
    answer = ApiLambda(echo_app())(load_event("rest_api_v1_event.json"), object())
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {
        "client": "198.51.100.7",  # the first X-Forwarded-For hop: the caller, not API Gateway
        "cookies": {"session": "abc123", "theme": "dark"},
        "tags": "store-12,till-7",
        "channels": ["store"],
        "scheme": "https",
        "has_context": True,
    }
    assert sorted(cookie.split(";")[0] for cookie in answer["multiValueHeaders"]["Set-Cookie"]) == [
        "seen=1",
        "visit=2",
    ]


def test_an_http_api_event_keeps_cookies_the_client_address_and_repeated_values() -> None:
    answer = ApiLambda(echo_app())(load_event("http_api_v2_cookies_event.json"), object())
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {
        "client": "192.0.2.1",  # requestContext.http.sourceIp
        "cookies": {"session": "abc123", "theme": "dark"},
        "tags": "web-3,web-4",
        "channels": ["web", "store"],
        "scheme": "https",
        "has_context": True,
    }
    assert sorted(cookie.split(";")[0] for cookie in answer["cookies"]) == ["seen=1", "visit=2"]  # 2.0's own field


@pytest.mark.slow  # a fresh process loads the 50k-product catalog in the init phase
def test_the_init_phase_builds_the_api_and_an_invocation_logs_and_measures_without_the_key(tmp_path: Path) -> None:
    answers_path = tmp_path / "answers.json"
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "VOICECART_STORE": "aws",  # moto, inside the probe
        "VOICECART_TABLE": f"voicecart-test-{uuid.uuid4().hex[:8]}",
        "VOICECART_DEMO_DATA": "false",
        "VOICECART_CREATE_TABLES": "false",
        "POWERTOOLS_SERVICE_NAME": "voicecart-api-test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.lambda_init_probe", "api", str(answers_path)],
        cwd=Path(__file__).resolve().parents[1],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(answers_path.read_text(encoding="utf-8"))
    assert answers["answer"]["statusCode"] == 201, answers["answer"]
    lines = json_lines(result.stdout)
    ready = next(line for line in lines if line.get("message") == "API ready")
    assert "function_request_id" not in ready  # built before any invocation: the init phase
    blobs = emf_blobs(result.stdout)
    requests = [blob for blob in blobs if "Requests" in blob]
    assert [(blob["status"], blob["Requests"]) for blob in requests] == [("2xx", [1.0])]
    assert answers["key"] not in result.stdout + result.stderr
