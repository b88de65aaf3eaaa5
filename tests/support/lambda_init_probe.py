"""Run as ``python -m tests.support.lambda_init_probe {skill|api} ANSWERS.json``: a fresh process that does what
Lambda does with one of the two functions, under moto with dummy credentials (never real AWS), and writes the
answers to ANSWERS.json. Whatever the function logs or flushes goes to stdout, as in Lambda.

- ``skill``: imports ``skill.lambda_entry`` (the init phase: the store, the catalog, the index), links the request's
  access token to a customer, then sends a LaunchRequest and an AddToCart through ``handler``.
- ``api``: the table exists first (the stack owns it), a customer and a web key are made, then
  ``backend.api.lambda_entry`` is imported (the init phase) and an HTTP API event from ``tests/fixtures/api`` goes
  through ``handler``; the answers hold the key too, so the test can check no log line carries it.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from moto import mock_aws

from tests.support.envelopes import LINKED_TOKEN, alexa_request
from tests.support.lambda_context import LambdaContext

API_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api"


def _skill() -> Any:
    module = importlib.import_module("skill.lambda_entry")
    from backend.identity.store import IdentityKind
    from backend.services import build_backend
    from backend.settings import Settings

    backend = build_backend(Settings.load(), create_tables=False)
    backend.profiles.ensure_customer("1285")
    backend.identities.link("1285", IdentityKind.ALEXA_TOKEN, LINKED_TOKEN)
    return [
        module.handler(alexa_request("launch"), LambdaContext(aws_request_id="launch-request-id")),
        module.handler(alexa_request("intent_add_to_cart"), LambdaContext(aws_request_id="add-request-id")),
    ]


def _api() -> Any:
    from backend.services import build_backend
    from backend.settings import Settings

    backend = build_backend(Settings.load(), create_tables=True)
    backend.profiles.ensure_customer("1285")
    key = backend.clients.create(name="web shop", channel="web").key
    module = importlib.import_module("backend.api.lambda_entry")
    event = json.loads((API_FIXTURES / "http_api_event.json").read_text(encoding="utf-8"))
    event["headers"]["authorization"] = f"Bearer {key}"
    answer = module.handler(event, LambdaContext(aws_request_id="api-request-id"))
    return {"answer": answer, "key": key}


FUNCTIONS = {"skill": _skill, "api": _api}


def main(function: str, answers_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    with mock_aws():
        answers = FUNCTIONS[function]()
    answers_path.write_text(json.dumps(answers), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
