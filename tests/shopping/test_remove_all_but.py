"""What stays when "all but ..." is said after any verb, through the real skill on moto: the lines named stay and
the rest go in one write; "all of it" alone asks before emptying; words that keep some lines while others go, in a
form not understood, never pick a line by a close name (the line meant to stay could go)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"
ALMOND_MILK, COFFEE = "35951", "30850"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Iterator[Conversation]:
    token = sign_up(backend, CUSTOMER, histories[CUSTOMER])
    talk = Conversation(SkillRuntime(build_skill(backend)), token)
    for product_id in (ALMOND_MILK, COFFEE):
        talk.intent("AddToCartIntent", product="that product", ids={"product": product_id})
    yield talk


def cart(backend: Backend) -> set[str]:
    return {line.product_id for line in backend.shopping.cart(CUSTOMER).lines}


@pytest.mark.parametrize(
    "words", ["it all except the coffee", "all of it but the coffee", "my whole cart but the coffee"]
)
def test_all_but_keeps_the_line_named(talk: Conversation, backend: Backend, words: str) -> None:
    said = talk.intent("RemoveFromCartIntent", product=words)
    assert cart(backend) == {COFFEE} and "Almond Milk" in said


@pytest.mark.parametrize("words", ["all of it", "the whole lot", "everything in my cart"])
def test_all_of_it_alone_asks_first(talk: Conversation, backend: Backend, words: str) -> None:
    said = talk.intent("RemoveFromCartIntent", product=words)
    assert said.endswith("?") and talk.pending["kind"] == "clear"
    assert cart(backend) == {ALMOND_MILK, COFFEE}


@pytest.mark.parametrize("words", ["the milk except the coffee", "the drinks other than the almond milk"])
def test_keeping_words_never_pick_a_line_by_a_close_name(talk: Conversation, backend: Backend, words: str) -> None:
    said = talk.intent("RemoveFromCartIntent", product=words)
    assert "nothing was changed" in said and cart(backend) == {ALMOND_MILK, COFFEE}
