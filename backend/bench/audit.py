"""``voicecart bench audit``: generic phrasings for every demo customer, and the accepted products that look wrong.

Usage::

    voicecart bench audit [--customers N] [--workers 2] [--samples 8] [--json]
    python -m backend.bench audit ...        (the same, without the console script)

Every phrasing of ``backend.bench.audit_phrases`` is resolved for each of the 500 demo customers with their
real history, as the skill passes it (purchase statistics as of the newest order, no order count), and once
with no history. A history can only move a phrasing towards products of the customer's that share something
with the words, so a customer none of whose products shares a word, a word's sound key or an aisle noun with the
phrasing is given the answer with no history, without resolving (``--exhaustive`` resolves every pair; not checked
against it yet). Each product put in the cart without a question is
checked by ``backend.bench.audit_flags``.
The figures: resolutions, the share accepted, accepted products flagged (in all and per rule), how many of
those the history made (the same words with no history do not accept that product), and the flagged
(phrasing, product) pairs most customers got, as samples.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from backend.bench.audit_flags import RULES, AuditRules, Flag
from backend.bench.audit_phrases import Phrase, audit_phrases
from backend.bench.measure import Histories
from backend.catalog import DEFAULT_DATA_DIR, Catalog, load_instacart
from backend.demo.histories import load_histories
from backend.resolver import Decision, PurchaseStatsLike, Resolver
from backend.resolver.habits import FUNCTION_WORDS, aisle_noun
from backend.spoken import query_form, spoken_form, word_sound

HISTORY_FILE = "customers_sample.csv"
_STATE: dict[str, object] = {}  # the forked workers' resolver, phrasings and histories


@dataclass(frozen=True, slots=True)
class Accepted:
    """One product put in the cart unasked: phrasing number, customer, product id."""

    phrase: int
    customer: str
    product_id: str


@dataclass(slots=True)
class AuditReport:
    phrases: list[Phrase]
    customers: int
    resolutions: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    accepted: list[Accepted] = field(default_factory=list)
    without_history: dict[int, str] = field(default_factory=dict)  # phrasing -> product accepted with no history
    seconds: float = 0.0


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = bench_commands.add_parser("audit", help="wrong-product audit: generic phrasings for every demo customer")
    audit.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR, help="Instacart-layout directory")
    audit.add_argument("--customers", type=int, default=0, help="only the first N customers by id (default all)")
    audit.add_argument("--workers", type=int, default=2, help="processes resolving (default 2)")
    audit.add_argument("--samples", type=int, default=8, help="flagged pairs shown per rule (default 8)")
    audit.add_argument(
        "--exhaustive", action="store_true", help="resolve every pair, even where no product of theirs shares a word"
    )
    audit.add_argument("--json", action="store_true", help="one JSON object: figures and every flagged pair")
    audit.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    from backend.bench.cli import HISTORY_ANCHOR  # the bench's date for history statistics

    catalog = load_instacart(args.catalog).catalog
    resolver = Resolver.cached(catalog)
    resolver.prepare()
    histories: Histories = {
        customer_id: history.stats(HISTORY_ANCHOR)
        for customer_id, history in load_histories(args.catalog / HISTORY_FILE, last_order_on=HISTORY_ANCHOR).items()
    }
    customers = sorted(histories, key=int)
    if args.customers:
        customers = customers[: args.customers]
    report = audit(
        resolver, audit_phrases(catalog), histories, customers, workers=args.workers, exhaustive=args.exhaustive
    )
    summary = summarize(report, catalog, AuditRules(catalog, resolver.tables.pronouncer.word))
    if args.json:
        print(json.dumps(summary))
    else:
        _print(summary, args.samples)
    return 0


def audit(
    resolver: Resolver,
    phrases: Sequence[Phrase],
    histories: Histories,
    customers: Sequence[str],
    *,
    workers: int = 1,
    exhaustive: bool = False,
) -> AuditReport:
    """Resolve every phrasing for every customer (in ``workers`` forked processes) and once with no history."""
    started = time.perf_counter()
    report = AuditReport(list(phrases), len(customers))
    alone: list[tuple[str, str]] = []
    for number, phrase in enumerate(phrases):
        resolution = resolver.resolve(phrase.words)
        best = resolution.best
        accepted = resolution.decision is Decision.ACCEPT and best is not None
        if accepted and best is not None:
            report.without_history[number] = best.product.id
        alone.append((resolution.decision.value, best.product.id if accepted and best is not None else ""))
    keys = [_phrase_keys(phrase.words) for phrase in phrases]
    _STATE.update(
        resolver=resolver, phrases=list(phrases), histories=histories, alone=alone, keys=keys, exhaustive=exhaustive
    )
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_customer, customers, chunksize=4)
    else:
        results = [_customer(customer) for customer in customers]
    _STATE.clear()
    for decisions, taken in results:
        report.decisions.update(decisions)
        report.accepted.extend(taken)
    report.resolutions = sum(report.decisions.values())
    report.seconds = time.perf_counter() - started
    return report


def _customer(customer: str) -> tuple[Counter[str], list[Accepted]]:
    resolver = _STATE["resolver"]
    phrases = _STATE["phrases"]
    histories = _STATE["histories"]
    assert isinstance(resolver, Resolver) and isinstance(phrases, list) and isinstance(histories, Mapping)
    alone = _STATE["alone"]
    keys = _STATE["keys"]
    assert isinstance(alone, list) and isinstance(keys, list)
    history = histories[customer]
    theirs = _history_keys(resolver, history)
    decisions: Counter[str] = Counter()
    accepted: list[Accepted] = []
    for number, phrase in enumerate(phrases):
        if not _STATE["exhaustive"] and theirs.isdisjoint(keys[number]):
            decision, product_id = alone[number]
            decisions[decision] += 1
            if product_id:
                accepted.append(Accepted(number, customer, product_id))
            continue
        resolution = resolver.resolve(phrase.words, history=history)
        decisions[resolution.decision.value] += 1
        if resolution.decision is Decision.ACCEPT and resolution.best is not None:
            accepted.append(Accepted(number, customer, resolution.best.product.id))
    return decisions, accepted


def _phrase_keys(words: str) -> frozenset[str]:
    """The content words of a phrasing and their sound keys."""
    said = [word for word in query_form(words).split() if word not in FUNCTION_WORDS]
    return frozenset([*said, *(word_sound(word) for word in said)])


def _history_keys(resolver: Resolver, history: Mapping[str, PurchaseStatsLike]) -> set[str]:
    """Every word of the customer's product names (and two run together), their aisle nouns, and sound keys."""
    found: set[str] = set()
    for product_id in history:
        if product_id not in resolver.catalog:
            continue
        product = resolver.catalog.get(product_id)
        words = spoken_form(product.name).split()
        found.update(words)
        found.update(first + second for first, second in pairwise(words))
        found.add(aisle_noun(product.aisle))
    found.update([word_sound(word) for word in found])
    return found


