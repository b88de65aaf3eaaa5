"""Every response the API tests receive is checked against the shipped OpenAPI description (openapi-core), so the
document and the served API cannot drift apart unnoticed: status codes, headers, content types and bodies."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIResponse
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError

from backend.api import openapi_document


@cache
def _openapi() -> OpenAPI:
    return OpenAPI.from_dict(openapi_document())


@cache
def _error_schema() -> jsonschema.Draft202012Validator:
    document = openapi_document()
    return jsonschema.Draft202012Validator({**document["components"]["schemas"]["Error"], **document})


class ContractViolation(AssertionError):
    pass


class _Operation:
    """Which operation a sent request called (its URL and method): enough to find the response's description. The
    test client's request body is already consumed, and requests are not what is checked here."""

    def __init__(self, sent: Any) -> None:
        self.host_url = sent.host_url
        self.path = sent.path
        self.full_url_pattern = sent.host_url.rstrip("/") + sent.path
        self.method = sent.method.lower()
        self.parameters = RequestParameters()
        self.content_type = "application/json"
        self.body = None


def check_response(response: Any) -> None:
    """Raise ``ContractViolation`` when ``response`` (from Flask's test client) does not match the description of
    the operation its request called. Requests are not checked here: the tests send malformed ones on purpose."""
    request = _Operation(response.request)
    result = _openapi().unmarshal_response(request, WerkzeugOpenAPIResponse(response))
    if result.errors and all(isinstance(error, PathError) for error in result.errors):
        # An unknown route or method: no operation describes it, but the answer is still the API's Error.
        if response.status_code not in (404, 405):
            raise ContractViolation(f"{response.request.path}: {response.status_code} for a route not described")
        _error_schema().validate(response.get_json())
        return
    if result.errors:
        details = "; ".join(_describe(error) for error in result.errors)
        raise ContractViolation(
            f"{response.request.method} {response.request.path} -> {response.status_code}: {details}\n"
            f"{response.get_data(as_text=True)[:500]}"
        )


def _describe(error: Exception) -> str:
    causes = [str(error)]
    for attribute in ("schema_errors", "__cause__"):
        inner = getattr(error, attribute, None)
        if isinstance(inner, list | tuple):
            causes += [getattr(item, "message", str(item)) for item in inner]
        elif inner is not None:
            causes.append(_describe(inner) if isinstance(inner, Exception) else str(inner))
    return " / ".join(causes)
