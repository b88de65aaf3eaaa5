"""The simulator against the shipped en-US model: what it hears, the envelopes it builds, how it runs a session.

The skill at the other end is a tiny real ASK SDK skill (tests/fixtures/simulator/tiny_skill.py), so every envelope
also goes through the SDK's own deserialisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest

from skill.models import model_path
from skill.simulator.conversation import Conversation
from skill.simulator.envelope import Identity
from skill.simulator.matcher import Matcher
from skill.simulator.model import LoadedModel, load_model_file
from skill.simulator.numbers import parse_four_digits, parse_number
from skill.simulator.transport import InProcessTransport
from tests.fixtures.simulator.tiny_skill import tiny_runtime

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
NOW = datetime(2026, 11, 22, 15, 30, 0, tzinfo=UTC)
IDENTITY = Identity(
    user_id="amzn1.ask.account.TESTUSER",
    device_id="amzn1.ask.device.TESTDEVICE",
    access_token="token-1285",
    person_id="amzn1.ask.person.TESTPERSON",
)


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    return load_model_file(model_path("en-US"))


@pytest.fixture(scope="module")
def matcher(model: LoadedModel) -> Matcher:
    return Matcher(model)


@pytest.fixture
def conversation(model: LoadedModel) -> Conversation:
    ids: Iterator[int] = count(1)
    return Conversation(
        InProcessTransport(tiny_runtime()),
        model,
        skill_id=SKILL_ID,
        identity=IDENTITY,
        clock=lambda: NOW,
        new_id=lambda: f"id-{next(ids)}",
    )


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("add oat milk", "AddToCartIntent", {"product": "oat milk"}),
        (
            "add two cartons of organic whole milk",
            "AddToCartIntent",
            {"quantity": "2", "unit": "cartons", "product": "organic whole milk"},
        ),
        ("Add 3 bananas", "AddToCartIntent", {"quantity": "3", "product": "bananas"}),
        ("I need bananas", "AddToCartIntent", {"product": "bananas"}),
        ("put eggs in my cart", "AddToCartIntent", {"product": "eggs"}),
        ("remove the bananas", "RemoveFromCartIntent", {"product": "bananas"}),
        ("take oat milk out of my cart", "RemoveFromCartIntent", {"product": "oat milk"}),
        ("change the oat milk to three", "ChangeQuantityIntent", {"product": "oat milk", "quantity": "3"}),
        ("make it four bananas", "ChangeQuantityIntent", {"product": "bananas", "quantity": "4"}),
        ("what's in my cart", "ReadCartIntent", {}),
        ("empty my cart", "ClearCartIntent", {}),
        ("reorder my coffee", "ReorderProductIntent", {"product": "coffee"}),
        ("order my usual coffee again", "ReorderProductIntent", {"product": "coffee"}),
        ("reorder my usual", "ReorderUsualIntent", {}),
        ("my usual order", "ReorderUsualIntent", {}),
        ("order my last order again", "ReorderLastOrderIntent", {}),
        ("what did I order last time", "LastOrderIntent", {}),
        ("when did I last buy bananas", "LastPurchaseIntent", {"product": "bananas"}),
        ("how often do I buy bananas", "PurchaseFrequencyIntent", {"product": "bananas"}),
        ("check out", "CheckoutIntent", {}),
        ("place my order", "CheckoutIntent", {}),
        ("where is my order", "OrderStatusIntent", {}),
        ("the first one", "SelectChoiceIntent", {"choice": "first"}),
        ("number three", "SelectChoiceIntent", {"choice": "three"}),
        ("my code is one two three four", "VoiceCodeIntent", {"code": "1234"}),
        ("one two three four", "VoiceCodeIntent", {"code": "1234"}),
        ("yes", "AMAZON.YesIntent", {}),
        ("nope", "AMAZON.NoIntent", {}),
        ("what can I say", "AMAZON.HelpIntent", {}),
        ("stop", "AMAZON.StopIntent", {}),
        ("never mind", "AMAZON.CancelIntent", {}),
        ("go home", "AMAZON.NavigateHomeIntent", {}),
        ("the purple elephant sings", "AMAZON.FallbackIntent", {}),
        # A product said alone outside an elicitation has an intent of its own, outside the dialog model; words
        # that name no product are not heard as one.
        ("bananas", "ProductOnlyIntent", {"product": "bananas"}),
    ],
)
def test_utterances_are_heard_as_intents_with_slots(
    matcher: Matcher, said: str, intent: str, slots: dict[str, str]
) -> None:
    heard = matcher.match(said)
    assert heard.intent == intent
    assert {name: slot.value for name, slot in heard.slots.items()} == slots


def test_entity_resolution_finds_every_matching_id(matcher: Matcher) -> None:
    heard = matcher.match("add kiwis")
    product = heard.slots["product"]
    assert "14161" in product.ids  # "Kiwi": "kiwis" is its synonym
    assert len(product.ids) > 1  # other products share the short name
    choice = matcher.match("the second one").slots["choice"]
    assert choice.ids == ("2",)
    assert matcher.match("add two bananas").slots["quantity"].resolutions is None  # built-in type: no ER block


def test_numbers() -> None:
    assert parse_number(["twenty", "five"]) == 25
    assert parse_number(["a", "hundred", "and", "five"]) == 105
    assert parse_number(["7"]) == 7
    assert parse_number(["green"]) is None
    assert parse_four_digits(["one", "two", "three", "four"]) == "1234"
    assert parse_four_digits(["twelve", "thirty", "four"]) == "1234"
    assert parse_four_digits(["one", "two", "three"]) is None


def test_intent_request_envelope_is_what_alexa_sends(conversation: Conversation) -> None:
    turn = conversation.say("ask my grocer to add two kiwis")
    envelope = turn.request
    assert envelope["version"] == "1.0"
    session = envelope["session"]
    assert session["new"] is True
    assert session["sessionId"] == "amzn1.echo-api.session.id-1"
    assert session["application"] == {"applicationId": SKILL_ID}
    assert session["user"] == {"userId": IDENTITY.user_id, "accessToken": "token-1285"}
    assert session["attributes"] == {}
    system = envelope["context"]["System"]
    assert system["user"]["accessToken"] == "token-1285"
    assert system["person"] == {"personId": IDENTITY.person_id}
    assert system["device"] == {"deviceId": IDENTITY.device_id, "supportedInterfaces": {}}
    assert system["apiEndpoint"] == "https://api.amazonalexa.com"
    request = envelope["request"]
    assert request["type"] == "IntentRequest"
    assert request["requestId"] == "amzn1.echo-api.request.id-2"
    assert request["timestamp"] == "2026-11-22T15:30:00Z"
    assert request["locale"] == "en-US"
    assert request["dialogState"] == "STARTED"
    intent = request["intent"]
    assert intent["name"] == "AddToCartIntent"
    assert intent["confirmationStatus"] == "NONE"
    assert intent["slots"]["unit"] == {"name": "unit", "confirmationStatus": "NONE"}
    assert intent["slots"]["quantity"]["value"] == "2"
    assert "resolutions" not in intent["slots"]["quantity"]
    product = intent["slots"]["product"]
    assert product["value"] == "kiwis"
    authority = product["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["authority"] == f"amzn1.er-authority.echo-sdk.{SKILL_ID}.PRODUCT"
    assert authority["status"] == {"code": "ER_SUCCESS_MATCH"}
    assert {"value": {"name": "kiwi", "id": "14161"}} in authority["values"]
    assert turn.speech == "Added 2 kiwis. Anything else?"
    assert "14161" in (turn.card or {}).get("content", "")


def test_no_match_resolution_block(conversation: Conversation) -> None:
    turn = conversation.say("add purple unobtainium flakes")
    authority = turn.request["request"]["intent"]["slots"]["product"]["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"] == {"code": "ER_SUCCESS_NO_MATCH"}
    assert "values" not in authority


@pytest.mark.parametrize(
    ("said", "request_type", "intent"),
    [
        ("open my grocer", "LaunchRequest", None),
        ("Alexa, launch my grocer", "LaunchRequest", None),
        ("ask my grocer", "LaunchRequest", None),
        ("ask my grocer what's in my cart", "IntentRequest", "ReadCartIntent"),
        ("tell my grocer to reorder my usual", "IntentRequest", "ReorderUsualIntent"),
        ("ask my grocer for my usual order", "IntentRequest", "ReorderUsualIntent"),
        ("check out using my grocer", "IntentRequest", "CheckoutIntent"),
        ("open my grocer and place my order", "IntentRequest", "CheckoutIntent"),
    ],
)
def test_invocation_phrasings(conversation: Conversation, said: str, request_type: str, intent: str | None) -> None:
    turn = conversation.say(said)
    assert turn.request["request"]["type"] == request_type
    assert turn.request["request"].get("intent", {}).get("name") == intent
    assert turn.request["session"]["new"] is True


def test_session_attributes_carry_over_and_a_new_session_follows_the_end(conversation: Conversation) -> None:
    first = conversation.say("open my grocer")
    assert first.speech == "Welcome to the tiny grocer."
    assert not first.session_ended
    conversation.say("add two bananas")
    third = conversation.say("add an organic whole milk")
    assert third.request["session"]["new"] is False
    assert third.request["session"]["attributes"] == {"added": [["bananas", 2]]}
    assert conversation.say("what's in my cart").speech == "Your cart has 2 bananas, 1 organic whole milk."
    session_id = third.request["session"]["sessionId"]
    stop = conversation.say("stop")
    assert stop.session_ended
    assert not conversation.in_session
    again = conversation.say("what's in my cart")
    assert again.request["session"]["new"] is True
    assert again.request["session"]["sessionId"] != session_id
    assert again.request["session"]["attributes"] == {}
    assert again.speech == "Your cart has nothing."


def test_elicit_slot_makes_the_next_answer_fill_that_slot(conversation: Conversation) -> None:
    conversation.say("open my grocer")
    ask = conversation.say("add something")
    assert ask.heard == "AddToCartIntent"
    assert ask.request["request"]["intent"]["slots"]["product"] == {"name": "product", "confirmationStatus": "NONE"}
    assert [d["slotToElicit"] for d in ask.directives] == ["product"]
    answer = conversation.say("two bananas")
    assert answer.heard == "AddToCartIntent"
    assert answer.request["request"]["dialogState"] == "IN_PROGRESS"
    slots = answer.request["request"]["intent"]["slots"]
    assert slots["product"]["value"] == "bananas"
    assert slots["quantity"]["value"] == "2"
    assert answer.speech == "Added 2 bananas. Anything else?"
    # Without a pending elicitation the same words are a product said alone, with its amount.
    bare = conversation.say("two bananas")
    assert bare.heard == "ProductOnlyIntent"
    assert bare.request["request"]["intent"]["slots"]["quantity"]["value"] == "2"


def test_built_ins_win_during_an_elicitation(conversation: Conversation) -> None:
    conversation.say("open my grocer")
    conversation.say("i want to add something")
    turn = conversation.say("cancel")
    assert turn.heard == "AMAZON.CancelIntent"
    assert turn.session_ended


def test_exit_sends_session_ended_request(conversation: Conversation) -> None:
    conversation.say("open my grocer")
    turn = conversation.say("exit")
    assert turn.heard == "SessionEndedRequest"
    assert turn.request["request"]["type"] == "SessionEndedRequest"
    assert turn.request["request"]["reason"] == "USER_INITIATED"
    assert not conversation.in_session


def test_identity_token_and_person_reach_the_skill(conversation: Conversation) -> None:
    turn = conversation.say("ask my grocer my code is twelve thirty four")
    assert turn.speech == f"Code 1234, token token-1285, person {IDENTITY.person_id}."
    conversation.set_access_token(None)
    conversation.forget_session()
    turn = conversation.say("my code is one one one one")
    assert "token none" in turn.speech
    assert "accessToken" not in turn.request["session"]["user"]


def test_en_gb_model_and_endpoint() -> None:
    model = load_model_file(model_path("en-GB"))
    conversation = Conversation(
        InProcessTransport(tiny_runtime()), model, locale="en-GB", skill_id=SKILL_ID, identity=IDENTITY
    )
    turn = conversation.say("what's in my trolley")
    assert turn.heard == "ReadCartIntent"
    assert turn.request["request"]["locale"] == "en-GB"
    assert turn.request["context"]["System"]["apiEndpoint"] == "https://api.eu.amazonalexa.com"


def test_model_file_is_loaded_once(model: LoadedModel) -> None:
    assert load_model_file(Path(model_path("en-US"))) is model
