"""``voicecart voicecode set|remove|unlock|status --customer ID``: support staff manage a customer's voice purchase
code, against the chosen store (like ``voicecart keys``, it needs a store that outlives the command).

The code is never an argument (arguments show in ``ps`` and shell history): ``set`` asks for it twice without echo,
or reads one line from standard input with ``--code-stdin``. Every change is audited as a profile event of the
``support`` channel, naming ``--staff`` (an id, never a name) when given.
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys

from backend.errors import ValidationError
from backend.profile import Channel, ProfileStore
from backend.services import open_table
from backend.settings import Settings
from backend.shopping import Actor, VoiceCodes, VoiceCodeStatus
from skill.commands.durable_store import durable_store

_STAFF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("voicecode", help="set, remove or unlock a customer's voice purchase code")
    actions = parser.add_subparsers(dest="voicecode_command", required=True, metavar="ACTION")
    for name, text in (
        ("set", "set or change the code (asked for without echo, or --code-stdin)"),
        ("remove", "remove the code (and any lock)"),
        ("unlock", "lift the lock after three wrong codes; the code stays"),
        ("status", "whether the code is on and whether purchasing is locked"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--customer", required=True, metavar="ID")
        action.add_argument("--json", action="store_true", help="print the state as one JSON object")
        if name != "status":
            action.add_argument("--staff", metavar="ID", help="the support agent's id, for the audit event")
        if name == "set":
            action.add_argument("--code-stdin", action="store_true", help="read the 4-digit code from stdin")
        action.set_defaults(func=run, voicecode_action=name)


def voice_codes(settings: Settings | None = None) -> VoiceCodes:
    table = open_table(durable_store("voice codes", instead="use its API", settings=settings))
    return VoiceCodes(table, ProfileStore(table))


def read_code(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("new voice code (4 digits): ")
    if getpass.getpass("again: ") != first:
        raise ValidationError("the two codes differ; nothing changed", field="code")
    return first


def actor(staff: str | None) -> Actor:
    if staff is not None and not _STAFF.fullmatch(staff):
        raise ValidationError("--staff must be an id (letters, digits, . _ @ -)", field="staff")
    return Actor(channel=Channel.SUPPORT, name=f"support:{staff}" if staff else "support")


def run(args: argparse.Namespace) -> int:
    codes = voice_codes()
    customer = args.customer
    status: VoiceCodeStatus
    if args.voicecode_action == "status":
        status = codes.status(customer)
    elif args.voicecode_action == "set":
        status = codes.set(customer, read_code(args.code_stdin), actor=actor(args.staff))
    elif args.voicecode_action == "remove":
        status = codes.remove(customer, actor=actor(args.staff))
    else:
        status = codes.unlock(customer, actor=actor(args.staff))
    print(json.dumps(status.to_json()) if args.json else describe(status))
    return 0


def describe(status: VoiceCodeStatus) -> str:
    if not status.enabled:
        return f"customer {status.customer_id}: no voice code (orders are not asked for one)"
    lock = "LOCKED after too many wrong codes" if status.locked else f"{status.to_json()['attempts_left']} tries left"
    return f"customer {status.customer_id}: voice code on, {lock} (updated {status.updated_at})"
