"""The bench plots, drawn from records in the shapes ``bench resolve --json`` and ``bench load --json`` print."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.bench.plots import load_plot, resolve_plot

PNG = b"\x89PNG\r\n\x1a\n"

SETS = [
    {"kind": "set", "set": "spoken_catalog_dev", "n": 1000, "top1": 0.902, "top3": 0.937, "p50_ms": 0.64,
     "p99_ms": 1.27, "baselines": [
         {"method": "rapidfuzz WRatio", "n": 1000, "top1": 0.71, "top3": 0.82, "p50_ms": 21.0, "subset": None},
         {"method": "difflib", "n": 40, "top1": 0.55, "top3": 0.66, "p50_ms": 900.0, "subset": 40},
         {"method": "metaphone", "n": 200, "top1": 0.4, "top3": None, "p50_ms": 3.1, "subset": 200}]},
    {"kind": "set", "set": "spoken_personal_dev", "n": 500, "top1": 0.8, "top3": 0.9, "p50_ms": 0.9,
     "baselines": [{"method": "rapidfuzz WRatio", "n": 500, "top1": 0.5, "top3": 0.7, "p50_ms": 20.0}]},
    {"kind": "performance", "catalog": {"products": 49688}},
]  # fmt: skip

LOAD = {
    "seconds_per_level": 10,
    "levels": [
        {"concurrency": c, "turns": 100 * c, "turns_per_second": 9.5 * c,
         "all": {"p50_ms": 20 + c, "p95_ms": 40 + 2 * c, "p99_ms": 60 + 3 * c},
         "kinds": {"launch": {"p50_ms": 15 + c, "p99_ms": 50}, "add": {"p50_ms": 25 + c, "p99_ms": 70}}}
        for c in (1, 4, 16, 48)
    ],
}  # fmt: skip


def test_resolve_plot_draws_a_png_per_run(tmp_path: Path) -> None:
    path = resolve_plot(SETS, tmp_path / "plots" / "resolve.png")
    assert path.read_bytes().startswith(PNG)
    assert path.stat().st_size > 20_000  # two panels with points and labels, not an empty canvas


def test_load_plot_draws_percentiles_against_concurrency(tmp_path: Path) -> None:
    path = load_plot(LOAD, tmp_path / "load.png")
    assert path.read_bytes().startswith(PNG)
    assert path.stat().st_size > 15_000


def test_nothing_to_plot_is_an_error_not_an_empty_picture(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no set records"):
        resolve_plot([{"kind": "performance"}], tmp_path / "x.png")
    with pytest.raises(ValueError, match="no concurrency levels"):
        load_plot({"levels": []}, tmp_path / "y.png")
    assert not list(tmp_path.iterdir())
