"""CPU time of the embedded store's calls a voice turn makes: a GetItem (the token lookup's shape), the turn's state
read (one BatchGetItem) and an event write (the transaction every turn commits, profile summary update included).

CPU time of this thread, median of many calls: on a machine shared with other work, wall-clock figures move with
the load, CPU time much less. Nothing here is specific to one version of the code, so the same file measures another
checkout too, back to back::

    PYTHONPATH=. .venv/bin/python benchmarks/store_calls.py
    PYTHONPATH=/work/main .venv/bin/python benchmarks/store_calls.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from backend.profile import Channel, EventOrigin, Outcome, new_event
from backend.services import build_backend
from backend.settings import Settings
from backend.store.embedded import EmbeddedDynamoDB
from skill.bench.load import _customers
from skill.bench.stats import quiet_logs


def cpu_ms(call: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.thread_time()
        call()
        samples.append(time.thread_time() - started)
    return round(statistics.median(samples) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    quiet_logs()
    with EmbeddedDynamoDB() as store:
        settings = Settings.load(dynamodb_endpoint=store.endpoint, aws_region="us-east-1", log_level="ERROR")
        backend = build_backend(settings, demo=True)
        assert backend.demo is not None
        customer_id = _customers(1)[0]  # the longest demo history: the largest profile summary
        backend.demo.provision(customer_id)
        product = backend.catalog.find(backend.demo.histories[customer_id].orders[-1].product_ids[0])
        client, table = store.client(), backend.table.name

        def get_item() -> object:
            key = {"pk": {"S": "IDENT#absent"}, "sk": {"S": "IDENT"}}
            return client.get_item(TableName=table, Key=key, ConsistentRead=True)

        def state() -> object:
            return backend.shopping.state(customer_id)

        def event() -> object:
            origin = EventOrigin(
                event_id=f"voice-{uuid.uuid4().hex}",
                customer_id=customer_id,
                channel=Channel.VOICE,
                type="voice_turn",
                occurred_at=datetime.now(UTC),
                intent="AddToCartIntent",
                locale="en-US",
            )
            return backend.profiles.record_event(new_event(origin, Outcome.ADDED, product=product, quantity=1))

        for call in (get_item, state, event):
            call()  # caches and parsed expressions warm
        figures = {
            "get_item_cpu_ms": cpu_ms(get_item, args.calls),
            "state_read_cpu_ms": cpu_ms(state, args.calls),
            "event_write_cpu_ms": cpu_ms(event, max(args.calls // 2, 1)),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
