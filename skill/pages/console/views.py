"""The console's routes: pick a demo customer, say something, see every part of the turn; replay a YAML dialog."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from backend.errors import StoreUnavailable, VoicecartError
from backend.services import Backend
from backend.settings import Settings
from skill.pages.console.sessions import ConsoleSession, ConsoleSessions, ConsoleTurn
from skill.pages.sessions import STATIC_FOLDER, csrf_token, protect
from skill.runtime import SkillRuntime
from skill.simulator.conversation import Turn
from skill.simulator.local import LocalSkill, apply_setup, cart_probe, conversation_for
from skill.simulator.script import DialogResult, describe, load_dialogs, run_dialog
from skill.simulator.transport import InProcessTransport, SimulatorError
from skill.skill_builder import build_skill

PRODUCT_TYPE = "PRODUCT"
MAX_UTTERANCE = 300
MAX_DIALOG_BYTES = 64 * 1024
LAMBDA_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"


def console_enabled(settings: Settings, environ: Mapping[str, str] | None = None) -> bool:
    """``settings.console`` when set, else on with the embedded store only; never in a Lambda."""
    environ = os.environ if environ is None else environ
    if environ.get(LAMBDA_VARIABLE):
        return False
    if settings.console is not None:
        return settings.console
    return settings.uses_embedded_store


def create_console_blueprint(backend: Backend, *, enabled: bool | None = None, name: str = "console") -> Blueprint:
    bp = Blueprint(name, __name__, template_folder="templates", static_folder=STATIC_FOLDER, static_url_path="/static")
    if not (console_enabled(backend.settings) if enabled is None else enabled):
        return bp  # no routes: every console path is a 404
    protect(bp)
    sessions = ConsoleSessions()
    transport = InProcessTransport(SkillRuntime(build_skill(backend)))
    replay_lock = threading.Lock()
    replays = [0]
    skill_id = backend.settings.skill_id or ""

    def current() -> ConsoleSession | None:
        return sessions.get(session.get("console"))

    @bp.context_processor
    def _values() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "bp": bp.name}

    @bp.errorhandler(StoreUnavailable)
    def _store_unavailable(exc: StoreUnavailable) -> ResponseReturnValue:
        return Response("The store did not answer in time; try again.", status=503, mimetype="text/plain")

    @bp.get("/")
    def index() -> ResponseReturnValue:
        customers = backend.demo.customers() if backend.demo is not None else []
        return render_template("console/index.html", customers=customers, console=current(), replay=None)

    @bp.post("/start")
    def start() -> ResponseReturnValue:
        if backend.demo is None:
            abort(400, description="This server has no demo customers (it was started with --no-demo-data).")
        customer_id = request.form.get("customer_id", "")
        if customer_id not in backend.demo.histories:
            abort(400, description="Pick one of the demo customers.")
        token = backend.demo.demo_token(customer_id)
        conversation = conversation_for(transport, skill_id=skill_id, account={"access_token": token})
        session["console"] = sessions.put(ConsoleSession(customer_id, conversation))
        return redirect(url_for(f"{bp.name}.index"))

    @bp.post("/say")
    def say() -> ResponseReturnValue:
        console = current()
        if console is None:
            abort(400, description="Pick a customer first.")
        said = request.form.get("utterance", "").strip()
        if not said or len(said) > MAX_UTTERANCE:
            abort(400, description=f"Type 1 to {MAX_UTTERANCE} characters.")
        with console.lock:
            try:
                turn = console.conversation.say(said)
            except (SimulatorError, VoicecartError) as exc:
                console.add(_failed(said, str(exc)))
            else:
                console.add(_shown(backend, console.customer_id, turn))
        return redirect(url_for(f"{bp.name}.index") + "#latest")

    @bp.post("/replay")
    def replay() -> ResponseReturnValue:
        text = request.form.get("dialog", "")
        if not text.strip() or len(text.encode()) > MAX_DIALOG_BYTES:
            abort(400, description=f"Paste a dialog file of at most {MAX_DIALOG_BYTES // 1024} KiB.")
        with replay_lock:
            replays[0] += 1
            number = replays[0]
        results, error = _replay(backend, transport, skill_id, text, number)
        customers = backend.demo.customers() if backend.demo is not None else []
        shown = {"text": text, "error": error, "results": [_result(r) for r in results]}
        return render_template("console/index.html", customers=customers, console=current(), replay=shown)

    return bp


def _replay(
    backend: Backend, transport: InProcessTransport, skill_id: str, text: str, number: int
) -> tuple[list[DialogResult], str]:
    """Run a pasted dialog file as ``voicecart test`` runs one: on a fresh table of the same store."""
    with tempfile.TemporaryDirectory(prefix="voicecart-console-") as folder:
        path = Path(folder) / "dialog.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            dialogs = load_dialogs(path)
            isolated = LocalSkill(backend.settings, backend, transport).isolated(f"console{number}")
            apply_setup(path, isolated.backend)
        except (VoicecartError, ValueError, AttributeError) as exc:
            return [], str(exc)
        probe = cart_probe(isolated.backend)
        results = []
        for dialog in dialogs:
            conversation = conversation_for(
                isolated.transport, skill_id=skill_id, locale=dialog.locale or "en-US", account=dialog.account
            )
            results.append(run_dialog(dialog, conversation, cart_probe=probe))
        return results, ""


def _result(result: DialogResult) -> dict[str, Any]:
    return {
        "name": result.dialog.name,
        "passed": result.passed,
        "error": result.error,
        "skipped": result.skipped,
        "steps": [
            {
                "index": step.index,
                "said": step.said,
                "heard": step.turn.heard if step.turn else "",
                "speech": step.turn.speech if step.turn else "",
                "failures": [
                    f"{f.check}: expected {describe(f.expected)}, got {describe(f.actual)}"
                    + (f" ({f.note})" if f.note else "")
                    for f in step.failures
                ],
            }
            for step in result.steps
        ],
    }


def _failed(said: str, error: str) -> ConsoleTurn:
    return ConsoleTurn(said, "", [], "", "", "", "", None, [], "", False, [], [], error=error)


def _shown(backend: Backend, customer_id: str, turn: Turn) -> ConsoleTurn:
    slots = [
        {"name": slot.name, "type": slot.type, "value": slot.value, "ids": list(slot.ids)[:5]}
        for slot in turn.slots.values()
    ]
    return ConsoleTurn(
        said=turn.said,
        intent=turn.heard,
        slots=slots,
        request=json.dumps(turn.request, indent=2, sort_keys=True),
        response=json.dumps(turn.response, indent=2, sort_keys=True),
        speech=turn.speech,
        reprompt=turn.reprompt,
        card=turn.card,
        directives=[
            str(d.get("type")) + (f" ({d['slotToElicit']})" if d.get("slotToElicit") else "") for d in turn.directives
        ],
        session_attributes=json.dumps(turn.session_attributes, indent=2, sort_keys=True),
        session_ended=turn.session_ended,
        resolutions=_resolutions(backend, customer_id, turn),
        cart=_cart(backend, customer_id),
    )


def _resolutions(backend: Backend, customer_id: str, turn: Turn) -> list[dict[str, Any]]:
    """What the resolver makes of each product slot heard, for this customer, as the skill's handler asks it."""
    product_slots = [slot for slot in turn.slots.values() if slot.type == PRODUCT_TYPE and slot.value]
    if not product_slots:
        return []
    state = backend.shopping.state(customer_id)
    shown = []
    for slot in product_slots:
        resolution = backend.shopping.resolve_for(state, slot.value, alexa_ids=slot.ids)
        shown.append(
            {
                "slot": slot.name,
                "words": slot.value,
                "decision": resolution.decision.value,
                "candidates": [
                    {
                        "id": c.product.id,
                        "name": c.product.name,
                        "confidence": round(c.confidence, 3),
                        "score": round(c.score, 3),
                        "match": round(c.match, 3),
                        "reasons": [
                            r.code.value + (f" x{r.count}" if r.count else "") + (f" {r.days}d ago" if r.days else "")
                            for r in c.reasons
                        ],
                    }
                    for c in resolution.candidates[:8]
                ],
            }
        )
    return shown


def _cart(backend: Backend, customer_id: str) -> list[dict[str, Any]]:
    cart = backend.shopping.cart(customer_id)
    rows = []
    for line in cart.lines:
        product = backend.catalog.find(line.product_id)
        rows.append(
            {"id": line.product_id, "name": product.name if product else line.product_id,
             "quantity": line.quantity, "channel": line.channel}
        )  # fmt: skip
    return rows
