"""Helpers of the page tests: a signed-in test client, the CSRF token of a rendered page."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

HTTPS = "https://localhost"  # the session cookie is Secure: the test client sends it back over https only
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response: TestResponse) -> str:
    found = _CSRF.search(response.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, key: str) -> TestResponse:
    page = client.get("/associate/sign-in", base_url=HTTPS)
    return client.post("/associate/sign-in", data={"api_key": key, "csrf_token": csrf_of(page)}, base_url=HTTPS)
