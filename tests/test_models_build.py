"""The interaction model builder: spoken forms, templates, product values, limits, and the stale-model check."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from skill.models import MODELS_ROOT, SOURCE_DIR, build_default_models, model_path, stale_files
from skill.models.build import BuildResult, build_models
from skill.models.check import check_model
from skill.models.limits import Limits
from skill.models.products import product_value, rank_by_popularity
from skill.models.source import load_source
from skill.models.spoken import number_to_words, spoken_form
from skill.models.templates import TemplateError, expand, expand_all


@pytest.fixture(scope="module")
def fresh_build(catalog: Catalog) -> BuildResult:
    return build_default_models(catalog=catalog)


def test_checked_in_models_are_up_to_date(fresh_build: BuildResult) -> None:
    stale = stale_files(MODELS_ROOT, fresh_build)
    assert stale == [], f"stale generated files {stale}: run `voicecart models build`"


def test_build_is_byte_identical_on_rerun(catalog: Catalog, fresh_build: BuildResult) -> None:
    again = build_default_models(catalog=catalog)
    assert again.files == fresh_build.files


def test_shipped_models_name_every_contract_intent_and_slot() -> None:
    model = json.loads(model_path("en-US").read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    intents = {intent["name"]: {s["name"]: s["type"] for s in intent.get("slots", [])} for intent in model["intents"]}
    assert model["invocationName"] == "my grocer"
    # "filler": a word before the request that no handler reads ("actually add apples")
    assert intents["AddToCartIntent"] == {
        "product": "PRODUCT",
        "quantity": "AMAZON.NUMBER",
        "unit": "PACK_UNIT",
        "filler": "FILLER",
    }
    assert intents["SelectChoiceIntent"] == {"choice": "CHOICE"}
    assert intents["VoiceCodeIntent"] == {"code": "AMAZON.FOUR_DIGIT_NUMBER"}
    for name in (
        "ReadCartIntent",
        "ClearCartIntent",
        "ReorderUsualIntent",
        "ReorderLastOrderIntent",
        "LastOrderIntent",
        "CheckoutIntent",
        "OrderStatusIntent",
        "AMAZON.YesIntent",
        "AMAZON.NoIntent",
        "AMAZON.FallbackIntent",
        "AMAZON.NavigateHomeIntent",
    ):
        assert name in intents
    # "reorder two of my coffee": how many, as with an add
    assert intents["ReorderProductIntent"] == {"product": "PRODUCT", "quantity": "AMAZON.NUMBER"}
    for name in ("LastPurchaseIntent", "PurchaseFrequencyIntent"):
        assert intents[name] == {"product": "PRODUCT"}
    # "take one cucumber out": a count of the product, optional (a request without it is as before); "scratch
    # that" / "undo that": the undo slot (the last add taken back)
    assert intents["RemoveFromCartIntent"] == {
        "product": "PRODUCT",
        "quantity": "AMAZON.NUMBER",
        "undo": "UNDO",
        "every": "EVERY_LINE_BUT",
        "filler": "FILLER",
    }
    assert intents["SwapProductIntent"] == {"product": "PRODUCT", "replacement": "PRODUCT"}
    choice = next(t for t in model["types"] if t["name"] == "CHOICE")
    assert sorted(v["id"] for v in choice["values"]) == ["1", "2", "3", "cheapest", "last", "none", "usual"]


def test_product_values_use_catalog_ids_and_popularity(fresh_build: BuildResult, catalog: Catalog) -> None:
    values = {v.id: v for v in fresh_build.selection.values}
    banana = values["24852"]  # the most bought product in the order histories
    assert banana.value == "banana"
    assert "bananas" in banana.synonyms
    assert all(value_id in catalog for value_id in values)
    ids = [int(v.id) for v in fresh_build.selection.values]
    assert ids == sorted(ids)


def test_en_gb_has_british_words() -> None:
    model = json.loads(model_path("en-GB").read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    read_cart = next(i for i in model["intents"] if i["name"] == "ReadCartIntent")
    assert "what's in my trolley" in read_cart["samples"]
    units = next(t for t in model["types"] if t["name"] == "PACK_UNIT")
    assert "litre" in {v["id"] for v in units["values"]}


def _product(product_id: str, name: str) -> Product:
    return Product(id=product_id, name=name, aisle="a", department="d", price=Decimal("1.00"))


def test_popularity_decides_what_fits_when_the_catalog_is_too_big() -> None:
    products = [_product(str(i), f"Product Number {number_to_words(i)}") for i in range(1, 31)]
    counts = {"7": 5, "3": 9, "20": 1}
    ranked = rank_by_popularity(products, counts)
    assert [p.id for p in ranked[:4]] == ["3", "7", "20", "1"]  # bought most first, then catalog order
    sources = [load_source(SOURCE_DIR, "en-US")]
    hand_made = sum(len(values) for values in sources[0].types.values())
    result = build_models(sources, ranked, limits=Limits(max_custom_slot_values=hand_made + 4))
    assert sorted(v.id for v in result.selection.values) == ["1", "20", "3", "7"]
    assert "the 4 most bought of 30" in result.selection.policy
    assert "the 4 most bought of 30" in result.files[Path("build-info.json")]


def test_the_size_budget_is_respected_and_the_model_stays_valid() -> None:
    products = [_product(str(i), f"Very Long Product Name Number {number_to_words(i)}") for i in range(1, 201)]
    sources = [load_source(SOURCE_DIR, "en-US"), load_source(SOURCE_DIR, "en-GB")]
    unlimited = build_models(sources, products)
    assert len(unlimited.selection.values) == 200
    base = max(len(text) for path, text in unlimited.files.items() if path.suffix == ".json" and "custom" in str(path))
    budget = base - 3_000
    trimmed = build_models(sources, products, limits=Limits(max_model_chars=budget))
    assert 0 < len(trimmed.selection.values) < 200
    for path, text in trimmed.files.items():
        if "custom" in str(path):
            assert len(text) <= budget
            assert check_model(json.loads(text), size_chars=len(text), limits=Limits(max_model_chars=budget)) == []


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Organic 2% Reduced Fat Milk", "organic two percent reduced fat milk"),
        ("Half & Half", "half and half"),
        ("Ben & Jerry's Ice Cream", "ben and jerry's ice cream"),
        ("Lf Cottage Cheese 16 Oz", "lf cottage cheese sixteen ounce"),
        ("Crème Fraîche", "creme fraiche"),
        ("1/2 & 1/2", "one half and one half"),
        ("Fine Point 0.7 mm Pens", "fine point zero point seven millimeter pens"),
        ("Vitamin D3", "vitamin d three"),
        ("100% Juice, Apple", "one hundred percent juice apple"),
    ],
)
def test_spoken_form(written: str, spoken: str) -> None:
    assert spoken_form(written) == spoken


@given(st.text(max_size=60))
def test_spoken_form_is_idempotent_and_speakable(text: str) -> None:
    once = spoken_form(text)
    assert spoken_form(once) == once
    assert all(ch.isalpha() or ch in " '." for ch in once)
    assert not any(ch.isdigit() for ch in once)


def test_product_value_is_clipped_to_amazons_length() -> None:
    long_name = " ".join(["Extraordinarily"] * 20)
    value = product_value(_product("9", long_name), max_chars=140)
    assert len(value.value) <= 140
    assert value.id == "9"


def test_templates_expand_in_order_without_duplicates() -> None:
    assert expand("(add|put) [some] {product} in <cart>", {"cart": "my (cart|basket)"})[:3] == [
        "add some {product} in my cart",
        "add some {product} in my basket",
        "add {product} in my cart",
    ]
    assert expand_all(["(a|b)", "a"]) == ["a", "b"]
    assert expand("x (y|) z") == ["x y z", "x z"]


@pytest.mark.parametrize("template", ["(a|b", "a)", "<nope>", "a|b", "[a"])
def test_broken_templates_are_reported(template: str) -> None:
    with pytest.raises(TemplateError):
        expand(template, {})
