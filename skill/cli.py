"""The ``voicecart`` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from backend.errors import VoicecartError

# Modules with ``register(subparsers)``; the order is the order ``voicecart --help`` lists them.
COMMAND_MODULES = (
    "skill.commands.serve",
    "skill.commands.customers",
    "skill.commands.keys",
    "skill.commands.voicecode",
    "skill.commands.dialog",
    "skill.commands.dialogtest",
    "skill.commands.models",
    "skill.commands.signer",
    "skill.bench",
    "backend.catalog.index_files",
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
    try:
        result: int = args.func(args)
    except VoicecartError as exc:
        # A setting, a store or an input the command cannot use: one line, no traceback.
        print(f"voicecart {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
