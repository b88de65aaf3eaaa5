"""``voicecart models build|check``: generate the interaction models from the catalog, and validate them offline."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from backend.catalog import load_instacart
from skill.models import MODELS_ROOT, SOURCE_DIR, build_default_models, shipped_model_files, stale_files, write_models
from skill.models.check import check_file
from skill.models.limits import DEFAULT_LIMITS
from skill.models.source import ModelSourceError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("models", help="build and check the Alexa interaction models")
    actions = parser.add_subparsers(dest="models_command", required=True, metavar="ACTION")

    build = actions.add_parser("build", help="generate interaction_models/ from the source and the catalog")
    build.add_argument("--root", type=Path, default=MODELS_ROOT, help="interaction_models directory to write")
    build.add_argument("--source", type=Path, default=SOURCE_DIR, help="hand-written model source directory")
    build.add_argument("--catalog", type=Path, help="an Instacart-layout catalog directory (default: the demo)")
    build.add_argument("--history", type=Path, help="order histories CSV used to rank products by purchases")
    build.add_argument(
        "--max-model-chars",
        type=int,
        default=DEFAULT_LIMITS.max_model_chars,
        help="size budget per model file (default %(default)s)",
    )
    build.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files are stale")
    build.set_defaults(func=run_build)

    check = actions.add_parser("check", help="validate models against Amazon's offline-checkable rules")
    check.add_argument("files", nargs="*", type=Path, help="model JSON files (default: the shipped models)")
    check.set_defaults(func=run_check)


def run_build(args: argparse.Namespace) -> int:
    catalog = None
    if args.catalog is not None:
        loaded = load_instacart(args.catalog)
        for problem in loaded.problems:
            print(f"catalog: {problem.file}:{problem.line}: {problem.reason}", file=sys.stderr)
        catalog = loaded.catalog
    limits = dataclasses.replace(DEFAULT_LIMITS, max_model_chars=args.max_model_chars)
    try:
        result = build_default_models(
            source_dir=args.source, catalog=catalog, customers_csv=args.history, limits=limits
        )
    except ModelSourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    selection = result.selection
    print(f"PRODUCT: {len(selection.values)} values of {selection.catalog_size} products: {selection.policy}")
    if args.check:
        stale = stale_files(args.root, result)
        for path in stale:
            print(f"stale: {args.root / path}  (run: voicecart models build)")
        return 1 if stale else 0
    for path in write_models(args.root, result):
        print(f"wrote {path}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    files = args.files or shipped_model_files()
    if not files:
        print("no model files found", file=sys.stderr)
        return 2
    failed = 0
    for path in files:
        problems = check_file(path)
        for problem in problems:
            print(problem)
        print(f"{path}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        failed += bool(problems)
    return 1 if failed else 0
