"""A property-based contract run: schemathesis generates requests from backend/api/openapi.json and checks every
answer of the real API (moto store) against the same document: no 5xx, documented status codes, headers,
content types and bodies, and every schema-valid request accepted. Unsupported methods get a true Allow header."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from backend.api import openapi_document
from backend.services import Backend
from tests.support.properties import examples

PREFIX = "/api/v1"
EXAMPLES_PER_OPERATION = 15
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def served(shared_backend: Backend, shared_app: Flask) -> tuple[Flask, str]:
    """The app as ``voicecart serve`` builds it, on the harness's module-scoped table, and a key for every scope."""
    for customer_id in ("1285", "2000"):
        shared_backend.profiles.ensure_customer(customer_id)
    key = shared_backend.clients.create(name="contract", channel="web", scopes=("read", "write", "privacy")).key
    return shared_app, key


def test_every_generated_request_gets_a_documented_answer(served: tuple[Flask, str]) -> None:
    # Imported here, not at module level: every xdist worker collects this module, one runs this test
    import schemathesis

    app, key = served
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:

        @hypothesis_settings(
            max_examples=examples(EXAMPLES_PER_OPERATION),
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"})

        try:
            check()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures[f"{operation.method.upper()} {operation.path}"] = " ".join(str(exc).split())[:600]
    assert not failures, "\n".join(f"{name}: {text}" for name, text in failures.items())


def test_unsupported_methods_are_405_with_the_documented_methods(served: tuple[Flask, str]) -> None:
    app, key = served
    http = app.test_client()
    samples = {"{ref}": "1285", "{product_id}": "24852", "{kind}": "web", "{value}": "u-1"}
    for template, item in openapi_document()["paths"].items():
        path = template
        for name, value in samples.items():
            path = path.replace(name, value)
        documented = [method.upper() for method in METHODS if method in item]
        headers = {"Authorization": f"Bearer {key}"}
        for method in [m.upper() for m in METHODS if m not in item] + ["TRACE"]:
            response = http.open(PREFIX + path, method=method, headers=headers)
            assert response.status_code == 405, (method, path)
            assert response.get_json()["error"]["code"] == "method_not_allowed"
            assert sorted(response.headers["Allow"].split(", ")) == sorted(documented), (method, path)
        options = http.open(PREFIX + path, method="OPTIONS")
        assert options.status_code == 204
        assert sorted(options.headers["Allow"].split(", ")) == sorted([*documented, "OPTIONS"]), path
