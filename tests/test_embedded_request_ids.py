"""Every embedded call's answer carries its own request id, as moto writes them: 52 letters and digits."""

from __future__ import annotations

import re

from backend.store.embedded import EmbeddedDynamoDB


def test_each_call_has_its_own_request_id() -> None:
    with EmbeddedDynamoDB() as store:
        client = store.client()
        answers = [client.list_tables()["ResponseMetadata"] for _ in range(20)]
    ids = [answer["RequestId"] for answer in answers]
    assert all(re.fullmatch(r"[A-Za-z0-9]{52}", request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)
    assert all(answer["HTTPHeaders"]["x-amzn-requestid"] == answer["RequestId"] for answer in answers)
