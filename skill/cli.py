"""The ``voicecart`` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules with ``register(subparsers)``; the order is the order ``voicecart --help`` lists them.
COMMAND_MODULES = (
    "skill.commands.serve",
    "skill.commands.customers",
    "skill.commands.dialog",
    "skill.commands.dialogtest",
    "skill.commands.models",
    "skill.commands.signer",
    "skill.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicecart",
        description="Voice shopping on Alexa: the skill server, its interaction models, a simulator and benchmarks.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
