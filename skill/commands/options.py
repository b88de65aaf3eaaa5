"""Command-line options that several commands share."""

from __future__ import annotations

import argparse


def add_demo_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo-data-anywhere",
        action="store_true",
        help="load the demo customers even into a store that is not the embedded one "
        "(they always go into the embedded store; env VOICECART_DEMO_DATA_ANYWHERE)",
    )
