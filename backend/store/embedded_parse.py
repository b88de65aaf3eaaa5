"""Item values written and read without the model walk: the embedded store's serialiser and two parsers of
DynamoDB JSON, made direct for ``AttributeValue``.

Both ends of an embedded call walk the JSON body along the service model: botocore serialises the request and moto
parses it (every item written, every key and expression value), botocore parses the response (every item read).
The walk visits every member of every shape at every level; for an ``AttributeValue`` (one tag: ``S``, ``N``,
``M``...) it looks up ten members to find the one set, per value, recursively: a large share of a store call's CPU,
growing with the item.

Here an ``AttributeValue`` of the usual form (a dict with exactly one known tag whose value has the JSON type the
model gives it) is converted directly: blobs (``B``, ``BS``) through the parser's own blob parser (written: to
base64, as botocore writes them), maps and lists recursively, everything else as it is, which is what the walk
gives. Anything else (a wrong type, two tags, an unknown tag, ``null``) goes to the walk itself, so malformed
input is refused, or a union's error raised, exactly as before. Property tests check both give the same result.
"""

from __future__ import annotations

from typing import Any

from botocore.parsers import PROTOCOL_PARSERS as BOTOCORE_PARSERS
from botocore.parsers import ResponseParserFactory
from botocore.serialize import SERIALIZERS

ATTRIBUTE_VALUE = "AttributeValue"
_PLAIN = frozenset({"S", "N"})  # strings on the wire, kept as strings
_FLAGS = frozenset({"BOOL", "NULL"})  # booleans
_STRING_SETS = frozenset({"SS", "NS"})
_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
_MISSING = object()
_MARK = "_voicecart_attribute_value"


def is_attribute_value(shape: Any) -> bool:
    """DynamoDB's (and DynamoDB Streams') ``AttributeValue`` structure, by name and members."""
    return (
        getattr(shape, "name", None) == ATTRIBUTE_VALUE
        and shape.type_name == "structure"
        and set(shape.members) == _TAGS
        and all(member.serialization.get("name", name) == name for name, member in shape.members.items())
    )


def attribute_value(value: Any, blob: Any, blob_types: tuple[type, ...] = (str,)) -> Any:
    """``value`` converted as the model walk converts it, or ``_MISSING`` when it is not of the usual form (the
    caller then walks it). ``blob`` converts a blob (of one of ``blob_types``): the parser's blob parser, or the
    serialiser's base64."""
    if type(value) is not dict or len(value) != 1:
        return _MISSING
    ((tag, raw),) = value.items()
    if tag in _PLAIN:
        return value if type(raw) is str else _MISSING
    if tag in _FLAGS:
        return value if type(raw) is bool else _MISSING
    if tag == "M":
        if type(raw) is not dict:
            return _MISSING
        converted = {}
        for key, member in raw.items():
            if type(key) is not str:
                return _MISSING
            inner = attribute_value(member, blob, blob_types)
            if inner is _MISSING:
                return _MISSING
            converted[key] = inner
        return {"M": converted}
    if tag == "L":
        if type(raw) is not list:
            return _MISSING
        items = []
        for member in raw:
            inner = attribute_value(member, blob, blob_types)
            if inner is _MISSING:
                return _MISSING
            items.append(inner)
        return {"L": items}
    if tag in _STRING_SETS:
        return value if type(raw) is list and all(type(entry) is str for entry in raw) else _MISSING
    if tag == "B":
        return {"B": blob(raw)} if type(raw) in blob_types else _MISSING
    if tag == "BS":
        return (
            {"BS": [blob(entry) for entry in raw]}
            if type(raw) is list and all(type(entry) in blob_types for entry in raw)
            else _MISSING
        )
    return _MISSING


def is_plain_attribute_value(value: Any) -> bool:
    """``attribute_value`` would convert ``value`` to itself: of the usual form, and no blob (``B``, ``BS``) in it
    (a blob is converted). Checked without building the conversion."""
    if type(value) is not dict or len(value) != 1:
        return False
    ((tag, raw),) = value.items()
    if tag in _PLAIN:
        return type(raw) is str
    if tag in _FLAGS:
        return type(raw) is bool
    if tag == "M":
        return type(raw) is dict and all(
            type(key) is str and is_plain_attribute_value(member) for key, member in raw.items()
        )
    if tag == "L":
        return type(raw) is list and all(is_plain_attribute_value(member) for member in raw)
    if tag in _STRING_SETS:
        return type(raw) is list and all(type(entry) is str for entry in raw)
    return False  # a blob, or no tag of the model's


class _DirectAttributeValues:
    """Mixin for a JSON parser: ``AttributeValue`` nodes converted directly when of the usual form."""

    @staticmethod
    def _is_av(shape: Any) -> bool:
        # Kept on the shape: botocore keeps a model's shapes for the process, and a shape's members never change.
        known = getattr(shape, _MARK, None)
        if known is None:
            known = is_attribute_value(shape)
            setattr(shape, _MARK, known)
        return bool(known)


_BotocoreJSONParser: Any = BOTOCORE_PARSERS["json"]
_BotocoreJSONSerializer: Any = SERIALIZERS["json"]


class FastResponseParser(_DirectAttributeValues, _BotocoreJSONParser):  # type: ignore[misc]
    """botocore's JSON response parser, with ``AttributeValue`` converted directly."""

    def _handle_structure(self, shape: Any, value: Any) -> Any:
        if self._is_av(shape):
            converted = attribute_value(value, self._blob_parser)
            if converted is not _MISSING:
                return converted
        return super()._handle_structure(shape, value)


class FastResponseParserFactory(ResponseParserFactory):
    """Makes :class:`FastResponseParser` for the JSON protocol (DynamoDB's and DynamoDB Streams'), botocore's own
    parser for any other."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return FastResponseParser(**self._defaults)  # type: ignore[attr-defined]
        return super().create_parser(protocol_name)


class FastSerializer(_DirectAttributeValues, _BotocoreJSONSerializer):  # type: ignore[misc]
    """botocore's JSON request serialiser, with ``AttributeValue`` written directly (blobs as base64)."""

    def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: Any) -> None:
        if key is not None and self._is_av(shape):
            converted = attribute_value(value, self._get_base64, (bytes, str))
            if converted is not _MISSING:
                serialized[key] = converted
                return
        super()._serialize_type_structure(serialized, value, shape, key)


def fast_serializer(serializer: Any) -> Any:
    """A :class:`FastSerializer` in place of botocore's plain JSON serialiser (any other is kept: a validating one,
    another protocol's)."""
    if type(serializer) is not _BotocoreJSONSerializer:
        return serializer
    fast = FastSerializer()
    fast.__dict__.update(serializer.__dict__)  # the same settings (timestamp precision)
    return fast


def fast_request_parser_class() -> type:
    """moto's JSON request parser, with ``AttributeValue`` converted directly (moto imported on first use)."""
    return _request_parser_class()


_request_parser: list[type] = []


def _request_parser_class() -> type:
    if not _request_parser:
        from moto.core.parse import PROTOCOL_PARSERS

        moto_json_parser: Any = PROTOCOL_PARSERS["json"]

        class FastRequestParser(_DirectAttributeValues, moto_json_parser):  # type: ignore[misc]
            def _parse_structure(self, shape: Any, value: Any) -> Any:
                if self.MAP_TYPE is dict and self._is_av(shape):
                    converted = attribute_value(value, self._blob_parser)
                    if converted is not _MISSING:
                        return converted
                return super()._parse_structure(shape, value)

        _request_parser.append(FastRequestParser)
    return _request_parser[0]
