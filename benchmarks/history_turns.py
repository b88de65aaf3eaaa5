"""Latency of the history voice turns, per kind, on the embedded store with demo histories loaded.

The demo customers with the longest histories are provisioned as ``voicecart serve`` provisions them (their real
Instacart orders), and each one asks, in one session: what did I order last time, when did I last buy <one of
their products>, how often do I buy it, what do I usually buy, reorder my usual, reorder my last order, reorder
<that product>. Every turn is a whole request through the skill's runtime (``SkillRuntime.handle``: the turn's
read, the handler, its event write), timed from the envelope in to the response out, ``--rounds`` times over.
Nothing here is specific to one version of the code, so the same file measures another checkout too::

    PYTHONPATH=. .venv/bin/python benchmarks/history_turns.py [--customers 8] [--rounds 5] [--json]
    PYTHONPATH=/work/main .venv/bin/python benchmarks/history_turns.py     # main's code, same machine, same hour

(``voicecart bench load`` drives "what did I order last time" among other turns over HTTP under concurrency.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from backend.services import build_backend
from backend.settings import Settings
from backend.store.embedded import store_for
from skill.bench.load import APOLOGIES
from skill.runtime import SkillRuntime
from skill.simulator import envelope as env
from skill.skill_builder import build_skill

KINDS = (
    ("last order", "LastOrderIntent", False),
    ("last bought X", "LastPurchaseIntent", True),
    ("how often X", "PurchaseFrequencyIntent", True),
    ("usual", "UsualProductsIntent", False),
    ("reorder usual", "ReorderUsualIntent", False),
    ("reorder last", "ReorderLastOrderIntent", False),
    ("reorder X", "ReorderProductIntent", True),
)
LAUNCH = "(launch)"
TARGET_P99_MS = 60.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with store_for(Settings.load(load_demo_data=True, log_level="ERROR")) as settings:
        backend = build_backend(settings, demo=True)
        demo = backend.demo
        assert demo is not None
        ranked = sorted(demo.histories.items(), key=lambda pair: (-len(pair[1].orders), pair[0]))
        customers = [customer_id for customer_id, _ in ranked[: args.customers]]
        for customer_id in customers:
            demo.provision(customer_id)
        runtime = SkillRuntime(build_skill(backend))
        backend.resolver  # noqa: B018 - build the index before timing
        skill_id = settings.skill_id or ""
        times: dict[str, list[float]] = {name: [] for name, _, _ in KINDS}
        times[LAUNCH] = []  # no history read: the floor every turn pays (state read, event write), for reference
        apologies: dict[str, int] = dict.fromkeys(times, 0)
        for round_number in range(args.rounds + 1):  # the first round warms caches and is not counted
            for customer_id in customers:
                history = demo.histories[customer_id]
                product = backend.catalog.find(history.orders[-1].product_ids[0])
                words = product.name.lower() if product else "bananas"
                identity = env.Identity(
                    user_id=f"amzn1.ask.account.history-{customer_id}",
                    device_id="amzn1.ask.device.history",
                    access_token=demo.demo_token(customer_id),
                )
                session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
                began = time.perf_counter()
                send(runtime, skill_id, identity, session_id, env.launch_request(rid(), now(), "en-US"), new=True)
                if round_number:
                    times[LAUNCH].append((time.perf_counter() - began) * 1000)
                for name, intent_name, with_product in KINDS:
                    intent: dict[str, Any] = {"name": intent_name, "confirmationStatus": "NONE"}
                    if with_product:
                        intent["slots"] = {"product": {"name": "product", "value": words, "source": "USER"}}
                    request = env.intent_request(rid(), now(), "en-US", intent, None)
                    began = time.perf_counter()
                    answer = send(runtime, skill_id, identity, session_id, request, new=False)
                    if round_number:
                        times[name].append((time.perf_counter() - began) * 1000)
                        speech = str((answer.get("response", {}).get("outputSpeech") or {}).get("ssml", ""))
                        apologies[name] += any(words in speech for words in APOLOGIES)
    results = {
        name: {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "turns": len(values),
            "apologies": apologies[name],
        }
        for name, values in times.items()
    }
    if args.json:
        print(json.dumps({"customers": customers, "rounds": args.rounds, "kinds": results}))
        return
    print(f"history turns of the {len(customers)} longest demo histories, {args.rounds} rounds (ms)")
    for name, figures in results.items():
        verdict = "ok" if figures["p99_ms"] <= TARGET_P99_MS and not figures["apologies"] else "OVER"
        verdict = "" if name == LAUNCH else verdict
        print(
            f"  {name:<14} p50 {figures['p50_ms']:>7.1f}   p95 {figures['p95_ms']:>7.1f}"
            f"   p99 {figures['p99_ms']:>7.1f}  {figures['turns']} turns, apologies {figures['apologies']}  {verdict}"
        )


def send(
    runtime: SkillRuntime,
    skill_id: str,
    identity: env.Identity,
    session_id: str,
    request: dict[str, Any],
    *,
    new: bool,
) -> dict[str, Any]:
    session = env.SessionInfo(session_id=session_id, new=new, attributes={})
    return runtime.handle(env.envelope(request, skill_id=skill_id, identity=identity, session=session))


def rid() -> str:
    return f"amzn1.echo-api.request.{uuid.uuid4()}"


def now() -> datetime:
    return datetime.now(UTC)


if __name__ == "__main__":
    main()
