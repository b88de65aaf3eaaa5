"""Sample-utterance templates: "(add|put) [some] {product} in <cart>" -> the plain samples Alexa takes.

Syntax: ``(a|b|)`` alternatives (an empty one makes the group optional), ``[words]`` optional words,
``<name>`` a named fragment, ``{slot}`` passed through. Expansion order is deterministic (left to right,
alternatives in the order written) and duplicates are dropped, keeping the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_FRAGMENT = re.compile(r"<([a-z_]+)>")
_MAX_FRAGMENT_DEPTH = 10


class TemplateError(ValueError):
    """A template that cannot be expanded (unbalanced brackets, unknown fragment)."""


def _substitute_fragments(template: str, fragments: Mapping[str, str]) -> str:
    text = template
    for _ in range(_MAX_FRAGMENT_DEPTH):
        if "<" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in fragments:
                raise TemplateError(f"unknown fragment <{name}> in {template!r}")
            return f"({fragments[name]})"

        text = _FRAGMENT.sub(replace, text)
    raise TemplateError(f"fragments nest too deeply in {template!r}")


def _parse_sequence(text: str, pos: int, closers: str) -> tuple[list[str], int]:
    """Expand from ``pos`` until one of ``closers`` (or '|') at this level; returns (expansions, end)."""
    results = [""]
    while pos < len(text):
        char = text[pos]
        if char in closers or char == "|":
            return results, pos
        if char in "([":
            closer = ")" if char == "(" else "]"
            alternatives, pos = _parse_alternatives(text, pos + 1, closer)
            if char == "[":
                alternatives = [*alternatives, ""]
            results = [head + alt for head in results for alt in alternatives]
            continue
        if char in ")]":
            raise TemplateError(f"unbalanced {char!r} at {pos} in {text!r}")
        results = [head + char for head in results]
        pos += 1
    return results, pos


def _parse_alternatives(text: str, pos: int, closer: str) -> tuple[list[str], int]:
    alternatives: list[str] = []
    while True:
        expansions, pos = _parse_sequence(text, pos, closer)
        alternatives.extend(expansions)
        if pos >= len(text):
            raise TemplateError(f"missing {closer!r} in {text!r}")
        if text[pos] == "|":
            pos += 1
            continue
        if text[pos] != closer:
            raise TemplateError(f"expected {closer!r} at {pos} in {text!r}, found {text[pos]!r}")
        return alternatives, pos + 1


def expand(template: str, fragments: Mapping[str, str] | None = None) -> list[str]:
    """Every sample ``template`` stands for, whitespace-normalised, first occurrence kept."""
    text = _substitute_fragments(template, fragments or {})
    expansions, pos = _parse_sequence(text, 0, "")
    if pos != len(text):  # _parse_sequence stops early only on a top-level "|"
        raise TemplateError(f"'|' outside a group in {template!r}")
    seen: dict[str, None] = {}
    for expansion in expansions:
        sample = " ".join(expansion.split())
        if sample:
            seen.setdefault(sample, None)
    return list(seen)


def expand_all(templates: list[str], fragments: Mapping[str, str] | None = None) -> list[str]:
    seen: dict[str, None] = {}
    for template in templates:
        for sample in expand(template, fragments):
            seen.setdefault(sample, None)
    return list(seen)
