"""Every voice turn is one event: a dialog of N turns gives N events, each named by Segment's spec where one fits,
whatever the handler did (changed the cart, asked back, quoted, answered, failed)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.errors import StoreError
from backend.profile import Event
from backend.profile.consent import Purpose, Status
from backend.profile.events import Channel
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"  # string cheese, Swiss slices, almond milk ... week after week


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))


def voice_events(backend: Backend) -> list[Event]:
    return list(reversed(backend.profiles.events(CUSTOMER, channel=Channel.VOICE, limit=100).events))


def names(events: list[Event]) -> list[str]:
    return [str(event.to_json()["name"]) for event in events]


def test_a_dialog_of_n_turns_gives_n_events(talk: Conversation, backend: Backend) -> None:
    talk.launch()
    talk.intent("ReadCartIntent")
    talk.intent("AddToCartIntent", product="cheese", quantity="2")  # which one? (asked)
    talk.intent("SelectChoiceIntent", choice="the first one", ids={"choice": "1"})  # added, in the cart's tx
    talk.intent("AddToCartIntent", product="zzqx blorf")  # a search: asked back or not found
    talk.intent("LastOrderIntent")
    talk.intent("AMAZON.HelpIntent")
    talk.intent("CheckoutIntent")  # the quote
    talk.intent("AMAZON.NoIntent")  # not now
    talk.intent("AMAZON.StopIntent")
    turns = 10

    events = voice_events(backend)

    assert len(events) == turns
    assert len({event.event_id for event in events}) == turns
    assert names(events)[:4] == ["Application Opened", "Cart Viewed", "Products Searched", "Product Added"]
    assert names(events)[4] == "Products Searched"  # asked back or not found: a search either way
    assert names(events)[5:8] == ["Order Viewed", "Question Answered", "Checkout Started"]
    assert events[2].heard == "cheese"  # the words of the question asked back, on their expiring item
    assert all(event.intent or (event.outcome and event.outcome.value == "opened") for event in events)


def test_alexas_retry_of_a_turn_writes_no_second_event(talk: Conversation, backend: Backend) -> None:
    talk.launch()
    talk.intent("ReadCartIntent", request_id="amzn1.echo-api.request.retry-me")
    talk.intent("ReadCartIntent", request_id="amzn1.echo-api.request.retry-me")
    assert names(voice_events(backend)) == ["Application Opened", "Cart Viewed"]


def test_a_store_failure_answer_records_no_event(
    talk: Conversation, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    talk.launch()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise StoreError("the store is down")

    monkeypatch.setattr(backend.shopping, "quote", broken)
    speech = talk.intent("CheckoutIntent")
    assert "sorry" in speech.lower()
    # Recording would ask the failing store again (the caller, then the event): a hung store's timeouts twice.
    assert names(voice_events(backend)) == ["Application Opened"]


def test_no_heard_words_are_kept_without_consent(talk: Conversation, backend: Backend) -> None:
    backend.consents.set(CUSTOMER, Purpose.HEARD_WORDS, Status.WITHDRAWN, channel=Channel.WEB, at=backend.clock())
    talk.intent("AddToCartIntent", product="cheese", quantity="2")
    talk.intent("AddToCartIntent", product="zzqx blorf")
    events = voice_events(backend)
    assert len(events) == 2 and all(event.heard is None for event in events)
    heard_items = backend.table.query_all(
        "pk = :pk AND begins_with(sk, :ev)", values={":pk": f"CUST#{CUSTOMER}", ":ev": "EVENT#"}
    )
    assert not [item for item in heard_items if item.get("kind") == "heard"]
