"""``voicecart serve``: the skill endpoint and the cross-channel API, on the embedded store unless told otherwise."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType
from typing import Any

from werkzeug.serving import make_server

from backend.demo import seed_demo
from backend.identity.clients import create_api_client
from backend.logs import configure_logging
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.embedded import store_for
from skill.app import ALEXA_ROUTE, API_PREFIX, create_app

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("serve", help="run the skill endpoint and the cross-channel API")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, env VOICECART_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8080, env VOICECART_PORT)")
    parser.add_argument("--no-demo-data", action="store_true", help="start with empty tables")
    parser.add_argument(
        "--insecure-no-verify",
        action="store_true",
        help="accept unsigned requests (local development only; never expose such a server)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.no_demo_data:
        overrides["load_demo_data"] = False
    if args.insecure_no_verify:
        overrides["verify_signature"] = False
        overrides["verify_timestamp"] = False
    settings = Settings.load(**overrides)
    configure_logging(settings.log_level, json_lines=settings.log_json)

    embedded = settings.uses_embedded_store
    with store_for(settings) as reachable:
        backend = build_backend(reachable)
        app = create_app(reachable, backend=backend)
        server = make_server(reachable.host, reachable.port, app, threaded=True)
        base_url = f"http://{reachable.host}:{server.server_port}"
        seeded = _seed_demo(backend, base_url) if reachable.load_demo_data else None
        _announce(reachable, embedded, server.server_port, seeded)
        _serve_until_interrupted(server)
    print("voicecart stopped.")
    return 0


def _seed_demo(backend: Backend, base_url: str) -> str:
    directory = seed_demo(backend, background=True)
    customers = directory.customers()
    web_shop = create_api_client(backend.table, name="demo web shop", channel="web")
    examples = "\n".join(
        f"                     customer {c.customer_id:>6}  token {c.access_token}  ({c.orders} past orders)"
        for c in customers[:3]
    )
    first = customers[0].customer_id
    return (
        f"{len(customers)} real Instacart customers (order histories load in the background; "
        f"each customer is ready on first use). All of them: voicecart customers\n{examples}\n"
        f"  demo API key       {web_shop['api_key']}  (channel web, every customer; shown once)\n"
        f"                     curl -H 'Authorization: Bearer {web_shop['api_key']}' "
        f"{base_url}{API_PREFIX}/customers/{first}/cart"
    )


def _serve_until_interrupted(server: object) -> None:
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    thread = threading.Thread(target=server.serve_forever, name="voicecart-http", daemon=True)  # type: ignore[attr-defined]
    previous = signal.signal(signal.SIGTERM, _stop)
    thread.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()  # type: ignore[attr-defined]
        thread.join(timeout=5)


def _announce(settings: Settings, embedded: bool, port: int, seeded: str | None) -> None:
    base = f"http://{settings.host}:{port}"
    lines = [
        "",
        "voicecart is running",
        f"  Alexa endpoint     POST {base}{ALEXA_ROUTE}",
        f"  cross-channel API  {base}{API_PREFIX}  (OpenAPI: {base}{API_PREFIX}/openapi.json)",
        f"  health             {base}/healthz",
    ]
    if embedded:
        lines.append(
            "  store              embedded DynamoDB (moto) inside this process (no port open), IN MEMORY: "
            "everything is lost when this process stops"
        )
    else:
        where = settings.dynamodb_endpoint or f"AWS DynamoDB in {settings.aws_region}"
        lines.append(f"  store              {where}, table {settings.table_name!r}")
    if settings.verify_signature:
        lines.append(f"  verification       ON (skill id {settings.skill_id})")
    else:
        lines.append("  verification       !!! OFF: unsigned requests are accepted. Local development only. !!!")
    if seeded is not None:
        lines.append(f"  demo data          {seeded}")
    lines += [
        "",
        "Talk to it:  voicecart dialog --url " + base + ALEXA_ROUTE + "   (or: voicecart dialog, in-process)",
        "Stop it:     Ctrl-C",
        "",
    ]
    print("\n".join(lines), flush=True)
