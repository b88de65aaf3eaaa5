"""What the embedded store's handler takes from moto's, checked when a store starts.

The store answers each DynamoDB call with moto's own handler, set up by ``FastDynamoHandler.serve`` instead of moto's
``BaseResponse.setup_class`` (which rebuilds the call as a werkzeug request: most of a small call's time). So
``serve`` must build every attribute ``setup_class`` sets, since moto's methods read them: moto 5.2.6's
``_get_action`` began routing every call by ``normalized_request``, which ``serve`` did not build, and every call
then failed mid-turn with an ``AttributeError``. ``check_handler`` compares the two (the attributes each assigns on
``self``, read from their bytecode, so a moto without sources is read too) and the moto parts the handler calls, and
refuses a moto whose handler differs with one error naming what is missing (``MotoUnsupported``), at start.

The handler answers two of moto's per-call methods itself, since moto 5.2.6's read ``normalized_request`` (a
werkzeug request, ~15 % of a call's CPU to build): ``_get_action`` from the call's ``X-Amz-Target`` and
``determine_response_protocol`` by moto's own decision given a view of the call's headers. ``check_handler`` also
refuses a moto whose versions of these, or whose protocol decision, changed shape (``changed_shapes``).
"""

from __future__ import annotations

import dis
import functools
import inspect
import itertools
from collections.abc import Callable
from typing import Any

# What FastDynamoHandler calls or overrides on moto's DynamoDB handler (its methods and class attributes).
HANDLER_PARTS = (
    "call_action",
    "serialized",
    "batch_get_item",
    "_get_action",
    "determine_response_protocol",
    "get_region_from_url",
    "get_access_key",
    "get_current_account",
    "PROTOCOL_PARSER_MAP_TYPE",
)


class MotoUnsupported(RuntimeError):
    """The installed moto's request handler is not the one the embedded store was written for."""


def assigned_attributes(function: Callable[..., Any]) -> frozenset[str]:
    """The attributes ``function`` assigns on its first argument (``self.name = ...``), from its bytecode."""
    code = function.__code__
    if code.co_argcount == 0:
        return frozenset()
    receiver = code.co_varnames[0]
    instructions = list(dis.get_instructions(function))
    return frozenset(
        store.argval
        for load, store in itertools.pairwise(instructions)
        if store.opname == "STORE_ATTR" and load.opname == "LOAD_FAST" and load.argval == receiver
    )


# The shapes of the moto routing and protocol methods the store's handler answers itself (``_get_action`` from the
# call's X-Amz-Target, ``determine_response_protocol`` without moto's request object), and what moto's protocol
# decision may read of the request it is given for the store to give it a view of the call's headers instead.
OVERRIDDEN_SHAPES = {"_get_action": ("self",), "determine_response_protocol": ("self", "service_model")}
PROTOCOL_SHAPES = (("service_model", "request"), ("service_model", "content_type"))  # moto 5.2.6, moto 5.2.5
PROTOCOL_READS = frozenset({"content_type", "headers"})


def parameters(function: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(function).parameters)


def read_attributes(function: Callable[..., Any], parameter: str) -> frozenset[str]:
    """The attributes ``function`` reads on its argument ``parameter`` (``parameter.name``), from its bytecode."""
    instructions = list(dis.get_instructions(function))
    return frozenset(
        read.argval
        for load, read in itertools.pairwise(instructions)
        if read.opname in ("LOAD_ATTR", "LOAD_METHOD") and load.opname == "LOAD_FAST" and load.argval == parameter
    )


@functools.cache
def protocol_reads_request() -> bool:
    """Whether moto decides a call's protocol from its request object (moto 5.2.6), not its content type alone."""
    from moto.core.request import determine_request_protocol

    return parameters(determine_request_protocol) == PROTOCOL_SHAPES[0]


def changed_shapes(handler_class: type) -> list[str]:
    """What differs from the store's expectation in the moto methods ``handler_class`` answers in moto's place."""
    import moto.core.request

    motos = [klass for klass in handler_class.__mro__ if not klass.__module__.startswith("backend.")]
    changed = []
    for name, expected in OVERRIDDEN_SHAPES.items():
        method = next((vars(klass)[name] for klass in motos if name in vars(klass)), None)
        if callable(method) and parameters(method) != expected:
            changed.append(f"{name} takes ({', '.join(parameters(method))}), not ({', '.join(expected)})")
    decide = getattr(moto.core.request, "determine_request_protocol", None)
    if not callable(decide):
        return [*changed, "moto.core.request.determine_request_protocol (decides the answer's protocol)"]
    shape = parameters(decide)
    if shape not in PROTOCOL_SHAPES:
        changed.append(f"moto.core.request.determine_request_protocol takes ({', '.join(shape)})")
    elif shape == PROTOCOL_SHAPES[0] and not read_attributes(decide, "request") <= PROTOCOL_READS:
        reads = ", ".join(sorted(read_attributes(decide, "request") - PROTOCOL_READS))
        changed.append(f"moto.core.request.determine_request_protocol reads the request's {reads}")
    return changed


def missing_parts(handler_class: type) -> list[str]:
    """What ``handler_class`` (the store's FastDynamoHandler) lacks of what moto's handler set-up and request make:
    empty when this moto is one the store knows."""
    import moto.core.request
    from moto.core.responses import BaseResponse

    motos = [klass for klass in handler_class.__mro__ if not klass.__module__.startswith("backend.")]
    missing = [
        f"{name} (moto's DynamoDB handler)"
        for name in HANDLER_PARTS
        if not any(name in vars(klass) for klass in motos)  # moto's own, not only the store's override
    ]
    if not callable(getattr(getattr(moto.core.request, "Request", None), "from_primitives", None)):
        missing.append("moto.core.request.Request.from_primitives (builds the handler's normalized_request)")
    setup_class = getattr(BaseResponse, "setup_class", None)
    if setup_class is None:
        return [*missing, "BaseResponse.setup_class (what serve builds in its place)"]
    serve = getattr(handler_class, "serve")  # noqa: B009 - the store's handler, passed as a plain type
    built = assigned_attributes(serve) | {  # set by serve, or made on first use (a cached property)
        name
        for klass in handler_class.__mro__
        if klass.__module__.startswith("backend.")
        for name, value in vars(klass).items()
        if isinstance(value, (property, functools.cached_property))
    }
    missing += [
        f"{name} (set by BaseResponse.setup_class, not built by FastDynamoHandler.serve)"
        for name in sorted(assigned_attributes(setup_class) - built)
    ]
    return missing + changed_shapes(handler_class)


def check_handler(handler_class: type) -> None:
    """Raise ``MotoUnsupported`` unless ``handler_class`` builds everything moto's handler set-up makes."""
    missing = missing_parts(handler_class)
    if missing:
        import moto

        raise MotoUnsupported(
            f"the embedded DynamoDB store does not support the installed moto {getattr(moto, '__version__', '?')}: "
            f"its request handler changed ({'; '.join(missing)}). Install the moto release pyproject.toml allows, "
            "or teach FastDynamoHandler.serve (backend/store/embedded.py) what this one needs."
        )
