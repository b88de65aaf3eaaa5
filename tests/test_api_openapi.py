"""The shipped OpenAPI document: a valid 3.1 description, and the request fixtures conform to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.api import openapi_document

FIXTURES = Path(__file__).parent / "fixtures" / "api"


def test_the_document_is_valid_openapi_3_1() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(openapi_document())


@pytest.mark.parametrize(
    "name",
    ["voice_event.json", "store_purchase_event.json", "store_receipt_event.json", "web_view_event.json",
     "email_click_event.json"],
)  # fmt: skip
def test_event_fixtures_match_the_event_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = openapi_document()
    schema = {**document["components"]["schemas"]["Event"], "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(json.loads((FIXTURES / name).read_text()))
