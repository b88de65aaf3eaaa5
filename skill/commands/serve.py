"""``voicecart serve``: the skill endpoint and the cross-channel API, on the embedded store unless told otherwise."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType
from typing import Any

from backend.logs import configure_logging
from backend.settings import Settings
from skill.app import ALEXA_ROUTE, API_PREFIX
from skill.commands.options import add_demo_data_argument
from skill.connection_cap import DEFAULT_MAX_CONNECTIONS, make_capped_server
from skill.wsgi import demo_lines, running_app

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("serve", help="run the skill endpoint and the cross-channel API")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, env VOICECART_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8080, env VOICECART_PORT)")
    parser.add_argument("--no-demo-data", action="store_true", help="start with empty tables")
    parser.add_argument(
        "--max-connections",
        type=_positive_int,
        default=DEFAULT_MAX_CONNECTIONS,
        help=f"connections served at once; beyond them a connection is answered 503 with Retry-After at once "
        f"(default {DEFAULT_MAX_CONNECTIONS})",
    )
    add_demo_data_argument(parser)
    parser.add_argument(
        "--insecure-no-verify",
        action="store_true",
        help="accept unsigned requests (local development only; never expose such a server)",
    )
    parser.set_defaults(func=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.no_demo_data:
        overrides["load_demo_data"] = False
    if args.demo_data_anywhere:
        overrides["demo_data_anywhere"] = True
    if args.insecure_no_verify:
        overrides["verify_signature"] = False
        overrides["verify_timestamp"] = False
    settings = Settings.load(**overrides)
    configure_logging(settings.log_level, json_lines=settings.log_json)

    with running_app(settings) as running:
        reachable = running.settings
        server = make_capped_server(reachable.host, reachable.port, running.app, max_connections=args.max_connections)
        base_url = f"http://{reachable.host}:{server.server_port}"
        seeded = demo_lines(running.demo, base_url) if running.demo is not None else None
        _announce(settings, reachable, server.server_port, seeded, outbound=running.outbound)
        _serve_until_interrupted(server)
    print("voicecart stopped.")
    return 0


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


def _announce(
    chosen: Settings, settings: Settings, port: int, seeded: list[str] | None, *, outbound: bool = False
) -> None:
    base = f"http://{settings.host}:{port}"
    lines = [
        "",
        "voicecart is running",
        f"  Alexa endpoint     POST {base}{ALEXA_ROUTE}",
        f"  cross-channel API  {base}{API_PREFIX}  (OpenAPI: {base}{API_PREFIX}/openapi.json)",
        f"  health             {base}/healthz",
    ]
    if chosen.uses_embedded_store:
        lines.append(
            "  store              embedded DynamoDB (moto) inside this process (no port open), IN MEMORY: "
            "everything is lost when this process stops"
        )
    else:
        lines.append(f"  store              {chosen.describe_store()}")
    if settings.verify_signature:
        lines.append(f"  verification       ON (skill id {settings.skill_id})")
    else:
        lines.append("  verification       !!! OFF: unsigned requests are accepted. Local development only. !!!")
    if outbound:
        mail = (
            f"e-mail as .eml files in {settings.email_folder.resolve()}"
            if settings.email_sender == "file"
            else f"e-mail by {settings.email_sender}"
        )
        lines.append(f"  outbound           {mail}; webhooks and cart reminders from the table's stream")
    if seeded is not None:
        lines.append("  demo data          " + "\n".join(seeded))
    lines += ["", "Talk to it:  " + talk_hint(settings, base), "Stop it:     Ctrl-C", ""]
    print("\n".join(lines), flush=True)


def talk_hint(settings: Settings, base: str) -> str:
    """The `voicecart dialog` line that works against this server as it runs: signed when it verifies."""
    url = f"voicecart dialog --url {base}{ALEXA_ROUTE}"
    if not settings.verify_signature:
        return f"{url}   (or: voicecart dialog, in-process)"
    if settings.local_signer_dir is not None:
        return f"{url} --sign-with {settings.local_signer_dir}   (or: voicecart dialog, in-process)"
    return (
        "voicecart dialog   (in-process; to talk to this server over HTTP, restart it with a local signer: "
        "voicecart signer init .voicecart/signer, then VOICECART_LOCAL_SIGNER_DIR=.voicecart/signer voicecart serve)"
    )
