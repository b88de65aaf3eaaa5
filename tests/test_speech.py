import json
import random
import re

import pytest

from skill.speech import MAX_SPEECH_CHARACTERS, MissingSpeech, Speech, available_locales, locale_files


def test_en_gb_falls_back_to_en_us_for_keys_it_does_not_override() -> None:
    assert Speech("en-GB").say("help.reprompt") == Speech("en-US").say("help.reprompt")
    assert "basket" in Speech("en-GB").plain("help.card_text")


def test_what_en_gb_takes_from_en_us_names_the_cart_by_its_word() -> None:
    # A British customer hears "basket": an en-US sentence en-GB does not override says "cart" only as {cart}.
    def templates(locale: str) -> dict[str, str | list[str]]:
        return {key: text for file in locale_files(locale) for key, text in json.loads(file.read_text()).items()}

    british = templates("en-GB")
    for key, template in templates("en-US").items():
        if key not in british:
            for text in template if isinstance(template, list) else [template]:
                assert not re.search(r"\bcarts?\b", re.sub(r"\{[^}]*\}", "", text)), (key, text)


def test_the_cart_is_said_by_the_locales_word_when_the_caller_does_not_name_it() -> None:
    assert "your basket" in Speech("en-GB").say("help.speech")
    assert "your cart" in Speech("en-US").say("fallback.speech")
    assert "your trolley" in Speech("en-GB").say("help.speech", cart="trolley")


def test_unknown_locale_uses_the_default() -> None:
    assert Speech("xx-XX").locale == "en-US"


def test_missing_key_is_an_error_not_silence() -> None:
    with pytest.raises(MissingSpeech):
        Speech("en-US").say("no.such.key")


def test_variants_are_chosen_by_the_seed() -> None:
    first = Speech("en-US", rng=random.Random(5)).say("stop.goodbye")
    again = Speech("en-US", rng=random.Random(5)).say("stop.goodbye")
    assert first == again


def test_lists_are_spoken_naturally() -> None:
    speech = Speech("en-US")
    assert speech.join(["eggs"]) == "eggs"
    assert speech.join(["eggs", "milk"]) == "eggs and milk"
    assert speech.join(["eggs", "milk", "bread"]) == "eggs, milk and bread"


@pytest.mark.parametrize("locale", available_locales())
def test_every_template_renders_with_named_placeholders_only(locale: str) -> None:
    for path in locale_files(locale):
        for key, template in json.loads(path.read_text()).items():
            for text in template if isinstance(template, list) else [template]:
                assert len(text) < MAX_SPEECH_CHARACTERS, key
                assert not re.search(r"\{\d*\}", text), f"{key}: positional placeholder"
                assert "<" not in text or text.count("<") == text.count(">"), key


def test_values_are_escaped_for_ssml() -> None:
    speech = Speech("en-US", strings={"x": "Added {product}."})
    assert speech.say("x", product="Ben & Jerry's <Chunky>") == "Added Ben &amp; Jerry's &lt;Chunky&gt;."
    assert speech.plain("x", product="Ben & Jerry's") == "Added Ben & Jerry's."


# -- amounts, dates and product lines per locale -------------------------------------------------------------------
def test_money_is_the_stores_currency_said_as_each_locale_says_it() -> None:
    from decimal import Decimal

    from skill.speech import Speech

    assert Speech("en-US").money(Decimal("49.52")) == "$49.52"
    assert Speech("en-US").money(Decimal("35")) == "$35.00"
    assert Speech("en-GB").money(Decimal("49.52")) == "49 US dollars and 52 cents"
    assert Speech("en-GB").money(Decimal("35.00")) == "35 US dollars"
    # No "0 US dollars and ..." and no "1 US dollars": the forms a listener would say.
    assert Speech("en-GB").money(Decimal("0.48")) == "48 cents"
    assert Speech("en-GB").money(Decimal("1.25")) == "1 US dollar and 25 cents"
    assert Speech("en-GB").money(Decimal("1.00")) == "1 US dollar"
    assert "$" not in Speech("en-GB").money(Decimal("4.99"))


def test_dates_follow_the_locales_order() -> None:
    from datetime import date

    from skill.speech import Speech

    day = date(2026, 11, 6)
    assert Speech("en-US").date(day) == "November 6"
    assert Speech("en-GB").date(day) == "6 November"
    assert Speech("en-US").date(day, weekday=True) == "Friday November 6"
    assert Speech("en-GB").date(day, weekday=True) == "Friday 6 November"


def test_a_product_line_is_quantity_then_name() -> None:
    from skill.speech import Speech

    assert Speech("en-GB").product_line(2, "Ben & Jerry's") == "2 Ben & Jerry's"


@pytest.mark.parametrize(
    ("locale", "quantity", "unit", "said"),
    [
        ("en-US", 2, "pound", "2 pounds of Bosc Pears"),
        ("en-US", 1, "gallon", "1 gallon of Bosc Pears"),
        ("en-US", 1, "dozen", "a dozen Bosc Pears"),
        ("en-US", 3, "dozen", "3 dozen Bosc Pears"),
        ("en-US", 1, "half dozen", "half a dozen Bosc Pears"),
        ("en-US", 1, "six pack", "a six-pack of Bosc Pears"),
        ("en-US", 2, "twelve pack", "2 twelve-packs of Bosc Pears"),
        ("en-US", 1, "half pound", "half a pound of Bosc Pears"),
        ("en-US", 2, "half gallon", "2 half gallons of Bosc Pears"),
        ("en-US", 1, "quarter pound", "a quarter pound of Bosc Pears"),
        ("en-US", 3, "box", "3 boxes of Bosc Pears"),
        ("en-US", 2, "loaf", "2 loaves of Bosc Pears"),
        ("en-US", 4, "can", "4 cans of Bosc Pears"),
        ("en-GB", 2, "liter", "2 litres of Bosc Pears"),
        ("en-GB", 3, "tin", "3 tins of Bosc Pears"),
        ("en-GB", 1, "dozen", "a dozen Bosc Pears"),
        ("en-GB", 2, None, "2 Bosc Pears"),
        ("en-US", 1, "one and a half pound", "one and a half pounds of Bosc Pears"),
        ("en-US", 1, "two and a half dozen", "two and a half dozen Bosc Pears"),
        ("en-GB", 1, "one and a half kilo", "one and a half kilos of Bosc Pears"),
        ("en-US", 2, "sixteen ounce jar", "2 sixteen ounce jars of Bosc Pears"),
    ],
)
def test_a_line_in_a_unit_says_it_back(locale: str, quantity: int, unit: str | None, said: str) -> None:
    assert Speech(locale).product_line(quantity, "Bosc Pears", unit) == said
