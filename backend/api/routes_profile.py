"""Routes: the profile summary, events (read by channel and time, written by other channels), linked ids, and
privacy (export, delete)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from backend.api.access import Access
from backend.api.errors import ApiError
from backend.api.idempotency import RequestFingerprints, fingerprint
from backend.api.inputs import channel_param, int_param, json_body, only_fields, query_params, time_param
from backend.errors import ValidationError
from backend.identity.clients import PRIVACY
from backend.profile.events import event_from_json
from backend.profile.store import DEFAULT_PAGE, MAX_PAGE
from backend.profile.summary import empty_summary, with_history
from backend.store.retention import expires_at


def register_profile_routes(bp: Blueprint, access: Access) -> None:
    backend = access.backend
    fingerprints = RequestFingerprints(backend.table)

    @bp.get("/customers/<ref>/profile")
    def get_profile(ref: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        state = backend.shopping.state(customer_id)  # the profile and the imported history, one read
        summary = with_history(
            state.profile or empty_summary(customer_id),
            state.imported_purchases,
            today=access.now().date(),
            name_of=lambda product_id: found.name if (found := backend.catalog.find(product_id)) else None,
        )
        return jsonify({"customer_id": customer_id, "summary": summary.to_json()})

    @bp.get("/customers/<ref>/events")
    def list_events(ref: str) -> Response:
        params = query_params(("channel", "since", "until", "limit", "cursor", "order"))
        customer_id = access.customer(ref)
        order = params.get("order", "newest")
        if order not in ("newest", "oldest"):
            raise ValidationError("order must be newest or oldest", field="order")
        page = backend.profiles.events(
            customer_id,
            channel=channel_param(params.get("channel")),
            since=time_param(params.get("since"), "since"),
            until=time_param(params.get("until"), "until"),
            limit=int_param(params.get("limit"), "limit", default=DEFAULT_PAGE, low=1, high=MAX_PAGE),
            cursor=params.get("cursor"),
            newest_first=order == "newest",
        )
        return jsonify({"events": [event.to_json() for event in page.events], "next_cursor": page.next_cursor})

    @bp.post("/customers/<ref>/events")
    def write_event(ref: str) -> tuple[Response, int]:
        query_params(())
        data = json_body()
        customer_id = access.customer(ref)
        event = event_from_json(data, customer_id=customer_id, now=access.now())
        access.check_event(event)
        print_ = fingerprint(data)
        fingerprints.check(customer_id, event.event_id, print_)
        written = backend.profiles.record_event(event)
        if written.written:
            # as long as the event's own id marker: the key stays refused for another body while the event is kept
            keep = expires_at(event.occurred_at, backend.profiles.retention.events)
            fingerprints.remember(customer_id, event.event_id, print_, expires=keep)
        else:
            fingerprints.check(customer_id, event.event_id, print_)
        return jsonify({"event_id": event.event_id, "status": written.status}), 201 if written.written else 200

    register_identity_routes(bp, access)

    @bp.get("/customers/<ref>/export")
    def export_customer(ref: str) -> Response:
        query_params(())
        return jsonify(backend.customer_data.export(access.customer(ref, scope=PRIVACY)))

    @bp.delete("/customers/<ref>")
    def delete_customer(ref: str) -> Response:
        query_params(())
        erased = backend.customer_data.delete(access.customer(ref, scope=PRIVACY), requested_by=access.client.client_id)
        return jsonify(erased.to_json())


def register_identity_routes(bp: Blueprint, access: Access) -> None:
    """The ids other channels know the customer by: listed, linked by their own channel, unlinked."""
    backend = access.backend

    @bp.get("/customers/<ref>/identities")
    def list_identities(ref: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        linked = backend.identities.identities(customer_id)
        return jsonify({"customer_id": customer_id, "identities": [identity.to_json() for identity in linked]})

    @bp.post("/customers/<ref>/identities")
    def link_identity(ref: str) -> tuple[Response, int]:
        query_params(())
        data = json_body()
        only_fields(data, ("kind", "value"))
        customer_id = access.customer(ref)
        kind = access.own_channel_kind(data.get("kind"))
        value = data.get("value")
        if not isinstance(value, str):
            raise ValidationError("value must be a string", field="value")
        backend.identities.link(customer_id, kind, value)
        return jsonify({"customer_id": customer_id, "kind": kind.value, "linked": True}), 201

    @bp.delete("/customers/<ref>/identities/<kind>/<path:value>")
    def unlink_identity(ref: str, kind: str, value: str) -> Response:
        query_params(())
        customer_id = access.customer(ref)
        if not backend.identities.unlink(customer_id, access.own_channel_kind(kind), value):
            raise ApiError(404, "identity_not_found", "this id is not linked to this customer")
        return Response(status=204)
