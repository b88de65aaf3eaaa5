"""Where simulated requests go: the skill in this process, or any endpoint over HTTP (signed when asked)."""

from __future__ import annotations

import json
from typing import Any, Protocol

import requests

from backend.errors import VoicecartError
from skill.simulator.signing import LocalSigner


class SimulatorError(VoicecartError):
    """The skill could not be reached or answered with something that is not an Alexa response."""


class Transport(Protocol):
    def send(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


class Handles(Protocol):
    def handle(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


class InProcessTransport:
    """Hands envelopes to a ``SkillRuntime`` (or anything with ``handle(envelope) -> dict``)."""

    def __init__(self, runtime: Handles) -> None:
        self.runtime = runtime

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        # A JSON round trip, as over the wire: the skill never shares objects with the simulator.
        return json.loads(json.dumps(self.runtime.handle(json.loads(json.dumps(envelope)))))  # type: ignore[no-any-return]


class HttpTransport:
    """POSTs envelopes to ``url``; with a ``signer`` the body carries Alexa-style signature headers."""

    def __init__(
        self,
        url: str,
        *,
        signer: LocalSigner | None = None,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.signer = signer
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        if self.signer is not None:
            body, headers = self.signer.sign_envelope(envelope)
        else:
            body = json.dumps(envelope, separators=(",", ":")).encode("utf-8")
            headers = {"Content-Type": "application/json"}
        try:
            reply = self.session.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SimulatorError(f"cannot reach {self.url}: {exc}") from exc
        if reply.status_code != 200:
            raise SimulatorError(f"{self.url} answered HTTP {reply.status_code}: {reply.text[:300]}")
        try:
            data = reply.json()
        except ValueError as exc:
            raise SimulatorError(f"{self.url} did not answer JSON") from exc
        if not isinstance(data, dict):
            raise SimulatorError(f"{self.url} answered {type(data).__name__}, not a response envelope")
        return data
