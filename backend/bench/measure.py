"""Accuracy, latency, memory and throughput measurements behind ``voicecart bench resolve``."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from backend.bench.baselines import Baseline
from backend.bench.evalset import EvalQuery, EvalSet, Judge
from backend.catalog import Catalog
from backend.resolver import Decision, PurchaseStatsLike, Resolver
from backend.resolver.tables import catalog_key

Histories = Mapping[str, Mapping[str, PurchaseStatsLike]]


@dataclass(frozen=True, slots=True)
class Score:
    """Accuracy and latency of one method on one set (``wrong_accepted`` only for methods that decide)."""

    method: str
    n: int
    top1: float
    top3: float
    p50_ms: float
    p99_ms: float
    wrong_accepted: float | None = None
    accepted: float | None = None
    subset: bool = False
    decisions: Mapping[str, float] = field(default_factory=dict)  # share of each decision (methods that decide)
    groups: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # "voice=..." / "rate=..." -> figures

    def as_dict(self) -> dict[str, object]:
        figures: dict[str, object] = {
            "method": self.method,
            "n": self.n,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "wrong_accepted": None if self.wrong_accepted is None else round(self.wrong_accepted, 4),
            "accepted": None if self.accepted is None else round(self.accepted, 4),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "subset": self.subset,
        }
        if self.decisions:
            figures["decisions"] = {name: round(share, 4) for name, share in self.decisions.items()}
        if self.groups:
            figures["groups"] = {name: dict(values) for name, values in self.groups.items()}
        return figures


@dataclass(slots=True)
class _Tally:
    """Counts behind a ``Score`` (for the whole set, or one voice or speaking rate)."""

    n: int = 0
    right1: int = 0
    right3: int = 0
    wrong_accepted: int = 0

    def add(self, *, first_right: bool, any_right: bool, accepted: bool) -> None:
        self.n += 1
        self.right1 += first_right
        self.right3 += any_right
        self.wrong_accepted += accepted and not first_right

    def figures(self) -> dict[str, float]:
        n = self.n or 1
        return {
            "n": self.n,
            "top1": round(self.right1 / n, 4),
            "top3": round(self.right3 / n, 4),
            "wrong_accepted": round(self.wrong_accepted / n, 4),
        }


@dataclass(slots=True)
class SetReport:
    eval_set: EvalSet
    ours: Score
    baselines: list[Score] = field(default_factory=list)
    million: Score | None = None  # the same queries against the 1,000,000-product catalog


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def one_core() -> Iterator[None]:
    """Pin this process to one CPU while measuring latency (where the OS allows it)."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _history(histories: Histories, query: EvalQuery) -> Mapping[str, PurchaseStatsLike] | None:
    return histories.get(query.customer_id) if query.customer_id else None


def score_resolver(
    resolver: Resolver,
    eval_set: EvalSet,
    histories: Histories,
    judge: Judge,
    *,
    method: str = "voicecart resolver",
    dump: TextIO | None = None,
) -> Score:
    """Top-1/top-3, wrong-but-accepted, decision shares and latency, overall and per voice and speaking rate.

    With ``dump``, one JSON line per query (set, row, decision, top-3 ids): two runs' dumps diff to show that a
    change kept every decision and ranking."""
    total = _Tally()
    groups: dict[str, _Tally] = defaultdict(_Tally)
    decisions: Counter[str] = Counter()
    latencies: list[float] = []
    with one_core():
        for row, query in enumerate(eval_set.queries):
            history = _history(histories, query)
            started = time.perf_counter()
            resolution = resolver.resolve(query.heard, history=history)
            latencies.append((time.perf_counter() - started) * 1000)
            ids = [candidate.product.id for candidate in resolution.candidates[:3]]
            if dump is not None:
                dump.write(json.dumps([eval_set.name, row, resolution.decision.value, ids]) + "\n")
            first_right = bool(ids) and judge.right_for(ids[0], query)
            outcome = {
                "first_right": first_right,
                "any_right": any(judge.right_for(product_id, query) for product_id in ids),
                "accepted": resolution.decision is Decision.ACCEPT,
            }
            decisions[resolution.decision.value] += 1
            total.add(**outcome)
            for group in (f"voice={query.voice}", f"rate={query.rate}"):
                if not group.endswith("="):
                    groups[group].add(**outcome)
    n = total.n or 1
    return Score(
        method,
        total.n,
        total.right1 / n,
        total.right3 / n,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        total.wrong_accepted / n,
        decisions[Decision.ACCEPT.value] / n,
        decisions={decision.value: decisions[decision.value] / n for decision in Decision},
        groups={name: groups[name].figures() for name in sorted(groups)},
    )


