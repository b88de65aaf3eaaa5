"""Baselines measured beside the resolver, on the same queries, in the same run (issue 6).

Each baseline maps a heard phrase (and, for the history-restricted one, the customer's product ids)
to its top-3 product ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import jellyfish
from rapidfuzz import fuzz, process, utils

from backend.catalog import Catalog
from backend.spoken import query_form, spoken_form

Answer = Callable[[str, Collection[str]], list[str]]


@dataclass(frozen=True, slots=True)
class Baseline:
    name: str
    answer: Answer
    slow: bool = False  # measured on the first --slow-subset queries only
    very_slow: bool = False  # measured on the first --difflib-subset queries only
    personal_only: bool = False


def _metaphone_key(spoken: str) -> str:
    return " ".join(jellyfish.metaphone(word) for word in spoken.split())


def build_baselines(catalog: Catalog) -> list[Baseline]:
    """The baselines of issue 6, over the full catalog unless they say otherwise."""
    ids = [product.id for product in catalog]
    processed = [utils.default_process(product.name) for product in catalog]
    spoken = [spoken_form(product.name) for product in catalog]
    metaphone = [_metaphone_key(form) for form in spoken]
    spoken_by_id = dict(zip(ids, spoken, strict=True))
    first_id_by_spoken: dict[str, str] = {}
    for product_id, form in zip(ids, spoken, strict=True):
        first_id_by_spoken.setdefault(form, product_id)

    def extract(choices: Sequence[str], scorer: Callable[..., float], query: str) -> list[str]:
        return [ids[index] for _, _, index in process.extract(query, choices, scorer=scorer, limit=3)]

    def wratio(heard: str, _: Collection[str]) -> list[str]:
        return extract(processed, fuzz.WRatio, utils.default_process(heard))

    def token_set(heard: str, _: Collection[str]) -> list[str]:
        return extract(processed, fuzz.token_set_ratio, utils.default_process(heard))

    def spoken_ratio(heard: str, _: Collection[str]) -> list[str]:
        return extract(spoken, fuzz.ratio, query_form(heard))

    def metaphone_ratio(heard: str, _: Collection[str]) -> list[str]:
        return extract(metaphone, fuzz.ratio, _metaphone_key(query_form(heard)))

    def difflib_close(heard: str, _: Collection[str]) -> list[str]:
        matches = difflib.get_close_matches(query_form(heard), spoken, n=3, cutoff=0.0)
        return [first_id_by_spoken[match] for match in matches]

    def restricted(scorer: Callable[..., float]) -> Answer:
        def answer(heard: str, history_ids: Collection[str]) -> list[str]:
            mine = [product_id for product_id in history_ids if product_id in spoken_by_id]
            choices = {product_id: spoken_by_id[product_id] for product_id in mine}
            return [key for _, _, key in process.extract(query_form(heard), choices, scorer=scorer, limit=3)]

        return answer

    return [
        Baseline("rapidfuzz WRatio", wratio, slow=True),
        Baseline("rapidfuzz token_set_ratio", token_set, slow=True),
        Baseline("fuzz.ratio spoken forms", spoken_ratio),
        Baseline("metaphone + fuzz.ratio", metaphone_ratio),
        Baseline("difflib.get_close_matches", difflib_close, very_slow=True),
        Baseline("fuzz.ratio history only", restricted(fuzz.ratio), personal_only=True),
        Baseline("partial_ratio history only", restricted(fuzz.partial_ratio), personal_only=True),
    ]
