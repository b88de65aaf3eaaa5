"""Where a resolution is lost on a large catalog: candidate retrieval or scoring, and what a query costs.

For each query of a catalog set (no history), against one resolver:
- retrieved: some entry of the expected product is among the candidates the index hands on (any reading);
- top1: the resolver's first answer is right (the bench's judge);
- the time spent in the index (``CandidateIndex.search``) against the whole resolution, and how many postings
  the index read.

Run on the real catalog and on the 1,000,000-product one in the same process, the split says whether the loss at
scale is recall (the product never reached the scorer) or ranking (a look-alike outscored it).

    python -m backend.bench.retrieval --queries ../shared/eval/spoken_catalog_dev.csv [--million] [--limit N]
        [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np

from backend.bench.evalset import Judge, load_eval_set
from backend.bench.synthetic import recombined_catalog
from backend.catalog import DEFAULT_DATA_DIR, Catalog, load_instacart
from backend.resolver import Resolver
from backend.resolver.amounts import parse_amount
from backend.resolver.variants import query_variants


def diagnose(
    resolver: Resolver, catalog: Catalog, queries_path: Path, judge: Judge, limit: int | None
) -> dict[str, object]:
    eval_set = load_eval_set(queries_path)
    queries = eval_set.queries[:limit] if limit else eval_set.queries
    positions = {product.id: number for number, product in enumerate(resolver._products)}
    owners = resolver._owner_array
    outcome: Counter[str] = Counter()
    search_ms: list[float] = []
    total_ms: list[float] = []
    search_cpu_ms: list[float] = []
    total_cpu_ms: list[float] = []
    postings: list[int] = []
    candidates: list[int] = []
    for query in queries:
        expected = positions.get(query.expected_id)
        started, started_cpu = time.perf_counter(), time.thread_time()
        resolution = resolver.resolve(query.heard)
        total_ms.append((time.perf_counter() - started) * 1000)
        total_cpu_ms.append((time.thread_time() - started_cpu) * 1000)
        variants = query_variants(query.heard, parse_amount(query.heard), resolver._pronouncer)
        started, started_cpu = time.perf_counter(), time.thread_time()
        found: set[int] = set()
        read = 0
        for forms in variants:
            entries = resolver._index.search(
                forms.spoken, forms.sound, limit=resolver.retrieval_limit, phones=forms.coarse
            )
            found.update(int(owners[entry]) for entry in entries)
        search_ms.append((time.perf_counter() - started) * 1000)
        search_cpu_ms.append((time.thread_time() - started_cpu) * 1000)
        for forms in variants:
            read += resolver._index.postings_read(forms.spoken, forms.sound, forms.coarse)
        postings.append(read)
        candidates.append(len(found))
        best = resolution.best
        right = judge.right_for(best.product.id if best else None, query)
        retrieved = expected is not None and expected in found
        outcome[f"{'retrieved' if retrieved else 'missed'}_{'right' if right else 'wrong'}"] += 1
    n = len(queries)

    def pct(values: list[float], q: float) -> float:
        return round(float(np.percentile(values, q)), 3)

    return {
        "set": eval_set.name,
        "catalog": len(catalog),
        "n": n,
        "top1": round(sum(v for k, v in outcome.items() if k.endswith("_right")) / n, 4),
        "retrieval_recall": round(sum(v for k, v in outcome.items() if k.startswith("retrieved")) / n, 4),
        "outcomes": dict(sorted(outcome.items())),
        "resolve_ms": {"p50": pct(total_ms, 50), "p99": pct(total_ms, 99)},
        "search_ms": {"p50": pct(search_ms, 50), "p99": pct(search_ms, 99)},
        # CPU time of the one thread: what a query costs on a core of its own, on a machine shared with others
        "resolve_cpu_ms": {"p50": pct(total_cpu_ms, 50), "p99": pct(total_cpu_ms, 99)},
        "search_cpu_ms": {"p50": pct(search_cpu_ms, 50), "p99": pct(search_cpu_ms, 99)},
        "postings_read": {"median": statistics.median(postings), "p99": pct([float(p) for p in postings], 99)},
        "products_retrieved": {"median": statistics.median(candidates)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, action="append", required=True)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--million", action="store_true", help="also against the 1,000,000-product catalog")
    parser.add_argument("--limit", type=int, help="first N queries of each set")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="load each catalog's resolver tables from here, building and storing them on first use "
        "(a 1M build takes about ten minutes; loading it, under a minute)",
    )
    args = parser.parse_args(argv)
    catalog = load_instacart(args.catalog).catalog
    judge = Judge(catalog)
    catalogs = [catalog]
    if args.million:
        catalogs.append(recombined_catalog(catalog))
    for current in catalogs:
        started = time.perf_counter()
        resolver = Resolver.cached(current, cache_dir=args.cache_dir) if args.cache_dir else Resolver(current)
        ready = "load_or_build_s" if args.cache_dir else "build_s"
        print(json.dumps({"catalog": len(current), ready: round(time.perf_counter() - started, 1)}), flush=True)
        for path in args.queries:
            print(json.dumps(diagnose(resolver, current, path, judge, args.limit)), flush=True)
        del resolver
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
