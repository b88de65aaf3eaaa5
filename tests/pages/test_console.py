"""The developer console: on with the embedded store only (unless a setting says so), never in a Lambda; turns
through the same in-process simulator as ``voicecart dialog``; a YAML dialog replayed with each check shown."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask.testing import FlaskClient

from backend.catalog import Catalog
from backend.services import Backend, build_backend
from backend.settings import Settings
from skill.app import create_app
from skill.pages.console import console_enabled
from tests.pages.support import HTTPS, csrf_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.resolver import Resolver

DIALOGS = Path(__file__).parent.parent / "dialogs"


def _client_for(settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, **kw: object) -> FlaskClient:
    backend = build_backend(settings, client=dynamodb_client, catalog=catalog, **kw)  # type: ignore[arg-type]
    return create_app(settings, backend=backend).test_client()


def test_the_console_is_off_without_the_embedded_store(
    settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog
) -> None:
    # The client is moto's, injected: "aws" here only says which store the settings name, nothing reaches AWS.
    elsewhere = dataclasses.replace(settings, store="aws")
    client = _client_for(elsewhere, dynamodb_client, catalog)
    for path in ("/console/", "/console/say", "/console/replay"):
        assert client.get(path, base_url=HTTPS).status_code == 404
    turned_on = _client_for(dataclasses.replace(elsewhere, console=True), dynamodb_client, catalog)
    assert turned_on.get("/console/", base_url=HTTPS).status_code == 200


def test_the_console_is_on_with_the_embedded_store_unless_turned_off(client: FlaskClient, settings: Settings) -> None:
    assert client.get("/console/", base_url=HTTPS).status_code == 200
    assert not console_enabled(dataclasses.replace(settings, console=False))


def test_the_embedded_store_as_serve_starts_it_keeps_the_console_on(aws_credentials: None) -> None:
    from backend.store.embedded import store_for

    with store_for(Settings.load(env={}, load_demo_data=False)) as reachable:
        assert reachable.store_kind == "endpoint"  # the embedded server is reached as an endpoint
        assert console_enabled(reachable, {})
    with store_for(Settings.load(env={}, load_demo_data=False, console=False)) as reachable:
        assert not console_enabled(reachable, {})


def test_never_in_a_lambda(settings: Settings) -> None:
    environ = {"AWS_LAMBDA_FUNCTION_NAME": "voicecart-skill"}
    assert not console_enabled(settings, environ)
    assert not console_enabled(dataclasses.replace(settings, console=True), environ)


def test_console_forms_need_their_csrf_token(client: FlaskClient) -> None:
    assert client.post("/console/say", data={"utterance": "open my grocer"}, base_url=HTTPS).status_code == 400
    assert client.post("/console/replay", data={"dialog": "dialogs: []"}, base_url=HTTPS).status_code == 400


def test_a_replayed_dialog_shows_each_check(client: FlaskClient) -> None:
    page = client.get("/console/", base_url=HTTPS)
    passing = (DIALOGS / "launch_help_stop.yaml").read_text()
    html = client.post(
        "/console/replay", data={"dialog": passing, "csrf_token": csrf_of(page)}, base_url=HTTPS
    ).get_data(as_text=True)
    assert 'launch without a linked account asks to link it: <span class="pass">passed' in html
    assert "FAIL" not in html
    failing = passing.replace("speech: {contains: link your account}", "speech: {contains: something else}", 1)
    html = client.post(
        "/console/replay", data={"dialog": failing, "csrf_token": csrf_of(page)}, base_url=HTTPS
    ).get_data(as_text=True)
    assert '<span class="fail">failed' in html
    assert "something else" in html
    broken = client.post(
        "/console/replay", data={"dialog": "dialogs: [{turns: 3}]", "csrf_token": csrf_of(page)}, base_url=HTTPS
    )
    assert broken.status_code == 200
    assert 'role="alert"' in broken.get_data(as_text=True)


@pytest.fixture
def demo_client(
    settings: Settings, dynamodb_client: DynamoDBClient, catalog: Catalog, shared_resolver: Callable[[], Resolver],
    demo_backend: Backend,
) -> FlaskClient:  # fmt: skip
    return create_app(settings, backend=demo_backend).test_client()


def test_a_turn_shows_intent_slots_envelopes_resolver_and_cart(demo_client: FlaskClient) -> None:
    page = demo_client.get("/console/", base_url=HTTPS)
    assert "3623" in page.get_data(as_text=True)
    demo_client.post("/console/start", data={"customer_id": "3623", "csrf_token": csrf_of(page)}, base_url=HTTPS)
    said = demo_client.post(
        "/console/say", data={"utterance": "ask my grocer to add two bananas", "csrf_token": csrf_of(page)},
        base_url=HTTPS,
    )  # fmt: skip
    assert said.status_code == 302
    html = demo_client.get("/console/", base_url=HTTPS).get_data(as_text=True)
    assert "AddToCartIntent" in html
    assert "quantity = 2" in html
    assert "Resolver: product “bananas”" in html
    assert "Request envelope" in html
    assert "IntentRequest" in html
    assert "Cart:" in html
