"""Requests that are not conversation get the response Alexa expects, and every response that keeps the session
open asks a question (Amazon's certification rules)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "2706"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))


@pytest.mark.parametrize(
    "request_body",
    [
        {
            "type": "System.ExceptionEncountered",
            "error": {"type": "INVALID_RESPONSE", "message": "bad directive"},
            "cause": {"requestId": "amzn1.echo-api.request.1"},
        },
        {"type": "AudioPlayer.PlaybackStarted", "token": "t", "offsetInMilliseconds": 0},
        {"type": "AudioPlayer.PlaybackFailed", "token": "t", "error": {"type": "MEDIA_ERROR_UNKNOWN", "message": "x"}},
        {"type": "PlaybackController.NextCommandIssued"},
        {"type": "SessionEndedRequest", "reason": "USER_INITIATED"},
    ],
)
def test_a_request_that_is_not_conversation_gets_an_empty_response(
    talk: Conversation, request_body: dict[str, Any]
) -> None:
    talk.send(talk.envelope(request_body))
    response = talk.last["response"]
    assert "outputSpeech" not in response and "reprompt" not in response
    assert response.get("shouldEndSession") is not False  # the microphone is not opened


@pytest.mark.parametrize(("intent", "verdict"), [("AddToCartIntent", "YES"), ("AMAZON.YesIntent", "NO")])
def test_can_fulfill_intent_answers_with_can_fulfill_and_no_speech(
    talk: Conversation, intent: str, verdict: str
) -> None:
    body = {
        "type": "CanFulfillIntentRequest",
        "intent": {"name": intent, "slots": {"product": {"name": "product", "value": "eggs"}}},
    }
    talk.send(talk.envelope(body))
    response = talk.last["response"]
    assert response["canFulfillIntent"]["canFulfill"] == verdict
    assert "outputSpeech" not in response


TURNS = [
    ("AddToCartIntent", {"product": "spaghetti"}),
    ("AddToCartIntent", {"product": "another one"}),
    ("ChangeQuantityIntent", {"quantity": "three"}),
    ("RemoveFromCartIntent", {"product": "one"}),
    ("CartTotalIntent", {}),
    ("AMAZON.FallbackIntent", {}),
    ("CartContainsIntent", {"product": "spaghetti"}),
    ("CartContainsIntent", {"product": "butter"}),
    ("ProductPriceIntent", {"product": "spaghetti"}),
    ("UsualProductsIntent", {}),
    ("AMAZON.NoIntent", {}),
    ("ReadCartIntent", {}),
    ("AddProductsIntent", {"product": "spaghetti", "productTwo": "tortillas"}),
    ("CheckoutIntent", {}),
    ("AMAZON.HelpIntent", {}),
    ("RemoveFromCartIntent", {"product": "it"}),
]


def test_every_response_that_keeps_the_session_open_asks_a_question(talk: Conversation, backend: Backend) -> None:
    for intent, slots in TURNS:
        speech = talk.intent(intent, **slots)
        response = talk.last["response"]
        if not response.get("shouldEndSession"):
            assert speech.rstrip().endswith("?"), (intent, speech)


def test_follow_ups_refer_to_the_product_named_last(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", product="spaghetti")
    assert "2 " in talk.intent("AddToCartIntent", product="another one")
    assert "3" in talk.intent("ChangeQuantityIntent", quantity="three")
    assert "2" in talk.intent("RemoveFromCartIntent", product="one")
    [line] = backend.shopping.cart(CUSTOMER).lines
    assert line.quantity == 2
    assert "Removed" in talk.intent("RemoveFromCartIntent", product="it")
    assert backend.shopping.cart(CUSTOMER).is_empty
