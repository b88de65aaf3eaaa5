"""Merging a customer with a real order history into another profile: orders, imported statistics, events and the
Alexa link all move; the voice skill then speaks for the merged profile; nothing of the source remains."""

from __future__ import annotations

from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.identity import IdentityKind
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

SOURCE, TARGET = "3623", "merged-3623"


def test_a_merged_history_speaks_for_the_target(backend: Backend, histories: dict[str, CustomerHistory]) -> None:
    token = sign_up(backend, SOURCE, histories[SOURCE])
    talk = Conversation(SkillRuntime(build_skill(backend)), token)
    talk.launch()
    talk.intent("ReadCartIntent")
    orders_before = len(backend.shopping.orders(SOURCE))
    purchases_before = backend.shopping.purchases(backend.shopping.state(SOURCE))
    backend.profiles.ensure_customer(TARGET)

    record = backend.merger.merge(SOURCE, TARGET)

    assert record.orders == orders_before > 0 and record.events == 2
    assert any(identity.startswith(IdentityKind.ALEXA_TOKEN.value) for identity in record.identities)
    assert len(backend.shopping.orders(TARGET)) == orders_before
    assert backend.shopping.purchases(backend.shopping.state(TARGET)).keys() == purchases_before.keys()
    assert backend.customer_data.partition(SOURCE) == []
    assert not backend.profiles.customer_exists(SOURCE)
    # The same Alexa account now reaches the merged profile.
    talk.new_session()
    talk.launch()
    assert len(backend.profiles.events(TARGET, limit=100).events) == 3
