"""Amazon's SignatureCertChainUrl rules, including the examples from Amazon's documentation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.verification import canonical_cert_url
from skill.verification.errors import BadCertificateUrl


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
        ("HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem", "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
        ("https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem", "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
        (
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
        (
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        ),
    ],
)
def test_accepted_urls_are_canonicalised(raw: str, canonical: str) -> None:
    assert canonical_cert_url(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "scheme"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://evil.example@s3.amazonaws.com/echo.api/echo-api-cert.pem", "credentials"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com//echo.api/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api\\..\\x/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem", "not a URL"),
        ("", "scheme"),
    ],
)
def test_rejected_urls_say_which_rule(raw: str, reason: str) -> None:
    with pytest.raises(BadCertificateUrl) as caught:
        canonical_cert_url(raw)
    assert reason in caught.value.reason


@given(st.text(alphabet="abc./%2e", max_size=30))
def test_whatever_is_accepted_is_fetched_from_under_echo_api(path: str) -> None:
    try:
        url = canonical_cert_url(f"https://s3.amazonaws.com/{path}")
    except BadCertificateUrl:
        return
    assert url.startswith("https://s3.amazonaws.com/echo.api/")
    assert "/../" not in url and not url.endswith("/..")
