"""Alexa's retry of a quantity change on a line held in a unit ("2 pounds of ...") hears the first answer, unit and
all: the stored outcome keeps the line's unit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3286"
BANANAS = "39276"  # the value "bananas" of the shipped model
RETRIED = "amzn1.echo-api.request.retried"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Iterator[Conversation]:
    token = sign_up(backend, CUSTOMER, histories[CUSTOMER])
    yield Conversation(SkillRuntime(build_skill(backend)), token)


def test_a_retried_quantity_change_says_the_unit_again(talk: Conversation, backend: Backend) -> None:
    added = talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="bananas", quantity="2", unit="pounds")
    assert "2 pounds of Bananas" in added
    first = talk.intent("ChangeQuantityIntent", RETRIED, product="bananas", quantity="3")
    again = talk.intent("ChangeQuantityIntent", RETRIED, product="bananas", quantity="3")
    assert "3 pounds of Bananas" in first
    assert again == first
    line = backend.shopping.cart(CUSTOMER).lines[0]
    assert (line.quantity, line.unit) == (3, "pound")


def test_a_retried_quantity_change_of_a_line_without_a_unit_says_none(talk: Conversation) -> None:
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="bananas", quantity="2")
    first = talk.intent("ChangeQuantityIntent", RETRIED, product="bananas", quantity="4")
    again = talk.intent("ChangeQuantityIntent", RETRIED, product="bananas", quantity="4")
    assert "4" in first and "pound" not in first
    assert again == first
