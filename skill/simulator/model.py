"""An interaction model loaded for matching: sample patterns per intent, slot types indexed by spoken text.

Slot type values and synonyms are indexed by their normalised text (a dict lookup), so entity resolution costs the
same with 50 values or 50,000.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.models.spoken import normalise_heard, spoken_form

_SLOT = re.compile(r"^\{([A-Za-z][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True, slots=True)
class Piece:
    """One element of a sample pattern: a literal word, or a slot (``slot`` set)."""

    word: str = ""
    slot: str = ""


@dataclass(frozen=True, slots=True)
class Pattern:
    intent: str
    pieces: tuple[Piece, ...]
    literals: frozenset[str]
    order: int  # position in the model, for deterministic tie-breaking

    @property
    def literal_count(self) -> int:
        return sum(1 for piece in self.pieces if not piece.slot)


@dataclass(frozen=True, slots=True)
class ResolvedValue:
    id: str
    name: str


@dataclass(slots=True)
class SlotType:
    name: str
    index: dict[str, list[ResolvedValue]] = field(default_factory=dict)
    value_count: int = 0

    def resolve(self, heard: str) -> list[ResolvedValue]:
        return self.index.get(spoken_form(heard), [])


def slot_type_from_values(name: str, values: list[Any]) -> SlotType:
    """A slot type indexed from ASK ``values`` ([{"id", "name": {"value", "synonyms"}}]), as the model has them
    and as ``Dialog.UpdateDynamicEntities`` sends them."""
    index: dict[str, list[ResolvedValue]] = defaultdict(list)
    for value in values:
        if not isinstance(value, dict) or not isinstance(value.get("name"), dict):
            continue
        text = str(value["name"].get("value", ""))
        resolved = ResolvedValue(id=str(value.get("id", text)), name=text)
        synonyms = value["name"].get("synonyms") or []
        for spoken in {spoken_form(text), *(spoken_form(str(s)) for s in synonyms)}:
            if spoken and resolved not in index[spoken]:
                index[spoken].append(resolved)
    return SlotType(name, dict(index), len(values))


@dataclass(frozen=True, slots=True)
class IntentInfo:
    name: str
    slots: dict[str, str]  # slot name -> type
    in_dialog_model: bool


@dataclass(slots=True)
class LoadedModel:
    invocation_name: str
    intents: dict[str, IntentInfo]
    patterns: list[Pattern]
    slot_patterns: dict[tuple[str, str], list[Pattern]]  # (intent, slot) -> elicitation answers
    types: dict[str, SlotType]
    skill_id: str = ""

    def slot_type(self, intent: str, slot: str) -> str:
        return self.intents[intent].slots[slot]


def _pattern(intent: str, sample: str, order: int) -> Pattern:
    pieces: list[Piece] = []
    for raw in sample.replace("{", " {").replace("}", "} ").split():
        match = _SLOT.match(raw)
        if match:
            pieces.append(Piece(slot=match.group(1)))
        else:
            pieces.extend(Piece(word=word) for word in normalise_heard(raw).split())
    literals = frozenset(piece.word for piece in pieces if not piece.slot)
    return Pattern(intent=intent, pieces=tuple(pieces), literals=literals, order=order)


def load_model(document: dict[str, Any]) -> LoadedModel:
    model = document["interactionModel"]
    language = model["languageModel"]
    dialog_intents = {intent["name"] for intent in model.get("dialog", {}).get("intents", [])}
    types: dict[str, SlotType] = {}
    for slot_type in language.get("types", []):
        types[slot_type["name"]] = slot_type_from_values(slot_type["name"], slot_type.get("values", []))
    intents: dict[str, IntentInfo] = {}
    patterns: list[Pattern] = []
    slot_patterns: dict[tuple[str, str], list[Pattern]] = {}
    order = 0
    for intent in language["intents"]:
        name = intent["name"]
        slots = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        intents[name] = IntentInfo(name=name, slots=slots, in_dialog_model=name in dialog_intents)
        for sample in intent.get("samples", []):
            patterns.append(_pattern(name, sample, order))
            order += 1
        for slot in intent.get("slots", []):
            answers = [_pattern(name, sample, order + i) for i, sample in enumerate(slot.get("samples", []))]
            order += len(answers)
            if answers:
                slot_patterns[(name, slot["name"])] = answers
    return LoadedModel(
        invocation_name=language["invocationName"],
        intents=intents,
        patterns=patterns,
        slot_patterns=slot_patterns,
        types=types,
    )


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> LoadedModel:
    del mtime_ns  # part of the cache key only: a rebuilt file is reloaded
    return load_model(json.loads(Path(path).read_text(encoding="utf-8")))


def load_model_file(path: Path) -> LoadedModel:
    """Load (once per file version) the model at ``path``."""
    return _load_cached(str(path), path.stat().st_mtime_ns)
