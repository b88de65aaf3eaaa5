"""The ASK SDK's ``DefaultSerializer``, answering the same for a fraction of the CPU: a turn's envelope read into the
SDK's model objects and its response written back out.

The SDK's serializer is reflective: for every value it reads a type name as a string (``'list[ask_sdk_model.slot.
Slot]'``), matches it with a regular expression, imports the class by name, rebuilds the class's attribute map and
walks it; a turn's request envelope and its response (the dynamic entities directive alone holds dozens of values)
cost a tenth of the server's CPU per turn that way. Here each type name is read once into a plan (kept per name:
the SDK's models are a fixed set of classes) and each model class's attribute list once, and the walk does what the
SDK's does, step for step: the same classes (the discriminator picks the subclass, as the SDK's does), the same
attributes set in the same order, the same extra payload keys kept as attributes, the same primitive casts and
``dateutil`` parses, the same :class:`SerializationException` for what it refuses. A test compares both on every
envelope the tests hold.

Timestamps are read by ``dateutil`` as the SDK's are, once per distinct text (a bounded memo: a second's requests
share one).

``deserialize`` also takes the envelope as the parsed JSON it already is (the SDK's takes text and parses it).
"""

from __future__ import annotations

import decimal
import functools
import re
import sys
from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer

_PRIMITIVES = DefaultSerializer.PRIMITIVE_TYPES
_NATIVE = DefaultSerializer.NATIVE_TYPES_MAPPING
_LIST = re.compile(r"list\[(.*)\]")
_DICT = re.compile(r"dict\(([^,]*), (.*)\)")

# A plan: (kind, argument). Kinds: "list" (one item plan), "tuple-list" (item plans zipped with the payload),
# "dict" (the value plan), "empty-list", "empty-dict", "type" (a Python type or class).
Plan = tuple[str, Any]
_UNTYPED = object()
# Timestamps read, by their text: dateutil's reading is a pure function of the text (and the process's time zone),
# a datetime is immutable, and a second's requests share one timestamp (Alexa's are to the second).
TIMESTAMPS_KEPT = 256


def _parse_timestamp(payload: Any) -> datetime:
    from dateutil.parser import parse  # type: ignore[import-untyped]

    parsed: datetime = parse(payload)
    return parsed


# Shared by every server thread: lru_cache is thread-safe where a dict evicted by hand is not (a 400 for a valid
# request if another thread inserted mid-eviction). A datetime is immutable, so sharing one is safe.
_parsed_timestamp = functools.lru_cache(maxsize=TIMESTAMPS_KEPT)(_parse_timestamp)


