"""A direct path for the simple update expressions, inside the embedded store's moto.

moto runs every ``UpdateItem`` through a general machinery: it deep-copies the parsed tree, walks it ten times
(names, values, functions, type checks ...), then walks it again to execute, and checks the item's whole size on
every attribute it sets. For the profile summary's update (a dozen clauses, on an item of hundreds of attributes) that
is several milliseconds of every voice turn.

Most of the updates the backend sends are of one small shape: top-level attributes named by placeholders, each
``SET #a = :v``, ``SET #a = if_not_exists(#b, :v)`` or ``ADD #a :n`` (a number). For exactly that shape the result
is simple to state, and this module computes it directly: every operand is read from the item as it was before the
update (DynamoDB's rule), ``ADD`` adds to a number (or starts from the value), and the new item must fit DynamoDB's
size limit as a whole. Anything else (nested paths, lists, sets, REMOVE, DELETE, arithmetic, unknown or unused
placeholders, a key attribute, two clauses on one path, a type mismatch, a condition written as ``Expected``, an
``AttributeUpdates`` request) is left to moto, which gives its own answer or error. A test compares the two on
random updates of this shape.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.store.embedded_items import MAX_ITEM_BYTES

_NAME = r"#[A-Za-z0-9_]+"
_VALUE = r":[A-Za-z0-9_]+"
_SET_CLAUSE = re.compile(
    rf"\s*(?P<target>{_NAME})\s*=\s*(?:(?P<value>{_VALUE})"
    rf"|if_not_exists\s*\(\s*(?P<probe>{_NAME})\s*,\s*(?P<default>{_VALUE})\s*\))\s*"
)
_ADD_CLAUSE = re.compile(rf"\s*(?P<target>{_NAME})\s+(?P<value>{_VALUE})\s*")
# A section keyword is a word of its own (a placeholder such as ``#add`` or ``:set`` is not one).
_SECTION = re.compile(r"(?<![#:\w])(SET|ADD|REMOVE|DELETE)(?!\w)", re.IGNORECASE)
_CLAUSE_COMMA = re.compile(r",(?![^(]*\))")  # a comma between clauses, not inside if_not_exists( , )
# The value types a SET here writes as given; sets, lists and maps go through moto (empty sets, nested checks).
_SCALARS = frozenset({"S", "N", "BOOL", "NULL"})


@dataclass(frozen=True, slots=True)
class Clause:
    action: str  # "set", "set_if_missing" or "add"
    target: str  # a name placeholder
    value: str  # a value placeholder
    probe: str | None = None  # if_not_exists: the placeholder of the path it looks at


@functools.lru_cache(maxsize=512)
def simple_clauses(expression: str) -> tuple[Clause, ...] | None:
    """The clauses of ``expression`` if it has the simple shape (each section at most once), else ``None``."""
    parts = _SECTION.split(expression)
    if parts[0].strip() or len(parts) < 3:
        return None
    clauses: list[Clause] = []
    seen: set[str] = set()
    for word, body in zip(parts[1::2], parts[2::2], strict=True):
        keyword = word.upper()
        if keyword in seen or keyword not in ("SET", "ADD"):
            return None
        seen.add(keyword)
        for text in _CLAUSE_COMMA.split(body):
            if keyword == "SET":
                match = _SET_CLAUSE.fullmatch(text)
                if match is None:
                    return None
                if match["value"]:
                    clauses.append(Clause("set", match["target"], match["value"]))
                else:
                    clauses.append(Clause("set_if_missing", match["target"], match["default"], match["probe"]))
            else:
                match = _ADD_CLAUSE.fullmatch(text)
                if match is None:
                    return None
                clauses.append(Clause("add", match["target"], match["value"]))
    return tuple(clauses)


def _is_number(value: str) -> bool:
    try:
        return Decimal(value).is_finite()
    except (InvalidOperation, TypeError):
        return False


def new_attributes(
    clauses: tuple[Clause, ...],
    names: dict[str, str] | None,
    values: dict[str, Any] | None,
    current: dict[str, Any],
    key_names: set[str],
) -> dict[str, Any] | None:
    """The attributes the clauses write ({name: DynamoType}), computed from ``current`` (the item's attributes
    before the update), or ``None`` when moto must decide (an error, or a case outside the simple shape)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    names, values = names or {}, values or {}
    used_names = {c.target for c in clauses} | {c.probe for c in clauses if c.probe}
    used_values = {c.value for c in clauses}
    if set(names) != used_names or set(values) != used_values:
        return None  # unknown or unused placeholders: DynamoDB's own errors
    if any(names[placeholder] in key_names for placeholder in used_names):
        return None  # a key attribute anywhere in the expression: moto refuses even reading one
    written: dict[str, Any] = {}
    for clause in clauses:
        attribute = names[clause.target]
        if attribute in written or not attribute:
            return None  # two clauses on one path: refused by DynamoDB
        raw = values[clause.value]
        if not isinstance(raw, dict) or len(raw) != 1:
            return None
        ((kind, text),) = raw.items()
        if kind not in _SCALARS or (kind == "N" and not _is_number(text)):
            return None
        if kind in ("S", "N") and not isinstance(text, str):
            return None
        value = DynamoType(raw)
        existing = current.get(attribute)
        if clause.action == "set":
            written[attribute] = value
        elif clause.action == "set_if_missing":
            assert clause.probe is not None
            found = current.get(names[clause.probe])
            written[attribute] = copy.deepcopy(found) if found is not None else value
        else:
            if kind != "N" or (existing is not None and existing.type != "N"):
                return None  # ADD of a non-number, or to one: moto's error (or its set semantics)
            written[attribute] = existing + value if existing is not None else value
    return written


