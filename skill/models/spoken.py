"""Spoken forms of written product names: what a customer says, and what Alexa writes in a slot value.

"Organic 2% Reduced Fat Milk" -> "organic two percent reduced fat milk"; "Half & Half" -> "half and half".
Amazon asks for slot values and samples written the way they are spoken: lower case words, numbers spelled out,
symbols read aloud, no punctuation except apostrophes (possessives) and periods in abbreviations.

This is local to the model builder and the simulator; ``backend.spoken`` (the resolver's normaliser) works on
heard text for matching, which is a different job.
"""

from __future__ import annotations

import re
import unicodedata

from backend.number_words import ONES, number_to_words

# Symbols read aloud. Order matters only for multi-character keys.
_SYMBOLS = {
    "&": " and ",
    "%": " percent ",
    "+": " plus ",
    "@": " at ",
    "=": " equals ",
    "$": " dollar ",
    "°": " degree ",
    "˚": " degree ",
}
# Size abbreviations that sit after a number ("16 oz", "5 mg").
_UNIT_WORDS = {
    "oz": "ounce",
    "fl": "fluid",
    "lb": "pound",
    "lbs": "pound",
    "ct": "count",
    "pk": "pack",
    "mg": "milligram",
    "mcg": "microgram",
    "ml": "milliliter",
    "gal": "gallon",
    "qt": "quart",
    "pt": "pint",
    "kg": "kilogram",
    "g": "gram",
    "mm": "millimeter",
    "cm": "centimeter",
    "in": "inch",
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'"})
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NOT_SPOKEN = re.compile(r"[^a-z0-9'. ]+")
_FRACTIONS = {
    "1/2": " one half ",
    "1/3": " one third ",
    "2/3": " two thirds ",
    "1/4": " one quarter ",
    "3/4": " three quarters ",
}


def _speak_number(match: re.Match[str]) -> str:
    text = match.group(0)
    whole, _, fraction = text.partition(".")
    # Long digit runs (codes, model numbers) are read digit by digit, as people say them.
    words = number_to_words(int(whole)) if len(whole) <= 9 else " ".join(ONES[int(d)] for d in whole)
    if fraction:
        words += " point " + " ".join(ONES[int(d)] for d in fraction)
    return f" {words} "


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def spoken_form(text: str, *, spell_numbers: bool = True) -> str:
    """The canonical spoken form of ``text`` (idempotent: ``spoken_form(spoken_form(x)) == spoken_form(x)``)."""
    lowered = _strip_accents(text.translate(_APOSTROPHES)).lower()
    for symbol, said in _SYMBOLS.items():
        lowered = lowered.replace(symbol, said)
    lowered = re.sub(r"(?<=\d)\s*#", " pound ", lowered)
    lowered = lowered.replace("#", " number ")
    for fraction, said in _FRACTIONS.items():
        lowered = re.sub(rf"(?<![\d.]){re.escape(fraction)}(?![\d.])", said, lowered)
    lowered = re.sub(r"(?<=\d)/(?=\d)", " over ", lowered)
    lowered = re.sub(r"\bw/", "with ", lowered)
    # A period inside a number is a decimal point; every other period is punctuation.
    lowered = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", lowered)
    lowered = _LETTER_DIGIT.sub(" ", lowered)
    # Keep apostrophes only inside words (possessives, contractions).
    lowered = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", lowered)
    lowered = _NOT_SPOKEN.sub(" ", lowered)
    words = lowered.split()
    spoken: list[str] = []
    for index, word in enumerate(words):
        previous_is_number = index > 0 and _NUMBER.fullmatch(words[index - 1]) is not None
        if previous_is_number and word in _UNIT_WORDS:
            spoken.append(_UNIT_WORDS[word])
        else:
            spoken.append(word)
    joined = " ".join(spoken)
    if spell_numbers:
        joined = _NUMBER.sub(_speak_number, joined)
    return " ".join(joined.split())


def normalise_heard(text: str) -> str:
    """Text as the simulator compares it: lower case, symbols read aloud, digits kept as digits."""
    return spoken_form(text, spell_numbers=False)
