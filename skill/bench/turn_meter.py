"""CPU per voice turn, by turn kind, measured inside the server the load bench drives (``skill.bench.load_server``).

Each request's worker thread runs the whole turn: the app (verification, the ASK SDK, the handler, speech), every
store call it makes (botocore's serialisation and parsing, and moto's work under the store's gate: the embedded
store answers in the caller's thread). So the thread CPU time of the request (``time.thread_time``) is the turn's
CPU, wherever the machine's other load puts it in wall time, and it splits three ways:

- ``store_moto``: inside the embedded store's gated call (moto's handler and backend, the store's upkeep);
- ``store_botocore``: the rest of the DynamoDB client's calls (parameter validation, serialisation, hooks, the
  answer's parse), i.e. the client call's CPU less ``store_moto``;
- ``skill``: the rest of the request (verification, envelope, SDK dispatch, handler and domain code, speech, JSON).

The bench names each turn's kind in an ``X-Bench-Turn`` header (nothing in the app reads it). What a request
thread does not run (werkzeug reading the request line and headers before the app is called, background
threads: the collector, the outbound worker) is in the process's CPU only; the load bench prints both.

With a profile path, every request is also run under ``cProfile`` (one profiler per worker thread, merged at the
end), timed in thread CPU: the CPU figures then include the profiler's overhead and are for finding where CPU
goes, not for quoting.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

HEADER = "X-Bench-Turn"
_ENVIRON_KEY = "HTTP_" + HEADER.upper().replace("-", "_")
PARTS = ("skill", "store_botocore", "store_moto")


class _Thread(threading.local):
    def __init__(self) -> None:
        self.client_depth = 0
        self.client_s = 0.0
        self.moto_s = 0.0
        self.profiler: cProfile.Profile | None = None


class TurnMeter:
    """WSGI middleware and store instrumentation: thread CPU per request, by kind and part (see the module)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, profile: bool = False) -> None:
        self._app = app
        self._profile = profile
        self._local = _Thread()
        self._lock = threading.Lock()
        self._turns: dict[str, list[tuple[float, float, float]]] = defaultdict(list)  # kind -> (total, client, moto)
        self._profilers: list[cProfile.Profile] = []

    # -- instrumentation ---------------------------------------------------------------------------------------
    def watch_client(self, client: Any) -> None:
        """Count ``client``'s calls (every operation goes through ``_make_api_call``) as store CPU."""
        call = client._make_api_call
        local = self._local

        def metered(operation: str, params: dict[str, Any]) -> Any:
            if local.client_depth:
                return call(operation, params)
            local.client_depth = 1
            started = time.thread_time()
            try:
                return call(operation, params)
            finally:
                local.client_s += time.thread_time() - started
                local.client_depth = 0

        client._make_api_call = metered

    def watch_store(self, store: Any) -> None:
        """Count the embedded store's gated calls (moto's work, under its gate) as moto CPU."""
        gated = store._gated_call
        local = self._local

        def metered(serve: Callable[[], Any]) -> Any:
            started = time.thread_time()
            try:
                return gated(serve)
            finally:
                local.moto_s += time.thread_time() - started

        store._gated_call = metered

    # -- WSGI ----------------------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        kind = environ.get(_ENVIRON_KEY)
        if not kind:
            return list(self._app(environ, start_response))
        local = self._local
        local.client_s = local.moto_s = 0.0
        profiler = self._profiler() if self._profile else None
        started = time.thread_time()
        if profiler is not None:
            profiler.enable()
        try:
            body = self._app(environ, start_response)
            try:
                return list(body)  # the response is made here, in this thread
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        finally:
            if profiler is not None:
                profiler.disable()
            total = time.thread_time() - started
            with self._lock:
                self._turns[kind].append((total, local.client_s, local.moto_s))

    def _profiler(self) -> cProfile.Profile:
        if self._local.profiler is None:
            # timed in thread CPU: a wall-clock profile charges a call that lets go of the GIL (urandom, hashing,
            # crc32 of a large body, a lock) with the time the thread then waits to get it back
            self._local.profiler = cProfile.Profile(time.thread_time)
            with self._lock:
                self._profilers.append(self._local.profiler)
        return self._local.profiler

    # -- figures -------------------------------------------------------------------------------------------------
    def figures(self, *, reset: bool = True) -> dict[str, Any]:
        """Per kind (and ``all``): turns, median and mean CPU ms per turn, and the mean ms of each part (``PARTS``)."""
        with self._lock:
            turns = {kind: list(values) for kind, values in self._turns.items()}
            if reset:
                self._turns.clear()
        figures = {kind: cpu_summary(values) for kind, values in sorted(turns.items())}
        figures["all"] = cpu_summary([value for values in turns.values() for value in values])
        return figures

    def dump_profile(self, path: str) -> None:
        with self._lock:
            profilers = list(self._profilers)
        if not profilers:
            return
        stats = pstats.Stats(profilers[0])
        for profiler in profilers[1:]:
            stats.add(profiler)
        stats.dump_stats(path)


def cpu_summary(values: list[tuple[float, float, float]]) -> dict[str, Any]:
    """(total, client call, moto) thread seconds per turn -> ms figures: median and mean of the total, mean parts."""
    if not values:
        return {"n": 0, "cpu_ms_p50": 0.0, "cpu_ms_mean": 0.0, **{f"{part}_ms": 0.0 for part in PARTS}}
    n = len(values)
    totals = [total for total, _, _ in values]
    client = sum(call for _, call, _ in values) / n
    moto = sum(m for _, _, m in values) / n
    mean = sum(totals) / n
    return {
        "n": n,
        "cpu_ms_p50": round(statistics.median(totals) * 1000, 2),
        "cpu_ms_mean": round(mean * 1000, 2),
        "skill_ms": round((mean - client) * 1000, 2),
        "store_botocore_ms": round((client - moto) * 1000, 2),
        "store_moto_ms": round(moto * 1000, 2),
    }
