"""The load bench's CPU meter (``skill.bench.turn_meter``): a request named by its turn kind is counted under that
kind, its thread CPU split into the app's own work, botocore's and moto's (a real embedded store's calls)."""

from __future__ import annotations

import time
from typing import Any

from werkzeug.test import Client

from backend.store.embedded import EmbeddedDynamoDB
from backend.store.schema import TABLES
from skill.bench.turn_meter import HEADER, TurnMeter, cpu_summary


def _burn(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_a_turn_is_counted_by_kind_and_split_into_skill_botocore_and_moto() -> None:
    with EmbeddedDynamoDB() as store:
        client = store.client()
        (spec,) = [spec for spec in TABLES if spec.logical_name == "main"]
        client.create_table(**spec.create_table_kwargs("meter"))

        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            _burn(0.02)  # the skill's own work
            for n in range(5):
                client.put_item(TableName="meter", Item={"pk": {"S": f"C#{n}"}, "sk": {"S": "X"}})
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]

        meter = TurnMeter(app)
        meter.watch_client(client)
        meter.watch_store(store)
        web = Client(meter)
        assert web.post("/alexa", headers={HEADER: "add"}).status_code == 200
        assert web.post("/alexa", headers={HEADER: "add"}).status_code == 200
        assert web.post("/alexa").status_code == 200  # not a bench turn: not counted
        figures = meter.figures()

    add = figures["add"]
    assert set(figures) == {"add", "all"} and add["n"] == 2 and figures["all"]["n"] == 2
    assert add["skill_ms"] >= 19  # the burn, and nothing of the store's counted in it twice
    assert add["store_moto_ms"] > 0 and add["store_botocore_ms"] > 0
    parts = add["skill_ms"] + add["store_botocore_ms"] + add["store_moto_ms"]
    assert abs(parts - add["cpu_ms_mean"]) < 0.05
    assert meter.figures()["all"]["n"] == 0  # read and reset


def test_cpu_summary_gives_medians_means_and_parts_in_ms() -> None:
    summary = cpu_summary([(0.010, 0.004, 0.003), (0.020, 0.006, 0.001), (0.003, 0.002, 0.002)])
    assert summary == {
        "n": 3,
        "cpu_ms_p50": 10.0,
        "cpu_ms_mean": 11.0,
        "skill_ms": 7.0,
        "store_botocore_ms": 2.0,
        "store_moto_ms": 2.0,
    }
