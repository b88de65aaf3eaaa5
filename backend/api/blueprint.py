"""``create_api_blueprint(backend)``: the cross-channel API, mounted by the app at ``/api/v1``.

Every route but ``/openapi.json`` needs ``Authorization: Bearer <api key>``. Bodies are JSON objects of at most
16 KiB. Every failure is ``{"error": {"code", "message"}}`` JSON, including unknown routes and methods under the
prefix (a catch-all route answers them, since routing errors never reach a blueprint's handlers).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from backend.api.access import Access
from backend.api.errors import ApiError, register_error_handlers
from backend.api.inputs import MAX_BODY_BYTES, check_request_text
from backend.api.routes_cart import register_cart_routes
from backend.api.routes_channels import register_channel_routes
from backend.api.routes_profile import register_profile_routes
from backend.api.routes_voicecode import register_voicecode_routes
from backend.api.routes_webhooks import register_webhook_routes

if TYPE_CHECKING:
    from backend.services import Backend

CATCH_ALL = "unknown_route"
# Every method the catch-all answers for, so an unsupported one gets the API's JSON 405 and a true Allow header
# (TRACE would otherwise get Werkzeug's HTML page, and an Allow header listing the catch-all's own methods).
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE")


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("backend.api").joinpath("openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def create_api_blueprint(backend: Backend, *, name: str = "api") -> Blueprint:
    """The API over the process's ``Backend``: the same stores and cart the voice turns use."""
    bp = Blueprint(name, __name__)
    register_error_handlers(bp)
    access = Access(backend)
    public = {f"{bp.name}.openapi", f"{bp.name}.{CATCH_ALL}"}

    def allowed_methods() -> list[str]:
        """The methods the requested path really has (never the catch-all's)."""
        adapter = current_app.url_map.bind_to_environ(request.environ)
        allowed = []
        for method in _METHODS:
            try:
                endpoint, _ = adapter.match(request.path, method=method)
            except HTTPException:
                continue
            if endpoint != f"{bp.name}.{CATCH_ALL}":
                allowed.append(method)
        return allowed

    @bp.before_request
    def _limit_and_authenticate() -> Response | None:
        if request.method == "OPTIONS":
            # Flask's automatic answer would list the catch-all's methods for every path.
            allowed = allowed_methods()
            if not allowed:
                raise ApiError(404, "not_found", "no such API route")
            response = Response(status=204)
            response.headers["Allow"] = ", ".join([*allowed, "OPTIONS"])
            return response
        request.max_content_length = MAX_BODY_BYTES
        check_request_text()
        if request.endpoint not in public:
            access.authenticate()
        return None

    @bp.after_request
    def _no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(openapi_document())

    register_profile_routes(bp, access)
    register_cart_routes(bp, access)
    register_webhook_routes(bp, access)
    register_voicecode_routes(bp, access)
    register_channel_routes(bp, access)

    @bp.route("/<path:_rest>", methods=list(_METHODS), endpoint=CATCH_ALL)
    def unknown_route(_rest: str) -> Response:
        allowed = allowed_methods()
        if allowed:
            raise ApiError(
                405, "method_not_allowed", f"use {', '.join(allowed)}", headers={"Allow": ", ".join(allowed)}
            )
        raise ApiError(404, "not_found", "no such API route")

    return bp
