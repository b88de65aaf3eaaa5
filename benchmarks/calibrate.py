"""Fit the confidence model of ``backend/resolver/confidence.py`` on spoken-query sets.

For the top candidate of every query it records (match, lead over the next distinct candidate,
bought before) and whether it was right, fits a logistic regression (Newton's method, numpy), and
prints the coefficients, a reliability table and the wrong-accepted share at a few thresholds.

    .venv/bin/python benchmarks/calibrate.py ../shared/eval/spoken_catalog_dev.csv \
        ../shared/eval/spoken_personal_dev.csv [--half a]

``--half a`` fits on one stable half of the rows (``EvalQuery.half``), so the other half checks it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from backend.bench.cli import _histories
from backend.bench.evalset import Judge, load_eval_set
from backend.catalog import DEFAULT_DATA_DIR, load_default_catalog
from backend.resolver import Resolver

CUTOFF = 0.45


def main(arguments: list[str]) -> None:
    half = None
    if "--half" in arguments:
        at = arguments.index("--half")
        half = arguments[at + 1]
        arguments = arguments[:at] + arguments[at + 2 :]
    paths = arguments
    catalog = load_default_catalog()
    resolver = Resolver(catalog)
    judge = Judge(catalog)
    histories = _histories(DEFAULT_DATA_DIR / "customers_sample.csv")
    features, labels = [], []
    for path in paths:
        eval_set = load_eval_set(Path(path))
        for query in (eval_set.half(half) if half else eval_set).queries:
            history = histories.get(query.customer_id) if query.customer_id else None
            candidates = resolver.resolve(query.heard, history=history).candidates
            if not candidates:
                continue
            best = candidates[0]
            runner_up = candidates[1].score if len(candidates) > 1 else CUTOFF
            bought = any(reason.code == "bought_before" for reason in best.reasons)
            features.append((1.0, best.match, best.score - runner_up, float(bought)))
            labels.append(float(judge.right_for(best.product.id, query)))
    x, y = np.array(features), np.array(labels)
    weights = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ weights))
        gradient = x.T @ (y - p)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(x.shape[1])
        weights += np.linalg.solve(hessian, gradient)
    print("INTERCEPT, MATCH_COEF, LEAD_COEF, BOUGHT_COEF =", ", ".join(f"{w:.2f}" for w in weights))
    p = 1 / (1 + np.exp(-x @ weights))
    print("reliability: predicted bin -> observed right share (n)")
    for low in np.arange(0, 1, 0.1):
        inside = (p >= low) & (p < low + 0.1)
        if inside.any():
            print(f"  {low:.1f}-{low + 0.1:.1f}: {y[inside].mean():.3f} ({int(inside.sum())})")
    for threshold in (0.8, 0.85, 0.9, 0.93, 0.95):
        accepted = p >= threshold
        wrong = (accepted & (y == 0)).mean()
        print(f"accept at {threshold}: accepted {accepted.mean():.3f}, wrong accepted {wrong:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
