"""The server ``voicecart bench load`` drives: what ``voicecart serve`` runs (embedded store, demo customers, the
real app and verifier, werkzeug's threaded server with serve's connection cap and keep-alive, on loopback), in a
process of its own so the load generator does not share its interpreter.

It trusts the local signer in ``argv[1]``, provisions the demo customers (``argv[2]``, comma-separated) before it
announces itself (so no background import competes with the measurement), then prints one JSON line
``{"port", "api_key"}`` and answers commands on stdin: ``stats`` prints ``{"store_calls", "refused", "rss_kb", "cpu_ms",
"items", "stream_records", "expired"}``, ``meter`` the CPU per turn by kind since the last ``meter``
(``skill.bench.turn_meter``: thread CPU of each request, split skill / botocore / moto), ``kinds`` the items held
by kind, ``bytes`` the bytes of the items held (``{"kept", "expiring"}``: without and with a TTL), ``accepts
{"customer", "names"}`` the product the resolver accepts each name as for that customer (``accepted_names``),
``quit`` (or end of input) stops it.

``argv[3]``, when given and not 0, is a retention in seconds for every expiring item kind (request markers, heard
words, events, outbox messages; ``backend.store.retention``) instead of the deployment's days: a memory run then
reaches the steady state it would reach after days within minutes. ``argv[4]``, when given and not empty, is a file
the requests' merged ``cProfile`` statistics are written to at the end (``--profile``: CPU figures then include the
profiler's overhead).
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from backend.identity.clients import create_api_client
from backend.resolver import Decision
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.embedded import EmbeddedDynamoDB, store_item_bytes, store_kinds, store_stats
from skill import collector
from skill.app import create_app
from skill.bench.stats import cpu_ms, quiet_logs, rss_kb
from skill.bench.turn_meter import TurnMeter
from skill.connection_cap import make_capped_server


def main(argv: list[str]) -> int:
    quiet_logs()
    signer_dir = Path(argv[1])
    customers = argv[2].split(",") if len(argv) > 2 and argv[2] else []
    retention = float(argv[3]) if len(argv) > 3 and argv[3] else 0.0
    profile = argv[4] if len(argv) > 4 else ""
    with EmbeddedDynamoDB() as store:
        settings = Settings.load(
            dynamodb_endpoint=store.endpoint,
            aws_region="us-east-1",
            local_signer_dir=signer_dir,
            log_level="ERROR",
            **retention_overrides(retention),
        )
        backend = build_backend(settings, demo=True)
        assert backend.demo is not None
        for customer_id in customers:
            backend.demo.provision(customer_id)
        api_key = create_api_client(backend.table, name="bench", channel="web")["api_key"]
        meter = TurnMeter(create_app(settings, backend=backend), profile=bool(profile))
        meter.watch_client(backend.table.client)
        meter.watch_store(store)
        backend.resolver.prepare()
        collector.settle()  # as serve does once started (skill.collector)
        server = make_capped_server("127.0.0.1", 0, meter)  # as serve runs it (default bound on connections)
        thread = threading.Thread(target=server.serve_forever, name="bench-serve", daemon=True)
        thread.start()
        print(json.dumps({"port": server.server_port, "api_key": api_key}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps({"rss_kb": rss_kb(), "cpu_ms": cpu_ms(), **store_stats(store)}), flush=True)
            elif command == "meter":
                print(json.dumps(meter.figures()), flush=True)
            elif command == "kinds":
                print(json.dumps(store_kinds(store)), flush=True)
            elif command == "bytes":
                print(json.dumps(store_item_bytes(store)), flush=True)
            elif command.startswith("accepts "):
                asked = json.loads(command.removeprefix("accepts "))
                print(json.dumps(accepted_names(backend, str(asked["customer"]), list(asked["names"]))), flush=True)
            elif command == "quit":
                break
        server.shutdown()
        thread.join(timeout=5)
        if profile:
            meter.dump_profile(profile)
    return 0


def accepted_names(backend: Backend, customer_id: str, names: list[str]) -> dict[str, str | None]:
    """The product each spoken name is accepted as, for this customer, by the resolver the skill's add asks (no
    question: ``Decision.ACCEPT``); ``None`` for a name it would ask about or not find."""
    state = backend.shopping.state(customer_id)
    accepted: dict[str, str | None] = {}
    for name in names:
        resolution = backend.shopping.resolve_for(state, name)
        best = resolution.best
        accepted[name] = best.product.id if resolution.decision == Decision.ACCEPT and best is not None else None
    return accepted


def retention_overrides(seconds: float) -> dict[str, Any]:
    """Settings keeping every expiring item kind ``seconds`` (none: the deployment's retention)."""
    if seconds <= 0:
        return {}
    days = seconds / 86_400
    return {
        "request_marker_ttl_seconds": max(int(seconds), 1),
        "heard_words_retention_days": days,
        "event_retention_days": days,
        "outbox_retention_days": days,
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv))
