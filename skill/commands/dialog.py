"""``voicecart dialog``: talk to the skill by typing. Prints what Alexa would say, what it heard, and the card.

Type what you would say ("open my grocer", "ask my grocer to add two bananas"); lines starting with ':' are
commands (:help lists them). In-process by default; ``--url`` talks to any running endpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import TextIO

from backend.errors import VoicecartError
from skill.commands.dialogtest import DIM, GREEN, YELLOW, Painter, add_target_arguments, target, use_colour
from skill.simulator.conversation import Conversation, Turn
from skill.simulator.local import conversation_for
from skill.simulator.transport import SimulatorError

HISTORY_LINES = 1000

COMMANDS = """commands:
  :token <token>   link an account (an access token); ':token' alone unlinks
  :new             forget the session (the next utterance starts a new one)
  :quit            end the session (SessionEndedRequest) and leave
  :attrs           show the session attributes
  :json            show the request and response envelopes of each turn (toggle)
  :help            this list"""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("dialog", help="talk to the skill by typing (a simulated Alexa)")
    add_target_arguments(parser)
    parser.add_argument("--token", help="access token of a linked account")
    parser.add_argument("--person-id", help="a recognised speaker's personId")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the skill's log lines too")
    parser.set_defaults(func=run)


def show_turn(turn: Turn, out: TextIO, paint: Painter, *, show_json: bool = False) -> None:
    slots = "  ".join(
        f"{name}={slot.value!r}" + (f" {list(slot.ids)[:5]}" if slot.ids else "") for name, slot in turn.slots.items()
    )
    print(paint(f"  heard: {turn.heard}  {slots}".rstrip(), DIM), file=out)
    if turn.speech:
        print(f"{paint('Alexa:', GREEN)} {turn.speech}", file=out)
    if turn.reprompt:
        print(paint(f"  (reprompt) {turn.reprompt}", DIM), file=out)
    card = turn.card
    if card:
        text = card.get("text") or card.get("content") or ""
        print(paint(f"  card [{card.get('type')}]: {card.get('title', '')}", YELLOW), file=out)
        for line in str(text).splitlines():
            print(paint(f"    {line}", YELLOW), file=out)
    for directive in turn.directives:
        detail = directive.get("slotToElicit")
        print(paint(f"  directive: {directive.get('type')}" + (f" ({detail})" if detail else ""), DIM), file=out)
    if turn.session_ended:
        print(paint("  (session ended)", DIM), file=out)
    if show_json:
        print(json.dumps({"request": turn.request, "response": turn.response}, indent=2), file=out)


def _attempt(action: Callable[[], Turn], out: TextIO, paint: Painter, *, show_json: bool) -> None:
    """Run one turn and show it; any failure is one line, and the conversation goes on."""
    try:
        turn = action()
    except SimulatorError as exc:
        print(f"error: {exc}", file=out)
        if "HTTP 400" in str(exc):
            print(paint("  (a server that verifies requests needs them signed: --sign-with DIR)", DIM), file=out)
        return
    except VoicecartError as exc:
        print(f"error: {exc}", file=out)
        return
    except Exception as exc:  # noqa: BLE001 - an interactive session reports a failed turn and goes on
        print(f"error: the skill failed on that turn ({type(exc).__name__}: {exc}); run with -v for its logs", file=out)
        return
    show_turn(turn, out, paint, show_json=show_json)


def repl(conversation: Conversation, read: Callable[[str], str], out: TextIO, paint: Painter) -> int:
    """Read lines until :quit, end of input (Ctrl-D) or Ctrl-C; an open session is ended as Alexa would."""
    show_json = False
    print("Type what you would say to Alexa. :help for commands, :quit to leave.", file=out)
    while True:
        try:
            line = read("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            line = ":quit"
        if not line:
            continue
        if line.startswith(":"):
            command, _, argument = line[1:].partition(" ")
            if command in {"quit", "q", "exit"}:
                if conversation.in_session:
                    _attempt(conversation.end_session, out, paint, show_json=show_json)
                break
            if command == "token":
                conversation.set_access_token(argument.strip() or None)
                print(paint(f"  access token {'set' if argument.strip() else 'removed'}", DIM), file=out)
            elif command == "new":
                conversation.forget_session()
                print(paint("  new session on the next utterance", DIM), file=out)
            elif command == "attrs":
                print(json.dumps(conversation.session_attributes, indent=2, sort_keys=True), file=out)
            elif command == "json":
                show_json = not show_json
                print(paint(f"  envelopes {'shown' if show_json else 'hidden'}", DIM), file=out)
            else:
                print(COMMANDS, file=out)
            continue
        _attempt(partial(conversation.say, line), out, paint, show_json=show_json)
    return 0


def history_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "voicecart" / "dialog_history"


@contextmanager
def line_editing(path: Path | None = None) -> Iterator[None]:
    """Readline editing and a history kept across sessions, on a terminal where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input()
        yield
        return
    path = path or history_file()
    with suppress(OSError):  # no history yet
        readline.read_history_file(path)
    readline.set_history_length(HISTORY_LINES)
    try:
        yield
    finally:
        with suppress(OSError):  # a read-only home: editing still worked, the history is not kept
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)


def run(args: argparse.Namespace) -> int:
    if not args.verbose:
        logging.disable(logging.WARNING)  # the skill's logs would interleave with the conversation
    paint = Painter(use_colour(sys.stdout))
    account = {k: v for k, v in {"access_token": args.token, "person_id": args.person_id}.items() if v}
    locale = args.locale or "en-US"
    if args.url:
        signed = f", signed with {args.sign_with}" if args.sign_with else ", unsigned"
        print(paint(f"Talking to {args.url}{signed}.", DIM), flush=True)
    else:
        print(paint("Starting the skill in this process (catalog, resolver index, demo customers): a few seconds...",
                    DIM), flush=True)  # fmt: skip
    try:
        with target(args) as (transport, skill_id, _backend):
            conversation = conversation_for(transport, skill_id=skill_id, locale=locale, account=account)
            interactive = sys.stdin.isatty()
            with line_editing() if interactive else _no_editing():
                return repl(conversation, input, sys.stdout, paint)
    except FileNotFoundError as exc:
        raise VoicecartError(f"no interaction model for locale {locale!r} ({exc.filename})") from exc


@contextmanager
def _no_editing() -> Iterator[None]:
    yield
