"""Utterance -> intent and slots, by matching the words against the model's sample utterances.

A sample matches when its words appear in order and every ``{slot}`` takes one or more of the remaining words.
Among the samples that match, the best one scores highest: each literal word counts most (the more specific
sample wins), then slots that resolve (a number that parses, a custom value or synonym that entity resolution
finds). A sample made of slots only ("{choice}", "{code}") matches only when its slots resolve, as Alexa would not
send a bare unknown phrase to such an intent; of several slots, one of an open vocabulary (products) may hold
unlisted words when the others resolve ("{amount} {product}": "a dozen eggs"). Nothing matching means
AMAZON.FallbackIntent.

Dynamic entities (``Dialog.UpdateDynamicEntities``) extend a custom type for the rest of a session, as Alexa does:
a value said from them resolves under the dynamic authority, listed before the static one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from skill.models.spoken import normalise_heard, spoken_form
from skill.simulator.builtins import BUILTIN_PHRASES, yes_or_no
from skill.simulator.model import LoadedModel, Pattern, ResolvedValue, SlotType
from skill.simulator.numbers import parse_four_digits, parse_number

FALLBACK_INTENT = "AMAZON.FallbackIntent"
_LITERAL_SCORE = 10
_RESOLVED_SCORE = 3
_TYPED_SCORE = 2
_UNRESOLVED_SCORE = -1
# Alexa fills a custom slot with unlisted words mostly when the type is a large open vocabulary (products);
# for short closed lists (units, choices) the simulator accepts only listed values and synonyms.
OPEN_TYPE_MIN_VALUES = 100


@dataclass(frozen=True, slots=True)
class HeardSlot:
    name: str
    type: str
    value: str
    resolutions: tuple[ResolvedValue, ...] | None  # None: a built-in type (no entity resolution block)
    dynamic: tuple[ResolvedValue, ...] | None = None  # None: no dynamic entities for this type in the session

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(value.id for value in (*(self.dynamic or ()), *(self.resolutions or ())))


@dataclass(frozen=True, slots=True)
class Heard:
    intent: str
    slots: dict[str, HeardSlot] = field(default_factory=dict)
    score: int = 0


@dataclass(frozen=True, slots=True)
class _SlotFill:
    value: str
    resolutions: tuple[ResolvedValue, ...] | None
    score: int
    strong: bool
    dynamic: tuple[ResolvedValue, ...] | None = None


class Matcher:
    def __init__(self, model: LoadedModel, dynamic: Mapping[str, SlotType] | None = None) -> None:
        self.model = model
        self.dynamic: Mapping[str, SlotType] = dynamic or {}
        self._builtins: dict[str, str] = {}
        for intent, phrases in BUILTIN_PHRASES.items():
            if intent in model.intents:
                for phrase in phrases:
                    self._builtins[normalise_heard(phrase)] = intent

    def builtin(self, text: str) -> str | None:
        """The built-in intent this whole utterance is, if any ("stop" -> AMAZON.StopIntent, "yeah sure" ->
        AMAZON.YesIntent)."""
        words = normalise_heard(text)
        found = self._builtins.get(words)
        if found is None:
            found = yes_or_no(words)
        return found if found is not None and found in self.model.intents else None

    def match(self, text: str) -> Heard:
        """The intent and slots Alexa would hear in ``text``; FallbackIntent when nothing matches."""
        builtin = self.builtin(text)
        if builtin is not None:
            return Heard(intent=builtin)
        best = self._best(normalise_heard(text).split(), self.model.patterns, relaxed_slot=None)
        if best is not None:
            return best
        return Heard(intent=FALLBACK_INTENT if FALLBACK_INTENT in self.model.intents else "")

    def match_slot_answer(self, text: str, intent: str, slot: str) -> Heard | None:
        """The answer to an elicitation of ``intent``'s ``slot``, if ``text`` is one (else None)."""
        patterns = self.model.slot_patterns.get((intent, slot), [])
        best = self._best(normalise_heard(text).split(), patterns, relaxed_slot=slot)
        if best is None or slot not in best.slots:
            return None
        return best

    # -- matching -------------------------------------------------------------------------------------------

    def _best(self, tokens: list[str], patterns: list[Pattern], *, relaxed_slot: str | None) -> Heard | None:
        if not tokens:
            return None
        present = set(tokens)
        best: tuple[int, int, Heard] | None = None
        for pattern in patterns:
            if not pattern.literals <= present or len(pattern.pieces) > len(tokens):
                continue
            found = self._match_pattern(pattern, tokens, relaxed_slot)
            if found is None:
                continue
            key = (found.score, -pattern.order)
            if best is None or key > best[:2]:
                best = (found.score, -pattern.order, found)
        return best[2] if best else None

    def _fill(self, intent: str, slot: str, words: list[str]) -> _SlotFill | None:
        slot_type = self.model.slot_type(intent, slot)
        if slot_type == "AMAZON.NUMBER":
            number = parse_number(words)
            return None if number is None else _SlotFill(str(number), None, _TYPED_SCORE, True)
        if slot_type == "AMAZON.FOUR_DIGIT_NUMBER":
            digits = parse_four_digits(words)
            return None if digits is None else _SlotFill(digits, None, _TYPED_SCORE, True)
        text = spoken_form(" ".join(words))
        if not text:
            return None
        custom = self.model.types.get(slot_type)
        if custom is None:  # another built-in type: the words as heard
            return _SlotFill(text, None, 0, False)
        resolved = tuple(custom.resolve(text))
        extra = self.dynamic.get(slot_type)
        dynamic = None if extra is None else tuple(extra.resolve(text))
        if resolved or dynamic:
            return _SlotFill(text, resolved, _RESOLVED_SCORE, True, dynamic)
        if custom.value_count < OPEN_TYPE_MIN_VALUES:
            return None
        return _SlotFill(text, (), _UNRESOLVED_SCORE, False, dynamic)

    def _slots_suffice(self, intent: str, fills: Mapping[str, _SlotFill], relaxed_slot: str | None) -> bool:
        """Whether a sample of slots only is heard: when every slot resolves, or (two slots or more) when those
        that do not are of an open vocabulary and the others resolve ("{amount} {product}": "a dozen eggs",
        "eggs" being no listed value, is no bare unknown phrase; "eggs" alone is). Words starting with "of" are
        no product said after its amount but a part of something named ("two of the organic ones")."""
        if all(fill.strong or name == relaxed_slot for name, fill in fills.items()):
            return True
        if len(fills) < 2:
            return False
        open_words = [name for name, fill in fills.items() if not fill.strong]
        return len(open_words) < len(fills) and all(
            self._open_type(intent, name) and not fills[name].value.startswith("of ") for name in open_words
        )

    def _open_type(self, intent: str, slot: str) -> bool:
        custom = self.model.types.get(self.model.slot_type(intent, slot))
        return custom is not None and custom.value_count >= OPEN_TYPE_MIN_VALUES

    def _match_pattern(self, pattern: Pattern, tokens: list[str], relaxed_slot: str | None) -> Heard | None:
        pieces = pattern.pieces
        memo: dict[tuple[int, int], tuple[int, dict[str, _SlotFill]] | None] = {}

        def best_from(pi: int, ti: int) -> tuple[int, dict[str, _SlotFill]] | None:
            key = (pi, ti)
            if key in memo:
                return memo[key]
            result: tuple[int, dict[str, _SlotFill]] | None = None
            if pi == len(pieces):
                result = (0, {}) if ti == len(tokens) else None
            elif not pieces[pi].slot:
                if ti < len(tokens) and tokens[ti] == pieces[pi].word:
                    rest = best_from(pi + 1, ti + 1)
                    result = None if rest is None else (rest[0] + _LITERAL_SCORE, rest[1])
            else:
                remaining = len(pieces) - pi - 1
                for end in range(ti + 1, len(tokens) - remaining + 1):
                    fill = self._fill(pattern.intent, pieces[pi].slot, tokens[ti:end])
                    if fill is None:
                        continue
                    rest = best_from(pi + 1, end)
                    if rest is None:
                        continue
                    score = rest[0] + fill.score
                    if result is None or score > result[0]:
                        result = (score, {**rest[1], pieces[pi].slot: fill})
            memo[key] = result
            return result

        found = best_from(0, 0)
        if found is None:
            return None
        score, fills = found
        if pattern.literal_count == 0 and not self._slots_suffice(pattern.intent, fills, relaxed_slot):
            return None
        slots = {
            name: HeardSlot(
                name=name,
                type=self.model.slot_type(pattern.intent, name),
                value=fill.value,
                resolutions=fill.resolutions,
                dynamic=fill.dynamic,
            )
            for name, fill in fills.items()
        }
        return Heard(intent=pattern.intent, slots=slots, score=score)
