"""The associate's routes. Every page but sign-in needs a signed-in store-channel client; every form its CSRF token."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from backend.errors import InvalidApiKey, StoreUnavailable, ValidationError
from backend.identity import ApiClient, IdentityKind
from backend.profile import Channel, Event, EventOrigin, Outcome, new_event
from backend.services import Backend
from backend.shopping import MAX_QUANTITY, MIN_QUANTITY, CustomerState
from skill.pages.associate import customer as view
from skill.pages.sessions import STATIC_FOLDER, csrf_token, protect, start_session

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])

SEARCH_KINDS = (IdentityKind.STORE, IdentityKind.WEB, IdentityKind.EMAIL)
MAX_WORDS = 100
MAX_PRODUCT_ID = 64
WRITE_SCOPE = "write"  # the API key scope that lets a client change carts and write its channel's events


class Guard:
    """Who is signed in, and which customers they may open."""

    def __init__(self, backend: Backend, bp_name: str) -> None:
        self.backend = backend
        self.bp_name = bp_name

    def client(self) -> ApiClient | None:
        """The session's client, read again on every request (one GetItem by the key's hash, kept in the session)
        so a revoked key signs its sessions out."""
        client_id, handle = session.get("client_id"), session.get("client_handle")
        if not isinstance(client_id, str) or not isinstance(handle, str):
            return None
        client = self.backend.clients.by_session_handle(handle)
        if client is None or client.client_id != client_id or client.channel is not Channel.STORE:
            session.clear()
            return None
        return client

    def signed_in(self, view_function: F) -> F:
        @wraps(view_function)
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            client = self.client()
            if client is None:
                return redirect(url_for(f"{self.bp_name}.sign_in", next=request.path))
            g.associate_client = client
            return view_function(*args, **kwargs)

        return cast(F, wrapper)

    def visible_customer(self, customer_id: str) -> str:
        """A customer this client may see and that exists; anything else is a 404 (no probing of ids)."""
        client: ApiClient = g.associate_client
        if not client.can_see(customer_id) or not _exists(self.backend, customer_id):
            abort(404)
        return customer_id

    def writer(self, customer_id: str) -> str:
        """A visible customer, for a client that may write."""
        customer_id = self.visible_customer(customer_id)
        client: ApiClient = g.associate_client
        if not client.has_scope(WRITE_SCOPE):
            abort(403, description="This key may read, not change, this customer's cart or history.")
        return customer_id


def create_associate_blueprint(backend: Backend, *, name: str = "associate") -> Blueprint:
    bp = Blueprint(name, __name__, template_folder="templates", static_folder=STATIC_FOLDER, static_url_path="/static")
    protect(bp)
    guard = Guard(backend, bp.name)

    @bp.context_processor
    def _template_values() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "client": g.get("associate_client"), "bp": bp.name}

    @bp.errorhandler(StoreUnavailable)
    def _store_unavailable(exc: StoreUnavailable) -> ResponseReturnValue:
        message = "The customer store did not answer in time, and nothing was changed. Try again in a moment."
        return render_template("associate/error.html", title="Try again", message=message), 503

    _register_sign_in(bp, backend)
    _register_pages(bp, backend, guard)
    _register_actions(bp, backend, guard)
    return bp


def _register_sign_in(bp: Blueprint, backend: Backend) -> None:
    @bp.route("/sign-in", methods=["GET", "POST"])
    def sign_in() -> ResponseReturnValue:
        error = None
        if request.method == "POST":
            try:
                api_key = request.form.get("api_key", "").strip()
                client = backend.clients.authenticate(api_key)
            except InvalidApiKey:
                client = None
            if client is None or client.channel is not Channel.STORE:
                error = "That key is not a store key of this shop. Check it and try again."
            else:
                start_session(client_id=client.client_id, client_handle=backend.clients.session_handle(api_key))
                return redirect(_safe_next(request.form.get("next")) or url_for(f"{bp.name}.search"))
        status = 401 if error else 200
        return render_template("associate/sign_in.html", error=error, next=request.args.get("next", "")), status

    @bp.post("/sign-out")
    def sign_out() -> ResponseReturnValue:
        session.clear()
        return redirect(url_for(f"{bp.name}.sign_in"))


def _register_pages(bp: Blueprint, backend: Backend, guard: Guard) -> None:
    @bp.get("/")
    @guard.signed_in
    def search() -> ResponseReturnValue:
        query = request.args.get("q", "").strip()
        if not query:
            return render_template("associate/search.html", query="", not_found=False)
        found = _find_customer(backend, query)
        if found is not None and g.associate_client.can_see(found) and _exists(backend, found):
            return redirect(url_for(f"{bp.name}.customer", customer_id=found))
        return render_template("associate/search.html", query=query, not_found=True), 404

    @bp.get("/customers/<customer_id>")
    @guard.signed_in
    def customer(customer_id: str) -> ResponseReturnValue:
        customer_id = guard.visible_customer(customer_id)
        channel = _channel_filter(request.args.get("channel"))
        entries, next_cursor = view.timeline(
            backend, customer_id, channel=channel, cursor=request.args.get("cursor") or None
        )
        words = request.args.get("product", "").strip()[:MAX_WORDS]
        state = _state(backend, customer_id)
        resolution = view.search_products(backend, state, words) if words else None
        return render_template(
            "associate/customer.html",
            customer_id=customer_id,
            identities=backend.identities.identities(customer_id),
            cart=view.cart_rows(backend, state),
            usual=view.usual_rows(backend, state),
            orders=backend.shopping.recent_orders(customer_id, limit=view.RECENT_ORDERS),
            timeline=entries,
            next_cursor=next_cursor,
            channel=channel.value if channel else "",
            channels=[c.value for c in Channel],
            words=words,
            candidates=resolution.candidates[: view.CANDIDATES] if resolution else (),
            decision=resolution.decision.value if resolution else "",
            note_types=view.NOTE_TYPES,
        )


def _register_actions(bp: Blueprint, backend: Backend, guard: Guard) -> None:
    @bp.post("/customers/<customer_id>/cart")
    @guard.signed_in
    def add_to_cart(customer_id: str) -> ResponseReturnValue:
        customer_id = guard.writer(customer_id)
        product = backend.catalog.find(request.form.get("product_id", "")[:MAX_PRODUCT_ID])
        if product is None:
            abort(400, description="No product has that id.")
        quantity = _quantity(request.form.get("quantity", "1"))
        now = backend.clock()
        event = new_event(_origin(customer_id, "add_to_cart", now), Outcome.ADDED, product=product, quantity=quantity)
        at = event.timestamp
        backend.shopping.change_cart(
            customer_id,
            lambda cart: cart.with_added(product.id, quantity, channel=Channel.STORE.value, at=at),
            request_id=None,
            channel=Channel.STORE.value,
            event=event,
        )
        flash(f"Added {quantity} x {product.name} to the shared cart.")
        return redirect(url_for(f"{bp.name}.customer", customer_id=customer_id))

    @bp.post("/customers/<customer_id>/notes")
    @guard.signed_in
    def note(customer_id: str) -> ResponseReturnValue:
        customer_id = guard.writer(customer_id)
        kind = request.form.get("type", "")
        if kind not in view.NOTE_LABELS:
            abort(400, description="Choose what happened from the list.")
        product = None
        raw_product = request.form.get("product_id", "").strip()
        if raw_product:
            product = backend.catalog.find(raw_product[:MAX_PRODUCT_ID])
            if product is None:
                abort(400, description="No product has that id.")
        now = backend.clock()
        event = Event(
            event_id=_origin(customer_id, kind, now).event_id,
            customer_id=customer_id,
            channel=Channel.STORE,
            type=kind,
            occurred_at=now,
            product_id=product.id if product else None,
            product_name=product.name[:200] if product else None,
        )
        backend.profiles.record_event(event)
        flash(f"Noted: {view.NOTE_LABELS[kind]}.")
        return redirect(url_for(f"{bp.name}.customer", customer_id=customer_id))


def _origin(customer_id: str, kind: str, now: datetime) -> EventOrigin:
    return EventOrigin(
        event_id=f"store-{uuid.uuid4().hex}", customer_id=customer_id, channel=Channel.STORE, type=kind, occurred_at=now
    )


def _quantity(raw: str | None) -> int:
    try:
        quantity = int(raw or "")
    except ValueError:
        quantity = 0
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        abort(400, description=f"The quantity must be a whole number from {MIN_QUANTITY} to {MAX_QUANTITY}.")
    return quantity


def _exists(backend: Backend, customer_id: str) -> bool:
    """An existing customer (an id that cannot be one, as from a typed search, is simply not found).

    The customer's state comes first: a few items at known keys, kept for the page (``_state``). Only a customer
    without a profile item needs the query for any item of theirs, which the embedded store answers by sorting
    the whole partition (a 500-order customer's takes longer than the rest of the page)."""
    try:
        state = backend.shopping.state(customer_id)
        g.customer_state = state
        return state.profile is not None or backend.profiles.customer_exists(customer_id)
    except ValidationError:
        return False


def _state(backend: Backend, customer_id: str) -> CustomerState:
    """The state read when the customer's existence was checked in this request, or read now."""
    state: CustomerState | None = g.get("customer_state")
    return state if state is not None and state.customer_id == customer_id else backend.shopping.state(customer_id)


def _channel_filter(raw: str | None) -> Channel | None:
    if not raw:
        return None
    try:
        return Channel(raw)
    except ValueError:
        abort(400, description="Unknown channel.")


def _find_customer(backend: Backend, query: str) -> str | None:
    """The customer behind a customer id or any linked store, web or e-mail id (``kind:value`` picks one kind)."""
    kind_name, sep, value = query.partition(":")
    kinds: tuple[IdentityKind, ...] = SEARCH_KINDS
    if sep and kind_name in {k.value for k in SEARCH_KINDS}:
        kinds, query = (IdentityKind(kind_name),), value.strip()
    elif _exists(backend, query):
        return query
    for kind in kinds:
        try:
            found = backend.identities.resolve(kind, query)
        except ValidationError:
            continue
        if found is not None:
            return found
    return None


def _safe_next(raw: str | None) -> str | None:
    """Only a path on this site (never another host) after sign-in."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return None
