"""The key lifecycle through the command and the API: `voicecart keys create/list/revoke` against a store that
outlives the command (an embedded DynamoDB server started by the test and named by VOICECART_STORE, as DynamoDB
Local would be), then the key used, refused for what its scopes do not allow, and revoked."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from backend.api import create_api_blueprint
from backend.catalog import Catalog
from backend.services import build_backend
from backend.settings import Settings
from backend.store.dynamo import make_client
from backend.store.embedded import EmbeddedDynamoDB
from skill.cli import main as voicecart


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    with EmbeddedDynamoDB() as embedded:
        assert embedded.endpoint is not None
        table = f"voicecart-keys-{uuid.uuid4().hex[:8]}"
        monkeypatch.setenv("VOICECART_STORE", embedded.endpoint)
        monkeypatch.setenv("VOICECART_TABLE", table)
        yield Settings.load(env={"VOICECART_STORE": embedded.endpoint, "VOICECART_TABLE": table})


def _json(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_the_key_lifecycle_through_the_command_and_the_api(
    store: Settings, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert voicecart(["keys", "create", "--channel", "store", "--customers", "1285", "2000", "--json"]) == 0
    (tills,) = _json(capsys)
    assert tills["scopes"] == ["read", "write"] and tills["customer_ids"] == ["1285", "2000"]
    args = ["keys", "create", "--channel", "web", "--customers", "all", "--scope", "read,privacy", "--json"]
    assert voicecart([*args, "--name", "privacy desk"]) == 0
    (desk,) = _json(capsys)
    assert desk["all_customers"] is True and desk["scopes"] == ["read", "privacy"]

    assert voicecart(["keys", "list", "--json"]) == 0
    listed = _json(capsys)
    assert [client["client_id"] for client in listed] == [tills["client_id"], desk["client_id"]]
    assert "api_key" not in listed[0] and str(tills["api_key"]) not in json.dumps(listed)

    services = build_backend(store, client=make_client(store), catalog=catalog, create_tables=False)
    services.profiles.ensure_customer("1285")
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(services), url_prefix="/api/v1")
    http = app.test_client()

    def call(method: str, path: str, key: object) -> int:
        return http.open("/api/v1" + path, method=method, headers={"Authorization": f"Bearer {key}"}).status_code

    assert call("GET", "/customers/1285/cart", tills["api_key"]) == 200
    assert call("GET", "/customers/1285/export", tills["api_key"]) == 403  # no privacy scope
    assert call("GET", "/customers/1285/export", desk["api_key"]) == 200
    assert call("DELETE", "/customers/1285/cart", desk["api_key"]) == 403  # no write scope

    assert voicecart(["keys", "revoke", str(tills["client_id"])]) == 0
    assert "revoked" in capsys.readouterr().out
    assert call("GET", "/customers/1285/cart", tills["api_key"]) == 401
    assert voicecart(["keys", "list", "--json"]) == 0
    assert [client["client_id"] for client in _json(capsys)] == [desk["client_id"]]
    assert voicecart(["keys", "list", "--all"]) == 0
    assert "REVOKED" in capsys.readouterr().out


def test_bad_requests_are_one_line_errors(store: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert voicecart(["keys", "create", "--channel", "web", "--customers", "all", "--scope", "admin"]) == 2
    assert voicecart(["keys", "create", "--channel", "web", "--customers", "all", "1285"]) == 2
    assert voicecart(["keys", "revoke", "cli_0000000000000000"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("voicecart keys: error:") for line in errors)


def test_keys_refuse_the_embedded_store(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("VOICECART_STORE", "VOICECART_DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    assert voicecart(["keys", "list"]) == 2
    assert "embedded store" in capsys.readouterr().err
