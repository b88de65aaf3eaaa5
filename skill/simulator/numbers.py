"""Spoken numbers as Alexa's built-in slot types report them: AMAZON.NUMBER "two" -> "2",
AMAZON.FOUR_DIGIT_NUMBER "one two three four" (or "twelve thirty four") -> "1234"."""

from __future__ import annotations

from collections.abc import Sequence

from backend.number_words import ONES, TENS

_UNITS = {word: value for value, word in enumerate(ONES)}
_UNITS["oh"] = 0
_TENS = {word: 10 * tens for tens, word in enumerate(TENS) if word}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _below_hundred(tokens: Sequence[str]) -> int | None:
    if len(tokens) == 1:
        word = tokens[0]
        if word in _UNITS and word != "oh":
            return _UNITS[word]
        return _TENS.get(word)
    if len(tokens) == 2 and tokens[0] in _TENS and tokens[1] in _UNITS and 0 < _UNITS[tokens[1]] < 10:
        return _TENS[tokens[0]] + _UNITS[tokens[1]]
    return None


def _below_thousand(tokens: Sequence[str]) -> int | None:
    if "hundred" in tokens:
        at = tokens.index("hundred")
        head = tokens[:at]
        rest = [t for t in tokens[at + 1 :] if t != "and"]
        hundreds = 1 if list(head) in (["a"], ["one"]) else _below_hundred(head) if head else None
        if hundreds is None or not 0 < hundreds < 10:
            return None
        tail = _below_hundred(rest) if rest else 0
        return None if tail is None else hundreds * 100 + tail
    return _below_hundred(tokens)


def parse_number(tokens: Sequence[str]) -> int | None:
    """A whole number spoken in ``tokens`` ("two", "twenty five", "a hundred", "3"), or None."""
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    total = 0
    group: list[str] = []
    for token in tokens:
        if token in _SCALES:
            value = 1 if group in (["a"], ["one"]) else _below_thousand(group)
            if value is None:
                return None
            total += value * _SCALES[token]
            group = []
        else:
            group.append(token)
    if group:
        value = _below_thousand(group)
        if value is None:
            return None
        total += value
    return total


def parse_four_digits(tokens: Sequence[str]) -> str | None:
    """Four digits spoken as digits ("one two three four", "1234") or as pairs ("twelve thirty four")."""
    if len(tokens) == 1 and tokens[0].isdigit():
        return tokens[0] if len(tokens[0]) == 4 else None
    if len(tokens) == 4 and all(t in _UNITS and _UNITS[t] < 10 for t in tokens):
        return "".join(str(_UNITS[t]) for t in tokens)
    # Pairs: "twelve thirty four", "nineteen oh five", "one two thirty four".
    for split in range(1, len(tokens)):
        left, right = _pair(tokens[:split]), _pair(tokens[split:])
        if left is not None and right is not None:
            return left + right
    return None


def _pair(tokens: Sequence[str]) -> str | None:
    if len(tokens) == 2 and all(t in _UNITS and _UNITS[t] < 10 for t in tokens):
        return f"{_UNITS[tokens[0]]}{_UNITS[tokens[1]]}"
    value = _below_hundred(tokens)
    if value is not None and value >= 10:
        return str(value)
    return None
