"""A moto-backed backend shared by the tests of one module, for modules that send many requests which do not
depend on each other (the conftest chain is per test; rebuilding it per request would dominate the run)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto import mock_aws

from backend.catalog import Catalog
from backend.resolver import Resolver
from backend.services import Backend, build_backend
from backend.settings import Settings
from tests.support.envelopes import SKILL_ID

REGION = "us-east-1"


@contextmanager
def module_backend(catalog: Catalog, resolver: Callable[[], Resolver]) -> Iterator[Backend]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
            patch.delenv(name, raising=False)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
            patch.setenv(name, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with mock_aws():
            settings = Settings.load(
                env={},
                table_name=f"voicecart-test-{uuid.uuid4().hex[:8]}",
                aws_region=REGION,
                skill_id=SKILL_ID,
                load_demo_data=False,
            )
            client = boto3.client("dynamodb", region_name=REGION)
            yield build_backend(settings, client=client, catalog=catalog, resolver=resolver)
