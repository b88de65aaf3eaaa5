from decimal import Decimal
from pathlib import Path

import pytest

from backend.errors import ValidationError
from backend.settings import PACKAGE_DATA_DIR, Settings


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.load(env={})
    assert settings.port == 8080
    assert settings.verify_signature is True
    assert settings.verify_timestamp is True
    assert settings.data_dir == PACKAGE_DATA_DIR
    assert settings.uses_embedded_store


def test_environment_overrides_default() -> None:
    settings = Settings.load(
        env={"VOICECART_PORT": "9001", "VOICECART_VERIFY_SIGNATURE": "false", "VOICECART_TAX_RATE": "0.1"}
    )
    assert settings.port == 9001
    assert settings.verify_signature is False
    assert settings.tax_rate == Decimal("0.1")


def test_explicit_value_overrides_environment() -> None:
    settings = Settings.load(env={"VOICECART_PORT": "9001"}, port=7000)
    assert settings.port == 7000


def test_first_matching_variable_wins_in_listed_order() -> None:
    settings = Settings.load(env={"AWS_DEFAULT_REGION": "eu-west-1", "VOICECART_AWS_REGION": "us-west-2"})
    assert settings.aws_region == "us-west-2"


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({}, "embedded"),
        # A region (normal on developer machines and in CI) never chooses AWS by itself.
        ({"AWS_REGION": "eu-west-1"}, "embedded"),
        ({"AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-west-1"}, "embedded"),
        ({"VOICECART_STORE": "embedded", "AWS_REGION": "eu-west-1"}, "embedded"),
        ({"VOICECART_DYNAMODB_ENDPOINT": "http://localhost:8000"}, "endpoint"),
        ({"VOICECART_STORE": "http://localhost:8000"}, "endpoint"),
        ({"VOICECART_STORE": "AWS", "AWS_REGION": "eu-west-1"}, "aws"),
    ],
)
def test_the_store_is_chosen_explicitly(env: dict[str, str], kind: str) -> None:
    settings = Settings.load(env=env)
    assert settings.store_kind == kind
    assert settings.uses_embedded_store is (kind == "embedded")


def test_an_endpoint_url_as_the_store_is_the_endpoint() -> None:
    settings = Settings.load(env={"VOICECART_STORE": "http://localhost:8000"})
    assert settings.dynamodb_endpoint == "http://localhost:8000"
    assert "localhost:8000" in settings.describe_store()


@pytest.mark.parametrize(
    "env",
    [
        {"VOICECART_STORE": "dynamo"},
        {"VOICECART_STORE": "aws", "VOICECART_DYNAMODB_ENDPOINT": "http://localhost:8000"},
        {"VOICECART_STORE": "embedded", "AWS_ENDPOINT_URL_DYNAMODB": "http://localhost:8000"},
        {"VOICECART_STORE": "http://a:1", "VOICECART_DYNAMODB_ENDPOINT": "http://b:2"},
    ],
)
def test_contradictory_or_unknown_store_settings_are_a_clear_error(env: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match=r"store|VOICECART_STORE"):
        Settings.load(env=env)


def test_bad_environment_value_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="VOICECART_PORT"):
        Settings.load(env={"VOICECART_PORT": "eighty"})


def test_unknown_override_is_refused() -> None:
    with pytest.raises(TypeError):
        Settings.load(env={}, nonsense=1)


def test_paths_are_paths() -> None:
    assert Settings.load(env={"VOICECART_DATA_DIR": "/tmp/x"}).data_dir == Path("/tmp/x")
