"""Routes: the customer's voice purchase code. Reading its state needs ``read``; setting, changing, removing and
unlocking it need the ``voice_code`` scope (the website, where the account holder signs in). The code is sent once,
in a JSON body, and never returned, logged or stored in plain: only its salted digest is kept."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from backend.api.access import Access
from backend.api.inputs import json_body, only_fields, query_params
from backend.errors import ValidationError
from backend.identity.clients import VOICE_CODE
from backend.shopping.voicecodes import Actor


def register_voicecode_routes(bp: Blueprint, access: Access) -> None:
    codes = access.backend.voice_codes

    def actor() -> Actor:
        return Actor(channel=access.client.channel, name=f"api:{access.client.client_id}")

    @bp.get("/customers/<ref>/voice-code")
    def voice_code_status(ref: str) -> Response:
        query_params(())
        return jsonify(codes.status(access.customer(ref)).to_json())

    @bp.put("/customers/<ref>/voice-code")
    def set_voice_code(ref: str) -> Response:
        query_params(())
        data = json_body()
        only_fields(data, ("code",))
        customer_id = access.customer(ref, scope=VOICE_CODE)
        code = data.get("code")
        if not isinstance(code, str):
            raise ValidationError("code must be a string of 4 digits", field="code")
        return jsonify(codes.set(customer_id, code, actor=actor()).to_json())

    @bp.delete("/customers/<ref>/voice-code")
    def remove_voice_code(ref: str) -> Response:
        query_params(())
        return jsonify(codes.remove(access.customer(ref, scope=VOICE_CODE), actor=actor()).to_json())

    @bp.post("/customers/<ref>/voice-code/unlock")
    def unlock_voice_code(ref: str) -> Response:
        query_params(())
        return jsonify(codes.unlock(access.customer(ref, scope=VOICE_CODE), actor=actor()).to_json())
