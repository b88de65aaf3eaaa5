"""``voicecart index build``: a catalog's prebuilt files, built once per catalog version.

    python -m backend.catalog.index_files build [--catalog DIR] [--cache-dir DIR]

Writes, into the cache directory, the prebuilt catalog (``catalog-<version>.npz``, see
``backend.catalog.prebuilt``) and the resolver's tables (``<catalog key>/``, see
``backend.resolver.tables``), and prints where, how long the builds took and how long loading takes.
A process builds both on first use when nobody ran this; running it at deploy time (``infra/Makefile``
does, into the Lambda package, with ``VOICECART_INDEX_DIR`` pointing at it) spares a cold start the
CSV parse and the index build.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from backend.catalog import DEFAULT_DATA_DIR, prebuilt
from backend.catalog.cache import default_cache_dir
from backend.resolver import Resolver
from backend.resolver.tables import ResolverTables, catalog_key


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``index build`` to a parent command's subparsers."""
    index = subparsers.add_parser("index", help="the resolver's prebuilt index files")
    commands = index.add_subparsers(dest="index_command", required=True)
    build = commands.add_parser("build", help="build the prebuilt catalog and index of a catalog")
    build.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR, help="Instacart-layout directory")
    build.add_argument("--cache-dir", type=Path, default=None, help="where indexes live (default: the cache dir)")
    build.add_argument("--catalog-only", action="store_true", help="the prebuilt catalog, not the resolver's index")
    build.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    cache_dir = args.cache_dir or default_cache_dir()
    started = time.perf_counter()
    path, from_csv = prebuilt.build(args.catalog, cache_dir)
    built = time.perf_counter() - started
    started = time.perf_counter()
    prebuilt.load(path, version=prebuilt.catalog_version(args.catalog))
    loaded = time.perf_counter() - started
    size = path.stat().st_size / 1e6
    print(f"{path}: {len(from_csv.catalog)} products, built in {built:.1f} s, {size:.1f} MB, loads in {loaded:.2f} s")
    if args.catalog_only:
        return 0
    catalog = from_csv.catalog
    directory = cache_dir / catalog_key(catalog)
    started = time.perf_counter()
    resolver = Resolver(catalog)
    resolver.tables.save(directory)
    built = time.perf_counter() - started
    started = time.perf_counter()
    ResolverTables.load(directory)
    loaded = time.perf_counter() - started
    size = sum(path.stat().st_size for path in directory.iterdir()) / 1e6
    print(f"{directory}: {len(catalog)} products, built in {built:.1f} s, {size:.0f} MB, loads in {loaded:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voicecart", description="python -m backend.catalog.index_files")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["index", *(argv if argv is not None else sys.argv[1:])])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
