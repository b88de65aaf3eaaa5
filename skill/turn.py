"""Per-request helpers every handler uses: the locale's speech and small accessors over the ASK SDK input."""

from __future__ import annotations

import random
import zlib

from ask_sdk_core.handler_input import HandlerInput

from skill.speech import Speech


def speech_for(handler_input: HandlerInput) -> Speech:
    request = handler_input.request_envelope.request
    # Seeded by the request id: Alexa's retry of the same request hears the same phrasing.
    seed = zlib.crc32((getattr(request, "request_id", None) or "").encode())
    return Speech(getattr(request, "locale", None), rng=random.Random(seed))  # noqa: S311
