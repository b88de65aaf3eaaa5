"""/healthz answers while the process lives; /readyz only while the store, the catalog and the index are there."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from mypy_boto3_dynamodb import DynamoDBClient

from backend.services import Backend
from skill.app import create_app
from skill.health import StoreCheck


def app_for(backend: Backend) -> Flask:
    return create_app(backend=backend, verifiers=[])


def test_ready_when_store_catalog_and_index_are_there(backend: Backend) -> None:
    response = app_for(backend).test_client().get("/readyz")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["store"] == {"ok": True, "state": "active"}
    assert body["checks"]["catalog"]["products"] == body["checks"]["index"]["products"] > 0


def test_not_ready_when_the_store_is_gone_while_still_alive(backend: Backend, dynamodb_client: DynamoDBClient) -> None:
    client = app_for(backend).test_client()
    dynamodb_client.delete_table(TableName=backend.table.name)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["store"]["ok"] is False
    assert "unreachable" in body["checks"]["store"]["state"]
    assert client.get("/healthz").status_code == 200  # alive: restarting it would not bring the table back


def test_the_store_check_is_remembered_for_a_second(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    calls = []
    check = StoreCheck(backend, clock=lambda: now[0])
    original = backend.table.client.describe_table

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(backend.table.client, "describe_table", counting)
    assert check() == (True, "active")
    assert check() == (True, "active")
    now[0] += 1.5
    assert check() == (True, "active")
    assert len(calls) == 2
