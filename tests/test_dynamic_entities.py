"""Dynamic entities for a customer: their most likely products within Alexa's limits, ids from the catalog; sent at
launch, and resolved against in the next turn (the simulator resolves slots against them as Alexa does)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.dialog import DynamicEntitiesDirective
from ask_sdk_model.er.dynamic import UpdateBehavior
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_DATA_DIR, Catalog, load_default_catalog
from backend.demo.histories import load_histories
from backend.resolver import Decision
from backend.resolver.dynamic import (
    MAX_CHARS,
    MAX_VALUES,
    catalog_names,
    dynamic_entities,
    fingerprint,
    likely_products,
    update_directive,
)
from backend.resolver.purchases import PurchaseStats
from backend.services import Backend
from skill.app import build_runtime
from skill.simulator.conversation import Conversation
from skill.simulator.conversation import Turn as SimTurn
from skill.simulator.local import cart_probe, conversation_for
from skill.simulator.transport import InProcessTransport
from tests.support.properties import examples

ANCHOR = date(2017, 6, 1)


@pytest.fixture(scope="module")
def histories() -> dict[str, dict[str, PurchaseStats]]:
    loaded = load_histories(DEFAULT_DATA_DIR / "customers_sample.csv", last_order_on=ANCHOR)
    return {customer_id: history.stats(ANCHOR) for customer_id, history in loaded.items()}


@pytest.mark.slow  # every demo customer's history
def test_every_customer_gets_values_within_the_limits(
    catalog: Catalog, histories: dict[str, dict[str, PurchaseStats]]
) -> None:
    for history in histories.values():
        values = dynamic_entities(history, catalog)
        assert 0 < len(values) <= MAX_VALUES
        assert len({value.id for value in values}) == len(values)
        for value in values:
            assert value.id in catalog and value.id in history
            assert 0 < len(value.name) <= MAX_CHARS
            assert all(0 < len(synonym) <= MAX_CHARS for synonym in value.synonyms)
            assert value.name.casefold() not in {synonym.casefold() for synonym in value.synonyms}


def test_the_most_bought_come_first(catalog: Catalog) -> None:
    history = {"24852": PurchaseStats(30, 3.0), "27845": PurchaseStats(2, 200.0), "4210": PurchaseStats(9, 10.0)}
    assert likely_products(history, catalog) == ["24852", "4210", "27845"]
    assert likely_products({**history, "not-sold": PurchaseStats(50, 1.0)}, catalog, limit=2) == ["24852", "4210"]


@given(st.integers(min_value=0, max_value=400))
@settings(max_examples=examples(20), deadline=None)
def test_never_more_than_the_limit(size: int) -> None:
    catalog = load_default_catalog()
    ids = [product.id for product in list(catalog)[:size]]
    values = dynamic_entities({product_id: PurchaseStats(1, 5.0) for product_id in ids}, catalog)
    assert len(values) == min(size, MAX_VALUES)


def test_the_directive_replaces_one_slot_type_and_changes_only_with_the_values(catalog: Catalog) -> None:
    values = dynamic_entities({"24852": PurchaseStats(3, 2.0), "5": PurchaseStats(1, 9.0)}, catalog)
    directive = update_directive("PRODUCT", values)
    assert directive["type"] == "Dialog.UpdateDynamicEntities" and directive["updateBehavior"] == "REPLACE"
    (slot_type,) = directive["types"]  # type: ignore[misc]
    assert slot_type["name"] == "PRODUCT"
    assert [value["id"] for value in slot_type["values"]] == [value.id for value in values]
    assert fingerprint(values) == fingerprint(tuple(values))
    assert fingerprint(values) != fingerprint(values[:1])


def test_a_synonym_is_never_another_products_name_nor_a_cut_phrase(
    catalog: Catalog, histories: dict[str, dict[str, PurchaseStats]]
) -> None:
    names = catalog_names(catalog)
    for history in list(histories.values())[:100]:
        for value in dynamic_entities(history, catalog, names=names):
            for synonym in value.synonyms:
                assert synonym.casefold() not in names, (value, synonym)
                first = synonym.split()[0]
                assert first.casefold() not in {"&", "and", "with", "of"} and not first[0].isdigit(), (value, synonym)


# -- in the skill: the launch response carries them, the next turn's slot resolves against them ------------------

CUSTOMER_TOKEN = "vcdemo_7c5864f6e4e1855b12e65219fc0611e2"  # demo customer 3623 (20 real orders)


def _conversation(backend: Backend) -> Conversation:
    return conversation_for(
        InProcessTransport(build_runtime(backend)),
        skill_id=backend.settings.skill_id or "",
        account={"access_token": CUSTOMER_TOKEN},
    )


def _updates(turn: SimTurn) -> list[dict[str, Any]]:
    return [d for d in turn.directives if d.get("type") == "Dialog.UpdateDynamicEntities"]


def _products(directive: dict[str, Any]) -> list[dict[str, Any]]:
    return next(t["values"] for t in directive.get("types", []) if t["name"] == "PRODUCT")


def test_the_launch_response_carries_the_customers_likely_products(demo_backend: Backend) -> None:
    launch = _conversation(demo_backend).say("open my grocer")
    assert launch.heard == "LaunchRequest" and not launch.session_ended
    (directive,) = _updates(launch)
    # Never beside another Dialog directive (Delegate, ElicitSlot, ConfirmIntent ...).
    assert [d["type"] for d in launch.directives if d["type"].startswith("Dialog.")] == [directive["type"]]
    # The SDK's own model reads it back: the shape Alexa expects.
    parsed = DefaultSerializer().deserialize(json.dumps(directive), DynamicEntitiesDirective)
    assert parsed.update_behavior == UpdateBehavior.REPLACE
    assert [t.name for t in parsed.types] == ["PRODUCT"]
    values = _products(directive)
    assert 0 < len(values) <= MAX_VALUES
    state = demo_backend.shopping.state("3623")
    bought = demo_backend.shopping.purchases(state)
    for value in values:
        assert value["id"] in demo_backend.catalog and value["id"] in bought
        texts = [value["name"]["value"], *value["name"].get("synonyms", [])]
        assert all(0 < len(text) <= MAX_CHARS for text in texts)
    # The most bought first: their almond milk, in 20 of 20 orders.
    assert values[0]["id"] == "35951"
    assert launch.session_attributes["entities"]


def test_the_next_turn_resolves_a_short_name_to_the_customers_product(demo_backend: Backend) -> None:
    conversation = _conversation(demo_backend)
    (directive,) = _updates(conversation.say("open my grocer"))
    mine = next(v for v in _products(directive) if v["id"] == "7695")  # Dark Chocolate Pot De Creme, bought before
    assert "Pot De Creme" in mine["name"]["synonyms"]
    state = demo_backend.shopping.state("3623")
    # The words alone do not settle it: the catalog has other pots de creme.
    assert demo_backend.shopping.resolve_for(state, "pot de creme").decision != Decision.ACCEPT

    added = conversation.say("add pot de creme")
    assert added.heard == "AddToCartIntent"
    slot = added.request["request"]["intent"]["slots"]["product"]
    dynamic, static = slot["resolutions"]["resolutionsPerAuthority"]
    assert dynamic["authority"] == f"amzn1.er-authority.echo-sdk.dynamic.{demo_backend.settings.skill_id}.PRODUCT"
    assert dynamic["status"]["code"] == "ER_SUCCESS_MATCH"
    assert [v["value"]["id"] for v in dynamic["values"]] == ["7695"]
    assert ".dynamic." not in static["authority"]
    assert "dark chocolate pot de creme" in added.speech.lower()
    assert [(line["product_id"], line["quantity"]) for line in cart_probe(demo_backend)(conversation.identity)] == [
        ("7695", 1)
    ]
    assert not _updates(added)  # unchanged products are not sent again


def test_a_which_one_question_keeps_the_products_beside_the_options(demo_backend: Backend) -> None:
    conversation = _conversation(demo_backend)
    conversation.say("open my grocer")
    asked = conversation.say("add baby food")  # several of their baby foods end so
    assert asked.session_attributes["pending"]["kind"] == "choose"
    (directive,) = _updates(asked)
    assert directive["updateBehavior"] == "REPLACE"
    kinds = {t["name"]: len(t["values"]) for t in directive["types"]}
    assert set(kinds) == {"CHOICE", "PRODUCT"} and sum(kinds.values()) <= MAX_VALUES
    answered = conversation.say("the first one")
    for update in _updates(answered):  # the options are forgotten, the products kept
        assert update["updateBehavior"] == "REPLACE" and [t["name"] for t in update["types"]] == ["PRODUCT"]
