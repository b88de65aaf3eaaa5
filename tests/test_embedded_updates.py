"""The embedded store's direct path for simple update expressions gives moto's own answer: the same item, the same
error, the same stream record, on random updates of the simple shape and of shapes just outside it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.settings import Settings
from backend.store.dynamo import make_client
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.embedded_updates import simple_clauses
from backend.store.tables import ensure_tables

PLAIN = ("a", "b", "c", "d", "p#1#n", "x.y", "ch#voice#seen", "name")
NAMES = (*PLAIN, "pk", "gsi1pk")
# Mostly plain attributes (the direct path), sometimes a key (moto's refusal).
TARGETS = st.one_of(st.sampled_from(PLAIN), st.sampled_from(PLAIN), st.sampled_from(NAMES))
RARELY = st.sampled_from([False, False, False, False, True])
SCALARS = st.one_of(
    st.builds(lambda n: {"N": str(n)}, st.integers(-5, 5)),
    st.builds(lambda n: {"N": f"{n}.5"}, st.integers(-2, 2)),
    st.builds(lambda s: {"S": s}, st.sampled_from(["", "x", "2026-12-02T04:00:00Z"])),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
)
STORED = st.one_of(SCALARS, st.just({"SS": ["a"]}), st.just({"L": [{"N": "1"}]}))
VALUES = st.one_of(SCALARS, SCALARS, SCALARS, STORED, st.just({"N": "abc"}), st.just({"SS": []}))
CLAUSES = st.lists(
    st.tuples(st.sampled_from(["set", "set_if_missing", "add"]), TARGETS, VALUES, TARGETS),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def backend_and_tables() -> Iterator[tuple[Any, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    with EmbeddedDynamoDB() as store:
        client = make_client(Settings.load(env={}, dynamodb_endpoint=store.endpoint, aws_region="us-east-1"))
        ensure_tables(client, "direct-updates")
        yield dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"], "direct-updates"


def _expression(clauses: list[tuple[str, str, dict[str, Any], str]], extra_name: bool, extra_value: bool) -> Any:
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets, adds = [], []
    for index, (action, target, value, probe) in enumerate(clauses):
        names[f"#t{index}"] = target
        values[f":v{index}"] = value
        if action == "set":
            sets.append(f"#t{index} = :v{index}")
        elif action == "set_if_missing":
            names[f"#p{index}"] = probe
            sets.append(f"#t{index} = if_not_exists(#p{index}, :v{index})")
        else:
            adds.append(f"#t{index} :v{index}")
    if extra_name:
        names["#unused"] = "zzz"
    if extra_value:
        values[":unused"] = {"S": "zzz"}
    parts = (["SET " + ", ".join(sets)] if sets else []) + (["ADD " + ", ".join(adds)] if adds else [])
    return " ".join(parts), names, values


def _outcome(call: Any) -> Any:
    try:
        item = call()
    except Exception as error:  # noqa: BLE001 - the error itself is what is compared
        return ("error", type(error).__name__, getattr(error, "message", str(error)))
    return ("item", item.to_json())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    current=st.one_of(st.none(), st.dictionaries(st.sampled_from(PLAIN), STORED, max_size=5)),
    clauses=CLAUSES,
    extra_name=RARELY,
    extra_value=RARELY,
    condition=st.sampled_from([None, "attribute_exists(pk)", "attribute_not_exists(pk)"]),
)
def test_the_direct_path_gives_moto_s_answer(
    backend_and_tables: tuple[Any, str],
    current: dict[str, Any] | None,
    clauses: list[tuple[str, str, dict[str, Any], str]],
    extra_name: bool,
    extra_value: bool,
    condition: str | None,
) -> None:
    backend, table_name = backend_and_tables
    table = backend.get_table(table_name)
    expression, names, values = _expression(clauses, extra_name, extra_value)
    outcomes = []
    records = []
    for path in (type(backend).update_item, type(backend).update_item.__wrapped__):
        key = {"pk": {"S": "CUST#1"}, "sk": {"S": "PROFILE"}}
        backend.delete_item(table_name, key)
        if current is not None:
            backend.put_item(table_name, {**key, **copy.deepcopy(current)})
        before = len(table.stream_shard.items) if table.stream_shard is not None else 0
        outcomes.append(
            _outcome(
                lambda path=path, key=key: path(
                    backend,
                    table_name,
                    key,
                    expression,
                    copy.deepcopy(names),
                    copy.deepcopy(values),
                    condition_expression=condition,
                )
            )
        )
        shard = table.stream_shard
        records.extend(
            [
                [
                    (r.record["eventName"], r.record["dynamodb"].get("NewImage"), r.record["dynamodb"].get("OldImage"))
                    for r in shard.items[before:]
                ]
            ]
            if shard is not None
            else [[]]
        )
    assert outcomes[0] == outcomes[1]
    assert records[0] == records[1]


def test_the_profile_summary_s_update_takes_the_direct_path() -> None:
    clauses = simple_clauses("SET #0 = :0, #1 = if_not_exists(#1, :1) ADD #2 :2, #add :2")
    assert clauses is not None
    assert [(c.action, c.target, c.value, c.probe) for c in clauses] == [
        ("set", "#0", ":0", None),
        ("set_if_missing", "#1", ":1", "#1"),
        ("add", "#2", ":2", None),
        ("add", "#add", ":2", None),
    ]
    for other in (
        "SET a = :v",  # a name without a placeholder: reserved words, moto decides
        "SET #a.#b = :v",
        "SET #a = #b + :v",
        "SET #a = list_append(#a, :v)",
        "REMOVE #a",
        "ADD #a :v SET #b = :w ADD #c :x",
    ):
        assert simple_clauses(other) is None, other


@pytest.mark.parametrize("padding", [-1, 0, 1])
def test_items_are_measured_once_and_refused_as_moto_refuses_them(
    backend_and_tables: tuple[Any, str], padding: int
) -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    backend, table_name = backend_and_tables
    key = {"pk": {"S": "CUST#2"}, "sk": {"S": "BIG"}}
    base = {**key, "a": {"S": "x" * 1000}, "n": {"N": "12"}}
    limit_left = 405_000 - sum(len(name) + DynamoType(value).size() for name, value in base.items())
    attrs = {**base, "pad": {"S": "y" * (limit_left - len("pad") + padding)}}
    moto_refuses = False
    try:  # moto's own check, one attribute at a time
        measured = LimitedSizeDict()
        for name, value in attrs.items():
            measured[name] = DynamoType(value)
    except ItemSizeTooLarge:
        moto_refuses = True
    assert moto_refuses is (padding > 0)
    if moto_refuses:
        with pytest.raises(ItemSizeTooLarge):
            Item(DynamoType(key["pk"]), DynamoType(key["sk"]), attrs)
        with pytest.raises(ItemSizeTooLarge):
            backend.put_item(table_name, attrs)
    else:
        item = Item(DynamoType(key["pk"]), DynamoType(key["sk"]), attrs)
        assert dict(item.attrs) == dict(measured)
        backend.put_item(table_name, attrs)
        assert backend.get_item(table_name, key).to_json()["Attributes"] == attrs