def score_baseline(
    baseline: Baseline, eval_set: EvalSet, histories: Histories, judge: Judge, *, subset: int | None
) -> Score:
    queries = eval_set.queries[:subset] if subset else eval_set.queries
    right1 = right3 = 0
    latencies: list[float] = []
    for query in queries:
        history_ids = list(_history(histories, query) or {})
        started = time.perf_counter()
        ids = baseline.answer(query.heard, history_ids)
        latencies.append((time.perf_counter() - started) * 1000)
        right1 += bool(ids) and judge.right_for(ids[0], query)
        right3 += any(judge.right_for(product_id, query) for product_id in ids[:3])
    n = len(queries) or 1
    return Score(
        baseline.name,
        len(queries),
        right1 / n,
        right3 / n,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        subset=len(queries) < len(eval_set.queries),
    )


def status_kib(field_name: str) -> int | None:
    """A memory figure from /proc/self/status (Linux), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> None:
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux)


@dataclass(frozen=True, slots=True)
class BuildFigures:
    products: int
    build_s: float
    rss_growth_mb: float | None  # resident memory added by the index, after the build
    peak_growth_mb: float | None  # highest resident memory during the build, above the level before it
    from_saved: bool = False  # build_s is then the time to load saved tables (and invert a large index)

    def as_dict(self) -> dict[str, object]:
        return {
            "products": self.products,
            "build_s": round(self.build_s, 3),
            **({"from_saved_tables": True} if self.from_saved else {}),
            "rss_growth_mb": None if self.rss_growth_mb is None else round(self.rss_growth_mb, 1),
            "peak_growth_mb": None if self.peak_growth_mb is None else round(self.peak_growth_mb, 1),
        }


def build_measured(catalog: Catalog, *, tables_dir: Path | None = None) -> tuple[Resolver, BuildFigures]:
    """Build the resolver, or with ``tables_dir`` load its saved tables from there (building and saving them
    when absent), measuring time and memory."""
    saved = tables_dir is not None and (tables_dir / catalog_key(catalog) / "meta.json").exists()
    _reset_peak_rss()
    before = status_kib("VmRSS")
    started = time.perf_counter()
    resolver = Resolver(catalog) if tables_dir is None else Resolver.cached(catalog, cache_dir=tables_dir)
    elapsed = time.perf_counter() - started
    after, peak = status_kib("VmRSS"), status_kib("VmHWM")
    growth = None if before is None or after is None else (after - before) / 1024
    peak_growth = None if before is None or peak is None else (peak - before) / 1024
    return resolver, BuildFigures(len(catalog), elapsed, growth, peak_growth, saved)


def latency_figures(resolver: Resolver, texts: list[str]) -> dict[str, float]:
    """p50 and p99 of resolving each text once, pinned to one core: wall clock, and this thread's CPU time
    (``time.thread_time``), which other processes on a shared machine do not inflate."""
    wall: list[float] = []
    cpu: list[float] = []
    with one_core():
        for text in texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            resolver.resolve(text)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": percentile(wall, 0.5),
        "p99_ms": percentile(wall, 0.99),
        "cpu_p50_ms": percentile(cpu, 0.5),
        "cpu_p99_ms": percentile(cpu, 0.99),
    }


def throughput(resolve: Callable[[str], object], texts: list[str], *, threads: int) -> float:
    """Queries per second resolving ``texts`` with this many threads."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(resolve, texts):
            pass
    return len(texts) / (time.perf_counter() - started)


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def prebuilt_figures(resolver: Resolver, catalog_dir: Path, texts: list[str]) -> dict[str, object]:
    """Store the resolver's tables, then load them in a fresh process (``backend.bench.coldstart``): a cold start."""
    with tempfile.TemporaryDirectory(prefix="voicecart-bench-") as scratch:
        cache = Path(scratch)
        started = time.perf_counter()
        resolver.tables.save(cache / catalog_key(resolver.catalog))
        save_s = time.perf_counter() - started
        size_mb = sum(path.stat().st_size for path in cache.rglob("*") if path.is_file()) / 1e6
        queries = cache / "queries.txt"
        queries.write_text("\n".join(texts), encoding="utf-8")
        probe = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "backend.bench.coldstart", str(catalog_dir), str(cache), str(queries)],
            capture_output=True,
            text=True,
            check=True,
        )
        cold = json.loads(probe.stdout.strip().splitlines()[-1])
    return {"save_s": round(save_s, 3), "size_mb": round(size_mb, 1), **cold}
