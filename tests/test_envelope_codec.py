"""The fast envelope codec answers exactly as the ASK SDK's DefaultSerializer: the same model objects (classes,
attributes, extra keys) for every envelope it reads, the same refusal for what the SDK refuses, the same JSON for
every model it writes. Envelopes from the simulator, then the same envelopes with values replaced anywhere by
arbitrary JSON (hypothesis)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.envelope_codec import FastSerializer
from skill.simulator import envelope as env
from tests.support.properties import examples

MOMENT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
IDENTITY = env.Identity(
    user_id="amzn1.ask.account.X", device_id="amzn1.ask.device.Y", access_token="tok", person_id="amzn1.ask.person.Z"
)
SDK = DefaultSerializer()
FAST = FastSerializer()


def _intent(name: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
    intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots is not None:
        intent["slots"] = slots
    return env.intent_request("amzn1.echo-api.request.1", MOMENT, "en-US", intent, None)


def _envelopes() -> list[dict[str, Any]]:
    session = env.SessionInfo(session_id="amzn1.echo-api.session.1", new=False, attributes={"pending": {"kind": "x"}})
    slot = {
        "name": "product",
        "value": "oat milk",
        "confirmationStatus": "NONE",
        "source": "USER",
        "slotValue": {"type": "Simple", "value": "oat milk"},
        "resolutions": {
            "resolutionsPerAuthority": [
                {
                    "authority": "amzn1.er-authority.echo-sdk.skill.PRODUCT",
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": "Oat Milk", "id": "123"}}],
                },
                {"authority": "amzn1.er-authority.echo-sdk.dynamic", "status": {"code": "ER_SUCCESS_NO_MATCH"}},
            ]
        },
    }
    requests = [
        env.launch_request("amzn1.echo-api.request.1", MOMENT, "en-US"),
        _intent("AddToCartIntent", {"product": slot, "quantity": {"name": "quantity", "value": "3"}}),
        _intent("AMAZON.YesIntent"),
        env.session_ended_request("amzn1.echo-api.request.1", MOMENT, "en-US", "ERROR"),
        {
            **env.session_ended_request("amzn1.echo-api.request.1", MOMENT, "en-US", "ERROR"),
            "error": {"type": "INTERNAL_SERVICE_ERROR"},
        },
    ]
    return [env.envelope(r, skill_id="amzn1.ask.skill.1", identity=IDENTITY, session=session) for r in requests]


def _outcome(serializer: DefaultSerializer, document: Any, obj_type: Any) -> tuple[str, Any]:
    try:
        # The fast one takes a parsed object or array as it is (the runtime's envelope is a parsed object)
        fast = isinstance(serializer, FastSerializer) and isinstance(document, (dict, list))
        payload = document if fast else json.dumps(document)
        value = serializer.deserialize(payload, obj_type)
    except (SerializationException, ValueError, TypeError, AttributeError, KeyError, RecursionError) as error:
        return ("refused", type(error).__name__ if not isinstance(error, SerializationException) else "sdk")
    return ("read", value)


def _same_reading(document: Any, obj_type: Any = RequestEnvelope) -> None:
    sdk, fast = _outcome(SDK, document, obj_type), _outcome(FAST, copy.deepcopy(document), obj_type)
    assert sdk[0] == fast[0], (sdk, fast)
    if sdk[0] == "read":
        assert _shape(sdk[1]) == _shape(fast[1])
        assert _written(SDK, sdk[1]) == _written(FAST, fast[1]) == _written(SDK, fast[1])
    else:
        assert sdk == fast


def _written(serializer: DefaultSerializer, value: Any) -> tuple[str, Any]:
    try:
        return ("written", serializer.serialize(value))
    except Exception as error:  # noqa: BLE001 - an extra key named like an attribute ('__dict__') breaks both
        return ("failed", type(error).__name__)


def _shape(value: Any) -> Any:
    """Classes and attributes all the way down (models compare by attributes alone)."""
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value), {key: _shape(item) for key, item in vars(value).items()})
    return (type(value), value)


def test_the_simulators_envelopes_read_the_same() -> None:
    for document in _envelopes():
        _same_reading(document)
        assert isinstance(FAST.deserialize(document, RequestEnvelope), RequestEnvelope)


def test_json_text_reads_as_the_sdks_too() -> None:
    for document in _envelopes():
        text = json.dumps(document)
        assert _shape(FAST.deserialize(text, RequestEnvelope)) == _shape(SDK.deserialize(text, RequestEnvelope))


def test_what_the_sdk_refuses_is_refused() -> None:
    launch = _envelopes()[0]
    for broken in (
        {**launch, "request": {**launch["request"], "type": "NoSuchRequest"}},
        {**launch, "request": {**launch["request"], "timestamp": "not a time"}},
        {**launch, "request": "a string"},
        {**launch, "session": ["a", "list"]},
    ):
        _same_reading(broken)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_envelopes_with_any_value_anywhere_read_the_same(data: st.DataObject) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(_envelopes())))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)))
        value = data.draw(_JSON)
        if not path:
            document = value
            break
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            parent[data.draw(st.text(max_size=8))] = value  # an extra key beside it
        else:
            parent[path[-1]] = value
    _same_reading(document)


def test_responses_write_the_same() -> None:
    response = {
        "version": "1.0",
        "sessionAttributes": {"pending": {"kind": "checkout", "n": 2}, "list": [1, "a", None]},
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": "<speak>Hi</speak>", "playBehavior": "REPLACE_ENQUEUED"},
            "reprompt": {"outputSpeech": {"type": "PlainText", "text": "Well?"}},
            "card": {"type": "Simple", "title": "Cart", "content": "2 x milk"},
            "directives": [
                {
                    "type": "Dialog.UpdateDynamicEntities",
                    "updateBehavior": "REPLACE",
                    "types": [
                        {
                            "name": "Product",
                            "values": [
                                {"id": "1", "name": {"value": "Oat Milk", "synonyms": ["oat milk", "oatly"]}},
                                {"id": "2", "name": {"value": "Bananas"}},
                            ],
                        }
                    ],
                },
                {"type": "Dialog.ElicitSlot", "slotToElicit": "product"},
            ],
            "shouldEndSession": False,
        },
    }
    model = SDK.deserialize(json.dumps(response), ResponseEnvelope)
    assert FAST.serialize(model) == SDK.serialize(model)
    assert json.dumps(FAST.serialize(model), sort_keys=True) == json.dumps(response, sort_keys=True)
    _same_reading(response, ResponseEnvelope)


def test_timestamps_read_as_dateutil_reads_them() -> None:
    for stamp in (
        "2026-11-20T15:30:00Z",
        "2026-11-20T15:30:00.123Z",
        "2026-11-20T15:30:00+01:00",
        "2026-11-20 15:30:00",
        "2026-02-30T15:30:00Z",
        "2026-11-20T25:30:00Z",
        "0000-11-20T15:30:00Z",
        "nonsense",
    ):
        launch = _envelopes()[0]
        _same_reading({**launch, "request": {**launch["request"], "timestamp": stamp}})
        try:
            wanted = SDK.deserialize(json.dumps(stamp), "datetime")
        except SerializationException:
            continue
        got = FAST.deserialize(json.dumps(stamp), "datetime")
        assert FAST.deserialize(json.dumps(stamp), "datetime") == got  # read again: from the memo
        assert repr(got) == repr(wanted)  # the same instant, the same tzinfo (dateutil's UTC)
