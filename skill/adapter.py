"""The Alexa web edge: flask-ask-sdk's ``SkillAdapter`` contract, on our own verifier.

Kept from flask-ask-sdk: ``SkillAdapter(runtime, skill_id, verifiers=None, app=None)``, ``init_app``,
``register(app, route, endpoint=None)``, ``dispatch_request()``, the app config switches
``ASK_SDK_VERIFY_SIGNATURE`` / ``ASK_SDK_VERIFY_TIMESTAMP`` (both default ``True``), the adapter stored in
``app.extensions["ASK_SDK_SKILL_ADAPTER"][skill_id]``, a failed check answered 400 and an escaping skill error 500,
each logged.

One difference: ``verifiers``, when given, is the *complete* list (normally ``build_verifiers(settings)``, which
honours the settings' switches and the local development signer); the config switches then play no part. Left
``None``, the adapter builds flask-ask-sdk's defaults from the config switches, plus the application-id check when
``skill_id`` is given. Added: a body that is not JSON or not an Alexa envelope is 400, a body over 128 KiB is 413,
and refusals are short JSON (``{"error": ..., "reason": ...}``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from skill.verification import CertFetcher, Clock, EnvelopeHandler, RequestVerifier, build_verifiers
from skill.verification.envelope import parse_envelope, request_id_of
from skill.verification.errors import MalformedRequest, RequestVerificationError

logger = logging.getLogger(__name__)

EXTENSION_NAME = "ASK_SDK_SKILL_ADAPTER"
VERIFY_SIGNATURE_APP_CONFIG = "ASK_SDK_VERIFY_SIGNATURE"
VERIFY_TIMESTAMP_APP_CONFIG = "ASK_SDK_VERIFY_TIMESTAMP"
MAX_REQUEST_BYTES = 128 * 1024
_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True, slots=True)
class _Switches:
    """What ``build_verifiers`` reads, taken from the Flask config at ``init_app`` time."""

    skill_id: str | None
    verify_signature: bool
    verify_timestamp: bool
    local_signer_dir: Path | None


class SkillAdapter:
    def __init__(
        self,
        runtime: EnvelopeHandler,
        skill_id: str | None = None,
        verifiers: Sequence[RequestVerifier] | None = None,
        app: Flask | None = None,
        *,
        trust_roots: Sequence[x509.Certificate] | None = None,
        cert_fetcher: CertFetcher | None = None,
        clock: Clock | None = None,
        local_signer_dir: Path | None = None,
    ) -> None:
        """``trust_roots``/``cert_fetcher``/``clock``/``local_signer_dir`` shape the defaults (``verifiers=None``)."""
        self._runtime = runtime
        self._skill_id = skill_id
        self._given_verifiers = list(verifiers) if verifiers is not None else None
        self._trust_roots = trust_roots
        self._cert_fetcher = cert_fetcher
        self._clock = clock
        self._local_signer_dir = local_signer_dir
        self._verifiers: list[RequestVerifier] | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        app.config.setdefault(VERIFY_SIGNATURE_APP_CONFIG, True)
        app.config.setdefault(VERIFY_TIMESTAMP_APP_CONFIG, True)
        app.extensions.setdefault(EXTENSION_NAME, {})[self._skill_id] = self
        if self._given_verifiers is not None:
            self._verifiers = self._given_verifiers
            if not self._verifiers:
                logger.warning("Alexa request verification is OFF: the adapter was given no verifiers")
            return
        switches = _Switches(
            skill_id=self._skill_id,
            verify_signature=bool(app.config[VERIFY_SIGNATURE_APP_CONFIG]),
            verify_timestamp=bool(app.config[VERIFY_TIMESTAMP_APP_CONFIG]),
            local_signer_dir=self._local_signer_dir,
        )
        self._verifiers = build_verifiers(
            switches, trust_roots=self._trust_roots, cert_fetcher=self._cert_fetcher, clock=self._clock
        )

    def register(self, app: Flask, route: str, endpoint: str | None = None) -> None:
        if not isinstance(app, Flask):
            raise TypeError("Expected a valid Flask instance")
        if not isinstance(route, str):
            raise TypeError("Expected a valid URL rule string")
        if self._verifiers is None:
            self.init_app(app)
        # Every method reaches the view, so a GET or a PUT is refused in JSON like everything else (Flask's own 405
        # would be an HTML page).
        app.add_url_rule(route, endpoint=endpoint, view_func=self.dispatch_request, methods=_ANY_METHOD)

    def dispatch_request(self) -> Response | tuple[Response, int]:
        if request.method != "POST":
            refusal, status = _refusal(405, "method_not_allowed", "send Alexa requests with POST")
            refusal.headers["Allow"] = "POST"
            return refusal, status
        if self._verifiers is None:
            raise RuntimeError("SkillAdapter used before init_app(app)")
        # Alexa requests are a few KB. A declared length over the limit is refused unread; a chunked body is read
        # through a stream capped one byte past the limit (werkzeug truncates silently there), so it is refused too.
        request.max_content_length = MAX_REQUEST_BYTES + 1
        try:
            body = request.get_data(cache=True)
        except RequestEntityTooLarge:
            return _too_large()
        if len(body) > MAX_REQUEST_BYTES:
            return _too_large()
        try:
            envelope = parse_envelope(body)
            headers = dict(request.headers.items())
            for verifier in self._verifiers:
                verifier.verify(headers, body, envelope)
        except RequestVerificationError as exc:
            logger.warning(
                "Alexa request rejected: %s",
                exc.reason,
                extra={"check": type(exc).__name__, "reason": exc.reason, "remote_addr": request.remote_addr},
            )
            return _refusal(400, "request_rejected", exc.reason)
        try:
            response = self._runtime.handle(envelope)
        except MalformedRequest as exc:
            logger.warning("Alexa request rejected: %s", exc.reason, extra={"check": "MalformedRequest"})
            return _refusal(400, "request_rejected", exc.reason)
        except Exception:  # the boundary: any escaping skill error is a logged 500, never a crash
            logger.exception("Skill dispatch failed", extra={"request_id": request_id_of(envelope)})
            return _refusal(500, "skill_error", "the skill failed to handle the request")
        return jsonify(response)


def _too_large() -> tuple[Response, int]:
    return _refusal(413, "request_too_large", "request body is larger than an Alexa request")


def _refusal(status: int, error: str, reason: str) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": error, "reason": reason}
    return jsonify(body), status


def register_json_errors(app: Flask) -> None:
    """Outside the API blueprint (which has its own handlers), answer HTTP errors and escaping exceptions in JSON:
    a client of this server never gets an HTML page or a traceback."""

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        return _refusal(status, (error.name or "error").lower().replace(" ", "_"), error.name or "error")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        logger.exception("request failed: %s", type(error).__name__)
        return _refusal(500, "internal_error", "internal error")
