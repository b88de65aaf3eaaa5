"""The store a Lambda function's init phase opens: AWS (``VOICECART_STORE=aws``, as the template sets), an endpoint,
or the embedded store started in this process and kept until it exits (local runs and ``voicecart bench
coldstart``)."""

from __future__ import annotations

import atexit
from contextlib import ExitStack

from backend.settings import Settings
from backend.store.embedded import store_for

_open_stores = ExitStack()
atexit.register(_open_stores.close)


def reachable(settings: Settings) -> Settings:
    """Settings that reach the chosen store for the life of the process."""
    return _open_stores.enter_context(store_for(settings))