def summarize(report: AuditReport, catalog: Catalog, rules: AuditRules) -> dict[str, object]:
    """The audit's figures and every flagged (phrasing, product) pair, most customers first."""
    flags: dict[tuple[int, str], tuple[Flag, ...]] = {}
    by_pair: dict[tuple[int, str], list[str]] = defaultdict(list)
    for item in report.accepted:
        key = (item.phrase, item.product_id)
        if key not in flags:
            said = query_form(report.phrases[item.phrase].words).split()
            flags[key] = rules.flags(said, catalog.get(item.product_id))
        by_pair[key].append(item.customer)
    per_rule: Counter[str] = Counter()
    flagged = history_made = 0
    pairs: list[dict[str, object]] = []
    for key, customers in by_pair.items():
        found = flags[key]
        if not found:
            continue
        number, product_id = key
        made = report.without_history.get(number) != product_id
        flagged += len(customers)
        history_made += len(customers) if made else 0
        for rule in {flag.rule for flag in found}:
            per_rule[rule] += len(customers)
        product = catalog.get(product_id)
        pairs.append(
            {
                "phrase": report.phrases[number].words,
                "source": report.phrases[number].source,
                "product_id": product_id,
                "product": product.name,
                "aisle": product.aisle,
                "rules": sorted({flag.rule for flag in found}),
                "details": [flag.detail for flag in found],
                "customers": len(customers),
                "example_customer": customers[0],
                "history_made": made,
            }
        )
    pairs.sort(key=lambda pair: (-int(str(pair["customers"])), str(pair["phrase"]), str(pair["product"])))
    accepted = len(report.accepted)
    return {
        "kind": "audit",
        "phrases": len(report.phrases),
        "phrase_sources": dict(Counter(phrase.source for phrase in report.phrases)),
        "customers": report.customers,
        "resolutions": report.resolutions,
        "decisions": {name: round(count / max(report.resolutions, 1), 4) for name, count in report.decisions.items()},
        "accepted": accepted,
        "accept_share": round(accepted / max(report.resolutions, 1), 4),
        "flagged": flagged,
        "flagged_share_of_accepted": round(flagged / max(accepted, 1), 4),
        "flagged_history_made": history_made,
        "flagged_per_rule": {rule: per_rule[rule] for rule in RULES},
        "flagged_pairs": len(pairs),
        "seconds": round(report.seconds, 1),
        "pairs": pairs,
    }


def _print(summary: Mapping[str, object], samples: int) -> None:
    print(
        f"{summary['phrases']} phrasings {summary['phrase_sources']} x {summary['customers']} customers:"
        f" {summary['resolutions']} resolutions in {summary['seconds']} s"
    )
    print(f"decisions: {summary['decisions']}")
    print(
        f"accepted {summary['accepted']} (share {summary['accept_share']}); flagged {summary['flagged']}"
        f" ({summary['flagged_share_of_accepted']} of accepted; {summary['flagged_history_made']} made by the"
        f" history) in {summary['flagged_pairs']} distinct phrasing/product pairs"
    )
    print(f"flagged per rule: {summary['flagged_per_rule']}")
    pairs = summary["pairs"]
    assert isinstance(pairs, list)
    for rule in RULES:
        shown = [pair for pair in pairs if rule in pair["rules"]][:samples]
        if not shown:
            continue
        print(f"\n{rule}:")
        for pair in shown:
            made = " (history)" if pair["history_made"] else ""
            print(
                f"  {pair['customers']:>4} x '{pair['phrase']}' -> {pair['product']} [{pair['aisle']}]{made}"
                f"  e.g. customer {pair['example_customer']}: {'; '.join(pair['details'])}"
            )
