"""``voicecart bench coldstart``: how long a fresh Lambda process of the skill takes to answer, over N runs.

Each run is a new interpreter (``backend/bench/lambda_coldstart_child.py``) that imports the handler's module as
Lambda's runtime does (its init phase builds everything ``build_backend`` builds: the catalog, the resolver's index
built or loaded) and invokes the handler with a LaunchRequest and then an AddToCart, twice. The table is served by
this process (moto's DynamoDB behind a loopback HTTP endpoint, a table made and a customer linked per run, as in AWS
where they are there before the function starts), so the fresh process pays for every import the function needs, boto3
included, and nothing the stand-in store needs. Figures are milliseconds, medians over the runs:

- ``python``: process start to the first line of the child (the interpreter itself)
- ``import``: the handler module's imports and settings (its init minus the parts below)
- ``catalog``, ``backend``, ``index``, ``skill``: the init's parts, from the function's own ``skill ready`` log line
  (``backend``: the DynamoDB client, most of it botocore loading the service's model and endpoint rules, and the
  services)
- ``init``: the handler module imported
- ``first_answer``: process start to the LaunchRequest answered
- ``add_to_cart``: the AddToCart turn on its own (the first resolution), and ``first_add`` from process start
  to it answered; ``add_again``: the same turn once more, the process now warm (what a warm add costs: the
  first should cost about as much, the kind tables coming prebuilt)
- ``cpu``: user + system CPU time of the whole fresh process: on a shared, loaded machine the wall-clock figures
  above stretch, this one much less

Before the runs the measured code is byte-compiled, as the Lambda package is (``infra/Makefile``).
``--source DIR`` measures the voicecart code in DIR (a checkout or an export of another branch: it goes first on
the child's path) with this bench; ``--baseline DIR`` measures DIR's code too, alternating the fresh processes of
the two, and prints both medians and their ratio: on a shared machine whose load changes by the minute, the
ratio of alternated runs is the figure to quote. The target: ``first_answer`` within 1000 ms at 50k products.
"""

from __future__ import annotations

import argparse
import compileall
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_HANDLER = "skill.lambda_entry.handler"
TARGET_MS = 1000.0
CHILD = Path(__file__).with_name("lambda_coldstart_child.py")
FIGURES = (
    "python",
    "import",
    "catalog",
    "backend",
    "index",
    "skill",
    "init",
    "first_answer",
    "add_to_cart",
    "first_add",
    "add_again",
    "cpu",
)
# The child's constants: the customer it speaks as, linked to the token its envelopes carry.
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
TOKEN = "bench-linked-access-token"  # noqa: S105 - a made-up token linked to a demo customer in the bench's store
CUSTOMER = "1285"
# The stand-in store's made-up credentials: it runs on loopback, nothing reaches AWS.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench"}
REGION = "us-east-1"


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    coldstart = bench_commands.add_parser("coldstart", help="a fresh Lambda process: init and first answers")
    coldstart.add_argument("--runs", type=int, default=5, help="fresh processes to start (default 5)")
    coldstart.add_argument("--handler", default=DEFAULT_HANDLER, help="module.function, as the template's Handler")
    coldstart.add_argument(
        "--source", type=Path, default=None, help="measure the voicecart code in this directory (e.g. main's)"
    )
    coldstart.add_argument(
        "--baseline", type=Path, default=None, help="also measure the code in this directory, runs alternated"
    )
    coldstart.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    coldstart.set_defaults(func=run_coldstart)


