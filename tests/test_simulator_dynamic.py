"""Dynamic entities in the simulator: values a skill adds to a slot type for one session, resolved as Alexa does."""

from __future__ import annotations

from typing import Any

import pytest

from skill.models import model_path
from skill.simulator.conversation import _dynamic_entities
from skill.simulator.envelope import slot_json
from skill.simulator.matcher import Matcher
from skill.simulator.model import LoadedModel, load_model_file

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
# What a skill sends with "I found feta, provolone or goat cheese. Which one?".
OPTIONS: dict[str, Any] = {
    "type": "Dialog.UpdateDynamicEntities",
    "updateBehavior": "REPLACE",
    "types": [
        {
            "name": "CHOICE",
            "values": [
                {"id": "13176", "name": {"value": "Cheese, Feta", "synonyms": ["feta", "the feta"]}},
                {"id": "21616", "name": {"value": "Cheese, Provolone", "synonyms": ["provolone"]}},
                {"id": "4472", "name": {"value": "Goat Milk Cheese", "synonyms": ["goat", "goat cheese"]}},
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    return load_model_file(model_path("en-US"))


def test_a_name_is_no_choice_without_dynamic_entities(model: LoadedModel) -> None:
    # heard as a product said alone (ProductOnlyIntent), never as an answer to a question no longer open
    assert Matcher(model).match("provolone").intent == "ProductOnlyIntent"


@pytest.mark.parametrize(
    ("said", "product_id"), [("provolone", "21616"), ("the goat one", "4472"), ("the feta please", "13176")]
)
def test_a_name_from_the_session_resolves_as_a_choice(model: LoadedModel, said: str, product_id: str) -> None:
    heard = Matcher(model, _dynamic_entities(OPTIONS)).match(said)
    assert heard.intent == "SelectChoiceIntent"
    assert heard.slots["choice"].ids == (product_id,)


def test_ordinals_still_resolve_statically_next_to_dynamic_entities(model: LoadedModel) -> None:
    heard = Matcher(model, _dynamic_entities(OPTIONS)).match("the second one")
    assert heard.slots["choice"].ids == ("2",)


def test_the_dynamic_authority_comes_first_in_the_request(model: LoadedModel) -> None:
    heard = Matcher(model, _dynamic_entities(OPTIONS)).match("provolone")
    authorities = slot_json(heard.slots["choice"], SKILL_ID)["resolutions"]["resolutionsPerAuthority"]
    assert [a["authority"] for a in authorities] == [
        f"amzn1.er-authority.echo-sdk.dynamic.{SKILL_ID}.CHOICE",
        f"amzn1.er-authority.echo-sdk.{SKILL_ID}.CHOICE",
    ]
    assert [a["status"]["code"] for a in authorities] == ["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH"]
    assert authorities[0]["values"] == [{"value": {"name": "Cheese, Provolone", "id": "21616"}}]


def test_clear_drops_the_dynamic_entities() -> None:
    assert _dynamic_entities({"type": "Dialog.UpdateDynamicEntities", "updateBehavior": "CLEAR"}) == {}


class _AskWhichOne:
    """A skill that answers the first request with the options as dynamic entities, then echoes what it heard."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(envelope)
        speech = {"type": "PlainText", "text": "Which one?"}
        body: dict[str, Any] = {"outputSpeech": speech, "reprompt": {"outputSpeech": speech}, "shouldEndSession": False}
        if len(self.requests) == 1:
            body["directives"] = [OPTIONS]
        return {"version": "1.0", "response": body}


def test_a_conversation_keeps_dynamic_entities_for_its_session(model: LoadedModel) -> None:
    from skill.simulator.conversation import Conversation

    skill = _AskWhichOne()
    conversation = Conversation(skill, model, skill_id=SKILL_ID)
    conversation.say("ask my grocer to add cheese")
    turn = conversation.say("provolone")
    assert (turn.heard, turn.slots["choice"].ids) == ("SelectChoiceIntent", ("21616",))
    conversation.forget_session()
    assert conversation.say("ask my grocer provolone").heard == "ProductOnlyIntent"  # a product, not a choice
