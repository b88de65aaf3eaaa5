"""``voicecart bench heard``: how garbled a spoken-query set is, so a held-out set can be compared with the dev sets.

Per set, and per voice and rate: the share of rows heard exactly (the words said, as the set's words are cut) and
the word error rate of ``asr_hypothesis`` against the words said. Digits and symbols count as said ("60%" heard
"sixty percent" is two errors), the same for every set, so the figures compare sets, not recognisers.

    voicecart bench heard --queries ../shared/eval/spoken_catalog_dev.csv \\
        --queries benchmarks/heldout/spoken_catalog_heldout.csv
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.bench.heldout_draw import name_words, spoken_text


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    heard = bench_commands.add_parser("heard", help="how garbled spoken-query sets are (exact share, word error rate)")
    heard.add_argument("--queries", type=Path, action="append", required=True, help="eval CSV (repeatable)")
    heard.set_defaults(func=run_heard)


def word_errors(said: Sequence[str], heard: Sequence[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions)."""
    previous = list(range(len(heard) + 1))
    for i, said_word in enumerate(said, start=1):
        current = [i]
        for j, heard_word in enumerate(heard, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (said_word != heard_word)))
        previous = current
    return previous[-1]


@dataclass(slots=True)
class Heard:
    rows: int = 0
    exact: int = 0
    errors: int = 0
    words: int = 0

    def add(self, said: list[str], heard: list[str]) -> None:
        self.rows += 1
        self.exact += said == heard
        self.errors += word_errors(said, heard)
        self.words += len(said)

    def line(self, label: str) -> str:
        return (
            f"  {label:<28} n {self.rows:>5}  heard exactly {self.exact / max(self.rows, 1):.3f}"
            f"  word error rate {self.errors / max(self.words, 1):.3f}"
        )


def heard_figures(path: Path) -> dict[str, Heard]:
    figures: dict[str, Heard] = defaultdict(Heard)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            said = name_words(spoken_text(row["product_name"]))
            heard = name_words(row["asr_hypothesis"])
            for group in ("all", f"voice={row.get('voice', '')}", f"rate={row.get('rate', '')}"):
                figures[group].add(said, heard)
    return dict(figures)


def run_heard(args: argparse.Namespace) -> int:
    for path in args.queries:
        print(path.name)
        for label, figures in sorted(heard_figures(path).items(), key=lambda item: (item[0] != "all", item[0])):
            print(figures.line(label))
    return 0
