"""The embedded store's handler set-up against moto's (``backend.store.embedded_moto``): ``FastDynamoHandler.serve``
builds what moto's ``BaseResponse.setup_class`` sets, with the same values, and a moto whose handler needs more is
refused when a store starts, with an error naming what is missing, not with a failure inside a turn."""

from __future__ import annotations

import inspect
import re
from typing import Any

import moto
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.model import OperationNotFoundError
from moto.core.request import normalize_request
from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model
from moto.dynamodb.responses import DynamoHandler

from backend.store import embedded_moto
from backend.store.embedded import EmbeddedDynamoDB, _handler

# Set by setup_class from what a real HTTP request has and the store's calls do not: compared by kind only.
# (response_headers: the answer's headers are added to them by then).
_DIFFERENT_BY_DESIGN = {
    "headers", "body", "raw_body", "querystring", "data", "form_data", "normalized_request", "response_headers"
}  # fmt: skip


def _prepared(endpoint: str, operation: str, body: str) -> AWSPreparedRequest:
    headers = {"X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0"}
    return AWSRequest(method="POST", url=f"{endpoint}/", headers=headers, data=body.encode()).prepare()


@pytest.mark.parametrize(("operation", "body"), [("ListTables", "{}"), ("DescribeLimits", "{}")])
def test_serve_builds_what_motos_setup_class_sets(embedded: EmbeddedDynamoDB, operation: str, body: str) -> None:
    assert embedded.endpoint is not None
    request = _prepared(embedded.endpoint, operation, body)
    motos = DynamoHandler()
    motos.setup_class(normalize_request(request))
    ours = _handler()()
    status, _, _ = ours.serve(request)
    assert status == 200
    assert "normalized_request" not in vars(ours)  # a call routed by its X-Amz-Target needs no werkzeug request
    service_model = get_service_model("dynamodb")
    assert ours.determine_response_protocol(service_model) == motos.determine_response_protocol(service_model)
    assert ours.determine_response_protocol(service_model) == "json"
    for name in embedded_moto.assigned_attributes(BaseResponse.setup_class):
        assert hasattr(ours, name), f"serve does not build {name}, which setup_class sets"
        if name not in _DIFFERENT_BY_DESIGN:
            assert getattr(ours, name) == getattr(motos, name), name
    assert ours._get_action() == motos._get_action() == operation
    assert set(motos.response_headers) <= set(ours.response_headers)
    ours_request, motos_request = ours.normalized_request, motos.normalized_request
    assert type(ours_request) is type(motos_request)
    for part in ("method", "url", "path", "host", "content_type"):
        assert getattr(ours_request, part) == getattr(motos_request, part), part
    assert ours_request.get_data() == motos_request.get_data() == body.encode()
    assert ours_request.headers["X-Amz-Target"] == motos_request.headers["X-Amz-Target"]


def test_a_moto_whose_setup_class_sets_more_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    original = BaseResponse.setup_class

    def setup_class(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.routed_operation = None  # what a future moto's methods might read

    monkeypatch.setattr(BaseResponse, "setup_class", setup_class)
    store = EmbeddedDynamoDB()
    with pytest.raises(embedded_moto.MotoUnsupported) as refusal:
        store.start()
    message = str(refusal.value)
    assert "routed_operation (set by BaseResponse.setup_class, not built by FastDynamoHandler.serve)" in message
    assert f"moto {moto.__version__}" in message
    assert store.endpoint is None  # not started: no client can be made
    with pytest.raises(RuntimeError, match="not started"):
        store.client()


@pytest.mark.parametrize("part", ["get_current_account", "serialized"])
def test_a_moto_without_a_handler_part_the_store_calls_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    monkeypatch.delattr(BaseResponse, part)
    with pytest.raises(embedded_moto.MotoUnsupported, match=re.escape(f"{part} (moto's DynamoDB handler)")):
        EmbeddedDynamoDB().start()


def test_a_moto_without_moto_request_construction_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.request import Request

    monkeypatch.delattr(Request, "from_primitives")
    with pytest.raises(embedded_moto.MotoUnsupported, match=re.escape("Request.from_primitives")):
        EmbeddedDynamoDB().start()


def test_attributes_are_read_on_self_only() -> None:
    class Handler:
        def set_up(self, other: Any) -> None:
            self.kept = 1
            self.first = self.second = 2
            other.elsewhere = 3

    assert embedded_moto.assigned_attributes(Handler.set_up) == {"kept", "first", "second"}


@pytest.mark.parametrize(
    "target",
    ["DynamoDB_20120810.GetItem", "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.NoSuchOperation",
     "Other_20120810.GetItem", "GetItem"],
)  # fmt: skip
def test_the_handler_routes_and_answers_each_call_as_moto_does(embedded: EmbeddedDynamoDB, target: str) -> None:
    assert embedded.endpoint is not None
    headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"}
    request = AWSRequest(method="POST", url=f"{embedded.endpoint}/", headers=headers, data=b"{}").prepare()
    motos = DynamoHandler()
    try:
        motos.setup_class(normalize_request(request))
    except OperationNotFoundError:  # moto 5.2.5 parses the body as the target's operation last, once set up
        assert target.endswith("NoSuchOperation")
    ours = _handler()()
    ours._served = request  # what serve keeps of the call, without answering it
    ours.headers = {name: value for name in ("X-Amz-Target", "Content-Type") if (value := request.headers[name])}
    ours.querystring, ours.uri_match = {}, {}
    assert ours._get_action() == motos._get_action()
    service_model = get_service_model("dynamodb")
    assert ours.determine_response_protocol(service_model) == motos.determine_response_protocol(service_model)


@pytest.mark.parametrize(
    ("part", "shape"), [("_get_action", "(self, request)"), ("determine_response_protocol", "(self, model, request)")]
)
def test_a_moto_whose_routing_changed_shape_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, part: str, shape: str
) -> None:
    def changed(self: Any, *_: Any) -> str:
        return ""

    changed.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in shape.strip("()").split(", ")]
    )
    monkeypatch.setattr(BaseResponse, part, changed)
    with pytest.raises(embedded_moto.MotoUnsupported, match=re.escape(f"{part} takes {shape}")):
        EmbeddedDynamoDB().start()


def test_a_moto_whose_protocol_decision_reads_more_of_the_request_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto.core.request

    original = moto.core.request.determine_request_protocol

    def determine_request_protocol(service_model: Any, request: Any) -> str:
        return original(service_model, request) if request.path == "/" else "query"

    monkeypatch.setattr(moto.core.request, "determine_request_protocol", determine_request_protocol)
    with pytest.raises(embedded_moto.MotoUnsupported, match="determine_request_protocol reads the request's path"):
        EmbeddedDynamoDB().start()


def test_a_moto_whose_protocol_decision_takes_other_arguments_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto.core.request

    monkeypatch.setattr(moto.core.request, "determine_request_protocol", lambda service_model, request, extra: "")
    with pytest.raises(
        embedded_moto.MotoUnsupported,
        match=re.escape("determine_request_protocol takes (service_model, request, extra)"),
    ):
        EmbeddedDynamoDB().start()
