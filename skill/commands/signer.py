"""``voicecart signer init DIR``: a local signing authority for development, so signed requests work offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from skill.simulator.signing import init_local_signer


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("signer", help="manage the local development request signer")
    actions = parser.add_subparsers(dest="signer_command", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="write a throwaway CA and signing certificate to DIR")
    init.add_argument("directory", type=Path)
    init.add_argument("--force", action="store_true", help="replace an existing signer in DIR")
    init.set_defaults(func=run_init)


def run_init(args: argparse.Namespace) -> int:
    init_local_signer(args.directory, overwrite=args.force)
    print(f"Local signer written to {args.directory}.")
    print("Trust it (development only) with:")
    print(f"  VOICECART_LOCAL_SIGNER_DIR={args.directory} voicecart serve")
    print(f"and sign with it:  voicecart dialog --url http://127.0.0.1:8080/alexa --sign-with {args.directory}")
    return 0
