"""``voicecart bench resolve``: accuracy of the resolver and the baselines on spoken-query sets, plus performance.

Usage::

    voicecart bench resolve --queries ../shared/eval/spoken_catalog_dev.csv \\
        --queries ../shared/eval/spoken_personal_dev.csv [--json] [--scale-million]
    python -m backend.bench resolve ...        (the same, without the console script)

Personal sets (with a ``user_id`` column) are resolved with that customer's purchase history from
``customers_sample.csv`` in the catalog directory. Slow baselines run on the first ``--slow-subset``
queries of each set (stated in the table). With ``--json`` each set prints one JSON object per line
(``kind: "set"``), then one ``kind: "performance"`` object.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from backend.bench import audit, heldout, lambda_coldstart, not_sold
from backend.bench.baselines import build_baselines
from backend.bench.evalset import EvalSet, Judge, load_eval_set
from backend.bench.measure import (
    BuildFigures,
    Histories,
    Score,
    SetReport,
    build_measured,
    latency_figures,
    prebuilt_figures,
    score_baseline,
    score_resolver,
    throughput,
)
from backend.bench.synthetic import recombined_catalog
from backend.catalog import DEFAULT_DATA_DIR, Catalog, load_instacart
from backend.demo.histories import load_histories
from backend.resolver import Resolver

HISTORY_FILE = "customers_sample.csv"
HISTORY_ANCHOR = date(2017, 6, 1)  # the newest order of each customer is dated this day; stats are as of it


def register(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    extensions: Sequence[Callable[[argparse._SubParsersAction], None]] = (),  # type: ignore[type-arg]
) -> None:
    """Add ``bench resolve`` (and the ``extensions``' bench commands) to a parent command's subparsers."""
    bench = subparsers.add_parser("bench", help="measure voicecart components")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True)
    for extension in extensions:
        extension(bench_commands)
    resolve = bench_commands.add_parser("resolve", help="resolver accuracy, baselines, latency, memory")
    resolve.add_argument("--queries", type=Path, action="append", required=True, help="eval CSV (repeatable)")
    resolve.add_argument("--json", action="store_true", help="one JSON object per set instead of a table")
    resolve.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR, help="Instacart-layout directory")
    resolve.add_argument("--scale-million", action="store_true", help="also build and time a 1,000,000-product index")
    resolve.add_argument(
        "--million-tables",
        type=Path,
        help="with --scale-million: load the 1M resolver tables from this directory (built and saved there when "
        "absent; a build takes about ten minutes)",
    )
    resolve.add_argument("--slow-subset", type=int, default=200, help="queries per set for the slow baselines")
    resolve.add_argument("--difflib-subset", type=int, default=40, help="queries per set for difflib (seconds each)")
    resolve.add_argument("--no-baselines", action="store_true", help="measure only the resolver")
    resolve.add_argument(
        "--half", choices=("a", "b"), help="only one stable half of each set's rows (tune on one, check on the other)"
    )
    resolve.add_argument("--plot", type=Path, help="also draw accuracy against latency per set to this PNG")
    resolve.add_argument(
        "--dump",
        type=Path,
        help="write each query's decision and top-3 ids to this file (JSON lines), to diff two runs",
    )
    resolve.set_defaults(func=run_resolve)
    lambda_coldstart.register(bench_commands)
    audit.register(bench_commands)
    not_sold.register(bench_commands)
    heldout.register(bench_commands)


def run_resolve(args: argparse.Namespace) -> int:
    load = load_instacart(args.catalog)
    catalog = load.catalog
    for problem in load.problems:
        logging.getLogger(__name__).warning("catalog row skipped: %s", problem)
    resolver, build = build_measured(catalog)
    histories = _histories(args.catalog / HISTORY_FILE)
    judge = Judge(catalog)
    baselines = [] if args.no_baselines else build_baselines(catalog)
    reports = []
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    for path in args.queries:
        eval_set = load_eval_set(path)
        if args.half:
            eval_set = eval_set.half(args.half)
        report = SetReport(eval_set, score_resolver(resolver, eval_set, histories, judge, dump=dump))
        for baseline in baselines:
            if baseline.personal_only and not eval_set.personal:
                continue
            subset = args.difflib_subset if baseline.very_slow else args.slow_subset if baseline.slow else None
            report.baselines.append(score_baseline(baseline, eval_set, histories, judge, subset=subset))
        reports.append(report)
    if dump is not None:
        dump.close()
    texts = [query.heard for report in reports for query in report.eval_set.queries]
    sets = [report.eval_set for report in reports]
    performance = _performance(resolver, build, texts, catalog, scale_million=args.scale_million)
    performance["prebuilt"] = prebuilt_figures(resolver, args.catalog, texts)
    if args.scale_million:
        del resolver
        million = _million(catalog, sets, histories, judge, texts, tables_dir=args.million_tables)
        performance["million"] = million.figures
        for report in reports:
            report.million = million.scores.get(report.eval_set.name)
    if args.json:
        for report in reports:
            print(json.dumps(_set_json(report)))
        print(json.dumps({"kind": "performance", **performance}))
    else:
        _print_tables(reports, performance, args.slow_subset, args.difflib_subset)
    if args.plot:
        from backend.bench.plots import resolve_plot

        print(f"plot: {resolve_plot([_set_json(report) for report in reports], args.plot)}", file=sys.stderr)
    return 0


def _histories(path: Path) -> Histories:
    if not path.exists():
        return {}
    return {
        customer_id: history.stats(HISTORY_ANCHOR)
        for customer_id, history in load_histories(path, last_order_on=HISTORY_ANCHOR).items()
    }


def _performance(
    resolver: Resolver, build: BuildFigures, texts: list[str], catalog: Catalog, *, scale_million: bool
) -> dict[str, object]:
    latency = latency_figures(resolver, texts)
    figures: dict[str, object] = {
        "catalog": {**build.as_dict(), **{name: round(value, 3) for name, value in latency.items()}},
        "throughput_qps": {
            "threads_1": round(throughput(resolver.resolve, texts, threads=1), 1),
            "threads_2": round(throughput(resolver.resolve, texts, threads=2), 1),
        },
    }
    return figures


@dataclass(slots=True)
class _Million:
    figures: dict[str, object]
    scores: dict[str, Score]


def _million(
    catalog: Catalog,
    sets: list[EvalSet],
    histories: Histories,
    judge: Judge,
    texts: list[str],
    *,
    tables_dir: Path | None = None,
) -> _Million:
    """Build (or load) the 1,000,000-product index, time it, and score every set against it (same judge: real
    ids)."""
    big_resolver, big_build = build_measured(recombined_catalog(catalog), tables_dir=tables_dir)
    big_latency = latency_figures(big_resolver, texts)
    scores = {
        eval_set.name: score_resolver(big_resolver, eval_set, histories, judge, method="voicecart resolver @1M")
        for eval_set in sets
    }
    figures: dict[str, object] = {
        **big_build.as_dict(),
        **{name: round(value, 3) for name, value in big_latency.items()},
    }
    return _Million(figures, scores)


def _set_json(report: SetReport) -> dict[str, object]:
    ours = report.ours
    return {
        "kind": "set",
        "set": report.eval_set.name,
        "n": ours.n,
        "top1": round(ours.top1, 4),
        "top3": round(ours.top3, 4),
        "wrong_accepted": round(ours.wrong_accepted or 0.0, 4),
        "accepted": round(ours.accepted or 0.0, 4),
        "p50_ms": round(ours.p50_ms, 3),
        "p99_ms": round(ours.p99_ms, 3),
        "decisions": ours.as_dict().get("decisions", {}),
        "groups": ours.as_dict().get("groups", {}),
        "baselines": [score.as_dict() for score in report.baselines],
        **({"million": report.million.as_dict()} if report.million else {}),
    }


def _print_tables(
    reports: list[SetReport], performance: dict[str, object], slow_subset: int, difflib_subset: int
) -> None:
    header = (
        f"{'method':<30} {'n':>5} {'top1':>6} {'top3':>6} {'wrong acc.':>10} {'accepted':>8}"
        f" {'p50 ms':>8} {'p99 ms':>8}"
    )
    for report in reports:
        print(f"\n{report.eval_set.name} ({len(report.eval_set.queries)} queries)")
        print(header)
        print("-" * len(header))
        for score in [report.ours, *([report.million] if report.million else []), *report.baselines]:
            wrong = "-" if score.wrong_accepted is None else f"{score.wrong_accepted:.3f}"
            accepted = "-" if score.accepted is None else f"{score.accepted:.3f}"
            name = score.method + (" *" if score.subset else "")
            print(
                f"{name:<30} {score.n:>5} {score.top1:>6.3f} {score.top3:>6.3f} {wrong:>10} {accepted:>8}"
                f" {score.p50_ms:>8.2f} {score.p99_ms:>8.2f}"
            )
        ours = report.ours
        print("  decisions: " + ", ".join(f"{name} {share:.3f}" for name, share in ours.decisions.items()))
        for group, part in ours.groups.items():
            print(
                f"  {group:<22} n {part['n']:>4.0f}  top1 {part['top1']:.3f}  top3 {part['top3']:.3f}"
                f"  wrong acc. {part['wrong_accepted']:.3f}"
            )
    print(f"\n* slow baseline: first {slow_subset} queries of the set (difflib: first {difflib_subset}) only")
    print("\nperformance (latency on one core, over all queries of all sets)")
    for label, figures in performance.items():
        print(f"  {label}: {json.dumps(figures)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voicecart", description="python -m backend.bench runs voicecart bench")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["bench", *(argv or [])] if argv is not None else None)
    return int(args.func(args))
