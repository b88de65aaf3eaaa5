"""``voicecart bench coldstart``: how long a fresh Lambda process of the skill takes to answer, over N runs.

Each run is a new interpreter (``backend.bench.lambda_coldstart_child``) that imports the handler's module as Lambda's
runtime does (its init phase builds everything ``build_backend`` builds: the catalog, the resolver's index built
or loaded) and invokes the handler with a LaunchRequest and then an AddToCart on the embedded store. Figures are
milliseconds, medians over the runs:

- ``python``: process start to the first line of the child (the interpreter itself)
- ``store``: the embedded DynamoDB started, its table made, a customer linked (in AWS all that is there already)
- ``import``: the handler module's imports and settings (its init minus the parts below)
- ``catalog``, ``index``, ``skill``: the init's parts, from the function's own ``skill ready`` log line
- ``init``: the handler module imported
- ``first_answer``: process start to the LaunchRequest answered, without the embedded store's start
- ``add_to_cart``: the AddToCart turn on its own (the first resolution), and ``first_add`` from process start
  to it answered, without the store's start
- ``cpu``: user + system CPU time of the whole fresh process (store included): on a shared, loaded machine the
  wall-clock figures above stretch, this one much less

The target: ``first_answer`` within 1000 ms at 50k products.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_HANDLER = "skill.lambda_entry.handler"
TARGET_MS = 1000.0
FIGURES = (
    "python",
    "store",
    "import",
    "catalog",
    "index",
    "skill",
    "init",
    "first_answer",
    "add_to_cart",
    "first_add",
    "cpu",
)


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    coldstart = bench_commands.add_parser("coldstart", help="a fresh Lambda process: init and first answers")
    coldstart.add_argument("--runs", type=int, default=5, help="fresh processes to start (default 5)")
    coldstart.add_argument("--handler", default=DEFAULT_HANDLER, help="module.function, as the template's Handler")
    coldstart.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    coldstart.set_defaults(func=run_coldstart)


def run_coldstart(args: argparse.Namespace) -> int:
    runs = [one_cold_start(args.handler) for _ in range(max(1, args.runs))]
    medians = {name: round(statistics.median(run[name] for run in runs), 1) for name in FIGURES}
    report = {
        "runs": len(runs),
        "median_ms": medians,
        "target_first_answer_ms": TARGET_MS,
        "met": medians["first_answer"] <= TARGET_MS,
        "speech": runs[-1]["speech"],
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"cold start of {args.handler}: medians over {len(runs)} fresh processes (ms)")
    for name in FIGURES:
        print(f"  {name:<13} {medians[name]:>9.1f}")
    verdict = "met" if report["met"] else "NOT met"
    print(f"target: first answer within {TARGET_MS:.0f} ms of process start: {verdict}")
    print(f"  launch said: {runs[-1]['speech']['launch'][:100]}")
    print(f"  add said:    {runs[-1]['speech']['add'][:100]}")
    return 0


def one_cold_start(handler: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "stamps.json"
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        result = subprocess.run(  # noqa: S603 - this interpreter, a fixed module, the handler path as one argument
            [sys.executable, "-m", "backend.bench.lambda_coldstart_child", handler, str(out)],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the cold-start process failed:\n{result.stderr[-3000:]}")
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        measured = json.loads(out.read_text(encoding="utf-8"))
    cpu_ms = (cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime) * 1000
    stamps = measured["stamps"]
    init = _ready_line(result.stdout)
    parts = {name: float(init.get(f"{name}_ms", 0.0)) for name in ("catalog", "index", "skill")}
    store_ms = (stamps["store"] - stamps["interpreter"]) * 1000
    init_ms = (stamps["init"] - stamps["store"]) * 1000
    inside = sum(parts.values()) + float(init.get("store_ms", 0.0)) + float(init.get("backend_ms", 0.0))
    return {
        "python": (stamps["interpreter"] - started) * 1000,
        "store": store_ms,
        "import": init_ms - inside,
        **parts,
        "init": init_ms,
        "first_answer": (stamps["launch"] - started) * 1000 - store_ms,
        "add_to_cart": (stamps["add"] - stamps["launch"]) * 1000,
        "first_add": (stamps["add"] - started) * 1000 - store_ms,
        "cpu": cpu_ms,
        "speech": measured["speech"],
    }


def _ready_line(stdout: str) -> dict[str, Any]:
    """The init's parts from the function's ``skill ready`` log line (empty when the handler logs none)."""
    for line in stdout.splitlines():
        if line.startswith("{") and '"skill ready"' in line:
            entry: dict[str, Any] = json.loads(line)
            return entry
    return {}
