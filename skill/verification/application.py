"""The application-id check: the one check a Lambda makes (Alexa invokes it directly, with no signature to check).

On its own, without ``cryptography`` or the certificate machinery the web checks need, so the Lambda's init does
not import them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skill.verification.errors import WrongApplication


class ApplicationIdVerifier:
    """The request's application id (``context.System`` first, then ``session``) equals the configured skill id."""

    def __init__(self, skill_id: str) -> None:
        if not skill_id:
            raise ValueError("skill_id is empty")
        self._skill_id = skill_id

    def verify(
        self,
        headers: Mapping[str, str],
        serialized_request_env: bytes,
        deserialized_request_env: Mapping[str, Any],
    ) -> None:
        application_id = application_id_of(deserialized_request_env)
        if application_id is None:
            raise WrongApplication("request has no application id")
        if application_id != self._skill_id:
            raise WrongApplication("request is for another skill")


def application_id_of(envelope: Mapping[str, Any]) -> str | None:
    for path in (("context", "System", "application", "applicationId"), ("session", "application", "applicationId")):
        node: Any = envelope
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, str) and node:
            return node
    return None
