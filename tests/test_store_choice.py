"""The store is chosen explicitly: with only a region in the environment (normal on a developer's machine and in CI)
every command and the WSGI entry stay on the embedded store, and no client for AWS is ever made. AWS chosen
without credentials is one clear line, not a traceback. Nothing here can reach AWS: every client the code makes
is checked to point at loopback, and no credentials are reachable."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from backend.errors import StoreUnavailable
from backend.settings import Settings
from backend.store.dynamo import make_client
from backend.store.embedded import EMBEDDED_ENDPOINT_SUFFIX, store_for
from skill.cli import main as voicecart

DIALOGS = Path(__file__).parent / "dialogs"
# The embedded store lives in this process: its endpoint is a name that resolves nowhere (no socket at all).
LOOPBACK = ("http://127.0.0.1:", "http://localhost:")
IN_PROCESS = EMBEDDED_ENDPOINT_SUFFIX


def _local(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint.startswith(LOOPBACK) or endpoint.endswith(IN_PROCESS))


@pytest.fixture
def region_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str | None]:
    """A developer's environment: a region, no endpoint, no reachable credentials. Returns the endpoints of every
    DynamoDB client made (a client for AWS itself fails the test at once)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                 "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_DEFAULT_REGION"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("VOICECART_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    made: list[str | None] = []
    original = boto3.session.Session.client

    def client(self: boto3.session.Session, service: str, *args: Any, **kwargs: Any) -> Any:
        endpoint = kwargs.get("endpoint_url")
        made.append(endpoint)
        assert _local(endpoint), f"a {service} client for {endpoint!r}"
        return original(self, service, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", client)
    return made


def test_a_region_alone_starts_the_embedded_store(region_only: list[str | None]) -> None:
    settings = Settings.load(load_demo_data=False)
    assert settings.uses_embedded_store
    with store_for(settings) as reachable:
        client = make_client(reachable)
        # Reachable and answering (other tests' embedded tables may share moto's process-wide state).
        assert isinstance(client.list_tables()["TableNames"], list)
    assert region_only and all(_local(endpoint) for endpoint in region_only)


def test_voicecart_test_with_a_region_set_stays_embedded(
    region_only: list[str | None], capsys: pytest.CaptureFixture[str]
) -> None:
    assert voicecart(["test", str(DIALOGS / "launch_help_stop.yaml")]) == 0, capsys.readouterr().out
    assert "passed, 0 failed" in capsys.readouterr().out
    assert region_only


def test_customers_with_a_region_set_makes_no_client(
    region_only: list[str | None], capsys: pytest.CaptureFixture[str]
) -> None:
    assert voicecart(["customers", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert region_only == []


def test_the_wsgi_entry_builds_nothing_at_import_and_starts_the_embedded_store(
    region_only: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    import skill.wsgi as wsgi

    assert wsgi._built is None
    monkeypatch.setenv("VOICECART_DEMO_DATA", "false")
    try:
        app = wsgi.app
        assert wsgi.create() is app
        response = app.test_client().get("/healthz")
        assert response.status_code == 200 and response.get_json()["products"] > 40_000
        assert region_only
    finally:
        wsgi._stack.close()
        wsgi._built = None


def test_aws_without_credentials_is_one_line_without_a_traceback(
    region_only: list[str | None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOICECART_STORE", "aws")
    assert voicecart(["test", str(DIALOGS / "launch_help_stop.yaml")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "no AWS credentials" in err and "Traceback" not in err
    assert region_only == []


def test_aws_without_a_region_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(StoreUnavailable, match="region"):
        make_client(Settings.load(env={}, store="aws"))


def test_the_embedded_store_is_never_reached_without_being_started() -> None:
    with pytest.raises(StoreUnavailable, match="embedded store is not running"):
        make_client(Settings.load(env={"AWS_REGION": "eu-west-1"}))


@pytest.fixture
def endpoint_settings() -> Iterator[Settings]:
    yield Settings.load(env={"VOICECART_STORE": "http://127.0.0.1:9"})


def test_demo_data_goes_elsewhere_only_when_asked(endpoint_settings: Settings) -> None:
    with store_for(endpoint_settings) as reachable:
        assert reachable.load_demo_data is False
    with store_for(dataclasses.replace(endpoint_settings, demo_data_anywhere=True)) as reachable:
        assert reachable.load_demo_data is True
    with store_for(Settings.load(env={}, store="embedded")) as reachable:
        assert reachable.load_demo_data is True
