"""A direct path for the turn's transaction and its read, inside the embedded store: no HTTP layers, no model walk.

Every voice turn reads its state in one ``BatchGetItem`` and commits one ``TransactWriteItems``. On the way to
moto's handler each went through botocore's HTTP layers (a prepared request, the send hooks, an ``AWSResponse``, the
response parse and its hooks) and moto's model-driven request parser (a walk of every member of every shape of the
request, items included): a third of the transaction's CPU, for a request that is already a JSON document on one
side and a dict of JSON values on the other.

Here the call is answered from botocore's ``before-call`` event, with the request botocore serialised (so every
hook before it, the fault injection's included, sees the same request as before):

- **Parsed as moto parses it, by ``json.loads``.** moto's JSON parser keeps what the model names and converts only
  blobs, timestamps and numbers; a request whose every value is of the type its shape gives (strings, booleans,
  lists, maps, structures of known members, ``AttributeValue`` of the usual form without blobs, no ``null``) parses
  to exactly its JSON. Only such a request takes this path (``parsed_request``); any other goes through moto's
  parser as before.
- **Answered by moto's handler.** The same handler object, set up as for an HTTP request (region, account, headers),
  runs moto's own ``call_action``: its validations, the backend's work (the transaction with the store's item-level
  rollback and stream records), and its answer or error document (request id, ``x-amz-crc32``), under the store's gate.
- **Read back by botocore's own parser** (``answer``): the same ``ResponseMetadata``, the same modelled error fields
  (``CancellationReasons``), the same retry bookkeeping; ``after-call`` hooks and the client's error class follow as
  for any call.

A differential test runs random transactions (and batch reads) both ways and compares tables, stream records,
answers and errors.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict

from backend.store import embedded_parse

DIRECT_OPERATIONS = frozenset({"TransactWriteItems", "BatchGetItem"})  # a turn's write, and its one read
_NOT_USUAL = object()


def parsed_request(operation_model: Any, body: Any) -> dict[str, Any] | None:
    """What moto's parser makes of ``body`` for this operation, when that is ``json.loads(body)`` (see the module's
    docstring); ``None`` when it may not be (the caller then takes the usual path)."""
    if not isinstance(body, (bytes, str)):
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    shape = operation_model.input_shape
    if shape is None or type(value) is not dict or not _conforms(shape, value):
        return None
    return value


def _conforms(shape: Any, value: Any) -> bool:
    kind = shape.type_name
    if kind == "structure":
        if embedded_parse._DirectAttributeValues._is_av(shape):
            return embedded_parse.is_plain_attribute_value(value)
        if type(value) is not dict or shape.is_document_type:
            return False
        members = shape.members
        for name, member_value in value.items():
            member = members.get(name)
            # An unknown member is dropped by moto's parser, a null one too, a renamed one read by its other name.
            if member is None or member_value is None or member.serialization.get("name", name) != name:
                return False
            if not _conforms(member, member_value):
                return False
        return True
    if kind == "list":
        return type(value) is list and all(_conforms(shape.member, entry) for entry in value)
    if kind == "map":
        return (
            type(value) is dict
            and shape.key.type_name == "string"
            and all(_conforms(shape.value, entry) for entry in value.values())
        )
    if kind == "string":
        return type(value) is str
    if kind == "boolean":
        return type(value) is bool  # kept as it is by moto's JSON parser (``ConsistentRead``)
    return False  # numbers, blobs, timestamps: converted by moto's parser


# What ``answer`` uses of botocore's endpoint: private, so a botocore without one of them leaves every call on the
# usual path (checked before any call, never after moto has run one).
_ENDPOINT_PARTS = ("_update_retries_context", "_response_parser_factory", "_add_modeled_error_fields", "_needs_retry")


def supports(client: Any) -> bool:
    """The client's botocore has what ``answer`` builds its answers with."""
    endpoint = getattr(client, "_endpoint", None)
    if endpoint is None or any(getattr(endpoint, part, None) is None for part in _ENDPOINT_PARTS):
        return False
    return callable(getattr(endpoint._response_parser_factory, "create_parser", None))


def answer(
    client: Any, operation_model: Any, params: dict[str, Any], moto_answer: tuple[int, dict[str, Any], Any]
) -> tuple[AWSResponse, dict[str, Any]]:
    """The HTTP response and parsed answer botocore's endpoint makes of moto's (status, headers, body): its response
    dictionary, its parser (the client's, ``embedded_parse``), the modelled error fields of an error, its retry
    bookkeeping (the embedded clients never retry: one attempt, ``RetryAttempts`` 0)."""
    from moto.core.botocore_stubber import MockRawResponse

    status, headers, body = moto_answer
    endpoint = client._endpoint
    context = params.get("context", {})
    endpoint._update_retries_context(context, 1)
    http = AWSResponse(params["url"], status, headers, MockRawResponse(body))  # type: ignore[arg-type]
    response_dict = convert_to_response_dict(http, operation_model)
    parser = endpoint._response_parser_factory.create_parser(operation_model.service_model.resolved_protocol)
    parsed: dict[str, Any] = parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    if endpoint._needs_retry(1, operation_model, params, (http, parsed), None):
        raise AssertionError("an embedded client retried a call")  # EMBEDDED_CLIENT_CONFIG: one attempt
    if "ResponseMetadata" in parsed:
        parsed["ResponseMetadata"]["RetryAttempts"] = 0
    return http, parsed
