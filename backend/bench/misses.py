"""The rows whose right product is not among the resolver's first three answers, and why.

Each miss is one of:
- ``not_retrieved``: no entry of the right product reached the scorer (not among the index's candidates for
  any reading of the words, nor among the customer's own products);
- ``ranked N``: it was scored, and N - 1 other products scored higher (a distinct name each);
- ``below_cutoff``: scored, but under the resolver's score cut-off;
- ``decision``: ranked in the first three by the scorer, but the decision (a habit, Alexa ids) put others first;
- ``folded``: scored, but a product written the same but for case and punctuation ("Fat-Free ..." / "Fat Free
  ...") ranked above it, and the resolver offers one product per written name (it took the other).

    python -m backend.bench.misses --queries ../shared/eval/spoken_catalog_dev.csv [--queries ...] [--half a|b]
        [--rows]  (also print each miss: heard words, said words, right product's rank and the first answer)
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from backend.bench.cli import HISTORY_FILE, _histories
from backend.bench.evalset import EvalQuery, Judge, load_eval_set
from backend.catalog import DEFAULT_DATA_DIR, load_instacart
from backend.resolver import PurchaseStatsLike, Resolver
from backend.resolver.amounts import parse_amount
from backend.resolver.variants import query_variants
from backend.resolver.written import written_form

SCORE_CUTOFF = 0.45  # ``Resolver.resolve``'s default


def classify(
    resolver: Resolver, query: EvalQuery, history: Mapping[str, PurchaseStatsLike] | None, judge: Judge
) -> dict[str, object]:
    """Where the right product of one missed row was lost (see the module's docstring)."""
    amount = parse_amount(query.heard)
    variants = query_variants(query.heard, amount, resolver._pronouncer)
    bought_at = resolver._history_positions(history) if history else {}
    ranked = resolver._rank(variants, written_form(query.heard), bought_at, history or {}, amount.unit)
    names: set[str] = set()
    rank = 0
    first = ""
    for item in ranked:
        name = resolver._written[item.product_index]
        if name in names:
            if judge.right_for(resolver._products[item.product_index].id, query):
                return {"kind": "folded", "rank": rank, "match": round(item.match, 3), "first": first}
            continue
        names.add(name)
        rank += 1
        if rank == 1:
            first = resolver._products[item.product_index].name
        if judge.right_for(resolver._products[item.product_index].id, query):
            kind = "below_cutoff" if item.match < SCORE_CUTOFF else "decision" if rank <= 3 else "ranked"
            return {
                "kind": kind,
                "rank": rank,
                "match": round(item.match, 3),
                "score": round(item.score, 3),
                "first": first,
            }
    return {"kind": "not_retrieved", "rank": None, "first": first}


def _bucket(found: dict[str, object]) -> str:
    rank = found["rank"]
    if found["kind"] != "ranked" or not isinstance(rank, int):
        return str(found["kind"])
    return "ranked 4-10" if rank <= 10 else "ranked 11+"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, action="append", required=True)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--half", choices=("a", "b"))
    parser.add_argument("--rows", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    catalog = load_instacart(args.catalog).catalog
    judge = Judge(catalog)
    resolver = Resolver.cached(catalog)
    histories = _histories(args.catalog / HISTORY_FILE)
    for path in args.queries:
        eval_set = load_eval_set(path)
        if args.half:
            eval_set = eval_set.half(args.half)
        kinds: Counter[str] = Counter()
        for query in eval_set.queries:
            history = histories.get(query.customer_id) if query.customer_id else None
            resolution = resolver.resolve(query.heard, history=history)
            ids = [candidate.product.id for candidate in resolution.candidates[:3]]
            if any(judge.right_for(product_id, query) for product_id in ids):
                continue
            found = classify(resolver, query, history, judge)
            kinds[_bucket(found)] += 1
            if args.rows:
                expected = catalog.find(query.expected_id)
                print(
                    json.dumps(
                        {
                            "set": eval_set.name,
                            "heard": query.heard,
                            "said": query.said,
                            "expected": expected.name if expected else "",
                            "voice": query.voice,
                            **found,
                        }
                    )
                )
        print(
            json.dumps({"set": eval_set.name, "n": len(eval_set.queries), "misses": dict(sorted(kinds.items()))}),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
