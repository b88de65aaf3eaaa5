"""Routes: consent per purpose (read, grant, withdraw), computed traits in one call, and merging two profiles."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from backend.api.access import Access
from backend.api.inputs import json_body, only_fields, query_params
from backend.errors import ValidationError
from backend.identity.clients import PRIVACY
from backend.profile.consent import parse_purpose, parse_status
from backend.profile.summary import empty_summary
from backend.profile.traits import BasketItem, compute_traits


def register_channel_routes(bp: Blueprint, access: Access) -> None:
    backend = access.backend

    @bp.get("/customers/<ref>/consent")
    def get_consent(ref: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        return jsonify({"customer_id": customer_id, "consents": backend.consents.consents(customer_id).to_json()})

    @bp.put("/customers/<ref>/consent/<purpose>")
    def set_consent(ref: str, purpose: str) -> Response:
        query_params(())
        data = json_body()
        only_fields(data, ("status",))
        chosen, status = parse_purpose(purpose), parse_status(data.get("status"))
        customer_id = access.customer(ref)
        consent = backend.consents.set(customer_id, chosen, status, channel=access.client.channel, at=access.now())
        return jsonify(consent.to_json())

    @bp.post("/customers/<ref>/merge")
    def merge_profiles(ref: str) -> Response:
        """Merge the profile ``source`` names into this one; the source is erased, so this needs ``privacy``."""
        query_params(())
        data = json_body()
        only_fields(data, ("source",))
        source_ref = data.get("source")
        if not isinstance(source_ref, str) or not source_ref:
            raise ValidationError("source must be a customer reference", field="source")
        target = access.customer(ref, scope=PRIVACY)
        source = access.customer(source_ref, scope=PRIVACY)
        return jsonify(backend.merger.merge(source, target).to_json())

    @bp.get("/customers/<ref>/traits")
    def get_traits(ref: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        shopping = backend.shopping
        state = shopping.state(customer_id)
        orders = shopping.orders(customer_id)
        usual = [
            BasketItem(item.product_id, found.name if (found := backend.catalog.find(item.product_id)) else None,
                       item.quantity)
            for item in shopping.usual(state, None)
        ]  # fmt: skip
        traits = compute_traits(
            state.profile or empty_summary(customer_id),
            now=access.now(),
            order_times=[order.placed_at for order in orders],
            usual=usual,
            cart_items=state.cart.item_count,
            cart_updated_at=state.cart.updated_at,
        )
        return jsonify(traits.to_json())
