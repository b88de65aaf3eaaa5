"""Pictures of the benches, drawn from their JSON result records (what ``--json`` prints), so a plot never needs
the bench's internals: ``resolve_plot(records, path)`` and ``load_plot(report, path)``.

- resolve: one panel per eval set, accuracy (top-1, filled; top-3, hollow, joined to it) against median latency on
  a log axis, for our resolver and every baseline. Up and to the left is better.
- load: latency percentiles (p50, p95, p99 of all turns) against concurrency, and each kind of turn's p50.

matplotlib is an optional dependency (the ``bench`` extra, in ``dev`` too); it is imported only when a plot is
asked for, with the non-interactive Agg backend (no display on servers and in CI).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

OURS = "voicecart resolver"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - the message is the point
        raise SystemExit("plots need matplotlib: pip install 'voicecart[bench]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _points(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Ours first, then every baseline, each with a method name, accuracies and a median latency."""
    ours = {"method": OURS, **{k: record.get(k) for k in ("top1", "top3", "p50_ms", "p99_ms", "n")}}
    points = [ours, *[dict(b) for b in record.get("baselines") or ()]]
    return [p for p in points if isinstance(p.get("top1"), int | float) and isinstance(p.get("p50_ms"), int | float)]


def resolve_plot(records: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Accuracy against latency, per set, from ``bench resolve``'s ``kind: "set"`` records."""
    sets = [r for r in records if r.get("kind", "set") == "set"]
    if not sets:
        raise ValueError("no set records to plot")
    plt = _pyplot()
    columns = min(2, len(sets))
    rows = math.ceil(len(sets) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(7 * columns, 5 * rows), squeeze=False)
    methods = sorted({p["method"] for r in sets for p in _points(r)} - {OURS})
    colours = {OURS: "#c0392b"} | {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(methods)}
    for axis, record in zip(axes.flat, sets, strict=False):
        for point in _points(record):
            method, latency = point["method"], max(float(point["p50_ms"]), 1e-3)
            colour, ours = colours[method], point["method"] == OURS
            size = 140 if ours else 70
            axis.scatter([latency], [point["top1"]], s=size, color=colour, zorder=3, label=method,
                         marker="*" if ours else "o")  # fmt: skip
            if isinstance(point.get("top3"), int | float):
                axis.plot([latency, latency], [point["top1"], point["top3"]], color=colour, lw=1, zorder=2)
                axis.scatter([latency], [point["top3"]], s=size * 0.6, facecolors="none", edgecolors=colour, zorder=3)
            subset = f" (first {point['subset']})" if point.get("subset") else ""
            axis.annotate(method + subset, (latency, point["top1"]), textcoords="offset points", xytext=(6, -12),
                          fontsize=8, color=colour)  # fmt: skip
        axis.set_xscale("log")
        latencies = [max(float(p["p50_ms"]), 1e-3) for p in _points(record)]
        axis.set_xlim(min(latencies) / 2, max(latencies) * 6)  # room for the labels right of the points
        axis.set_ylim(0, 1.02)
        axis.set_xlabel("median latency per query (ms, log scale)")
        axis.set_ylabel("accuracy (filled: top-1, hollow: top-3)")
        axis.set_title(f"{record.get('set', '?')} (n={record.get('n', '?')})")
        axis.grid(True, which="both", alpha=0.3)
    for axis in list(axes.flat)[len(sets) :]:
        axis.set_visible(False)
    figure.suptitle("Resolver accuracy against latency: voicecart and the baselines (up and left is better)")
    figure.tight_layout()
    return _save(figure, plt, path)


def load_plot(report: Mapping[str, Any], path: Path) -> Path:
    """Latency percentiles against concurrency, from ``bench load --json``'s report (its ``levels``)."""
    levels = sorted(report.get("levels") or (), key=lambda level: level["concurrency"])
    if not levels:
        raise ValueError("no concurrency levels to plot")
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(8, 5))
    workers = [level["concurrency"] for level in levels]
    for name, style in (("p50_ms", "-o"), ("p95_ms", "-s"), ("p99_ms", "-^")):
        values = [level["all"].get(name) for level in levels]
        axis.plot(workers, values, style, lw=2, label=f"all turns {name[:3]}")
    kinds = sorted({kind for level in levels for kind in (level.get("kinds") or {})})
    for kind in kinds:
        values = [(level.get("kinds") or {}).get(kind, {}).get("p50_ms") for level in levels]
        axis.plot(workers, values, ":", lw=1, label=f"{kind} p50")
    axis.set_xscale("log", base=2)
    axis.set_xticks(workers, [str(w) for w in workers])
    axis.set_xlabel("concurrent devices")
    axis.set_ylabel("latency (ms)")
    axis.set_title(f"Voice turn latency against concurrency ({report.get('seconds_per_level', '?')} s per level)")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return _save(figure, plt, path)


def _save(figure: Any, plt: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
