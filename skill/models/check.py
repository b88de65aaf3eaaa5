"""Offline checks for the rules Amazon enforces when it builds an interaction model.

Each problem has a stable ``code`` (tests and scripts match on it), a human message and where it was found.
Rules and their codes:

    bad-json                   the file is not a JSON interaction model
    duplicate-intent           two intents with one name
    bad-intent-name            not letters/underscores (built-ins: AMAZON.<Name>)
    missing-required-intent    AMAZON.CancelIntent/HelpIntent/StopIntent/NavigateHomeIntent are required
    duplicate-slot             two slots with one name on an intent
    bad-slot-name              not a letter followed by letters, digits or underscores
    undeclared-slot            a {slot} in a sample that its intent does not declare
    slot-sample-without-slot   a slot elicitation sample that does not contain its slot
    unknown-slot-type          a slot type that is neither AMAZON.* nor a custom type in the model
    bad-type-name              a custom type name with characters other than letters and underscores
    duplicate-type             two custom types with one name
    duplicate-sample           a sample twice in one intent (after case and whitespace are normalised)
    sample-in-several-intents  one sample in two intents (same normalisation)
    bad-sample-characters      digits or punctuation Alexa does not accept in a sample
    sample-too-long            a sample over the length limit
    too-many-samples           an intent with more samples than the limit
    too-many-slot-values       more custom slot values in the model than Amazon allows
    slot-value-too-long        a value or synonym over the character limit
    too-many-synonyms          a value with more synonyms than the limit
    duplicate-value-id         two values of one type with one id
    empty-slot-value           a value with no text
    model-too-large            the model file is over the size limit
    bad-invocation-name        breaks the invocation name requirements
    dialog-unknown-intent      the dialog model names an intent the language model lacks
    dialog-unknown-slot        the dialog model names a slot its intent lacks
    unknown-prompt             a dialog prompt id with no entry in "prompts"
    elicited-slot-without-samples  a slot the dialog elicits but that has no slot samples
    slot-only-sample-in-dialog-intent  an intent sample of slots only, on an intent in the dialog model
    phrase-slot-without-carrier  an AMAZON.SearchQuery sample with no words besides its slot
    phrase-slot-with-other-slots  an AMAZON.SearchQuery slot with another slot in one sample

Sources for the slot-use rules: Amazon's build rejected "When using a Dialog Model, sample utterances for intents
cannot contain only slots" (alexa/alexa-cookbook#35) and "Sample intent utterances with phrase types cannot consist
of only slots" (alexa/alexa-cookbook#89). A phrase slot with another slot is our policy: the phrase slot takes
free-form words, so it stands alone with its carrier phrase.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.models.limits import (
    DEFAULT_LIMITS,
    FORBIDDEN_INVOCATION_WORDS,
    TWO_WORD_INVOCATION_STOPWORDS,
    Limits,
)

REQUIRED_INTENTS = ("AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.NavigateHomeIntent")
_INTENT_NAME = re.compile(r"^(AMAZON\.[A-Za-z]+|[A-Za-z_]+)$")
_SLOT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TYPE_NAME = re.compile(r"^[A-Za-z_]+$")
_SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
# Samples: letters (any script), spaces, apostrophes, periods (abbreviations), hyphens, and {slot} references.
_SAMPLE_TEXT = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]*)*$|^$")
_INVOCATION = re.compile(r"^[a-z][a-z' .]*[a-z.]$")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.code}: {self.message}" if self.where else f"{self.code}: {self.message}"


def normalise_sample(sample: str) -> str:
    return " ".join(sample.lower().split())


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_invocation(name: Any, limits: Limits) -> list[Problem]:
    where = "languageModel.invocationName"
    if not isinstance(name, str) or not name:
        return [Problem("bad-invocation-name", "the invocation name is missing", where)]
    problems = []
    words = name.split()
    if not _INVOCATION.match(name) or "  " in name:
        problems.append(
            Problem(
                "bad-invocation-name",
                f"{name!r}: only lower-case letters, single spaces, apostrophes and periods are allowed",
                where,
            )
        )
    if len(words) < limits.min_invocation_words:
        problems.append(Problem("bad-invocation-name", f"{name!r}: use at least two words", where))
    if len(name) > limits.max_invocation_chars:
        problems.append(Problem("bad-invocation-name", f"{name!r}: longer than {limits.max_invocation_chars}", where))
    forbidden = sorted(set(words) & FORBIDDEN_INVOCATION_WORDS)
    if forbidden:
        problems.append(Problem("bad-invocation-name", f"{name!r}: may not contain {', '.join(forbidden)}", where))
    if len(words) == 2 and set(words) & TWO_WORD_INVOCATION_STOPWORDS:
        problems.append(Problem("bad-invocation-name", f"{name!r}: a two-word name may not use articles", where))
    return problems


def _check_sample(sample: Any, declared: set[str], where: str, limits: Limits) -> list[Problem]:
    if not isinstance(sample, str):
        return [Problem("bad-sample-characters", f"{sample!r} is not a string", where)]
    problems = []
    for slot in _SLOT_REFERENCE.findall(sample):
        if slot not in declared:
            problems.append(Problem("undeclared-slot", f"{{{slot}}} in {sample!r} is not a slot of this intent", where))
    text = " ".join(_SLOT_REFERENCE.sub(" ", sample).split())
    if "{" in text or "}" in text or not _SAMPLE_TEXT.match(text):
        problems.append(
            Problem("bad-sample-characters", f"{sample!r}: spell numbers out; no punctuation but ' . -", where)
        )
    if len(sample) > limits.max_sample_chars:
        problems.append(Problem("sample-too-long", f"{sample!r} is over {limits.max_sample_chars} characters", where))
    return problems


def _check_types(types: list[Any], limits: Limits) -> tuple[set[str], list[Problem]]:
    problems: list[Problem] = []
    names: Counter[str] = Counter()
    total_values = 0
    for index, slot_type in enumerate(types):
        if not isinstance(slot_type, dict):
            problems.append(Problem("bad-json", "a slot type must be an object", f"types[{index}]"))
            continue
        name = str(slot_type.get("name", ""))
        where = f"types.{name}"
        names[name] += 1
        if not _TYPE_NAME.match(name) and not name.startswith("AMAZON."):
            problems.append(Problem("bad-type-name", f"{name!r}: letters and underscores only", where))
        ids: Counter[str] = Counter()
        for value in _as_list(slot_type.get("values")):
            total_values += 1
            block = value.get("name", {}) if isinstance(value, dict) else {}
            text = block.get("value") if isinstance(block, dict) else None
            if "id" in value:
                ids[str(value["id"])] += 1
            if not isinstance(text, str) or not text.strip():
                problems.append(Problem("empty-slot-value", f"a value of {name} has no text", where))
                continue
            synonyms = _as_list(block.get("synonyms"))
            for spoken in (text, *synonyms):
                if isinstance(spoken, str) and len(spoken) > limits.max_slot_value_chars:
                    problems.append(
                        Problem(
                            "slot-value-too-long",
                            f"{spoken[:40]!r}... is {len(spoken)} characters (limit {limits.max_slot_value_chars})",
                            where,
                        )
                    )
            if len(synonyms) > limits.max_synonyms_per_value:
                problems.append(
                    Problem(
                        "too-many-synonyms",
                        f"{text!r} has {len(synonyms)} synonyms (limit {limits.max_synonyms_per_value})",
                        where,
                    )
                )
        for value_id, count in sorted(ids.items()):
            if count > 1:
                problems.append(Problem("duplicate-value-id", f"id {value_id!r} is used {count} times", where))
    for name, count in sorted(names.items()):
        if count > 1:
            problems.append(Problem("duplicate-type", f"{name} is defined {count} times", f"types.{name}"))
    if total_values > limits.max_custom_slot_values:
        problems.append(
            Problem(
                "too-many-slot-values",
                f"{total_values} custom slot values (limit {limits.max_custom_slot_values})",
                "types",
            )
        )
    return set(names), problems


def _check_slot_use(sample: Any, slot_types: Mapping[str, str], in_dialog: bool, where: str) -> list[Problem]:
    """Rules on which slots a sample may hold: none only-slots in a dialog intent, phrase slots alone."""
    if not isinstance(sample, str):
        return []
    slots = _SLOT_REFERENCE.findall(sample)
    if not slots:
        return []
    words = " ".join(_SLOT_REFERENCE.sub(" ", sample).split())
    problems = []
    if in_dialog and not words:
        problems.append(Problem("slot-only-sample-in-dialog-intent", f"{sample!r} has no words besides slots", where))
    phrase = [slot for slot in slots if slot_types.get(slot) == "AMAZON.SearchQuery"]
    if phrase and not words:
        problems.append(Problem("phrase-slot-without-carrier", f"{sample!r} needs a carrier phrase", where))
    if phrase and len(slots) > 1:
        problems.append(Problem("phrase-slot-with-other-slots", f"{sample!r} combines a phrase slot", where))
    return problems


def _check_intents(
    intents: list[Any], type_names: set[str], limits: Limits, dialog_intents: frozenset[str] = frozenset()
) -> list[Problem]:
    problems: list[Problem] = []
    names: Counter[str] = Counter()
    owners: dict[str, list[str]] = defaultdict(list)
    for index, intent in enumerate(intents):
        if not isinstance(intent, dict):
            problems.append(Problem("bad-json", "an intent must be an object", f"intents[{index}]"))
            continue
        name = str(intent.get("name", ""))
        names[name] += 1
        where = f"intents.{name}"
        if not _INTENT_NAME.match(name):
            problems.append(Problem("bad-intent-name", f"{name!r}: letters and underscores only", where))
        slots = [slot for slot in _as_list(intent.get("slots")) if isinstance(slot, dict)]
        slot_names: Counter[str] = Counter(str(slot.get("name", "")) for slot in slots)
        declared = set(slot_names)
        for slot_name, count in sorted(slot_names.items()):
            if count > 1:
                problems.append(Problem("duplicate-slot", f"slot {slot_name!r} is declared {count} times", where))
            if not _SLOT_NAME.match(slot_name):
                problems.append(Problem("bad-slot-name", f"{slot_name!r} is not a valid slot name", where))
        for slot in slots:
            slot_name = str(slot.get("name", ""))
            slot_type = str(slot.get("type", ""))
            if not slot_type.startswith("AMAZON.") and slot_type not in type_names:
                problems.append(
                    Problem("unknown-slot-type", f"slot {slot_name!r} has unknown type {slot_type!r}", where)
                )
            for sample in _as_list(slot.get("samples")):
                problems.extend(_check_sample(sample, declared, f"{where}.slots.{slot_name}", limits))
                if (
                    slot_type == "AMAZON.SearchQuery"
                    and isinstance(sample, str)
                    and len(_SLOT_REFERENCE.findall(sample)) > 1
                ):
                    problems.append(
                        Problem("phrase-slot-with-other-slots", f"{sample!r} combines a phrase slot", where)
                    )
                if isinstance(sample, str) and f"{{{slot_name}}}" not in sample:
                    problems.append(
                        Problem("slot-sample-without-slot", f"{sample!r} does not contain {{{slot_name}}}", where)
                    )
        samples = _as_list(intent.get("samples"))
        if len(samples) > limits.max_samples_per_intent:
            problems.append(
                Problem("too-many-samples", f"{len(samples)} samples (limit {limits.max_samples_per_intent})", where)
            )
        seen: Counter[str] = Counter()
        slot_types = {str(slot.get("name", "")): str(slot.get("type", "")) for slot in slots}
        for sample in samples:
            problems.extend(_check_sample(sample, declared, where, limits))
            problems.extend(_check_slot_use(sample, slot_types, name in dialog_intents, where))
            if isinstance(sample, str):
                seen[normalise_sample(sample)] += 1
        for sample, count in sorted(seen.items()):
            owners[sample].append(name)
            if count > 1:
                problems.append(Problem("duplicate-sample", f"{sample!r} appears {count} times", where))
    for name, count in sorted(names.items()):
        if count > 1:
            problems.append(Problem("duplicate-intent", f"{name} is defined {count} times", f"intents.{name}"))
    for sample, intent_names in sorted(owners.items()):
        if len(intent_names) > 1:
            problems.append(
                Problem("sample-in-several-intents", f"{sample!r} is in {', '.join(intent_names)}", "intents")
            )
    for required in REQUIRED_INTENTS:
        if required not in names:
            problems.append(Problem("missing-required-intent", f"{required} is required", "intents"))
    return problems


def _check_dialog(model: Mapping[str, Any], intents: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    dialog = model.get("dialog") or {}
    prompt_ids = {str(p.get("id")) for p in _as_list(model.get("prompts")) if isinstance(p, dict)}
    by_name = {str(i.get("name")): i for i in intents if isinstance(i, dict)}
    for dialog_intent in _as_list(dialog.get("intents")):
        if not isinstance(dialog_intent, dict):
            continue
        name = str(dialog_intent.get("name", ""))
        where = f"dialog.intents.{name}"
        intent = by_name.get(name)
        if intent is None:
            problems.append(Problem("dialog-unknown-intent", f"{name} is not in the language model", where))
            continue
        language_slots = {str(s.get("name")): s for s in _as_list(intent.get("slots")) if isinstance(s, dict)}
        prompts = dialog_intent.get("prompts") or {}
        referenced = [str(v) for v in prompts.values()] if isinstance(prompts, dict) else []
        for slot in _as_list(dialog_intent.get("slots")):
            if not isinstance(slot, dict):
                continue
            slot_name = str(slot.get("name", ""))
            if slot_name not in language_slots:
                problems.append(Problem("dialog-unknown-slot", f"slot {slot_name!r} is not on {name}", where))
                continue
            slot_prompts = slot.get("prompts") or {}
            if isinstance(slot_prompts, dict):
                referenced.extend(str(v) for v in slot_prompts.values())
            if slot.get("elicitationRequired") and not _as_list(language_slots[slot_name].get("samples")):
                problems.append(
                    Problem(
                        "elicited-slot-without-samples",
                        f"slot {slot_name!r} is elicited but has no slot samples",
                        where,
                    )
                )
        for prompt_id in referenced:
            if prompt_id not in prompt_ids:
                problems.append(Problem("unknown-prompt", f"prompt {prompt_id!r} is not defined", where))
    return problems


def check_model(
    document: Mapping[str, Any], *, size_chars: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[Problem]:
    """Every rule broken by ``document`` (an ASK CLI interaction model), in a stable order."""
    model = document.get("interactionModel") if isinstance(document, Mapping) else None
    language = model.get("languageModel") if isinstance(model, Mapping) else None
    if not isinstance(model, Mapping) or not isinstance(language, Mapping):
        return [Problem("bad-json", 'expected {"interactionModel": {"languageModel": ...}}')]
    intents = _as_list(language.get("intents"))
    problems = _check_invocation(language.get("invocationName"), limits)
    type_names, type_problems = _check_types(_as_list(language.get("types")), limits)
    problems.extend(type_problems)
    dialog = model.get("dialog") or {}
    dialog_intents = frozenset(
        str(intent.get("name", "")) for intent in _as_list(dialog.get("intents")) if isinstance(intent, dict)
    )
    problems.extend(_check_intents(intents, type_names, limits, dialog_intents))
    problems.extend(_check_dialog(model, intents))
    if size_chars is not None and size_chars > limits.max_model_chars:
        problems.append(
            Problem("model-too-large", f"{size_chars} characters (limit {limits.max_model_chars})", "model")
        )
    return problems


def check_file(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Check one model file; problems carry the file name."""
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [Problem("bad-json", str(exc), str(path))]
    return [
        Problem(p.code, p.message, f"{path}: {p.where}" if p.where else str(path))
        for p in check_model(document, size_chars=len(text), limits=limits)
    ]
