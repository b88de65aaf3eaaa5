"""Run as ``python -m tests.support.api_lambda_init_probe ANSWERS.json``: a fresh process that does what Lambda does
with the API function, under moto with dummy credentials (never real AWS). The table exists first (the stack owns
it), a customer and a web key are made, then ``backend.api.lambda_entry`` is imported (the init phase) and an HTTP
API event from ``tests/fixtures/api`` goes through ``handler`` with a Lambda context; the answer goes to
ANSWERS.json."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

from moto import mock_aws

from tests.support.lambda_context import LambdaContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api"


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
        from backend.services import build_backend
        from backend.settings import Settings

        backend = build_backend(Settings.load(), create_tables=True)
        backend.profiles.ensure_customer("1285")
        key = backend.clients.create(name="web shop", channel="web").key
        module = importlib.import_module("backend.api.lambda_entry")
        event = json.loads((FIXTURES / "http_api_event.json").read_text(encoding="utf-8"))
        event["headers"]["authorization"] = f"Bearer {key}"
        answer = module.handler(event, LambdaContext(aws_request_id="api-request-id"))
    answers_path.write_text(json.dumps({"answer": answer, "key": key}), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
