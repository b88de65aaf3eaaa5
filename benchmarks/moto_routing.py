"""CPU time of one embedded store call with the store's handler routing it (``_get_action`` from the call's
X-Amz-Target, the answer's protocol without moto's request object) against moto's own routing (``normalized_request``
built by ``Request.from_primitives`` and matched by moto's service router, as moto 5.2.6 does on every call).

Both in one process, in interleaved rounds (A B B A ...), thread CPU per call, median of the rounds' medians: on a
machine shared with other work, wall-clock figures move with the load, CPU time much less. On moto 5.2.5 the two
differ only by what 5.2.5 routes itself (the target), so the same file measures either moto::

    PYTHONPATH=. .venv/bin/python benchmarks/moto_routing.py --rounds 20 --calls 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import moto
from moto.core.responses import BaseResponse

from backend.store.embedded import EmbeddedDynamoDB, _handler
from skill.bench.stats import quiet_logs

ROUTING = ("_get_action", "determine_response_protocol")


def per_call_cpu_us(call: Callable[[], object], calls: int) -> float:
    samples = []
    for _ in range(calls):
        started = time.thread_time()
        call()
        samples.append(time.thread_time() - started)
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    quiet_logs()
    handler = _handler()
    ours = {name: vars(handler)[name] for name in ROUTING}
    motos = {name: getattr(BaseResponse, name) for name in ROUTING}

    def use(methods: dict[str, object]) -> None:
        for name, method in methods.items():
            setattr(handler, name, method)

    with EmbeddedDynamoDB() as store:
        client = store.client()
        client.create_table(
            TableName="bench",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}
            ],
            BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
        key = {"pk": {"S": "CUSTOMER#1"}, "sk": {"S": "PROFILE"}}
        client.put_item(TableName="bench", Item={**key, "name": {"S": "x" * 40}, "n": {"N": "7"}})

        def get_item() -> object:
            return client.get_item(TableName="bench", Key=key, ConsistentRead=True)

        def update_item() -> object:
            return client.update_item(
                TableName="bench",
                Key=key,
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

        figures: dict[str, dict[str, list[float]]] = {}
        try:
            for round_ in range(args.rounds):
                order = [("store", ours), ("moto", motos)]
                for variant, methods in order if round_ % 2 == 0 else order[::-1]:
                    use(methods)
                    for name, call in (("get_item", get_item), ("update_item", update_item)):
                        call()  # warm after the switch
                        figures.setdefault(name, {}).setdefault(variant, []).append(per_call_cpu_us(call, args.calls))
        finally:
            use(ours)
    result: dict[str, object] = {"moto": moto.__version__, "rounds": args.rounds, "calls": args.calls}
    for name, variants in figures.items():
        store_us, moto_us = (statistics.median(variants[v]) for v in ("store", "moto"))
        ratios = [s / m for s, m in zip(variants["store"], variants["moto"], strict=True)]
        result[name] = {
            "store_routing_cpu_us": round(store_us, 1),
            "moto_routing_cpu_us": round(moto_us, 1),
            "ratio_median": round(statistics.median(ratios), 3),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
