"""One cold start, run by ``voicecart bench coldstart``: ``python -P .../lambda_coldstart_child.py HANDLER OUT``.

A fresh interpreter does exactly what Lambda's runtime does, nothing more: imports the handler's module (its init
phase builds the runtime) and invokes the handler with a LaunchRequest, then an AddToCart twice, for a customer the
parent linked beforehand. The store is a DynamoDB endpoint the parent serves (the environment names it, as
``VOICECART_STORE`` names the table's region in AWS), so every import the function needs (boto3 included) is paid
here, in the init, as in Lambda.

This file imports only the standard library and is run by path (``-P``: its folder is not put on ``sys.path``), so
the handler measured is whichever voicecart ``PYTHONPATH`` finds first (``voicecart bench coldstart --source``).
Wall-clock stamps (``time.time()``, comparable with the time the parent took just before starting this process) go
to OUT as JSON; the function's own log lines go to stdout, as in Lambda.
"""

from __future__ import annotations

import time

STARTED = time.time()

import importlib  # noqa: E402  - the stamp above is taken before anything is imported
import json  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
TOKEN = "bench-linked-access-token"  # noqa: S105 - a made-up token linked to a demo customer in the bench's store
CUSTOMER = "1285"
PRODUCT = "peanut butter"


class Context:
    """The attributes of the Python runtime's Lambda context that Powertools reads."""

    function_name = "voicecart-bench-SkillFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:voicecart-bench-SkillFunction"
    log_group_name = "/voicecart/bench"
    log_stream_name = "bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 8_000


def envelope(request: dict[str, Any]) -> dict[str, Any]:
    user = {"userId": "amzn1.ask.account.BENCH", "accessToken": TOKEN}
    application = {"applicationId": SKILL_ID}
    return {
        "version": "1.0",
        "session": {
            "new": request["type"] == "LaunchRequest",
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.BENCH", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "locale": "en-US",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **request,
        },
    }


ADD_TO_CART = {
    "type": "IntentRequest",
    "dialogState": "STARTED",
    "intent": {
        "name": "AddToCartIntent",
        "confirmationStatus": "NONE",
        "slots": {"product": {"name": "product", "value": PRODUCT, "confirmationStatus": "NONE"}},
    },
}


def main(handler_path: str, out: Path) -> None:
    stamps: dict[str, float] = {"interpreter": STARTED}
    module_name, _, attribute = handler_path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    stamps["init"] = time.time()
    launch = handler(envelope({"type": "LaunchRequest"}), Context())
    stamps["launch"] = time.time()
    added = handler(envelope(ADD_TO_CART), Context())
    stamps["add"] = time.time()
    handler(envelope(ADD_TO_CART), Context())  # the same add in the now warm process: what the first one should cost
    stamps["again"] = time.time()
    speech = {
        name: answer["response"].get("outputSpeech", {}).get("ssml", "")
        for name, answer in (("launch", launch), ("add", added))
    }
    out.write_text(json.dumps({"stamps": stamps, "speech": speech}), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
