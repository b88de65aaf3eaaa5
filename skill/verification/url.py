"""Amazon's rules for the ``SignatureCertChainUrl`` header.

Scheme ``https`` and host ``s3.amazonaws.com`` compare case-insensitively; the path must start with ``/echo.api/``
(case-sensitive) once ``..`` segments are resolved; a port, if given, must be 443. The URL we fetch is rebuilt from
the checked parts, so what is fetched is exactly what was checked.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from skill.verification.errors import BadCertificateUrl

CERT_URL_SCHEME = "https"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"
CERT_URL_PORT = 443


def canonical_cert_url(raw: str) -> str:
    """Return the URL to fetch the chain from, or raise :class:`BadCertificateUrl`."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError as exc:
        raise BadCertificateUrl("certificate URL is not a URL") from exc
    if parts.scheme.lower() != CERT_URL_SCHEME:
        raise BadCertificateUrl("certificate URL scheme must be https")
    if parts.username is not None or parts.password is not None:
        raise BadCertificateUrl("certificate URL must not carry credentials")
    if (parts.hostname or "").lower() != CERT_URL_HOST:
        raise BadCertificateUrl("certificate URL host must be s3.amazonaws.com")
    if port is not None and port != CERT_URL_PORT:
        raise BadCertificateUrl("certificate URL port must be 443")
    path = _normalise_path(parts.path)
    if not path.startswith(CERT_URL_PATH_PREFIX):
        raise BadCertificateUrl("certificate URL path must start with /echo.api/")
    return f"{CERT_URL_SCHEME}://{CERT_URL_HOST}{path}"


def _normalise_path(raw_path: str) -> str:
    # Decode first so %2e%2e cannot smuggle a ".." past normpath; a backslash is never part of a real chain URL.
    path = unquote(raw_path)
    if "\\" in path or not path.startswith("/"):
        return ""
    normalised = posixpath.normpath(path)
    # normpath keeps a leading "//" (POSIX allows it to mean something else); Amazon's paths never start that way.
    if normalised.startswith("//"):
        return ""
    # normpath drops the trailing slash; keep it so "/echo.api/" itself compares equal to the prefix.
    if path.endswith("/") and not normalised.endswith("/"):
        normalised += "/"
    return normalised
