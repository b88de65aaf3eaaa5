"""Signed-cookie sessions and CSRF tokens for the pages.

The cookie is Flask's signed session: ``Secure``, ``HttpOnly``, ``SameSite=Lax``, holding the signed-in API client's
id, its key's SHA-256 (which finds the client in one read; the API takes no hashes) and the CSRF token, never a key.
The signing secret is random per process unless ``VOICECART_SESSION_SECRET`` gives one (several workers behind one
address need the same), so a restart signs everyone out.

Every form carries the session's CSRF token; a POST without it, or with another, is refused with 400 before the view
runs. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Response, abort, request, session
from flask.sansio.app import App

CSRF_FIELD = "csrf_token"
SESSION_SECRET_VARIABLE = "VOICECART_SESSION_SECRET"  # noqa: S105 - a variable name, not a secret
SESSION_LIFETIME = timedelta(hours=8)  # one shift
STATIC_FOLDER = str(Path(__file__).resolve().parent / "static")  # the pages' one style sheet


def configure_sessions(app: App) -> None:
    """Give the app a signing secret and safe cookie settings (once, whichever blueprint registers first)."""
    if not app.secret_key:
        app.secret_key = os.environ.get(SESSION_SECRET_VARIABLE) or secrets.token_bytes(32)
    app.config.update(
        SESSION_COOKIE_NAME="voicecart_session",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse (400) an unsafe request whose form does not carry this session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="This form has expired or did not come from this site. Reload the page and try again.")


def start_session(**values: str) -> None:
    """A new session (a fresh CSRF token too): nothing from before sign-in survives it."""
    session.clear()
    session.permanent = True
    session.update(values)
    csrf_token()


def secure_headers(response_headers: dict[str, str] | None = None) -> dict[str, str]:
    headers = {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'",
    }
    headers.update(response_headers or {})
    return headers


def protect(bp: Blueprint) -> None:
    """What every page blueprint does on every request: the app's session settings (once), the CSRF check before
    the view, and the safe headers on the response (a view's own header wins)."""
    bp.record_once(lambda state: configure_sessions(state.app))

    @bp.before_request
    def _csrf() -> None:
        check_csrf()

    @bp.after_request
    def _headers(response: Response) -> Response:
        for header, value in secure_headers().items():
            response.headers.setdefault(header, value)
        return response
