"""The hand-written model source (``interaction_models/src``): templates, hand-made slot types, dialog prompts.

``model.yaml`` holds what every locale shares; ``locales/<locale>.yaml`` may override fragments and add slot
type values. Loading validates the shape and raises ``ModelSourceError`` with the file and the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backend.errors import VoicecartError

SOURCE_FILE = "model.yaml"
LOCALES_DIR = "locales"


class ModelSourceError(VoicecartError):
    """The model source files are missing or malformed."""


@dataclass(frozen=True, slots=True)
class TypeValue:
    id: str
    value: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SlotSource:
    name: str
    type: str
    samples: tuple[str, ...] = ()  # templates for slot elicitation answers


@dataclass(frozen=True, slots=True)
class IntentSource:
    name: str
    slots: tuple[SlotSource, ...]
    samples: tuple[str, ...]  # templates


@dataclass(frozen=True, slots=True)
class ModelSource:
    locale: str
    invocation_name: str
    fragments: Mapping[str, str]
    intents: tuple[IntentSource, ...]
    types: Mapping[str, tuple[TypeValue, ...]]
    delegation_strategy: str
    elicitation_prompts: Mapping[str, Mapping[str, tuple[str, ...]]]  # intent -> slot -> prompts


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelSourceError(f"cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ModelSourceError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ModelSourceError(f"{path}: the top level must be a mapping")
    return data


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ModelSourceError(f"{where} must be a list of strings")
    return tuple(value)


def _type_values(raw: Any, where: str) -> tuple[TypeValue, ...]:
    if not isinstance(raw, list):
        raise ModelSourceError(f"{where} must be a list of values")
    values = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "value" not in item:
            raise ModelSourceError(f"{where}[{index}] needs a value")
        values.append(
            TypeValue(
                id=str(item.get("id", item["value"])),
                value=str(item["value"]),
                synonyms=_strings(item.get("synonyms"), f"{where}[{index}].synonyms"),
            )
        )
    return tuple(values)


def _intents(raw: Any, path: Path) -> tuple[IntentSource, ...]:
    if not isinstance(raw, dict) or not raw:
        raise ModelSourceError(f"{path}: 'intents' must be a non-empty mapping")
    intents = []
    for name, raw_body in raw.items():
        body = raw_body or {}
        if not isinstance(body, dict):
            raise ModelSourceError(f"{path}: intent {name} must be a mapping")
        slots = []
        for slot_name, raw_slot in (body.get("slots") or {}).items():
            slot_body = {"type": raw_slot} if isinstance(raw_slot, str) else raw_slot
            if not isinstance(slot_body, dict) or not isinstance(slot_body.get("type"), str):
                raise ModelSourceError(f"{path}: slot {name}.{slot_name} needs a type")
            slots.append(
                SlotSource(
                    name=str(slot_name),
                    type=slot_body["type"],
                    samples=_strings(slot_body.get("samples"), f"{name}.{slot_name}.samples"),
                )
            )
        intents.append(
            IntentSource(name=str(name), slots=tuple(slots), samples=_strings(body.get("samples"), f"{name}.samples"))
        )
    return tuple(intents)


def available_locales(source_dir: Path) -> list[str]:
    """Locales with an override file, sorted."""
    return sorted(path.stem for path in (source_dir / LOCALES_DIR).glob("*.yaml"))


def load_source(source_dir: Path, locale: str) -> ModelSource:
    """The model source for ``locale``: ``model.yaml`` with ``locales/<locale>.yaml`` applied."""
    base_path = source_dir / SOURCE_FILE
    base = _read_yaml(base_path)
    locale_path = source_dir / LOCALES_DIR / f"{locale}.yaml"
    if not locale_path.is_file():
        raise ModelSourceError(f"no locale file {locale_path}")
    override = _read_yaml(locale_path)

    invocation = override.get("invocation_name", base.get("invocation_name"))
    if not isinstance(invocation, str):
        raise ModelSourceError(f"{base_path}: 'invocation_name' must be a string")
    fragments = {**(base.get("fragments") or {}), **(override.get("fragments") or {})}
    if not all(isinstance(value, str) for value in fragments.values()):
        raise ModelSourceError(f"{base_path}: fragments must be strings")

    types: dict[str, tuple[TypeValue, ...]] = {}
    for source, path in ((base, base_path), (override, locale_path)):
        for type_name, raw_values in (source.get("types") or {}).items():
            added = _type_values(raw_values, f"{path.name}: types.{type_name}")
            known = {value.id for value in types.get(type_name, ())}
            types[type_name] = types.get(type_name, ()) + tuple(v for v in added if v.id not in known)

    dialog = base.get("dialog") or {}
    prompts: dict[str, dict[str, tuple[str, ...]]] = {}
    for intent_name, slots in (dialog.get("elicit") or {}).items():
        prompts[str(intent_name)] = {
            str(slot): _strings(texts, f"dialog.elicit.{intent_name}.{slot}") for slot, texts in slots.items()
        }
    return ModelSource(
        locale=locale,
        invocation_name=invocation,
        fragments=fragments,
        intents=_intents(base.get("intents"), base_path),
        types=types,
        delegation_strategy=str(dialog.get("delegation_strategy", "SKILL_RESPONSE")),
        elicitation_prompts=prompts,
    )
