"""A cold start measured in a fresh process: load the catalog, then the prebuilt resolver tables, then resolve.

    python -m backend.bench.coldstart CATALOG_DIR CACHE_DIR QUERIES_FILE

Prints one JSON object: seconds to load the tables into a ``Resolver`` (the catalog's own CSV
loading is not counted), resident memory (VmRSS) added by them right after loading and after
resolving every query once (memory-mapped pages come in as queries touch them), and the
process's total resident memory. ``voicecart bench resolve`` runs it after storing the tables.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from backend.bench.measure import status_kib
from backend.catalog import load_instacart
from backend.resolver import Resolver


def main(argv: list[str]) -> int:
    catalog_dir, cache_dir, queries = Path(argv[0]), Path(argv[1]), Path(argv[2])
    catalog = load_instacart(catalog_dir).catalog
    texts = queries.read_text(encoding="utf-8").splitlines()
    before = status_kib("VmRSS") or 0
    started = time.perf_counter()
    resolver = Resolver.cached(catalog, cache_dir=cache_dir)
    load_s = time.perf_counter() - started
    loaded = status_kib("VmRSS") or 0
    for text in texts:
        resolver.resolve(text)
    after = status_kib("VmRSS") or 0
    figures = {
        "load_s": round(load_s, 3),
        "rss_added_loaded_mb": round((loaded - before) / 1024, 1),
        "rss_added_after_queries_mb": round((after - before) / 1024, 1),
        "rss_total_mb": round(after / 1024, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
