"""Run as ``python -m tests.support.lambda_init_probe ANSWERS.json``: a fresh process that does what Lambda does with
the skill function, under moto with dummy credentials (never real AWS). It imports ``skill.lambda_entry`` (the init
phase: the store, the catalog, the index), links the fixture's access token to a customer, sends a LaunchRequest
and an AddToCart through ``handler`` with a Lambda context, and writes the answers to ANSWERS.json. Whatever the
function logs or flushes goes to stdout, as in Lambda."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

from moto import mock_aws

from tests.support.lambda_context import LambdaContext
from tests.support.requests import build_request

LINKED_TOKEN = "fixture-linked-access-token-never-log-me"


def main(answers_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    with mock_aws():
        module = importlib.import_module("skill.lambda_entry")
        from backend.identity.store import IdentityKind
        from backend.services import build_backend
        from backend.settings import Settings

        backend = build_backend(Settings.load(), create_tables=False)
        backend.profiles.ensure_customer("1285")
        backend.identities.link("1285", IdentityKind.ALEXA_TOKEN, LINKED_TOKEN)
        answers = [
            module.handler(build_request("launch"), LambdaContext(aws_request_id="launch-request-id")),
            module.handler(build_request("intent_add_to_cart"), LambdaContext(aws_request_id="add-request-id")),
        ]
    answers_path.write_text(json.dumps(answers), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
