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
from backend.profile.events import (
    PRODUCT_ID_PATTERN,
    Event,
    EventOrigin,
    Outcome,
    check_id,
    format_timestamp,
    new_event,
)
from backend.shopping.model import Cart
from backend.shopping.service import CartResult


def register_cart_routes(bp: Blueprint, access: Access) -> None:
    backend = access.backend
    fingerprints = RequestFingerprints(backend.table)

    def event_for(customer_id: str, kind: str, outcome: Outcome, *, product_id: str | None = None,
                  quantity: int | None = None, data: dict[str, Any] | None = None) -> Event:  # fmt: skip
        raw_id = (data or {}).get("event_id") or request.headers.get("Idempotency-Key") or f"api-{uuid.uuid4().hex}"
        origin = EventOrigin(
            event_id=check_id(raw_id, field="event_id"),
            customer_id=customer_id,
            channel=access.client.channel,
            type=kind,
            occurred_at=access.now(),
        )
        product = backend.catalog.find(product_id) if product_id else None
        return new_event(origin, outcome, product=product, product_id=product_id, quantity=quantity)

    def change(
        customer_id: str, event: Event, apply: Callable[[Cart], Cart], data: dict[str, Any] | None = None
    ) -> Response:
        return _change(access, fingerprints, customer_id=customer_id, event=event, apply=apply, data=data)

    @bp.get("/customers/<ref>/cart")
    def get_cart(ref: str) -> Response:
        query_params(())
        cart = backend.shopping.cart(access.customer(ref))
        return jsonify(cart_json(cart, catalog=backend.catalog, shopping=backend.shopping))

    @bp.post("/customers/<ref>/cart/items")
    def add_to_cart(ref: str) -> Response:
        query_params(())
        data = json_body()
        only_fields(data, ("product_id", "quantity", "event_id"))
        customer_id = access.customer(ref)
        product_id = _product_id(data.get("product_id"))
        quantity = quantity_value(data.get("quantity", 1))
        backend.catalog.get(product_id)  # 422: not a product the shop sells
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
        orders = backend.shopping.recent_orders(customer_id, limit=limit)
        return jsonify(
            {
                "customer_id": customer_id,
                "orders": [order_json(order, today=today, catalog=backend.catalog) for order in orders],
            }
        )


def _change(
    access: Access,
    fingerprints: RequestFingerprints,
    *,
    customer_id: str,
    event: Event,
    apply: Callable[[Cart], Cart],
    data: dict[str, Any] | None,
) -> Response:
    """One cart change with its event, and the request's marker carrying its fingerprint, in one transaction."""
    backend = access.backend
    key, print_ = client_key(data), fingerprint(data)
    if key is not None:
        fingerprints.check(customer_id, key, print_)
    result: CartResult = backend.shopping.change_cart(
        customer_id,
        apply,
        request_id=fingerprints.request_id(key) if key is not None else None,
        fingerprint=print_ if key is not None else None,
        channel=access.client.channel.value,
        event=event,
    )
    if result.repeated and key is not None:
        fingerprints.check(customer_id, key, print_)  # a concurrent first request with this key, if any
    body = cart_json(backend.shopping.cart(customer_id), catalog=backend.catalog, shopping=backend.shopping)
    body["event"] = {"event_id": event.event_id, "status": "already_written" if result.repeated else "written"}
    return jsonify(body)


def _product_id(raw: object) -> str:
    return check_id(raw, field="product_id", pattern=PRODUCT_ID_PATTERN)
