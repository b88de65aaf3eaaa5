"""``voicecart bench notsold``: requests for what a grocer does not sell, and how often one is put in the cart unasked.

Usage::

    voicecart bench notsold [--customers N] [--json]
    python -m backend.bench notsold ...        (the same, without the console script)

Every request of ``NOT_SOLD`` (general merchandise, hand-written: hardware, clothing, electronics, furniture, the
garden, the car, sport, toys) is resolved once with no history and once for each demo customer with their real
history, as the skill passes it. A request whose head word (what it asks for: "towel" of "bath towels") is what a
catalog name says its product is ("Paper Towels") is left out and named, so the shop sells nothing the others ask
for and every product accepted for one is a wrong product in the cart. The figures: the share of resolutions
accepted unasked (the defect), asked about (confirm or choose; and of those, the share said to be only the
closest), and not found; the requests accepted most often, as samples.

The list is a bench input, not a vocabulary the resolver knows: no rule reads it, and the tests hold other requests.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from backend.bench.measure import Histories
from backend.catalog import DEFAULT_DATA_DIR, Catalog, load_instacart
from backend.demo.histories import load_histories
from backend.resolver import Decision, PurchaseStatsLike, Resolver, query_form
from backend.resolver.heads import head_of

HISTORY_FILE = "customers_sample.csv"

NOT_SOLD: Final = (
    # hardware and tools
    "a cordless drill",
    "a hammer",
    "a screwdriver set",
    "wood screws",
    "a paint roller",
    "a step ladder",
    "a tape measure",
    "sandpaper",
    "a wrench",
    "a toolbox",
    # the garden
    "a garden rake",
    "a wheelbarrow",
    "a leaf blower",
    "a hedge trimmer",
    "a sprinkler",
    "flower pots",
    "a shovel",
    # clothing
    "a rain jacket",
    "wool sweater",
    "running shoes",
    "a baseball cap",
    "winter gloves",
    "a leather belt",
    "blue jeans",
    "a scarf",
    # electronics
    "a laptop",
    "wireless headphones",
    "a computer mouse",
    "a television",
    "a usb cable",
    "a game controller",
    "a smart watch",
    "a printer",
    # furniture and home
    "a bookshelf",
    "an office chair",
    "a floor lamp",
    "a mattress",
    "curtains",
    "a throw pillow",
    "a picture frame",
    "bath towels",
    # the car
    "motor oil",
    "windshield wipers",
    "a spare tire",
    "a car seat cover",
    # sport and toys
    "a basketball",
    "a yoga mat",
    "golf balls",
    "a skateboard",
    "a jigsaw puzzle",
    "a teddy bear",
    "a kite",
    "a fishing rod",
    "a tent",
    "a sleeping bag",
)


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = bench_commands.add_parser("notsold", help="requests for what a grocer does not sell: accepted unasked?")
    bench.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR, help="Instacart-layout directory")
    bench.add_argument("--customers", type=int, default=0, help="only the first N customers by id (default all)")
    bench.add_argument("--samples", type=int, default=10, help="requests accepted most often, shown (default 10)")
    bench.add_argument("--json", action="store_true", help="one JSON object of the figures")
    bench.set_defaults(func=run_not_sold)


def sold_heads(catalog: Catalog) -> frozenset[str]:
    """Every word a catalog name says its product is (its head noun), singular."""
    return frozenset(_singular(head) for product in catalog if (head := head_of(product.name)))


def _singular(word: str) -> str:
    return word.removesuffix("es") if word.endswith(("shes", "ches", "xes")) else word.removesuffix("s")


def requests_not_sold(catalog: Catalog, requests: Sequence[str] = NOT_SOLD) -> tuple[list[str], list[str]]:
    """The requests whose head word heads no catalog name, and those left out because one does."""
    heads = sold_heads(catalog)
    kept: list[str] = []
    left: list[str] = []
    for request in requests:
        head = head_of(query_form(request))
        (left if head and _singular(head) in heads else kept).append(request)
    return kept, left


def measure(
    resolver: Resolver, requests: Sequence[str], histories: Mapping[str, Mapping[str, PurchaseStatsLike]]
) -> dict[str, object]:
    """Resolve each request with no history and with each history given; the decision shares and the accepted."""
    decisions: Counter[str] = Counter()
    closest = 0
    accepted: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for history in ({}, *histories.values()):
        for request in requests:
            resolution = resolver.resolve(request, history=history)
            decisions[resolution.decision.value] += 1
            asked = resolution.decision in (Decision.CONFIRM, Decision.CHOOSE)
            closest += asked and getattr(resolution, "closest", False)
            best = resolution.best
            if resolution.decision is Decision.ACCEPT and best is not None:
                accepted[(request, best.product.name)] += 1
    total = sum(decisions.values())
    asked_total = decisions[Decision.CONFIRM.value] + decisions[Decision.CHOOSE.value]
    return {
        "requests": len(requests),
        "histories": len(histories) + 1,
        "resolutions": total,
        "accepted_unasked": round(decisions[Decision.ACCEPT.value] / total, 4) if total else 0.0,
        "asked": round(asked_total / total, 4) if total else 0.0,
        "asked_said_closest": round(closest / asked_total, 4) if asked_total else 0.0,
        "not_found": round(decisions[Decision.NOT_FOUND.value] / total, 4) if total else 0.0,
        "requests_ever_accepted": len({request for request, _ in accepted}),
        "accepted_most": [[request, name, count] for (request, name), count in accepted.most_common()],
        "seconds": round(time.perf_counter() - started, 1),
    }


def run_not_sold(args: argparse.Namespace) -> int:
    from backend.bench.cli import HISTORY_ANCHOR  # the bench's date for history statistics

    catalog = load_instacart(args.catalog).catalog
    resolver = Resolver.cached(catalog)
    resolver.prepare()
    loaded = load_histories(args.catalog / HISTORY_FILE, last_order_on=HISTORY_ANCHOR)
    histories: Histories = {customer: history.stats(HISTORY_ANCHOR) for customer, history in loaded.items()}
    customers = sorted(histories, key=int)[: args.customers or None]
    requests, left = requests_not_sold(catalog)
    figures = measure(resolver, requests, {customer: histories[customer] for customer in customers})
    figures["left_out_as_sold"] = left
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"requests for what is not sold: {figures['requests']} (left out, a catalog name has the head: {left})")
    print(f"resolved with no history and for {len(customers)} customers: {figures['resolutions']}")
    print(
        f"accepted unasked {figures['accepted_unasked']:.4f}   asked {figures['asked']:.4f}"
        f" (said only the closest: {figures['asked_said_closest']:.4f})   not found {figures['not_found']:.4f}"
    )
    print(f"requests accepted for anyone: {figures['requests_ever_accepted']}")
    most = figures["accepted_most"]
    assert isinstance(most, list)
    for request, name, count in most[: args.samples]:
        print(f"  {count:5d}  {request!r} -> {name}")
    print(f"({figures['seconds']} s)")
    return 0
