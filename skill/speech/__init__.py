"""Speech by key: every sentence the customer hears lives in ``locales/<locale>/*.json`` and is rendered by key.

Files in a locale folder are merged (core.json, shopping.json, ...). A locale falls back to en-US for keys it does
not override, so en-GB only holds what British customers hear differently. Values are escaped for SSML, so a
product called "Ben & Jerry's" cannot break the response.

Amounts, dates and product lines are formatted per locale too (``money``, ``date``, ``product_line``), by keys:

* money: prices are in the store's currency (``STORE_CURRENCY``; the demo grocer sells in US dollars), never
  converted. Each locale says that currency as its customers expect it: en-US "$49.52" (Alexa reads "forty-nine
  dollars and fifty-two cents"); en-GB names it in words, "49 US dollars and 52 cents", since a British listener
  hearing "$" formatting could not tell it from their own currency, and a bare "dollars" would be ambiguous.
* dates: en-US "November 20", en-GB "20 November" (with the weekday: "Friday November 20" / "Friday 20 November").
* times of day: "8 pm", "8:30 am" (``time_of_day``).
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from xml.sax.saxutils import escape

from backend.resolver import MIXED  # a unit of a whole number and a half of a measure: "one and a half pound"
from skill.speech.names import said_name

# Read through importlib.resources, so an installed wheel reads the same files as the checkout.
LOCALES_DIR: Traversable = resources.files(__name__) / "locales"
DEFAULT_LOCALE = "en-US"
MAX_SPEECH_CHARACTERS = 8000  # Alexa rejects longer output speech
STORE_CURRENCY = "USD"  # what the catalog's prices are in
# Placeholders that hold one product's catalog name: said as a person says it ("Cheese, Mozzarella" -> "Mozzarella
# Cheese", ``skill.speech.names``).
PRODUCT_NAME_VALUES = frozenset({"product", "old"})


_COUNT_THEN_NAME = "{quantity} {product}"
_ONE_THEN_NAME = "one {product}"  # "Should I add one {product}?"


class MissingSpeech(KeyError):
    pass


@lru_cache(maxsize=16)
def _load_locale(locale: str) -> Mapping[str, str | list[str]]:
    folder = LOCALES_DIR / locale
    merged: dict[str, str | list[str]] = {}
    if locale != DEFAULT_LOCALE:
        merged.update(_load_locale(DEFAULT_LOCALE))
    if folder.is_dir():
        for path in locale_files(locale):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def locale_files(locale: str) -> list[Traversable]:
    """The speech files of one locale, in the order they are merged."""
    folder = LOCALES_DIR / locale
    return sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)


def available_locales() -> list[str]:
    return sorted(_known_locales())


@lru_cache(maxsize=1)
def _known_locales() -> frozenset[str]:
    return frozenset(p.name for p in LOCALES_DIR.iterdir() if p.is_dir())


class Speech:
    """Renders sentences for one locale. ``say("cart.added", quantity=2, product="Oat Milk")``."""

    def __init__(
        self,
        locale: str | None,
        *,
        rng: random.Random | None = None,
        strings: Mapping[str, str | list[str]] | None = None,
        counted: Mapping[str, str] | None = None,
        single: Mapping[str, str] | None = None,
    ) -> None:
        requested = locale or DEFAULT_LOCALE
        # A name from the list, never a path: the request's locale is text ("../..", 5,000 characters) until then.
        self.locale = requested if requested in _known_locales() else DEFAULT_LOCALE
        self._strings = strings if strings is not None else _load_locale(self.locale)
        # Variants keep a frequent sentence from sounding robotic; seeded per request, so a retry says the same.
        self._rng = rng or random.Random(0)  # noqa: S311 - choosing a phrasing, not a secret
        # Said name -> as said after a count above one ("Banana" -> "Bananas", ``skill.speech.counted``).
        self.counted: Mapping[str, str] = counted or {}
        # Said name -> as said after a count of one, for a name that is a plural (empty: said whole as a pack of
        # it, "1 pack of Limes"; ``skill.speech.counted.single_names``).
        self.single: Mapping[str, str] = single or {}

    def has(self, key: str) -> bool:
        return key in self._strings

    def say(self, key: str, **values: Any) -> str:
        try:
            template = self._strings[key]
        except KeyError as exc:
            raise MissingSpeech(f"no speech {key!r} for {self.locale}") from exc
        if isinstance(template, list):
            template = self._rng.choice(template)
        template, values = self._counted(template, self._with_cart(template, values))
        safe = {name: escape(_said(name, value)) for name, value in values.items()}
        text = string.Formatter().vformat(template, (), safe)
        return text[:MAX_SPEECH_CHARACTERS]

    def plain(self, key: str, **values: Any) -> str:
        """Text for cards: the same sentence, unescaped."""
        template = self._strings[key]
        if isinstance(template, list):
            template = template[0]
        template, values = self._counted(template, self._with_cart(template, values))
        return template.format(**{name: _said(name, value) for name, value in values.items()})

    def _with_cart(self, template: str, values: dict[str, Any]) -> dict[str, Any]:
        """``{cart}`` is this locale's word for it ("basket" in en-GB) unless the caller names it: a sentence that
        says the cart never needs its caller to remember the word (nor fails on a missing value when one doesn't)."""
        if "{cart}" not in template or "cart" in values:
            return values
        word = self._strings.get("word.cart", "cart")
        return {**values, "cart": word if isinstance(word, str) else word[0]}

    def _counted(self, template: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """ "{quantity} {product}" with a count above one says a counted product's name in the plural; with a count
        of one, a name that is a plural as one of it ("1 Organic Lemon", "1 pack of Limes": never "1 Limes")."""
        if "product" not in values:
            return template, values
        if str(values.get("quantity", "1")) == "1" and (one := self._single(template, values)) is not None:
            return one
        if _COUNT_THEN_NAME not in template or str(values.get("quantity", "1")) == "1":
            return template, values
        plural = self.counted.get(said_name(str(values["product"])))
        if plural is None:
            return template, values
        return template.replace(_COUNT_THEN_NAME, "{quantity} {counted_product}"), {**values, "counted_product": plural}

    def _single(self, template: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        said = said_name(str(values["product"]))
        single = self.single.get(said)
        if single is None:
            return None
        for count in (_COUNT_THEN_NAME, _ONE_THEN_NAME):
            if count in template:
                number = count.partition(" ")[0]
                if single:
                    return template.replace(count, f"{number} {{single_product}}"), {**values, "single_product": single}
                pack = self._strings.get("line.pack_of_plural", "")
                if isinstance(pack, str) and pack:
                    return template.replace(count, pack.replace("{quantity}", number)), values
        return None

    def money(self, amount: Decimal, *, currency: str = STORE_CURRENCY) -> str:
        """An amount in the store's currency, as this locale says it (see the module's docstring)."""
        cents = int((amount * 100).quantize(Decimal(1)))
        whole, part = divmod(abs(cents), 100)
        key = self._money_key(currency, whole, part, negative=cents < 0)
        sign = "-" if cents < 0 else ""
        return self.plain(key, amount=f"{sign}{whole}.{part:02d}", whole=f"{sign}{whole}", cents=str(part))

    def _money_key(self, currency: str, whole: int, part: int, *, negative: bool) -> str:
        """The most specific form this locale has for the amount: whole units only, cents only ("48 cents", not
        "0 US dollars and 48 cents"), one unit ("1 US dollar"), else the general form."""
        base = f"money.{currency}"
        if whole == 1 and not negative:
            base_one = f"{base}.one"
            wanted = f"{base_one}.whole" if part == 0 else base_one
            if self.has(wanted):
                return wanted
        if part == 0 and self.has(f"{base}.whole"):
            return f"{base}.whole"
        if whole == 0 and part and not negative and self.has(f"{base}.cents"):
            return f"{base}.cents"
        return base

    def date(self, day: date, *, weekday: bool = False) -> str:
        """A day as this locale says it: "November 20" (en-US), "20 November" (en-GB)."""
        key = "date.with_weekday" if weekday else "date.day"
        return self.plain(key, weekday=f"{day:%A}", month=f"{day:%B}", day=str(day.day))

    def time_of_day(self, moment: time) -> str:
        """A clock time as this locale says it: "8 pm", "8:30 am" (en-US; en-GB may say it otherwise)."""
        hour = moment.hour % 12 or 12
        meridiem = self.plain("time.pm" if moment.hour >= 12 else "time.am")
        if moment.minute:
            return self.plain("time.with_minutes", hour=hour, minute=f"{moment.minute:02d}", meridiem=meridiem)
        return self.plain("time.on_the_hour", hour=hour, meridiem=meridiem)

    def product_line(self, quantity: int, name: str, unit: str | None = None) -> str:
        """One line of a cart or an order: "2 Organic Bananas"; with the unit the customer said, "2 pounds of
        Honeycrisp Apples", "a dozen Large Eggs", "a six-pack of Beer", "half a pound of Sliced Turkey"."""
        if not unit:
            return self.plain("line.product", quantity=quantity, product=name)
        number = "one" if quantity == 1 else "other"
        part, _, rest = unit.partition(" ")
        values: dict[str, Any] = {"quantity": quantity, "product": name}  # said as a person says it: ``_said``
        if self.has(f"line.unit.{unit}.{number}"):  # a unit said its own way ("a dozen", "half a dozen")
            key = f"line.unit.{unit}.{number}"
        elif MIXED in f" {rest} " and self.has(f"line.mixed.{number}"):  # "one and a half pound"
            whole, _, measure = unit.partition(MIXED)
            own = f"line.mixed.{measure}.{number}"  # "one and a half dozen Eggs"
            key = own if self.has(own) else f"line.mixed.{number}"
            values |= {"whole": whole, "units": self.unit_name(measure, 2)}
        elif rest == "pack":  # "six pack": a pack of that many
            key, values["count"] = f"line.pack.{number}", part
        elif rest and self.has(f"line.fraction.{part}.{number}"):  # "half gallon", "quarter pound"
            key = f"line.fraction.{part}.{number}"
            values |= {"unit": self.unit_name(rest, 1), "units": self.unit_name(rest, 2)}
        else:
            key = f"line.unit.{number}"
            values |= {"unit": self.unit_name(unit, 1), "units": self.unit_name(unit, 2)}
        return self.plain(key, **values)

    def unit_name(self, unit: str, quantity: int) -> str:
        """A unit as said for ``quantity`` of it: "pound" / "pounds", "box" / "boxes"; a locale may spell one its
        own way (en-GB "litre")."""
        number = "one" if quantity == 1 else "other"
        key = f"unit.{unit}.{number}"
        if self.has(key):
            return self.plain(key)
        if number == "one":
            return unit
        if unit.endswith(("x", "ch", "sh", "s")):
            return unit + "es"
        if unit.endswith("f"):
            return unit[:-1] + "ves"
        return unit + "s"

    def join(self, items: list[str]) -> str:
        """Speak a list as people do: "a", "a and b", "a, b and c" (en-GB/en-US alike, no Oxford comma)."""
        conjunction = self._strings.get("list.and", "and")
        assert isinstance(conjunction, str)
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _said(placeholder: str, value: Any) -> str:
    """A value as it goes into a sentence: a product's name as a person says it."""
    text = str(value)
    return said_name(text) if placeholder in PRODUCT_NAME_VALUES else text
