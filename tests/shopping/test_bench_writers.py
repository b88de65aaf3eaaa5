"""The load bench's one-cart writers each say a product name the skill adds as that product, without a question
(``skill.bench.load.products_named_as_themselves`` asks the server's real resolver, for the bench's customer): an
add answered "Which one?" would count as neither acknowledged nor refused."""

from __future__ import annotations

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.bench.load import products_named_as_themselves
from skill.bench.load_server import accepted_names
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "77366"  # the writers' customer of the default run (the 49th by orders for --concurrency ...,48)
WRITERS = 16


def test_every_writer_names_a_product_the_skill_adds_as_that_product(
    backend: Backend, histories: dict[str, CustomerHistory]
) -> None:
    talk = Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))
    chosen = products_named_as_themselves(WRITERS, lambda names: accepted_names(backend, CUSTOMER, names))
    assert len({product_id for product_id, _ in chosen}) == WRITERS
    talk.launch()
    for _, name in chosen:
        talk.intent("AddToCartIntent", product=name)
    cart = backend.shopping.cart(CUSTOMER)
    assert sorted((line.product_id, line.quantity) for line in cart.lines) == sorted((pid, 1) for pid, _ in chosen)


def test_too_few_names_accepted_is_a_clear_error_not_a_writer_without_a_product() -> None:
    with pytest.raises(ValueError, match="accepted as themselves"):
        products_named_as_themselves(3, lambda names: {})
