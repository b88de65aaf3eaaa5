"""Build the interaction models: hand-written source + PRODUCT values from the catalog -> ASK CLI JSON files.

Reproducible: the same source, catalog and order histories give byte-identical files (sorted keys, values in
product-id order, templates expanded in the order written). ``build_models`` returns the files as text;
``write_models`` writes them; ``stale_files`` says which checked-in files differ from a fresh build.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.catalog import Product
from skill.models.limits import DEFAULT_LIMITS, Limits
from skill.models.products import CatalogNames, ProductSelection, product_value, select_product_values
from skill.models.render import render_model
from skill.models.source import ModelSource, TypeValue
from skill.models.templates import expand_all

PRODUCT_TYPE = "PRODUCT"
MODELS_SUBDIR = Path("skill-package") / "interactionModels" / "custom"
BUILD_INFO_FILE = "build-info.json"


def _type_json(name: str, values: Sequence[TypeValue]) -> dict[str, Any]:
    rendered = []
    for value in values:
        name_block: dict[str, Any] = {"value": value.value}
        if value.synonyms:
            name_block["synonyms"] = list(value.synonyms)
        rendered.append({"id": value.id, "name": name_block})
    return {"name": name, "values": rendered}


def _prompt_id(intent: str, slot: str) -> str:
    return f"Elicit.Slot.{intent}.{slot}"


def model_json(source: ModelSource, products: Sequence[TypeValue]) -> dict[str, Any]:
    """The interaction model document for one locale."""
    intents = []
    for intent in source.intents:
        body: dict[str, Any] = {"name": intent.name, "samples": expand_all(list(intent.samples), source.fragments)}
        if intent.slots:
            slots = []
            for slot in intent.slots:
                slot_body: dict[str, Any] = {"name": slot.name, "type": slot.type}
                if slot.samples:
                    slot_body["samples"] = expand_all(list(slot.samples), source.fragments)
                slots.append(slot_body)
            body["slots"] = slots
        intents.append(body)

    types = [_type_json(name, values) for name, values in source.types.items()]
    types.append(_type_json(PRODUCT_TYPE, products))
    types.sort(key=lambda t: t["name"])

    dialog_intents = []
    prompts = []
    for intent in source.intents:
        elicited = source.elicitation_prompts.get(intent.name)
        if not elicited:
            continue
        dialog_slots = []
        for slot in intent.slots:
            texts = elicited.get(slot.name, ())
            dialog_slot: dict[str, Any] = {
                "name": slot.name,
                "type": slot.type,
                "confirmationRequired": False,
                "elicitationRequired": bool(texts),
                "prompts": {"elicitation": _prompt_id(intent.name, slot.name)} if texts else {},
            }
            dialog_slots.append(dialog_slot)
            if texts:
                prompts.append(
                    {
                        "id": _prompt_id(intent.name, slot.name),
                        "variations": [{"type": "PlainText", "value": text} for text in texts],
                    }
                )
        dialog_intents.append(
            {
                "name": intent.name,
                "delegationStrategy": source.delegation_strategy,
                "confirmationRequired": False,
                "prompts": {},
                "slots": dialog_slots,
            }
        )
    return {
        "interactionModel": {
            "languageModel": {"invocationName": source.invocation_name, "intents": intents, "types": types},
            "dialog": {"delegationStrategy": source.delegation_strategy, "intents": dialog_intents},
            "prompts": sorted(prompts, key=lambda p: p["id"]),
        }
    }


@dataclass(frozen=True, slots=True)
class BuildResult:
    files: Mapping[Path, str]  # relative to the interaction_models directory
    selection: ProductSelection


def _value_line_chars(value: TypeValue) -> int:
    """Characters one PRODUCT value adds to a rendered model: its line, indent and separator."""
    line = json.dumps(_type_json(PRODUCT_TYPE, [value])["values"][0], sort_keys=True, separators=(",", ":"))
    return _VALUE_INDENT + len(line) + 2


_VALUE_INDENT = 12  # six levels deep: {} > interactionModel > languageModel > types[] > {} > values[]


def build_models(
    sources: Sequence[ModelSource], ranked_products: Sequence[Product], *, limits: Limits = DEFAULT_LIMITS
) -> BuildResult:
    """Render every locale with the largest popularity prefix of ``ranked_products`` that fits ``limits``.

    Values are made lazily in popularity order and their rendered size is summed, so the cost is proportional
    to what fits, not to the catalog; the final render is measured again and trimmed if the estimate was short.
    """
    hand_made = max(sum(len(values) for values in source.types.values()) for source in sources)
    max_values = max(0, min(len(ranked_products), limits.max_custom_slot_values - hand_made))
    empty = ProductSelection(values=(), catalog_size=len(ranked_products), policy="")
    budget = limits.max_model_chars - max(len(text) for text in _render_all(sources, empty).values())

    chosen: list[TypeValue] = []
    used = 0
    names = CatalogNames(ranked_products)
    for product in ranked_products[:max_values]:
        value = product_value(product, max_chars=limits.max_slot_value_chars, names=names)
        used += _value_line_chars(value)
        if used > budget:
            break
        chosen.append(value)
    while True:
        selection = select_product_values(chosen, len(ranked_products))
        texts = _render_all(sources, selection)
        overshoot = max(len(text) for text in texts.values()) - limits.max_model_chars
        if not chosen or overshoot <= 0:
            break
        while chosen and overshoot > 0:  # the estimate was short: drop the least popular until it fits
            overshoot -= _value_line_chars(chosen.pop())

    files: dict[Path, str] = {MODELS_SUBDIR / f"{locale}.json": text for locale, text in texts.items()}
    files[Path(BUILD_INFO_FILE)] = build_info(selection, texts, limits)
    return BuildResult(files=files, selection=selection)


def _render_all(sources: Sequence[ModelSource], selection: ProductSelection) -> dict[str, str]:
    return {source.locale: render_model(model_json(source, selection.values)) for source in sources}


def build_info(selection: ProductSelection, texts: Mapping[str, str], limits: Limits) -> str:
    info = {
        "generator": "voicecart models build",
        "PRODUCT": {
            "values": len(selection.values),
            "catalog_products": selection.catalog_size,
            "synonyms": sum(len(v.synonyms) for v in selection.values),
            "selection": selection.policy,
        },
        "models": {locale: {"characters": len(text)} for locale, text in sorted(texts.items())},
        "limits": {
            "max_custom_slot_values": limits.max_custom_slot_values,
            "max_slot_value_chars": limits.max_slot_value_chars,
            "max_model_chars": limits.max_model_chars,
        },
    }
    return json.dumps(info, indent=2, sort_keys=True) + "\n"


def write_models(root: Path, result: BuildResult) -> list[Path]:
    """Write the files under ``root`` (the interaction_models directory); returns the paths written."""
    written = []
    for relative, text in sorted(result.files.items()):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale_files(root: Path, result: BuildResult) -> list[Path]:
    """Checked-in files that are missing or differ from ``result``."""
    stale = []
    for relative, text in sorted(result.files.items()):
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(relative)
    return stale
