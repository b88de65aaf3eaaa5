"""``voicecart dialog``: talk to the skill by typing. Prints what Alexa would say, what it heard, and the card.

Type what you would say ("open my grocer", "ask my grocer to add two bananas"); lines starting with ':' are
commands (:help lists them). In-process by default; ``--url`` talks to any running endpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from typing import TextIO

from backend.errors import VoicecartError
from skill.commands.dialogtest import DIM, GREEN, YELLOW, Painter, add_target_arguments, target, use_colour
from skill.simulator.conversation import Conversation, Turn
from skill.simulator.local import conversation_for

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


def repl(conversation: Conversation, read: Callable[[str], str], out: TextIO, paint: Painter) -> int:
    """Read lines until :quit or end of input."""
    show_json = False
    print("Type what you would say to Alexa. :help for commands, :quit to leave.", file=out)
    while True:
        try:
            line = read("you> ").strip()
        except EOFError:
            break
        if not line:
            continue
        if line.startswith(":"):
            command, _, argument = line[1:].partition(" ")
            if command in {"quit", "q", "exit"}:
                if conversation.in_session:
                    show_turn(conversation.end_session(), out, paint, show_json=show_json)
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
        try:
            turn = conversation.say(line)
        except VoicecartError as exc:
            print(f"error: {exc}", file=out)
            continue
        show_turn(turn, out, paint, show_json=show_json)
    return 0


def run(args: argparse.Namespace) -> int:
    if not args.verbose:
        logging.disable(logging.WARNING)  # the skill's logs would interleave with the conversation
    paint = Painter(use_colour(sys.stdout))
    account = {k: v for k, v in {"access_token": args.token, "person_id": args.person_id}.items() if v}
    with target(args) as (transport, skill_id, _backend):
        conversation = conversation_for(transport, skill_id=skill_id, locale=args.locale or "en-US", account=account)
        return repl(conversation, input, sys.stdout, paint)
