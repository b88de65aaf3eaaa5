"""``voicecart bench heldout``: spoken-query sets made as the dev sets were, from products and customers they never use.

Usage::

    voicecart bench heldout --out benchmarks/heldout            (600 catalog, 600 with-history, 300 personal rows)
    voicecart bench heldout --sets personal --snr-db 20         (one kind, with white noise at 20 dB SNR)

Needs Debian's ``flite`` and ``pocketsphinx`` 5 (``pip install 'voicecart[heldout]'``); nothing else in voicecart does.
The rows drawn depend only on ``--seed`` and the data, so a rerun remakes the same files. After each file is
written, ``READY`` in the output directory lists the files finished so far.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from backend.bench import heldout_stats
from backend.bench.heldout_draw import (
    CATALOG_COLUMNS,
    DEV_FILES,
    HISTORY_COLUMNS,
    Row,
    Utterance,
    Voice,
    draw_catalog,
    draw_personal,
    read_dev_sets,
    read_products,
    read_purchases,
    spoken_text,
    utterances,
    voices,
    with_history,
    write_rows,
)
from backend.catalog import DEFAULT_DATA_DIR
from backend.errors import CatalogLoadError

DEFAULT_DEV_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"
DEFAULT_SEED = 20261202
DEFAULT_VOICES = ("slt", "rms", "awb", "kal16")  # the dev sets' voices
DEFAULT_RATES = (140, 190)  # words per minute; the dev sets speak at 150 and 175
READY_FILE = "READY"


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    heldout = bench_commands.add_parser("heldout", help="make held-out spoken-query sets (needs flite, pocketsphinx)")
    heldout.add_argument("--out", type=Path, default=Path("benchmarks/heldout"), help="directory for the CSVs")
    heldout.add_argument("--catalog", type=Path, default=DEFAULT_DATA_DIR, help="Instacart-layout directory")
    heldout.add_argument("--dev-sets", type=Path, default=DEFAULT_DEV_DIR, help="directory of the dev sets to avoid")
    heldout.add_argument(
        "--sets",
        choices=("catalog", "personal"),
        action="append",
        help="kinds to make (default both; catalog also writes the with-history set: its rows asked by customers)",
    )
    heldout.add_argument("--catalog-rows", type=int, default=600)
    heldout.add_argument("--personal-rows", type=int, default=300)
    heldout.add_argument("--seed", type=int, default=DEFAULT_SEED)
    heldout.add_argument("--voices", default=",".join(DEFAULT_VOICES), help="flite voices, comma-separated")
    heldout.add_argument("--rates", default=",".join(map(str, DEFAULT_RATES)), help="words per minute, comma-separated")
    heldout.add_argument("--snr-db", type=float, help="add white noise at this signal-to-noise ratio (default: none)")
    heldout.add_argument("--jobs", type=int, default=1, help="recogniser processes")
    heldout.add_argument(
        "--check-dev",
        type=int,
        metavar="N",
        help="instead: speak the first N rows of the dev catalog set with their own voice and rate, and count how "
        "many this pipeline hears exactly as the dev set does (that it is made the same way)",
    )
    heldout.set_defaults(func=run_heldout)
    heldout_stats.register(bench_commands)


def set_names(snr_db: float | None) -> dict[str, str]:
    suffix = "heldout" if snr_db is None else f"heldout_snr{snr_db:g}"
    return {
        "catalog": f"spoken_catalog_{suffix}.csv",
        "history": f"spoken_catalog_with_history_{suffix}.csv",
        "personal": f"spoken_personal_{suffix}.csv",
    }


def run_heldout(args: argparse.Namespace) -> int:
    from backend.bench.heldout_speech import require_tools, transcribe_all

    require_tools()
    if args.check_dev:
        return _check_dev(args.dev_sets / DEV_FILES[0], args.check_dev, args.jobs)

    for required in (args.catalog / "products.csv", args.catalog / "customers_sample.csv", args.dev_sets):
        if not required.exists():
            raise CatalogLoadError(f"{required} is missing")
    products = read_products(args.catalog / "products.csv")
    names = {product.product_id: product.name for product in products}
    purchases = read_purchases(args.catalog / "customers_sample.csv")
    dev = read_dev_sets(args.dev_sets, products)
    choices = voices(args.voices.split(","), [int(rate) for rate in args.rates.split(",")])
    files = set_names(args.snr_db)
    kinds = args.sets or ["catalog", "personal"]

    def hear(rows: Sequence[Row], prefix: str) -> None:
        started = time.monotonic()
        for index, heard in enumerate(
            transcribe_all(utterances(rows, prefix), snr_db=args.snr_db, seed=args.seed, jobs=args.jobs), start=1
        ):
            rows[index - 1].asr_hypothesis = heard
            if index % 100 == 0 or index == len(rows):
                print(f"{prefix}: {index}/{len(rows)} heard ({time.monotonic() - started:.0f} s)", file=sys.stderr)

    if "catalog" in kinds:
        # Each kind draws from its own seeded stream, so making one kind never changes another's rows.
        catalog_rows = draw_catalog(products, dev, args.catalog_rows, choices, random.Random(f"{args.seed}:catalog"))
        hear(catalog_rows, "catalog")
        write_rows(args.out / files["catalog"], catalog_rows, CATALOG_COLUMNS)
        _mark_ready(args.out)
        history_rows = with_history(catalog_rows, purchases, dev, random.Random(f"{args.seed}:history"))
        write_rows(args.out / files["history"], history_rows, HISTORY_COLUMNS)
        _mark_ready(args.out)
    if "personal" in kinds:
        personal_rows = draw_personal(
            purchases, names, dev, args.personal_rows, choices=choices, rng=random.Random(f"{args.seed}:personal")
        )
        hear(personal_rows, "personal")
        write_rows(args.out / files["personal"], personal_rows, HISTORY_COLUMNS)
        _mark_ready(args.out)
    return 0


def _check_dev(path: Path, count: int, jobs: int) -> int:
    from backend.bench.heldout_speech import transcribe_all

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:count]
    spoken = [
        Utterance(
            f"dev:{index}",
            spoken_text(row["product_name"]),
            Voice(row["voice"].removeprefix("flite:"), int(row["rate"])),
        )
        for index, row in enumerate(rows)
    ]
    same: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row, heard in zip(rows, transcribe_all(spoken, snr_db=None, seed=0, jobs=jobs), strict=True):
        total[row["rate"]] += 1
        same[row["rate"]] += heard == row["asr_hypothesis"]
    for rate in sorted(total):
        print(f"rate {rate}: {same[rate]}/{total[rate]} heard exactly as in {path.name}")
    print(f"all: {sum(same.values())}/{sum(total.values())}")
    return 0


def _mark_ready(directory: Path) -> None:
    """``READY``: one line naming the finished CSVs of the directory (any noise level), for whoever waits on them."""
    finished = sorted(path.name for path in directory.glob("spoken_*_heldout*.csv"))
    (directory / READY_FILE).write_text(" ".join(finished) + "\n", encoding="utf-8")
    print(f"ready: {', '.join(finished)}", file=sys.stderr)
