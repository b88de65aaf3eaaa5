"""Scripted dialogs: YAML files of turns (say -> expect), run through a Conversation, with readable failures.

    name: add and read the cart            # optional (default: the file name)
    locale: en-US                          # optional
    account: {access_token: demo-1285}     # optional: a linked account (also user_id, person_id, device_id)
    needs: cart-total                      # optional: a capability the skill does not have yet (see below)
    turns:
      - say: open my grocer
        expect: {intent: LaunchRequest, speech: welcome, session_ended: false}
      - say: add two bananas
        expect:
          intent: AddToCartIntent
          slots: {product: {value: bananas, id: "24852"}, quantity: "2"}   # dynamic_id: under the dynamic authority
          speech: {contains: [added, banana], not_contains: sorry}
          card: {title: Added}
          cart: [{product_id: "24852", quantity: 2}]
      - new_session: true                  # or: token: <access token>  (changes take effect on the next turn)

A file holds one dialog, or several under ``dialogs:``; ``isolation: dialog`` at the top of a file runs each of
its dialogs on a fresh store (``voicecart test``), so independent cases cannot leak carts into each other.
``needs:`` (a name or a list) marks a dialog written ahead of the skill: it is run and reported, but its failure
does not fail the run, and it is flagged when it starts to pass (then the tag should go).

Speech checks are case-insensitive: a string means "contains"; a mapping may use contains / not_contains
(string or list), equals, regex.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backend.errors import VoicecartError
from skill.simulator.conversation import Conversation, Turn
from skill.simulator.envelope import Identity

EXPECT_KEYS = frozenset(
    {"intent", "slots", "speech", "reprompt", "card", "session_ended", "elicit", "directive", "attributes", "cart"}
)
# Looks up the cart of the conversation's customer: [{"product_id": str, "name": str, "quantity": int}, ...] (and
# "unit": str on a line in a unit said).
CartProbe = Callable[[Identity], Sequence[Mapping[str, Any]]]


class ScriptError(VoicecartError):
    """A dialog file that cannot be read or has an unknown shape."""


@dataclass(frozen=True, slots=True)
class Step:
    say: str | None = None
    expect: Mapping[str, Any] = field(default_factory=dict)
    new_session: bool = False
    token: str | None = None
    token_given: bool = False


@dataclass(frozen=True, slots=True)
class Dialog:
    name: str
    path: Path
    locale: str | None
    account: Mapping[str, str]
    steps: tuple[Step, ...]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    check: str
    expected: Any
    actual: Any
    note: str = ""


@dataclass(frozen=True, slots=True)
class StepResult:
    index: int
    said: str
    turn: Turn | None
    failures: tuple[Failure, ...]


@dataclass(frozen=True, slots=True)
class DialogResult:
    dialog: Dialog
    steps: tuple[StepResult, ...]
    skipped: int = 0
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(not step.failures for step in self.steps)

    @property
    def turns(self) -> int:
        return sum(1 for step in self.steps if step.turn is not None)

    @property
    def turns_passed(self) -> int:
        return sum(1 for step in self.steps if step.turn is not None and not step.failures)

    @property
    def turns_total(self) -> int:
        return sum(1 for step in self.dialog.steps if step.say is not None)


# -- loading ------------------------------------------------------------------------------------------------


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ScriptError(f"{where}: a turn must be a mapping")
    unknown = set(raw) - {"say", "expect", "new_session", "token"}
    if unknown:
        raise ScriptError(f"{where}: unknown keys {sorted(unknown)}")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        raise ScriptError(f"{where}: expect must be a mapping")
    bad = set(expect) - EXPECT_KEYS
    if bad:
        raise ScriptError(f"{where}: unknown expectations {sorted(bad)} (known: {', '.join(sorted(EXPECT_KEYS))})")
    say = raw.get("say")
    if say is not None and not isinstance(say, str):
        raise ScriptError(f"{where}: say must be a string")
    if say is None and expect:
        raise ScriptError(f"{where}: expect needs a say")
    token = raw.get("token")
    return Step(
        say=say,
        expect=expect,
        new_session=bool(raw.get("new_session")),
        token=None if token is None else str(token),
        token_given="token" in raw,
    )


def _dialog(raw: Any, path: Path, default_name: str) -> Dialog:
    if not isinstance(raw, dict) or not isinstance(raw.get("turns"), list):
        raise ScriptError(f"{path}: a dialog needs a list of turns")
    account = raw.get("account") or {}
    if not isinstance(account, dict):
        raise ScriptError(f"{path}: account must be a mapping")
    name = str(raw.get("name") or default_name)
    steps = tuple(_step(turn, f"{path}: {name}: turn {i + 1}") for i, turn in enumerate(raw["turns"]))
    locale = raw.get("locale")
    needs = raw.get("needs") or ()
    if isinstance(needs, str):
        needs = (needs,)
    if not isinstance(needs, list | tuple) or not all(isinstance(need, str) and need for need in needs):
        raise ScriptError(f"{path}: {name}: needs must be a name or a list of names")
    return Dialog(
        name,
        path,
        None if locale is None else str(locale),
        {k: str(v) for k, v in account.items()},
        steps,
        tuple(needs),
    )


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScriptError(f"cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ScriptError(f"{path} is not valid YAML: {exc}") from exc


def isolates_dialogs(path: Path) -> bool:
    """Whether the file asks for each dialog on a fresh store (``isolation: dialog``)."""
    data = _read(path)
    if not isinstance(data, dict) or "isolation" not in data:
        return False
    if data["isolation"] not in ("dialog", "file"):
        raise ScriptError(f"{path}: isolation must be 'dialog' or 'file'")
    return bool(data["isolation"] == "dialog")


def load_dialogs(path: Path) -> list[Dialog]:
    data = _read(path)
    if isinstance(data, dict) and "dialogs" in data:
        raws = data["dialogs"]
        if not isinstance(raws, list):
            raise ScriptError(f"{path}: dialogs must be a list")
        return [_dialog(raw, path, f"{path.stem} #{i + 1}") for i, raw in enumerate(raws)]
    return [_dialog(data, path, path.stem)]


# -- checks -------------------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def check_text(label: str, spec: Any, actual: str) -> list[Failure]:
    """A text expectation: a string (contains) or {contains, not_contains, equals, regex}; case-insensitive."""
    if isinstance(spec, str):
        spec = {"contains": spec}
    if not isinstance(spec, dict):
        return [Failure(label, spec, actual, "an expectation must be a string or a mapping")]
    failures = []
    lowered = actual.lower()
    for needle in _as_list(spec.get("contains", [])):
        if str(needle).lower() not in lowered:
            failures.append(Failure(label, f"contains {needle!r}", actual))
    for needle in _as_list(spec.get("not_contains", [])):
        if str(needle).lower() in lowered:
            failures.append(Failure(label, f"does not contain {needle!r}", actual))
    if "equals" in spec and " ".join(str(spec["equals"]).split()).lower() != " ".join(actual.split()).lower():
        failures.append(Failure(label, f"equals {spec['equals']!r}", actual))
    for pattern in _as_list(spec.get("regex", [])):
        if re.search(str(pattern), actual, flags=re.IGNORECASE) is None:
            failures.append(Failure(label, f"matches /{pattern}/", actual))
    return failures


def _check_slots(spec: Any, turn: Turn) -> list[Failure]:
    if not isinstance(spec, dict):
        return [Failure("slots", spec, None, "slots must be a mapping")]
    failures = []
    heard = {name: {"value": s.value, "ids": list(s.ids)} for name, s in turn.slots.items()}
    for name, want in spec.items():
        got = turn.slots.get(name)
        if want is None:
            if got is not None:
                failures.append(Failure(f"slots.{name}", "not heard", heard[name]))
            continue
        if got is None:
            failures.append(Failure(f"slots.{name}", want, None, f"heard slots: {heard}"))
            continue
        want_map = want if isinstance(want, dict) else {"value": want}
        if "value" in want_map and str(want_map["value"]).lower() != got.value.lower():
            failures.append(Failure(f"slots.{name}.value", str(want_map["value"]), got.value))
        if "id" in want_map and str(want_map["id"]) not in got.ids:
            failures.append(Failure(f"slots.{name}.id", f"among the ids: {want_map['id']}", list(got.ids)))
        dynamic = [value.id for value in got.dynamic or ()]
        if "dynamic_id" in want_map and str(want_map["dynamic_id"]) not in dynamic:
            failures.append(
                Failure(f"slots.{name}.dynamic_id", f"among the dynamic ids: {want_map['dynamic_id']}", dynamic)
            )
        if "ids" in want_map and sorted(map(str, want_map["ids"])) != sorted(got.ids):
            failures.append(Failure(f"slots.{name}.ids", sorted(map(str, want_map["ids"])), sorted(got.ids)))
        if "status" in want_map:
            status = "NONE" if got.resolutions is None else "ER_SUCCESS_MATCH" if got.ids else "ER_SUCCESS_NO_MATCH"
            if status != want_map["status"]:
                failures.append(Failure(f"slots.{name}.status", want_map["status"], status))
    return failures


def _check_card(spec: Any, turn: Turn) -> list[Failure]:
    card = turn.card
    if spec is None or spec is False:
        return [] if card is None else [Failure("card", "no card", card)]
    if card is None:
        return [Failure("card", spec, None)]
    if spec is True:
        return []
    if not isinstance(spec, dict):
        return [Failure("card", spec, card, "card must be a mapping")]
    failures = []
    if "type" in spec and spec["type"] != card.get("type"):
        failures.append(Failure("card.type", spec["type"], card.get("type")))
    if "title" in spec:
        failures += check_text("card.title", spec["title"], str(card.get("title", "")))
    if "text" in spec:
        failures += check_text("card.text", spec["text"], str(card.get("text") or card.get("content") or ""))
    return failures


def _check_cart(spec: Any, identity: Identity, probe: CartProbe | None) -> list[Failure]:
    if probe is None:
        return [Failure("cart", spec, None, "no cart probe: cart checks need the in-process skill and a cart hook")]
    lines = [dict(line) for line in probe(identity)]
    wanted = _as_list(spec) if spec else []
    remaining = list(lines)
    missing = []
    for want in wanted:
        if not isinstance(want, dict):
            return [Failure("cart", spec, lines, "each cart line must be a mapping")]
        match = next((line for line in remaining if _cart_line_matches(want, line)), None)
        if match is None:
            missing.append(want)
        else:
            remaining.remove(match)
    if missing or remaining:
        return [Failure("cart", wanted, lines, f"missing {missing}; unexpected {remaining}")]
    return []


def _cart_line_matches(want: Mapping[str, Any], line: Mapping[str, Any]) -> bool:
    if "product_id" in want and str(want["product_id"]) != str(line.get("product_id")):
        return False
    if "name" in want and str(want["name"]).lower() not in str(line.get("name", "")).lower():
        return False
    if "unit" in want and (want["unit"] or None) != line.get("unit"):  # ``unit: null``: counted by the piece
        return False
    return not ("quantity" in want and int(want["quantity"]) != int(line.get("quantity", -1)))


def check_turn(expect: Mapping[str, Any], turn: Turn, identity: Identity, probe: CartProbe | None) -> list[Failure]:
    failures: list[Failure] = []
    if "intent" in expect and expect["intent"] != turn.heard:
        failures.append(Failure("intent", expect["intent"], turn.heard))
    if "slots" in expect:
        failures += _check_slots(expect["slots"], turn)
    if "speech" in expect:
        failures += check_text("speech", expect["speech"], turn.speech)
    if "reprompt" in expect:
        failures += check_text("reprompt", expect["reprompt"], turn.reprompt)
    if "card" in expect:
        failures += _check_card(expect["card"], turn)
    if "session_ended" in expect and bool(expect["session_ended"]) != turn.session_ended:
        failures.append(Failure("session_ended", bool(expect["session_ended"]), turn.session_ended))
    if "elicit" in expect:
        elicited = [d.get("slotToElicit") for d in turn.directives if d.get("type") == "Dialog.ElicitSlot"]
        if expect["elicit"] not in elicited:
            failures.append(Failure("elicit", expect["elicit"], elicited or None))
    if "directive" in expect:
        types = [d.get("type") for d in turn.directives]
        if expect["directive"] not in types:
            failures.append(Failure("directive", expect["directive"], types))
    if "attributes" in expect:
        attributes = turn.session_attributes
        for key, value in (expect["attributes"] or {}).items():
            if attributes.get(key) != value:
                failures.append(Failure(f"attributes.{key}", value, attributes.get(key)))
    if "cart" in expect:
        failures += _check_cart(expect["cart"], identity, probe)
    return failures


# -- running ------------------------------------------------------------------------------------------------


def run_dialog(dialog: Dialog, conversation: Conversation, *, cart_probe: CartProbe | None = None) -> DialogResult:
    """Run every step; stop at the first failing turn (later turns would only repeat its consequences)."""
    results: list[StepResult] = []
    for index, step in enumerate(dialog.steps, start=1):
        if step.new_session:
            conversation.forget_session()
        if step.token_given:
            conversation.set_access_token(step.token)
        if step.say is None:
            continue
        try:
            turn = conversation.say(step.say)
        except VoicecartError as exc:
            results.append(StepResult(index, step.say, None, (Failure("request", "a response", None, str(exc)),)))
            return DialogResult(dialog, tuple(results), skipped=len(dialog.steps) - index, error=str(exc))
        failures = tuple(check_turn(step.expect, turn, conversation.identity, cart_probe))
        results.append(StepResult(index, step.say, turn, failures))
        if failures:
            remaining = sum(1 for later in dialog.steps[index:] if later.say is not None)
            return DialogResult(dialog, tuple(results), skipped=remaining)
    return DialogResult(dialog, tuple(results))


def describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)
