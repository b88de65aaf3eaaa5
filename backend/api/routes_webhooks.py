"""Routes: webhook subscriptions of the calling API client (create, list, read, delete) and their dead letters.

A subscription belongs to the client whose key created it: other clients neither see nor delete it, and it
receives events only about customers that client may see. Reading needs the ``read`` scope, creating and deleting
``write``. The signing secret is returned once, on creation.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify

from backend.api.access import Access
from backend.api.errors import ApiError
from backend.api.inputs import bearer_key, int_param, json_body, only_fields, query_params
from backend.identity.clients import READ, WRITE
from backend.identity.store import sha256_hex
from backend.outbound.errors import SubscriptionLimit, WebhookTargetRefused
from backend.outbound.subscriptions import SubscriptionStore
from backend.outbound.translate import plain
from backend.outbound.webhooks import dead_letters
from backend.store import keys

_SUBSCRIPTION_ID = re.compile(r"whs_[0-9a-f]{16}")


def register_webhook_routes(bp: Blueprint, access: Access) -> None:
    backend = access.backend
    store = SubscriptionStore(
        backend.table, clock=backend.clock, allow_loopback=backend.settings.webhook_allow_loopback
    )

    def owned(subscription_id: str) -> str:
        if (
            not _SUBSCRIPTION_ID.fullmatch(subscription_id)
            or store.get(access.client.client_id, subscription_id) is None
        ):
            raise ApiError(404, "not_found", "no such webhook subscription")
        return subscription_id

    @bp.post("/webhooks")
    def create_webhook() -> tuple[Response, int]:
        access.require(WRITE)
        query_params(())
        data = json_body()
        only_fields(data, ("url", "events"))
        try:
            subscription = store.create(
                client_id=access.client.client_id,
                client_pk=keys.api_key_pk(sha256_hex(bearer_key())),
                url=data.get("url"),
                events=data.get("events", ["*"]),
            )
        except WebhookTargetRefused as exc:
            raise ApiError(403, "url_not_allowed", str(exc)) from exc
        except SubscriptionLimit as exc:
            raise ApiError(409, "subscription_limit", str(exc)) from exc
        return jsonify(subscription.to_json(with_secret=True)), 201

    @bp.get("/webhooks")
    def list_webhooks() -> Response:
        access.require(READ)
        query_params(())
        subscriptions = store.of_client(access.client.client_id)
        return jsonify({"webhooks": [subscription.to_json() for subscription in subscriptions]})

    @bp.get("/webhooks/<subscription_id>")
    def get_webhook(subscription_id: str) -> Response:
        access.require(READ)
        query_params(())
        subscription = store.get(access.client.client_id, owned(subscription_id))
        assert subscription is not None
        return jsonify(subscription.to_json())

    @bp.delete("/webhooks/<subscription_id>")
    def delete_webhook(subscription_id: str) -> tuple[str, int]:
        access.require(WRITE)
        query_params(())
        if not store.delete(access.client.client_id, owned(subscription_id)):
            raise ApiError(404, "not_found", "no such webhook subscription")
        return "", 204

    @bp.get("/webhooks/<subscription_id>/dead-letters")
    def list_dead_letters(subscription_id: str) -> Response:
        access.require(READ)
        params = query_params(("limit",))
        limit = int_param(params.get("limit"), "limit", default=50, low=1, high=100)
        letters = dead_letters(backend.table, owned(subscription_id), limit=limit)
        fields = ("event_id", "event_type", "url", "tries", "last_status", "last_error", "failed_at", "payload")
        return jsonify({"dead_letters": [plain({name: letter.get(name) for name in fields}) for letter in letters]})
