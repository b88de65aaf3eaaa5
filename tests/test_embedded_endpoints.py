"""An embedded client resolves each operation's endpoint once, and it is the endpoint botocore's rules give."""

from __future__ import annotations

from typing import Any

from backend.store.embedded import EmbeddedDynamoDB


def test_each_operation_is_resolved_once_to_the_store() -> None:
    with EmbeddedDynamoDB() as store:
        client = store.client()
        resolver = client._ruleset_resolver  # type: ignore[attr-defined]
        answers: list[str] = []
        construct = resolver.construct_endpoint

        def counted(**kwargs: Any) -> Any:
            answer = construct(**kwargs)
            answers.append(answer.url)
            return answer

        resolver.construct_endpoint = counted
        client.list_tables()
        client.list_tables()
        client.describe_limits()
        assert answers == [store.endpoint, store.endpoint]  # ListTables once, DescribeLimits once
        assert isinstance(client.list_tables()["TableNames"], list)  # and the calls still answer
