"""Outbound delivery errors, one tree under the backend's root::

VoicecartError
└── OutboundError
    ├── DeliveryFailed        a channel refused or could not be reached (the record is retried)
    └── WebhookRejected       a subscription URL or filter that may not be used (HTTP 400 at the API)
"""

from __future__ import annotations

from backend.errors import ValidationError, VoicecartError


class OutboundError(VoicecartError):
    """Root of the outbound delivery errors."""


class DeliveryFailed(OutboundError):
    """A message could not be handed to its channel; the stream record is retried (or dead-lettered)."""


class WebhookRejected(ValidationError, OutboundError):
    """A webhook subscription that may not be created (bad URL, target not allowed, bad filter)."""


class SignatureMismatch(OutboundError):
    """A webhook signature header that is missing, malformed, too old, or not made with the secret."""
