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
    ("env", "embedded"),
    [
        ({}, True),
        ({"VOICECART_DYNAMODB_ENDPOINT": "http://localhost:8000"}, False),
        ({"AWS_REGION": "eu-west-1"}, False),
    ],
)
def test_embedded_store_only_when_nothing_points_at_dynamodb(env: dict[str, str], embedded: bool) -> None:
    assert Settings.load(env=env).uses_embedded_store is embedded


def test_bad_environment_value_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="VOICECART_PORT"):
        Settings.load(env={"VOICECART_PORT": "eighty"})


def test_unknown_override_is_refused() -> None:
    with pytest.raises(TypeError):
        Settings.load(env={}, nonsense=1)


def test_paths_are_paths() -> None:
    assert Settings.load(env={"VOICECART_DATA_DIR": "/tmp/x"}).data_dir == Path("/tmp/x")
