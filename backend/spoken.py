"""Spoken-form normalisation, shared by catalog names and heard queries, and a phrase-level sound key.

Speech recognisers write what they hear as words: "2%" comes back as "two percent", "&" as "and",
"16 oz" as "sixteen ounces", "Annie's" as "annies". ``spoken_form`` rewrites any text to that
spoken shape so a catalog name and what a recogniser heard for it meet in the middle:

- case folded, accents removed ("Crème" -> "creme");
- symbols said aloud: "&" -> "and", "%" -> "percent", "+" -> "plus", "w/" -> "with", "#" -> "number";
- numbers said as words: "2" -> "two", "100" -> "one hundred", "1.5" -> "one point five",
  "2nd" -> "second", "10,000" -> "ten thousand", "14oz" -> "fourteen ounce";
- units and pack words spelled out: "oz" -> "ounce", "ct" -> "count", "lbs" -> "pound", "pk" -> "pack";
- possessives dropped ("annie's" -> "annie"), other apostrophes and punctuation removed;
- plurals folded to one form per word ("berries" -> "berry", "tomatoes" -> "tomato", "eggs" -> "egg").

``query_form`` also strips what a request wraps around the product words: fillers at the start
("please", "i need", "some", "a bag of") and carrier words at the end ("to my cart", "please").
Both functions are idempotent.

``sound_key`` turns a spoken form into a coarse pronunciation string, ignoring word boundaries,
because recognition errors are phonetic and cross words: "whole" is heard "hell", "milk" "mail",
"butter" "but er". Vowels collapse to one class, consonant spellings of the same sound merge.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from backend.number_words import ONES, TENS

_ORDINAL_ENDINGS: Final = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}

_SYMBOLS: Final = {
    "&": " and ",
    "%": " percent ",
    "+": " plus ",
    "@": " at ",
    "#": " number ",
    "$": " dollar ",
    "°": " degree ",
    "½": " one half ",
    "¼": " one quarter ",
    "¾": " three quarter ",
}
_SYMBOL_PATTERN: Final = re.compile("|".join(re.escape(symbol) for symbol in _SYMBOLS))
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

# Units and pack words, always unambiguous as abbreviations.
_UNITS: Final = {
    "oz": "ounce",
    "fl": "fluid",
    "lb": "pound",
    "lbs": "pound",
    "ct": "count",
    "pk": "pack",
    "gal": "gallon",
    "qt": "quart",
    "pt": "pint",
    "ml": "milliliter",
    "mg": "milligram",
    "mcg": "microgram",
    "kg": "kilogram",
    "pc": "piece",
    "doz": "dozen",
    "sz": "size",
    "lg": "large",
    "sm": "small",
    "xl": "extra large",
    "pkg": "package",
    "btl": "bottle",
    "ea": "each",
    "asst": "assorted",
}
# Abbreviations that are units only right after a number ("4 g" but not "g" alone).
_UNITS_AFTER_NUMBER: Final = {"g": "gram", "l": "liter", "in": "inch", "ft": "foot", "x": "by"}

# Words ending in "s" that are not plurals (and short words, which the length rule keeps anyway).
_NOT_PLURAL: Final = frozenset(
    (
        "swiss",
        "series",
        "species",
        "molasses",
        "hummus",
        "couscous",
        "asparagus",
        "citrus",
        "hibiscus",
        "lotus",
        "octopus",
        "cactus",
        "plus",
        "bus",
        "gas",
        "yes",
        "this",
        "his",
        "its",
        "was",
        "has",
        "less",
        "bless",
        "analysis",
        "tennis",
        "paris",
    )
)
_KEEP_ENDINGS: Final = ("ss", "us", "is")

_FILLER_START: Final = re.compile(
    r"^(?:(?:please|okay|ok|alexa|um|uh|and|also|can you|could you|would you|will you|i need|i want|"
    r"i would like|i d like|id like|we need|get me|give me|buy me|i ll take|add|put|order|buy|get|"
    r"(?:(?:a|one|two|three|four|five|six) )?(?:bag|box|carton|bottle|can|jar|pack|package|loaf|bunch|"
    r"pound|gallon|dozen|container|case|tub|bar|piece)s? of|"
    r"(?:a|one|two|three|half a) dozen|"
    r"reorder|some|more|another|a couple of|a few|a|an|the|my|of) )+"
)
_CARRIER_END: Final = re.compile(
    r"(?: (?:to|in|into|on|onto|for|from) (?:my|the|our) (?:shopping )?(?:cart|basket|list|order|trolley)"
    r"| please| for me| thank you| thanks| too| as well| again| now)+$"
)


def _number_words(digits: str) -> list[str]:
    """English words for a digit string; long numbers (over 6 digits) are read digit by digit."""
    if len(digits) > 6:
        return [ONES[int(digit)] for digit in digits]
    value = int(digits)
    if value < 20:
        return [ONES[value]]
    if value < 100:
        tens, ones = divmod(value, 10)
        return [TENS[tens]] + ([ONES[ones]] if ones else [])
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return [ONES[hundreds], "hundred"] + (_number_words(str(rest)) if rest else [])
    thousands, rest = divmod(value, 1000)
    return [*_number_words(str(thousands)), "thousand"] + (_number_words(str(rest)) if rest else [])


def _ordinal_words(digits: str) -> list[str]:
    words = _number_words(digits)
    last = words[-1]
    if last in _ORDINAL_ENDINGS:
        words[-1] = _ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


@lru_cache(maxsize=65_536)
def singular(word: str) -> str:
    """One form for singular and plural: "berries" -> "berry", "cookie" -> "cooky", "eggs" -> "egg"."""
    if len(word) <= 3 or word in _NOT_PLURAL:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ie"):
        # "cookie" and "cookies" must meet: both become "cooky".
        return word[:-2] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes", "oes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_ENDINGS):
        return word[:-1]
    return word


def _fold(text: str) -> str:
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


_NUMBER_MARK: Final = "0"  # left after a spelled number so "4 g" can become "four gram"
_NUMBER_TOKEN: Final = re.compile(r"(\d+)(?:(st|nd|rd|th)\b)?")


_THOUSANDS_COMMA: Final = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL_POINT: Final = re.compile(r"(\d)\.(\d)")
_DIGIT_LETTER_JOIN: Final = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
_SPACED_ORDINAL: Final = re.compile(r"(\d+) (st|nd|rd|th)\b")
_DIGIT: Final = re.compile(r"\d")
_POSSESSIVE: Final = re.compile(r"(?<=[a-z])'s\b")
_WITH_SLASH: Final = re.compile(r"\bw/")
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")


def _spell_numbers(text: str) -> str:
    text = _THOUSANDS_COMMA.sub("", text)  # 10,000 -> 10000
    text = _DECIMAL_POINT.sub(r"\1 point \2", text)  # 1.5 -> 1 point 5
    text = _DIGIT_LETTER_JOIN.sub(" ", text)  # 14oz -> 14 oz, d3 -> d 3

    def spell(match: re.Match[str]) -> str:
        digits, ordinal = match.group(1), match.group(2)
        words = _ordinal_words(digits) if ordinal else _number_words(digits)
        return f" {' '.join(words)} {_NUMBER_MARK} "

    return _NUMBER_TOKEN.sub(spell, _SPACED_ORDINAL.sub(r"\1\2", text))


@lru_cache(maxsize=65_536)
def spoken_form(text: str) -> str:
    """The spoken shape of a product name or a heard phrase: lowercase words separated by single spaces."""
    text = _fold(text).translate(_APOSTROPHES)
    if "w/" in text:
        text = _WITH_SLASH.sub(" with ", text)
    text = _SYMBOL_PATTERN.sub(lambda match: _SYMBOLS[match.group(0)], text)
    if "'" in text:
        text = _POSSESSIVE.sub("", text).replace("'", "")
    if _DIGIT.search(text):
        text = _spell_numbers(text)
    text = _NOT_ALNUM.sub(" ", text)
    words: list[str] = []
    after_number = False
    for piece in text.split():
        if piece == _NUMBER_MARK:
            after_number = True
            continue
        word = singular(piece)
        if after_number and word in _UNITS_AFTER_NUMBER:
            words.extend(_UNITS_AFTER_NUMBER[word].split())
        else:
            words.extend(_UNITS.get(word, word).split())
        after_number = False
    return " ".join(words)


def without_carrier(spoken: str) -> str:
    """A spoken form without the words a request ends with ("to my cart", "please")."""
    return _CARRIER_END.sub("", spoken).strip() or spoken


@lru_cache(maxsize=16_384)
def query_form(text: str) -> str:
    """``spoken_form`` without the request words around the product ("please add some oat milk to my cart")."""
    spoken = spoken_form(text)
    stripped = _CARRIER_END.sub("", _FILLER_START.sub("", spoken + " ").strip())
    return stripped.strip() or spoken


def leading_words(text: str) -> tuple[str, ...]:
    """The words ``query_form`` takes off the start of a request: "and the" of "and the orange marmalade"."""
    spoken = without_carrier(spoken_form(text))
    kept = query_form(text)
    if kept == spoken or not spoken.endswith(" " + kept):
        return ()
    return tuple(spoken[: -len(kept)].split())


_SOUND_RULES: Final = (
    (re.compile(r"^kn|^gn|^pn|^wr"), lambda match: match.group(0)[1]),
    (re.compile(r"x"), lambda _: "ks"),
    (re.compile(r"who"), lambda _: "ho"),
    (re.compile(r"wh"), lambda _: "w"),
    (re.compile(r"tch|ch|sh|sch|ti(?=[ao])|ci(?=[ao])"), lambda _: "x"),
    (re.compile(r"ph"), lambda _: "f"),
    (re.compile(r"th"), lambda _: "0"),
    (re.compile(r"gh(?![aeiou])"), lambda _: ""),
    (re.compile(r"ck|q"), lambda _: "k"),
    (re.compile(r"c(?=[eiy])"), lambda _: "s"),
    (re.compile(r"c"), lambda _: "k"),
    (re.compile(r"dg(?=[eiy])|g(?=[eiy])"), lambda _: "j"),
    (re.compile(r"z"), lambda _: "s"),
    (re.compile(r"v"), lambda _: "f"),
    (re.compile(r"(?<=[a-z0]{2})e$"), lambda _: ""),  # silent final e, not in "she"
    (re.compile(r"(?<![aeiouy])h|h(?![aeiouy])"), lambda _: ""),
    (re.compile(r"[aeiouy]+"), lambda _: "a"),
)


_REPEATS: Final = re.compile(r"(.)\1+")


@lru_cache(maxsize=131_072)
def word_sound(word: str) -> str:
    """The sound key of one word (see ``sound_key``)."""
    for pattern, replace in _SOUND_RULES:
        word = pattern.sub(replace, word)
    return word


def sound_key(spoken: str) -> str:
    """A coarse pronunciation of a spoken form, without word boundaries: "whole milk" -> "halmalk"."""
    joined = "".join(word_sound(word) for word in spoken.split())
    return _REPEATS.sub(r"\1", joined)
