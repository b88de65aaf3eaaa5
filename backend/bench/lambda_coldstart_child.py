"""One cold start, run by ``voicecart bench coldstart``: ``python -m backend.bench.lambda_coldstart_child HANDLER OUT``.

A fresh interpreter does what Lambda's runtime does: imports the handler's module (its init phase builds the
runtime) and invokes the handler with a LaunchRequest, then an AddToCart, for a customer linked beforehand. The embedded
store is started first with the table and the link, as a stand-in for DynamoDB (timed on its own: in AWS the table
is there already).
Wall-clock stamps (``time.time()``, comparable with the time the parent took just before starting this process) go
to OUT as JSON; the function's own log lines go to stdout, as in Lambda.
"""

from __future__ import annotations

import time

STARTED = time.time()

import importlib  # noqa: E402  - the stamp above is taken before anything is imported
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
TOKEN = "bench-linked-access-token"  # noqa: S105 - a made-up token linked to a demo customer in the embedded store
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


def main(handler_path: str, out: Path) -> None:
    from backend.store.embedded import EmbeddedDynamoDB

    stamps: dict[str, float] = {"interpreter": STARTED}
    with EmbeddedDynamoDB() as store:
        os.environ.update(
            VOICECART_STORE=str(store.endpoint),
            VOICECART_SKILL_ID=SKILL_ID,
            VOICECART_CREATE_TABLES="true",
            VOICECART_DEMO_DATA="false",
            VOICECART_TABLE=f"voicecart-bench-{uuid.uuid4().hex[:8]}",
        )
        _link_customer()  # the table made and a customer linked: as in AWS, there before the function starts
        stamps["store"] = time.time()
        module_name, _, attribute = handler_path.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        stamps["init"] = time.time()
        launch = handler(envelope({"type": "LaunchRequest"}), Context())
        stamps["launch"] = time.time()
        added = handler(
            envelope(
                {
                    "type": "IntentRequest",
                    "dialogState": "STARTED",
                    "intent": {
                        "name": "AddToCartIntent",
                        "confirmationStatus": "NONE",
                        "slots": {"product": {"name": "product", "value": PRODUCT, "confirmationStatus": "NONE"}},
                    },
                }
            ),
            Context(),
        )
        stamps["add"] = time.time()
    speech = {
        name: answer["response"].get("outputSpeech", {}).get("ssml", "")
        for name, answer in (("launch", launch), ("add", added))
    }
    out.write_text(json.dumps({"stamps": stamps, "speech": speech}), encoding="utf-8")


def _link_customer() -> None:
    from backend.identity.store import IdentityKind, IdentityStore
    from backend.services import open_table
    from backend.settings import Settings

    identities = IdentityStore(open_table(Settings.load(), create_tables=True))
    identities.link(CUSTOMER, IdentityKind.ALEXA_TOKEN, TOKEN)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
