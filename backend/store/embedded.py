"""The embedded store: moto's DynamoDB server, in this process, on loopback, on a free port. In memory only.

It speaks the real DynamoDB wire protocol, so the code above it is exactly the code that talks to AWS; only the
endpoint differs. Everything it holds is lost when the process stops.

Two things make moto behave like the real service under the load a demo puts on it:

- moto is not thread-safe: two concurrent requests can interleave inside one backend and lose writes. DynamoDB
  applies each request atomically, so the embedded server handles one request at a time (the requests still
  arrive concurrently; a DynamoDB call takes well under a millisecond or two here).
- moto rolls a failed ``TransactWriteItems`` back by restoring a deep copy of every table it touched, taken before
  each transaction: a cost that grows with the table (seconds once the demo histories are loaded). We snapshot
  only the items the transaction names and restore those, which is what a rollback has to undo.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType, TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from backend.settings import ENDPOINT, Settings

log = logging.getLogger(__name__)

# moto needs some credentials to sign with; they never leave this machine.
_LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "voicecart-local", "AWS_SECRET_ACCESS_KEY": "voicecart-local"}

# The region the embedded server's clients sign for (any region works; one keeps its tables in one place).
EMBEDDED_REGION = "us-east-1"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _OneRequestAtATime:
    """WSGI middleware: run each request (including its response body) under one lock."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class _TablesAreNotCopied(ModuleType):
    """Stands in for ``copy`` inside moto's DynamoDB models: tables are 'copied' by reference (the caller restores
    the touched items itself), everything else is deep-copied as before."""

    def __init__(self, table_type: type) -> None:
        super().__init__("copy")
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_patch_lock = threading.Lock()
_PATCHED_FLAG = "_voicecart_item_level_rollback"


def _install_item_level_rollback() -> None:
    """Make moto's transaction rollback restore the touched items instead of deep-copying whole tables."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    with _patch_lock:
        if getattr(models.DynamoDBBackend, _PATCHED_FLAG, False):
            return

        original = models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            snapshots = []
            for entry in transact_items:
                _, operation = next(iter(entry.items()))
                table = self.tables.get(operation.get("TableName"))
                if table is None:
                    continue
                key = operation.get("Key") or {
                    name: operation["Item"][name]
                    for name in (table.hash_key_attr, table.range_key_attr)
                    if name and name in operation.get("Item", {})
                }
                hash_key = key.get(table.hash_key_attr)
                range_key = key.get(table.range_key_attr) if table.range_key_attr else None
                if hash_key is None:
                    continue
                before = _get(table, hash_key, range_key)
                snapshots.append((table, hash_key, range_key, before.to_json()["Attributes"] if before else None))
            try:
                original(self, transact_items)
            except Exception:
                for table, hash_key, range_key, attributes in reversed(snapshots):
                    if attributes is None:
                        if _get(table, hash_key, range_key) is not None:
                            table.delete_item(_dynamo(hash_key), _dynamo(range_key))
                    else:
                        table.put_item(attributes)
                raise

        models.copy = _TablesAreNotCopied(Table)
        setattr(models.DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
        setattr(models.DynamoDBBackend, _PATCHED_FLAG, True)


def _dynamo(raw: dict[str, Any] | None) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(raw) if raw is not None else None


def _get(table: Any, hash_key: dict[str, Any], range_key: dict[str, Any] | None) -> Any:
    return table.get_item(_dynamo(hash_key), _dynamo(range_key))


class EmbeddedDynamoDB:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.endpoint: str | None = None

    def start(self) -> str:
        from moto.server import DomainDispatcherApplication, create_backend_app

        for name, value in _LOCAL_CREDENTIALS.items():
            os.environ.setdefault(name, value)
        _install_item_level_rollback()
        app = _OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._host, self._port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-dynamodb", daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.endpoint = f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"
        log.info("embedded DynamoDB (moto, in memory) listening on %s", self.endpoint)
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self.endpoint = None

    def __enter__(self) -> EmbeddedDynamoDB:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def store_for(settings: Settings) -> Iterator[Settings]:
    """Settings that reach the chosen DynamoDB: pointing at an embedded server started for the duration of the
    block when the store is the embedded one, else as given. Demo data goes into the embedded store only, unless
    ``demo_data_anywhere`` asks for it elsewhere."""
    if not settings.uses_embedded_store:
        yield dataclasses.replace(settings, load_demo_data=settings.load_demo_data and settings.demo_data_anywhere)
        return
    with EmbeddedDynamoDB() as embedded:
        assert embedded.endpoint is not None
        yield dataclasses.replace(
            settings,
            store=ENDPOINT,
            dynamodb_endpoint=embedded.endpoint,
            aws_region=EMBEDDED_REGION,
            # The developer console is on by default with the embedded store only: decided here, where it is known.
            console=True if settings.console is None else settings.console,
        )