def run_coldstart(args: argparse.Namespace) -> int:
    here = Path(__file__).resolve().parents[2]
    measured = args.source or here
    byte_compile(measured)
    if args.baseline is not None:
        byte_compile(args.baseline)
    runs: list[dict[str, Any]] = []
    baseline_runs: list[dict[str, Any]] = []
    with stand_in_store() as endpoint:
        for _ in range(max(1, args.runs)):
            # Alternated, so a shared machine's changing load weighs on both alike.
            if args.baseline is not None:
                baseline_runs.append(one_cold_start(args.handler, endpoint=endpoint, source=args.baseline))
            runs.append(one_cold_start(args.handler, endpoint=endpoint, source=args.source))
    medians = _medians(runs)
    report: dict[str, Any] = {
        "runs": len(runs),
        "source": str(args.source or "this checkout"),
        "median_ms": medians,
        "target_first_answer_ms": TARGET_MS,
        "met": medians["first_answer"] <= TARGET_MS,
        "speech": runs[-1]["speech"],
    }
    if baseline_runs:
        baseline = _medians(baseline_runs)
        report["baseline"] = {"source": str(args.baseline), "median_ms": baseline}
        report["ratio"] = {name: _ratio(medians[name], baseline[name]) for name in FIGURES}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"cold start of {args.handler} ({report['source']}): medians over {len(runs)} fresh processes (ms)")
    if baseline_runs:
        print(f"  {'':<13} {'this':>9} {'baseline':>9} {'ratio':>6}   (baseline: {args.baseline}, runs alternated)")
        for name in FIGURES:
            ratio = report["ratio"][name]
            shown = f"{ratio:>6.2f}" if ratio is not None else f"{'-':>6}"
            print(f"  {name:<13} {medians[name]:>9.1f} {report['baseline']['median_ms'][name]:>9.1f} {shown}")
    else:
        for name in FIGURES:
            print(f"  {name:<13} {medians[name]:>9.1f}")
    verdict = "met" if report["met"] else "NOT met"
    print(f"target: first answer within {TARGET_MS:.0f} ms of process start: {verdict}")
    print(f"  launch said: {runs[-1]['speech']['launch'][:100]}")
    print(f"  add said:    {runs[-1]['speech']['add'][:100]}")
    return 0


def _ratio(value: float, baseline: float) -> float | None:
    return round(value / baseline, 2) if baseline else None


def _medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {name: round(statistics.median(run[name] for run in runs), 1) for name in FIGURES}


def byte_compile(source: Path) -> None:
    """Compile the measured code's packages first, as ``infra/Makefile`` does for the Lambda package: a fresh
    process that cannot write bytecode (``PYTHONDONTWRITEBYTECODE``, a read-only code directory) would otherwise
    compile every module of ours it imports, on every start."""
    for package in ("backend", "skill"):
        if (source / package).is_dir():
            compileall.compile_dir(source / package, quiet=1, workers=0)


@contextmanager
def stand_in_store() -> Iterator[str]:
    """moto's DynamoDB on a loopback port for the runs (the embedded store has no socket a child could reach)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _prepare_table(endpoint: str) -> str:
    """A fresh table on the stand-in store with the bench customer linked; its name."""
    import boto3

    from backend.identity.store import IdentityKind, IdentityStore
    from backend.services import open_table
    from backend.settings import Settings

    name = f"voicecart-bench-{uuid.uuid4().hex[:8]}"
    settings = Settings.load(env={}, store=endpoint, table_name=name)
    client = boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    ).client("dynamodb", endpoint_url=endpoint)
    identities = IdentityStore(open_table(settings, client=client, create_tables=True))
    identities.link(CUSTOMER, IdentityKind.ALEXA_TOKEN, TOKEN)
    return name


def one_cold_start(handler: str, *, endpoint: str, source: Path | None = None) -> dict[str, Any]:
    """One fresh process of ``handler`` against the stand-in store at ``endpoint``, its figures in milliseconds."""
    table = _prepare_table(endpoint)
    path = [str(source.resolve())] if source is not None else []
    environment = {
        **os.environ,
        **DUMMY_CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "PYTHONPATH": os.pathsep.join([*path, *(p for p in sys.path if p)]),
        # As the template sets them, but for the store: the stand-in's endpoint instead of "aws".
        "VOICECART_STORE": endpoint,
        "VOICECART_TABLE": table,
        "VOICECART_SKILL_ID": SKILL_ID,
        "VOICECART_CREATE_TABLES": "false",
        "VOICECART_DEMO_DATA": "false",
    }
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "stamps.json"
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        result = subprocess.run(  # noqa: S603 - this interpreter, a fixed file, the handler path as one argument
            [sys.executable, "-P", str(CHILD), handler, str(out)],
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
    parts = {name: float(init.get(f"{name}_ms", 0.0)) for name in ("catalog", "backend", "index", "skill")}
    init_ms = (stamps["init"] - stamps["interpreter"]) * 1000
    inside = sum(parts.values()) + float(init.get("store_ms", 0.0))
    return {
        "python": (stamps["interpreter"] - started) * 1000,
        "import": init_ms - inside,
        **parts,
        "init": init_ms,
        "first_answer": (stamps["launch"] - started) * 1000,
        "add_to_cart": (stamps["add"] - stamps["launch"]) * 1000,
        "first_add": (stamps["add"] - started) * 1000,
        "add_again": (stamps["again"] - stamps["add"]) * 1000,
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
