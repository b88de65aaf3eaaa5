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


class WebhookTargetRefused(OutboundError):
    """A well-formed URL that may not receive webhooks (plain http off loopback, this machine, private addresses)."""


class SubscriptionLimit(OutboundError):
    """The API client already has the most subscriptions it may have."""


class SignatureMismatch(OutboundError):
    """A webhook signature header that is missing, malformed, too old, or not made with the secret."""
