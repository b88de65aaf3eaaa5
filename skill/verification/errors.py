"""Why an incoming Alexa request was refused. One root, so the web edge turns every failure into HTTP 400.

    VoicecartError                      (backend.errors)
     └── RequestVerificationError       any request that must not reach the handlers
          ├── MalformedRequest          body is not JSON, or not an Alexa request envelope
          ├── MissingHeader             SignatureCertChainUrl or Signature-256 absent
          ├── BadCertificateUrl         the chain URL breaks Amazon's scheme/host/path/port rules
          ├── CertificateError
          │    ├── CertificateUnavailable   the chain could not be fetched or parsed
          │    ├── CertificateNotInDate     expired, or not valid yet
          │    ├── CertificateWrongSubject  echo-api.amazon.com missing from the SANs
          │    └── CertificateUntrusted     does not chain to a trusted root
          ├── BadSignature              Signature-256 undecodable or not over this body
          ├── BadTimestamp              missing, unparseable, or more than the tolerance away from now
          └── WrongApplication          the application id is not the configured skill id

Every error carries ``reason``: a short, fixed-vocabulary phrase safe to return to the caller and to log
(never a header value, token or envelope).
"""

from __future__ import annotations

from backend.errors import VoicecartError


class RequestVerificationError(VoicecartError):
    """Root of every verification failure; ``reason`` is short and safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedRequest(RequestVerificationError):
    pass


class MissingHeader(RequestVerificationError):
    pass


class BadCertificateUrl(RequestVerificationError):
    pass


class CertificateError(RequestVerificationError):
    pass


class CertificateUnavailable(CertificateError):
    pass


class CertificateNotInDate(CertificateError):
    pass


class CertificateWrongSubject(CertificateError):
    pass


class CertificateUntrusted(CertificateError):
    pass


class BadSignature(RequestVerificationError):
    pass


class BadTimestamp(RequestVerificationError):
    pass


class WrongApplication(RequestVerificationError):
    pass
