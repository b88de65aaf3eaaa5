"""A remembered access token never outlives its revocation: a token unlinked, erased or linked to someone else
between two turns is refused (or is the new owner's) at the very next turn, in this process or after a change made by
another one; a confirming read that fails leaves nothing recorded for the remembered customer. The real skill and the
real store (moto): the token's lookup item is the only truth."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from talking import Conversation

from backend.identity import IdentityKind
from backend.services import Backend
from backend.store.codec import from_attribute_values
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

BANANA = "24852"
CUSTOMERS = ("1285", "2000", "3623")
LINK_ACCOUNT = "link your account"


def link(backend: Backend, customer_id: str, token: str) -> None:
    backend.identities.link(customer_id, IdentityKind.ALEXA_TOKEN, token)


def unlink(backend: Backend, customer_id: str, token: str) -> None:
    assert backend.identities.unlink(customer_id, IdentityKind.ALEXA_TOKEN, token)


def bananas(backend: Backend, customer_id: str) -> int:
    cart = backend.shopping.cart(customer_id)
    return sum(line.quantity for line in cart.lines if line.product_id == BANANA)


def items_of(backend: Backend, customer_id: str) -> list[dict[str, Any]]:
    raw = backend.table.client.scan(TableName=backend.table.name, ConsistentRead=True)["Items"]
    items = [from_attribute_values(item) for item in raw]
    return [item for item in items if item["pk"] == f"CUST#{customer_id}"]


def add_banana(talk: Conversation) -> str:
    return talk.intent("AddToCartIntent", product="banana", ids={"product": BANANA})


def talking(backend: Backend, token: str) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), token)


def remembered(backend: Backend, token: str) -> str | None:
    assert backend.remembered_tokens is not None
    return backend.remembered_tokens.guess(token)


def test_a_token_unlinked_between_turns_is_refused_at_the_next_turn(backend: Backend) -> None:
    token = "revoke-me-token-1"
    link(backend, "1285", token)
    talk = talking(backend, token)
    talk.launch()
    add_banana(talk)
    assert remembered(backend, token) == "1285"  # the next turn takes the remembered path
    assert bananas(backend, "1285") == 1

    unlink(backend, "1285", token)
    before = items_of(backend, "1285")
    speech = add_banana(talk)
    assert LINK_ACCOUNT in speech and "Banana" not in speech
    assert talk.card is not None and talk.card["type"] == "LinkAccount"
    assert items_of(backend, "1285") == before  # no cart change, no event
    assert remembered(backend, token) is None
    assert LINK_ACCOUNT in talk.launch()  # and stays refused


def test_a_token_revoked_by_another_process_is_refused_at_the_next_turn(
    backend: Backend, make_backend: Callable[..., Backend]
) -> None:
    token = "revoke-me-token-2"
    link(backend, "1285", token)
    talk = talking(backend, token)
    talk.launch()
    assert remembered(backend, token) == "1285"

    elsewhere = make_backend()  # the same table, its own memory of tokens
    assert elsewhere.remembered_tokens is not backend.remembered_tokens
    unlink(elsewhere, "1285", token)
    assert LINK_ACCOUNT in add_banana(talk)
    assert bananas(backend, "1285") == 0


def test_an_erase_between_turns_is_final_at_the_next_turn(backend: Backend) -> None:
    token = "erase-me-token"
    link(backend, "1285", token)
    talk = talking(backend, token)
    talk.launch()
    add_banana(talk)
    assert remembered(backend, token) == "1285"

    backend.customer_data.delete("1285", requested_by="test")
    for turn in (lambda: add_banana(talk), talk.launch):
        assert LINK_ACCOUNT in turn()
    assert items_of(backend, "1285") == []


def test_a_token_linked_to_another_customer_speaks_for_them_at_the_next_turn(backend: Backend) -> None:
    token = "relink-me-token"
    link(backend, "1285", token)
    talk = talking(backend, token)
    add_banana(talk)
    assert remembered(backend, token) == "1285"

    unlink(backend, "1285", token)
    link(backend, "2000", token)
    add_banana(talk)
    assert (bananas(backend, "1285"), bananas(backend, "2000")) == (1, 1)
    assert remembered(backend, token) == "2000"


def test_a_failed_confirming_read_records_nothing_for_the_remembered_customer(backend: Backend) -> None:
    token = "revoked-then-store-fails"
    link(backend, "1285", token)
    talk = talking(backend, token)
    talk.launch()
    assert remembered(backend, token) == "1285"
    unlink(backend, "1285", token)
    before = items_of(backend, "1285")

    failures = {"left": 1}

    def fail_once(**_: Any) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, "BatchGetItem")

    backend.table.client.meta.events.register("before-call.dynamodb.BatchGetItem", fail_once)
    try:
        speech = add_banana(talk)
    finally:
        backend.table.client.meta.events.unregister("before-call.dynamodb.BatchGetItem", fail_once)
    assert failures["left"] == 0 and "Banana" not in speech
    assert items_of(backend, "1285") == before, json.dumps(items_of(backend, "1285"), default=str)
    assert LINK_ACCOUNT in add_banana(talk)


# One step between two turns of the same device: nothing, unlink the token, or link it (when unlinked) to a customer.
# At most 8 examples of 6 adds: no customer's banana line reaches its limit of 50 on the test's one table.
STEPS = st.lists(st.one_of(st.just("turn"), st.just("unlink"), st.sampled_from(CUSTOMERS)), min_size=1, max_size=5)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, first=st.sampled_from(CUSTOMERS))
def test_every_turn_is_the_current_owners_or_refused(backend: Backend, steps: list[str], first: str) -> None:
    token = f"token-{uuid.uuid4()}"  # the table is the test's, shared by its examples
    link(backend, first, token)
    owner: str | None = first
    talk = talking(backend, token)
    for step in [*steps, "turn"]:
        if step == "unlink" and owner is not None:
            unlink(backend, owner, token)
            owner = None
        elif step in CUSTOMERS and owner is None:
            link(backend, step, token)
            owner = step
        counts = {customer: bananas(backend, customer) for customer in CUSTOMERS}
        speech = add_banana(talk)
        after = {customer: bananas(backend, customer) for customer in CUSTOMERS}
        if owner is None:
            assert LINK_ACCOUNT in speech and after == counts
        else:
            assert after == {**counts, owner: counts[owner] + 1}, (steps, speech)
