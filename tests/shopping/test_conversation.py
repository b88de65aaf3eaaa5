"""Whole turns through the real skill (SkillRuntime.handle with Alexa envelopes) on moto, for real demo customers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import FailingClient

from backend.catalog import Catalog
from backend.history import CustomerHistory
from backend.identity.store import IdentityStore
from backend.identity.tokens import DynamoAccessTokenStore
from backend.resolver import Resolver
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.shopping.history_import import import_histories
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"


@pytest.fixture(scope="session")
def resolver(catalog: Catalog) -> Resolver:
    return Resolver(catalog)


@pytest.fixture
def backend(
    dynamodb: Any, settings: Settings, catalog: Catalog, resolver: Resolver, histories: dict[str, CustomerHistory]
) -> Backend:
    backend = build_backend(settings, client=dynamodb, catalog=catalog, resolver=resolver)
    import_histories(backend.table, [histories[CUSTOMER]], catalog, settings)
    return backend


class Conversation:
    def __init__(self, runtime: SkillRuntime, token: str | None) -> None:
        self.runtime = runtime
        self.token = token
        self.session: dict[str, Any] = {}
        self.last: dict[str, Any] = {}

    def envelope(self, request: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
        user: dict[str, Any] = {"userId": "amzn1.ask.account.TEST"}
        if self.token:
            user["accessToken"] = self.token
        return {
            "version": "1.0",
            "session": {
                "new": not self.session,
                "sessionId": "amzn1.echo-api.session.test",
                "application": {"applicationId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"},
                "attributes": self.session,
                "user": user,
            },
            "context": {
                "System": {
                    "application": {"applicationId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"},
                    "user": user,
                    "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
                    "apiEndpoint": "https://api.amazonalexa.com",
                }
            },
            "request": {
                "requestId": request_id or f"amzn1.echo-api.request.{uuid.uuid4()}",
                "timestamp": "2026-11-20T15:30:00Z",
                "locale": "en-US",
                **request,
            },
        }

    def send(self, envelope: dict[str, Any]) -> str:
        self.last = self.runtime.handle(envelope)
        self.session = dict(self.last.get("sessionAttributes") or {})
        speech = self.last["response"].get("outputSpeech") or {}
        return str(speech.get("ssml", ""))

    def intent(self, name: str, request_id: str | None = None, **slots: str) -> str:
        request = {
            "type": "IntentRequest",
            "intent": {
                "name": name,
                "confirmationStatus": "NONE",
                "slots": {k: {"name": k, "value": v, "confirmationStatus": "NONE"} for k, v in slots.items()},
            },
        }
        return self.send(self.envelope(request, request_id))


@pytest.fixture
def talk(backend: Backend) -> Iterator[Conversation]:
    token = DynamoAccessTokenStore(IdentityStore(backend.table)).issue_demo_token(CUSTOMER)
    yield Conversation(SkillRuntime(build_skill(backend)), token)


def test_without_a_linked_account_the_skill_asks_to_link(backend: Backend) -> None:
    talk = Conversation(SkillRuntime(build_skill(backend)), None)
    speech = talk.intent("AddToCartIntent", product="bananas")
    assert "link your account" in speech
    assert talk.last["response"]["card"]["type"] == "LinkAccount"
    assert backend.shopping.cart(CUSTOMER).is_empty


def test_add_with_asr_like_words(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("AddToCartIntent", product="organic hole milk", quantity="2")
    assert "2 Organic Whole Milk" in speech
    cart = backend.shopping.cart(CUSTOMER)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("27845", 2)]


def test_a_retried_request_adds_once(talk: Conversation, backend: Backend) -> None:
    first = talk.intent("AddToCartIntent", request_id="amzn1.echo-api.request.same", product="bananas")
    again = talk.intent("AddToCartIntent", request_id="amzn1.echo-api.request.same", product="bananas")
    assert first == again
    assert backend.shopping.cart(CUSTOMER).item_count == 1


def test_a_bad_quantity_is_reprompted(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("AddToCartIntent", product="bananas", quantity="500")
    assert "isn't a quantity" in speech and backend.shopping.cart(CUSTOMER).is_empty


def test_missing_product_elicits_the_slot(talk: Conversation) -> None:
    talk.intent("AddToCartIntent")
    assert talk.last["response"]["directives"][0]["type"] == "Dialog.ElicitSlot"


def test_reorder_usual_then_checkout(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("ReorderUsualIntent")
    assert "Organic Unsweetened Almond Milk" in speech and "Should I add" in speech
    assert backend.shopping.cart(CUSTOMER).is_empty
    speech = talk.intent("AMAZON.YesIntent")
    assert "Voicecart Demo Grocer" in speech and "total of $" in speech and "tax" in speech
    speech = talk.intent("AMAZON.YesIntent")
    assert "order" in speech
    if "voice code" not in speech:
        assert talk.last["response"]["card"]["title"] == "Order placed"
        assert backend.shopping.cart(CUSTOMER).is_empty


def test_a_store_fault_mid_checkout_is_an_apology_and_nothing_half_written(
    talk: Conversation, backend: Backend
) -> None:
    talk.intent("AddToCartIntent", product="bananas", quantity="3")
    talk.intent("CheckoutIntent")
    failing = FailingClient(backend.table.client)
    backend.table.client = failing  # type: ignore[assignment]
    backend.shopping.table.client = failing  # type: ignore[assignment]
    failing.fail_next = 1
    speech = talk.intent("AMAZON.YesIntent")
    assert "Sorry" in speech and "nothing was changed" in speech
    assert backend.shopping.orders(CUSTOMER)[0].source == "instacart"
    assert backend.shopping.cart(CUSTOMER).item_count == 3