class FastSerializer(DefaultSerializer):
    """``DefaultSerializer`` with its type names and attribute maps read once (see the module)."""

    def __init__(self) -> None:
        super().__init__()
        self._plans: dict[str, Plan] = {}
        self._classes: dict[str, Any] = {}
        self._models: dict[type, tuple[str, list[tuple[str, str, Any]], frozenset[str]]] = {}
        self._serial_fields: dict[type, list[tuple[str, str]]] = {}

    # -- reading ------------------------------------------------------------------------------------------------
    def deserialize(self, payload: Any, obj_type: Any) -> Any:
        """As the SDK's, from JSON text; a ``dict`` or ``list`` is taken as already parsed."""
        if isinstance(payload, (dict, list)):
            return self._read(payload, obj_type)
        if payload is None:
            return None
        import json

        try:
            parsed = json.loads(payload)
        except Exception as error:
            raise SerializationException(f"Couldn't parse response body: {payload}") from error
        return self._read(parsed, obj_type)

    def _plan(self, obj_type: str) -> Plan:
        plan = self._plans.get(obj_type)
        if plan is None:
            plan = self._plans[obj_type] = self._make_plan(obj_type)
        return plan

    def _make_plan(self, obj_type: str) -> Plan:
        if obj_type.startswith("list["):
            match = _LIST.match(obj_type)
            if match is None:
                return ("empty-list", None)
            inner = match.group(1)
            if "," in inner:
                return ("tuple-list", [part.strip() for part in inner.split(",")])
            return ("list", inner.strip())
        if obj_type.startswith("dict("):
            match = _DICT.match(obj_type)
            if match is None:
                return ("empty-dict", None)
            return ("dict", match.group(2))
        if obj_type in _NATIVE:
            return ("type", _NATIVE[obj_type])
        return ("type", self._load(obj_type))

    def _load(self, class_name: str) -> Any:
        found = self._classes.get(class_name)
        if found is None:
            try:
                module_name, _, name = class_name.rpartition(".")
                if module_name:
                    found = getattr(__import__(module_name, fromlist=[name]), name)
                else:
                    found = getattr(sys.modules[DefaultSerializer.__module__], name)
            except Exception as error:
                raise SerializationException(
                    f"Unable to resolve class {class_name} from installed modules: {error}"
                ) from error
            self._classes[class_name] = found
        return found

    def _read(self, payload: Any, obj_type: Any) -> Any:
        if payload is None:
            return None
        if isinstance(obj_type, str):
            kind, argument = self._plan(obj_type)
            if kind == "list":
                return [self._read(item, argument) for item in payload]
            if kind == "dict":
                return {key: self._read(value, argument) for key, value in payload.items()}
            if kind == "tuple-list":
                return [self._read(item, part) for item, part in zip(payload, argument, strict=False)]
            if kind == "empty-list":
                return []
            if kind == "empty-dict":
                return {}
            obj_type = argument
        if obj_type in _PRIMITIVES:
            try:
                return obj_type(payload)
            except UnicodeEncodeError:
                return str(payload)
            except TypeError:
                return payload
            except ValueError as error:
                raise SerializationException(f"Failed to parse {payload} into '{obj_type.__name__}' object") from error
        if obj_type is object:
            return payload
        if obj_type is date or obj_type is datetime:
            return self._read_datetime(payload, obj_type)
        return self._read_model(payload, obj_type)

    def _read_datetime(self, payload: Any, obj_type: Any) -> Any:
        try:
            parsed = _parsed_timestamp(payload) if isinstance(payload, str) else _parse_timestamp(payload)
        except ValueError as error:
            raise SerializationException(f"Failed to parse {payload} into '{obj_type.__name__}' object") from error
        return parsed.date() if obj_type is date else parsed

    def _model(self, model: type) -> tuple[str, list[tuple[str, str, Any]], frozenset[str]]:
        """How a class is read: ``enum``, ``plain`` (no model: the payload as it is), ``chosen`` (its discriminator
        picks the class to read) or ``model``; the fields (attribute, payload key, type) and their payload keys of
        a class with ``deserialized_types`` (as read once chosen)."""
        known = self._models.get(model)
        if known is None:
            if issubclass(model, Enum):
                known = ("enum", [], frozenset())
            elif not hasattr(model, "deserialized_types"):
                known = ("plain", [], frozenset())
            else:
                # As the SDK does on every read (it leaves the class's map so updated, too).
                attribute_map = getattr(model, "attribute_map", {})
                types: dict[str, Any] = model.deserialized_types
                attribute_map.update({k: k for k in types if k not in attribute_map})
                fields = [(name, key, types.get(name, _UNTYPED)) for name, key in attribute_map.items()]
                kind = "chosen" if hasattr(model, "get_real_child_model") else "model"
                known = (kind, fields, frozenset(key for _, key, _ in fields))
            self._models[model] = known
        return known

    def _read_model(self, payload: Any, obj_type: Any) -> Any:
        try:
            kind, fields, keys = self._model(obj_type)
            if kind == "enum":
                return obj_type(payload)
            if kind == "plain":
                return payload
            if kind == "chosen":
                child = obj_type.get_real_child_model(payload)
                if not child:
                    raise SerializationException(f"Couldn't resolve object by discriminator type for {obj_type} class")
                obj_type = self._load(child)
                if not hasattr(obj_type, "deserialized_types"):
                    raise AttributeError(f"{obj_type} has no deserialized_types")  # as the SDK's read of it
                _, fields, keys = self._model(obj_type)  # the chosen class is read, not chosen again
            model = obj_type()
            for name, key, field_type in fields:
                if key in payload:
                    if field_type is _UNTYPED:
                        raise KeyError(name)  # as the SDK's lookup of a type the class does not give
                    setattr(model, name, self._read(payload[key], field_type))
            for extra in [param for param in payload if param not in keys]:
                setattr(model, extra, payload[extra])
            return model
        except Exception as error:
            raise SerializationException(str(error)) from error

    # -- writing ------------------------------------------------------------------------------------------------
    def serialize(self, obj: Any) -> Any:
        if obj is None:
            return None
        if isinstance(obj, _PRIMITIVES):
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, tuple):
            return tuple(self.serialize(item) for item in obj)
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        if isinstance(obj, Enum):
            return obj.value
        if isinstance(obj, decimal.Decimal):
            return int(obj) if obj % 1 == 0 else float(obj)
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        fields = self._serial_fields.get(type(obj))
        if fields is None:
            fields = self._writing_fields(obj)
        written = {}
        for name, key in fields:
            value = getattr(obj, name)
            if value is not None:
                written[key] = self.serialize(value)
        return written

    def _writing_fields(self, obj: Any) -> list[tuple[str, str]]:
        # As the SDK does on every write (leaving the map so updated): names from attribute_map, else the attribute's.
        attribute_map = getattr(obj, "attribute_map", {})
        attribute_map.update({k: k for k in obj.deserialized_types if k not in attribute_map})
        fields = [(name, attribute_map[name]) for name in obj.deserialized_types]
        if "attribute_map" not in vars(obj) and "deserialized_types" not in vars(obj):
            self._serial_fields[type(obj)] = fields  # a class's own maps: the same for every instance
        return fields
