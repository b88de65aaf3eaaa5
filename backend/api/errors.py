"""Every failure of the API as ``{"error": {"code": ..., "message": ...}}`` with the right status; never a stack
trace, never a 500 for bad input. Domain errors are mapped here, at the boundary."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from backend.errors import (
    AlreadyApplied,
    CartError,
    ConcurrentUpdate,
    CustomerNotFound,
    EmptyCart,
    IdentityConflict,
    IdentityError,
    InvalidApiKey,
    NotInCart,
    ProductNotFound,
    StoreUnavailable,
    ValidationError,
    VoicecartError,
)

log = logging.getLogger(__name__)


class ApiError(VoicecartError):
    """An HTTP-level refusal raised by the API's own checks (auth, scope, content type)."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="voicecart"'})


def error_response(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({key: value for key, value in extra.items() if value is not None})
    return jsonify({"error": body}), status


# (error type, status, code); the first match in this order wins, so subclasses come before their bases.
_DOMAIN: tuple[tuple[type[Exception], int, str], ...] = (
    (InvalidApiKey, 401, "unauthorized"),
    (IdentityConflict, 409, "identity_conflict"),
    (CustomerNotFound, 404, "customer_not_found"),
    (IdentityError, 401, "unauthorized"),
    (ProductNotFound, 422, "unknown_product"),
    (NotInCart, 404, "not_in_cart"),
    (EmptyCart, 409, "empty_cart"),
    (CartError, 409, "cart_conflict"),
    (AlreadyApplied, 409, "already_applied"),
    (ConcurrentUpdate, 409, "conflict"),
    (StoreUnavailable, 503, "store_unavailable"),
)


def register_error_handlers(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(ApiError)
    def _api_error(error: ApiError) -> tuple[Response, int]:
        response, status = error_response(error.status, error.code, error.message)
        response.headers.update(error.headers)
        return response, status

    @blueprint.errorhandler(ValidationError)
    def _validation(error: ValidationError) -> tuple[Response, int]:
        return error_response(400, "invalid_request", str(error), field=error.field)

    @blueprint.errorhandler(VoicecartError)
    def _domain(error: VoicecartError) -> tuple[Response, int]:
        for kind, status, code in _DOMAIN:
            if isinstance(error, kind):
                if status == 401:
                    return _api_error(unauthorized(str(error)))
                if status >= 500:
                    log.warning("api: %s: %s", code, type(error).__name__)
                    return error_response(status, code, "the store is unavailable; try again")
                return error_response(status, code, str(error))
        log.error("api: unmapped domain error %s", type(error).__name__)
        return error_response(500, "internal_error", "internal error")

    @blueprint.errorhandler(OverflowError)
    def _out_of_range(error: OverflowError) -> tuple[Response, int]:
        # Date arithmetic on a client's value (a timestamp whose offset leaves the representable range): bad
        # input, not a failure of ours.
        return error_response(400, "invalid_request", "a value is out of range")

    @blueprint.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        response, status = error_response(status, code, error.description or error.name)
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response, status

    @blueprint.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("api: unexpected %s", type(error).__name__)
        return error_response(500, "internal_error", "internal error")
