"""``voicecart bench connections`` drives serve's own server in both modes: one connection for all the requests
kept alive, one per request closed (its figures mean something only if that is so)."""

from __future__ import annotations

from skill.bench.connections import WARM_REQUESTS, measure


def test_kept_alive_requests_share_one_connection_and_closed_ones_open_one_each() -> None:
    report = measure(requests=20, body_bytes=500)
    keep, close = report["modes"]["keep-alive"], report["modes"]["close"]
    assert keep["connections_opened"] == 0  # the one the warm-up requests opened served them all
    assert close["connections_opened"] == 20
    assert keep["latency"]["n"] == close["latency"]["n"] == 20
    assert WARM_REQUESTS >= 1
    assert report["cpu_ratio_keep_alive_to_close"] > 0
