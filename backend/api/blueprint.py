"""``create_api_blueprint(services)``: the cross-channel API, mounted by the app at ``/api/v1``.

Every route but ``/openapi.json`` needs ``Authorization: Bearer <api key>``. Bodies are JSON objects of at most
16 KiB. Every failure is ``{"error": {"code", "message"}}`` JSON, including unknown routes and methods under the
prefix (a catch-all route answers them, since routing errors never reach a blueprint's handlers).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from backend.api.access import Access
from backend.api.errors import ApiError, register_error_handlers
from backend.api.inputs import MAX_BODY_BYTES, check_request_text
from backend.api.routes_cart import register_cart_routes
from backend.api.routes_profile import register_profile_routes
from backend.api.services import ApiServices

CATCH_ALL = "unknown_route"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("backend.api").joinpath("openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def create_api_blueprint(services: ApiServices, *, name: str = "api") -> Blueprint:
    """The API over ``services`` (``ApiServices.from_backend`` for the app's backend)."""
    bp = Blueprint(name, __name__)
    register_error_handlers(bp)
    access = Access(services)
    public = {f"{bp.name}.openapi", f"{bp.name}.{CATCH_ALL}"}

    @bp.before_request
    def _limit_and_authenticate() -> None:
        request.max_content_length = MAX_BODY_BYTES
        check_request_text()
        if request.endpoint not in public:
            access.authenticate()

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

    @bp.route("/<path:_rest>", methods=list(_METHODS), endpoint=CATCH_ALL)
    def unknown_route(_rest: str) -> Response:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        allowed = [
            method for method in _METHODS if adapter.match(request.path, method=method)[0] != f"{bp.name}.{CATCH_ALL}"
        ]
        if allowed:
            raise ApiError(
                405, "method_not_allowed", f"use {', '.join(allowed)}", headers={"Allow": ", ".join(allowed)}
            )
        raise ApiError(404, "not_found", "no such API route")

    return bp
