"""Routes: the cart (the SAME cart the voice turns change, through ``backend.shopping``) and orders.

Every cart change from another channel records its event (add_to_cart, change_quantity, remove_from_cart,
clear_cart) in the same transaction as the versioned cart write, exactly as a voice turn does. A repeated
``event_id`` (body field or ``Idempotency-Key`` header) with the same request changes nothing; with a different
request it is refused with 422 (``backend.api.idempotency``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from backend.api.access import Access
from backend.api.idempotency import RequestFingerprints, client_key, fingerprint
from backend.api.inputs import int_param, json_body, only_fields, quantity_value, query_params
from backend.api.views import cart_json, order_json
from backend.errors import ValidationError
from backend.profile.events import PRODUCT_ID_PATTERN, Event, Outcome, check_id, format_timestamp, normalise_label
from backend.shopping.model import Cart
from backend.shopping.service import CartResult
from backend.store.transaction import Transaction


def register_cart_routes(bp: Blueprint, access: Access) -> None:
    services = access.services
    fingerprints = RequestFingerprints(services.table)

    def event_for(customer_id: str, kind: str, outcome: Outcome, *, product_id: str | None = None,
                  quantity: int | None = None, data: dict[str, Any] | None = None) -> Event:  # fmt: skip
        raw_id = (data or {}).get("event_id") or request.headers.get("Idempotency-Key") or f"api-{uuid.uuid4().hex}"
        product = services.catalog.find(product_id) if product_id else None
        return Event(
            event_id=check_id(raw_id, field="event_id"),
            customer_id=customer_id,
            channel=access.client.channel,
            type=kind,
            occurred_at=access.now(),
            outcome=outcome,
            product_id=product_id,
            product_name=product.name[:200] if product else None,
            quantity=quantity,
            aisle=_label(product.aisle) if product else None,
            department=_label(product.department) if product else None,
        )

    def change(
        customer_id: str, event: Event, apply: Callable[[Cart], Cart], data: dict[str, Any] | None = None
    ) -> Response:
        return _change(access, fingerprints, customer_id=customer_id, event=event, apply=apply, data=data)

    @bp.get("/customers/<ref>/cart")
    def get_cart(ref: str) -> Response:
        query_params(())
        cart = services.shopping.cart(access.customer(ref))
        return jsonify(cart_json(cart, catalog=services.catalog, shopping=services.shopping))

    @bp.post("/customers/<ref>/cart/items")
    def add_to_cart(ref: str) -> Response:
        query_params(())
        data = json_body()
        only_fields(data, ("product_id", "quantity", "event_id"))
        customer_id = access.customer(ref)
        product_id = _product_id(data.get("product_id"))
        quantity = quantity_value(data.get("quantity", 1))
        services.catalog.get(product_id)  # 422: not a product the shop sells
        event = event_for(
            customer_id, "add_to_cart", Outcome.ADDED, product_id=product_id, quantity=quantity, data=data
        )
        at, channel = format_timestamp(access.now()), access.client.channel.value
        return change(
            customer_id, event, lambda cart: cart.with_added(product_id, quantity, channel=channel, at=at), data
        )

    @bp.put("/customers/<ref>/cart/items/<product_id>")
    def set_quantity(ref: str, product_id: str) -> Response:
        query_params(())
        data = json_body()
        only_fields(data, ("quantity", "event_id"))
        customer_id = access.customer(ref)
        product_id = _product_id(product_id)
        quantity = quantity_value(data.get("quantity"))
        event = event_for(
            customer_id, "change_quantity", Outcome.QUANTITY_CHANGED, product_id=product_id, quantity=quantity,
            data=data,
        )  # fmt: skip
        at, channel = format_timestamp(access.now()), access.client.channel.value
        return change(
            customer_id, event, lambda cart: cart.with_quantity(product_id, quantity, channel=channel, at=at), data
        )

    @bp.delete("/customers/<ref>/cart/items/<product_id>")
    def remove_from_cart(ref: str, product_id: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        product_id = _product_id(product_id)
        event = event_for(customer_id, "remove_from_cart", Outcome.REMOVED, product_id=product_id)
        return change(customer_id, event, lambda cart: cart.without(product_id))

    @bp.delete("/customers/<ref>/cart")
    def clear_cart(ref: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        event = event_for(customer_id, "clear_cart", Outcome.CLEARED)
        return change(customer_id, event, lambda cart: cart.cleared())

    @bp.get("/customers/<ref>/orders")
    def list_orders(ref: str) -> Response:
        params = query_params(("limit",))
        customer_id = access.customer(ref)
        limit = int_param(params.get("limit"), "limit", default=20, low=1, high=100)
        today = access.now().date()
        orders = services.shopping.recent_orders(customer_id, limit=limit)
        return jsonify({"customer_id": customer_id, "orders": [order_json(order, today=today) for order in orders]})


def _change(
    access: Access,
    fingerprints: RequestFingerprints,
    *,
    customer_id: str,
    event: Event,
    apply: Callable[[Cart], Cart],
    data: dict[str, Any] | None,
) -> Response:
    """One cart change with its event (and the request's fingerprint) in one transaction."""
    services = access.services
    key, print_ = client_key(data), fingerprint(data)
    if key is not None:
        fingerprints.check(customer_id, key, print_)

    def stage(tx: Transaction, _before: Cart, _after: Cart) -> None:
        services.profiles.stage_event(tx, event)
        if key is not None:
            fingerprints.stage(tx, customer_id, key, print_)

    result: CartResult = services.shopping.change_cart(
        customer_id, apply, request_id=None, channel=access.client.channel.value, stage_also=stage
    )
    if result.repeated and key is not None:
        fingerprints.check(customer_id, key, print_)  # a concurrent first request with this key, if any
    body = cart_json(services.shopping.cart(customer_id), catalog=services.catalog, shopping=services.shopping)
    body["event"] = {"event_id": event.event_id, "status": "already_written" if result.repeated else "written"}
    return jsonify(body)


def _product_id(raw: object) -> str:
    return check_id(raw, field="product_id", pattern=PRODUCT_ID_PATTERN)


def _label(raw: str) -> str | None:
    try:
        return normalise_label(raw)
    except ValidationError:
        return None
