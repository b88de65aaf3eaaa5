"""The web app for any WSGI server, behaving as ``voicecart serve`` does: ``gunicorn 'skill.wsgi:app'``,
``waitress-serve --call skill.wsgi:create``, ``flask --app skill.wsgi run``.

Importing this module builds nothing. The app is built on first access to ``app`` (or a call of ``create``), from
the settings in the environment, on the store they choose: the embedded store (started in this process and kept
until it exits) unless ``VOICECART_STORE`` names an endpoint or says "aws". The embedded store lives in one process,
so run one worker with it (``gunicorn -w 1 --threads 8``); several workers need a shared DynamoDB.

Connections are then the WSGI server's: its read deadlines, connection bounds and keep-alive policy apply, not
``voicecart serve``'s (``skill.app_server``: a request read whole within its deadline, at most
``MAX_REQUESTS_PER_CONNECTION`` requests per kept-alive connection; ``skill.connection_cap``). Set the equivalents
there (gunicorn: ``--timeout``, ``--keep-alive``, ``--worker-connections``).
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask

from backend.demo import DemoDirectory
from backend.identity.clients import DEMO_KEY_SCOPES, create_api_client
from backend.logs import configure_logging
from backend.outbound.runtime import start_outbound_worker
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.embedded import store_for
from skill import collector
from skill.app import API_PREFIX, create_app

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoData:
    customers: list[Any]  # DemoCustomer, first few shown
    api_key: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunningApp:
    app: Flask
    backend: Backend
    settings: Settings  # as reached: the embedded store's endpoint filled in
    embedded: bool
    demo: DemoData | None
    outbound: bool = False  # e-mail, webhooks and reminders delivered by a worker in this process


@contextmanager
def running_app(settings: Settings) -> Iterator[RunningApp]:
    """The app on the chosen store, with the demo data when it goes there; the embedded store stops on exit."""
    with store_for(settings) as reachable:
        backend = build_backend(reachable, demo=reachable.load_demo_data)
        # Beside a local store nothing else consumes the table's stream (deployed, a Lambda does): deliver here.
        # Started before the demo data, so it reads the webhook subscriptions while the table is small.
        worker = (
            start_outbound_worker(reachable, table=backend.table, catalog=backend.catalog, clock=backend.clock)
            if reachable.dynamodb_endpoint
            else None
        )
        try:
            app = create_app(reachable, backend=backend)
            backend.resolver.prepare()  # the first customer's request does not wait for the resolver's tables
            demo = _seed(backend, backend.demo) if backend.demo is not None else None
            collector.settle()  # what startup built is frozen: no later collection walks it (skill.collector)
            yield RunningApp(app, backend, reachable, settings.uses_embedded_store, demo, outbound=worker is not None)
        finally:
            if worker is not None:
                worker.stop()


def _seed(backend: Backend, directory: DemoDirectory) -> DemoData:
    collector.settle_when_done(directory.provision_in_background())  # then the demo histories are frozen too
    web_shop = create_api_client(backend.table, name="demo web shop", channel="web", scopes=DEMO_KEY_SCOPES)
    return DemoData(customers=directory.customers(), api_key=web_shop["api_key"], scopes=DEMO_KEY_SCOPES)


def demo_lines(demo: DemoData, base_url: str) -> list[str]:
    examples = [
        f"                     customer {c.customer_id:>6}  token {c.access_token}  ({c.orders} past orders)"
        for c in demo.customers[:3]
    ]
    first = demo.customers[0].customer_id
    return [
        f"{len(demo.customers)} real Instacart customers (order histories load in the background; "
        "each customer is ready on first use). All of them: voicecart customers",
        *examples,
        f"  demo API key       {demo.api_key}",
        f"                     channel web, every customer, scopes {','.join(demo.scopes)}: reads carts and "
        "profiles, writes web events and cart items, sets and unlocks voice codes; no export or erasure (shown once)",
        f"                     curl -H 'Authorization: Bearer {demo.api_key}' "
        f"{base_url}{API_PREFIX}/customers/{first}/cart",
    ]


_lock = threading.Lock()
_stack = ExitStack()
_built: Flask | None = None


def create(settings: Settings | None = None) -> Flask:
    """The process's app (built once): for ``waitress-serve --call`` and Flask's ``--app`` factory lookup."""
    global _built  # noqa: PLW0603 - one app per process, built on first use, as a WSGI server expects
    with _lock:
        if _built is None:
            settings = settings or Settings.load()
            configure_logging(settings.log_level, json_lines=settings.log_json)
            running = _stack.enter_context(running_app(settings))
            atexit.register(_stack.close)
            where = running.settings.describe_store() if not running.embedded else settings.describe_store()
            # The operator's console, as `serve` prints it (a WSGI server owns stdout; logs are for requests).
            sys.stderr.write(f"voicecart WSGI app: store {where}\n")
            if running.demo is not None:
                lines = demo_lines(running.demo, "http://<host:port>")
                sys.stderr.write("  demo data          " + "\n".join(lines) + "\n")
            _built = running.app
        return _built


def __getattr__(name: str) -> Any:
    # ``skill.wsgi:app`` (gunicorn, flask): built on first access, never at import.
    if name == "app":
        return create()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