def fits(attributes: dict[str, Any]) -> bool:
    from moto.dynamodb.models.utilities import bytesize

    size: int = sum(bytesize(name) + value.size() for name, value in attributes.items())
    return size <= MAX_ITEM_BYTES


def _unchanged_copy(item: Any) -> Any:
    """The item as it is, for the stream record's old image: its attributes are replaced here (each written value is
    a new one), never changed in place, so sharing the values is enough; no deep copy of every value."""
    if item is None:
        return None
    before = copy.copy(item)
    before.attrs = dict(item.attrs)
    return before


def install(backend_class: type) -> None:
    """Route ``backend_class.update_item`` through the direct path where it applies."""
    from moto.dynamodb.comparisons import create_condition_expression_parser
    from moto.dynamodb.exceptions import ConditionalCheckFailed, ItemSizeToUpdateTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = getattr(backend_class, "update_item")  # noqa: B009 - a moto class, typed loosely

    def update_item(  # noqa: PLR0917 - moto's own signature, called positionally by moto
        self: Any,
        table_name: str,
        key: dict[str, dict[str, Any]],
        update_expression: str,
        expression_attribute_names: dict[str, Any],
        expression_attribute_values: dict[str, Any],
        attribute_updates: dict[str, Any] | None = None,
        expected: dict[str, Any] | None = None,
        condition_expression: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Any:
        def through_moto() -> Any:
            return original(
                self,
                table_name,
                key,
                update_expression,
                expression_attribute_names,
                expression_attribute_values,
                attribute_updates=attribute_updates,
                expected=expected,
                condition_expression=condition_expression,
                return_values_on_condition_check_failure=return_values_on_condition_check_failure,
            )

        clauses = simple_clauses(update_expression) if update_expression and not attribute_updates else None
        if clauses is None or expected:
            return through_moto()
        table = self.get_table(table_name)
        hash_name, range_name = table.hash_key_attr, table.range_key_attr
        if hash_name not in key or (range_name and range_name not in key) or len(key) != (2 if range_name else 1):
            return through_moto()
        hash_value = DynamoType(key[hash_name])
        range_value = DynamoType(key[range_name]) if range_name else None
        item = table.get_item(hash_value, range_value)
        current = item.attrs if item is not None else {}
        written = new_attributes(
            clauses, expression_attribute_names, expression_attribute_values, current, set(table.attribute_keys)
        )
        if written is None:
            return through_moto()
        condition = create_condition_expression_parser(
            condition_expression, expression_attribute_names, expression_attribute_values
        ).parse()
        if not condition.expr(item):
            if return_values_on_condition_check_failure == "ALL_OLD" and item is not None:
                raise ConditionalCheckFailed(item=item.to_json()["Attributes"])
            raise ConditionalCheckFailed
        if not fits({**current, **written}):
            raise ItemSizeToUpdateTooLarge()
        before = _unchanged_copy(item) if table.stream_shard is not None else None
        if item is None:
            data: dict[str, Any] = {hash_name: key[hash_name]}
            if range_name:
                data[range_name] = key[range_name]
            table.put_item(data)
            item = table.get_item(hash_value, range_value)
        for name, value in written.items():
            dict.__setitem__(item.attrs, name, value)  # the size was checked once, for the whole item
        if table.stream_shard is not None:
            table.stream_shard.add(before, item)
        return item

    update_item.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(backend_class, "update_item", update_item)  # noqa: B010
