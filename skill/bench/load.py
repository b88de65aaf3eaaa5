"""``voicecart bench load``: signed, realistic voice turns against a ``serve``-like server on loopback.

A simulated customer talks in sessions: open the skill, add a product, hear the cart, ask what they ordered last
time, check out and say yes. Each worker is its own demo customer (real Instacart history), one session after
another, for ``--seconds`` at each concurrency (1, 4, 16, 48 by default). Then 16 writers add to ONE cart at once,
and the cart is read back through the API: every add acknowledged must be in it, every add refused must not be.
With ``--memory-requests N`` the server's RSS and the items it holds (by kind) are sampled 20 times over N more
turns, and the RSS slope over the last half is fitted (least squares). Orders are customer data the mix keeps
placing, so RSS must grow by their bytes: each sample also weighs the items held without a TTL (``kept_kb``), and the
report gives the last-half RSS slope net of theirs. Flat means that net slope is about nothing.
``--retention-seconds S`` keeps every expiring item kind S seconds instead of the deployment's days, so the run
reaches the steady state TTL keeps (what expires goes as fast as it comes) within minutes.

The server is ``skill.bench.load_server`` in a process of its own (the same app, store and verifier as
``voicecart serve``), so the load generator does not share its interpreter. Usage::

    voicecart bench load [--seconds 10] [--concurrency 1,4,16,48] [--writers 16] [--memory-requests 20000]
        [--retention-seconds 120] [--connections keep-alive|close] [--profile FILE] [--json]

Each turn's CPU is also measured in the server (``skill.bench.turn_meter``): the thread CPU time of the request, by
turn kind, split into the skill's own work, botocore's (serialising and parsing the store's calls) and moto's
(the embedded store's work); the median and mean per kind are printed, beside the process's CPU per turn (which also
holds werkzeug's reading of requests and the background threads). ``--profile FILE`` runs every request under
``cProfile`` and writes the merged statistics to FILE (its figures then include the profiler's overhead).

Each device reuses its connection, as Alexa does (``--connections close`` opens one per turn, the cost a server
that closes every connection puts on its clients); the report counts the connections each level opened.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.demo import load_histories
from backend.identity.tokens import DEMO_TOKEN_SECRET, demo_token_for
from backend.settings import DEMO_SKILL_ID, PACKAGE_DATA_DIR
from skill.bench import turn_meter
from skill.bench.stats import summary_ms
from skill.simulator import envelope as env
from skill.simulator.signing import LocalSigner, init_local_signer

KINDS = ("launch", "add", "read", "history", "checkout", "confirm")
# Words of the apologies the skill speaks when it fails (skill/speech: error.*): a turn answered with one is an error
# the customer hears, whatever the HTTP status.
APOLOGIES = ("went wrong on my side", "couldn't reach your account", "lost touch with your account")
PRODUCTS = ("bananas", "organic strawberries", "whole milk", "large eggs", "baby spinach", "sourdough bread")
MAX_TURNS_PER_LEVEL = 50_000
MEMORY_SAMPLES = 20


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = bench_commands.add_parser("load", help="throughput and latency of signed voice turns under load")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each concurrency level")
    parser.add_argument("--concurrency", default="1,4,16,48", help="comma-separated worker counts")
    parser.add_argument("--writers", type=int, default=16, help="writers on one cart (0 to skip)")
    parser.add_argument("--adds-per-writer", type=int, default=10)
    parser.add_argument("--memory-requests", type=int, default=0, help="turns to sample the server's RSS over")
    parser.add_argument(
        "--retention-seconds",
        type=float,
        default=0.0,
        help="keep expiring items (markers, events, heard words, outbox) this long (default: the deployment's days)",
    )
    parser.add_argument(
        "--connections",
        choices=("keep-alive", "close"),
        default="keep-alive",
        help="reuse each device's connection as Alexa does (default), or close it after every turn",
    )
    parser.add_argument("--profile", type=Path, help="write the server's merged cProfile statistics of all turns here")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    parser.add_argument("--plot", type=Path, help="also draw latency percentiles against concurrency to this PNG")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    levels = [int(part) for part in args.concurrency.split(",") if part.strip()]
    if not levels or min(levels) < 1 or max(levels) > 64 or not 0 < args.seconds <= 300:
        raise SystemExit("--concurrency takes 1..64 workers per level; --seconds (0, 300]")
    if not 0 <= args.memory_requests <= 100_000 or not 0 <= args.writers <= 64:
        raise SystemExit("--memory-requests at most 100,000; --writers at most 64")
    if not 0 <= args.retention_seconds <= 86_400 * 400:
        raise SystemExit("--retention-seconds: 0 (the deployment's) up to 400 days")
    customers = _customers(max(levels) + 1)
    report: dict[str, Any] = {"seconds_per_level": args.seconds, "connections": args.connections, "levels": []}
    if args.retention_seconds:
        report["retention_seconds"] = args.retention_seconds
    bench_server = functools.partial(
        BenchServer,
        retention_seconds=args.retention_seconds,
        keep_alive=args.connections == "keep-alive",
        profile=args.profile,
    )
    with tempfile.TemporaryDirectory(prefix="voicecart-bench-") as tmp, bench_server(Path(tmp), customers) as server:
        for workers in levels:
            report["levels"].append(server.level(workers, customers[:workers], seconds=args.seconds))
        if args.writers:
            report["one_cart"] = server.one_cart(customers[-1], writers=args.writers, adds=args.adds_per_writer)
        if args.memory_requests:
            report["memory"] = server.memory(customers[: min(16, len(customers))], requests=args.memory_requests)
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    if args.plot:
        from backend.bench import plots

        print(f"plot: {plots.load_plot(report, args.plot)}", file=sys.stderr)
    return 0


def _customers(count: int) -> list[str]:
    """Demo customers with the most orders first: their history turns do the most work."""
    histories = load_histories(PACKAGE_DATA_DIR / "customers_sample.csv", last_order_on=datetime.now(UTC).date())
    ranked = sorted(histories.items(), key=lambda pair: (-len(pair[1].orders), pair[0]))
    return [customer_id for customer_id, _ in ranked[:count]]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    apologies: int = 0
    turns: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int, speech: str) -> None:
        with self.lock:
            self.turns += 1
            self.latencies[kind].append(seconds)
            if status != 200:
                self.errors[str(status)] += 1
            elif any(words in speech for words in APOLOGIES):
                self.apologies += 1


class Client:
    """One customer's device: a connection it reuses (unless ``keep_alive`` is off: then one per turn), signed
    requests, the session carried between turns."""

    def __init__(self, port: int, signer: LocalSigner, customer_id: str, *, keep_alive: bool = True) -> None:
        self._port = port
        self._signer = signer
        self._keep_alive = keep_alive
        self._connection: http.client.HTTPConnection | None = None
        self.connections_opened = 0
        token = demo_token_for(customer_id, DEMO_TOKEN_SECRET)
        self._identity = env.Identity(
            user_id=f"amzn1.ask.account.bench-{customer_id}",
            device_id=f"amzn1.ask.device.bench-{uuid.uuid4().hex[:8]}",
            access_token=token,
        )
        self._session_id = ""
        self._attributes: dict[str, Any] = {}
        self._new = True
        self.turn_kind = ""  # named to the server in the X-Bench-Turn header (its CPU meter)

    def new_session(self) -> None:
        self._session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self._attributes = {}
        self._new = True

    def launch(self) -> tuple[int, str]:
        self.new_session()
        return self._send(env.launch_request(self._request_id(), datetime.now(UTC), "en-US"))

    def intent(self, name: str, slots: dict[str, str] | None = None) -> tuple[int, str]:
        intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if slots:
            intent["slots"] = {
                slot: {"name": slot, "value": value, "confirmationStatus": "NONE", "source": "USER"}
                for slot, value in slots.items()
            }
        request = env.intent_request(self._request_id(), datetime.now(UTC), "en-US", intent, None)
        return self._send(request)

    def _request_id(self) -> str:
        return f"amzn1.echo-api.request.{uuid.uuid4()}"

    def _send(self, request: dict[str, Any]) -> tuple[int, str]:
        session = env.SessionInfo(session_id=self._session_id, new=self._new, attributes=self._attributes)
        body, headers = self._signer.sign_envelope(
            env.envelope(request, skill_id=DEMO_SKILL_ID, identity=self._identity, session=session)
        )
        self._new = False
        headers = {**headers, "Content-Type": "application/json"}
        if self.turn_kind:
            headers[turn_meter.HEADER] = self.turn_kind
        status, reply = self._post(body, headers)
        if status != 200:
            return status, ""
        answer = json.loads(reply)
        self._attributes = answer.get("sessionAttributes") or {}
        speech = str((answer.get("response", {}).get("outputSpeech") or {}).get("ssml", ""))
        if answer.get("response", {}).get("shouldEndSession"):
            self.new_session()
        return status, speech

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if not self._keep_alive:
            headers = {**headers, "Connection": "close"}
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            try:
                if self._connection.sock is None:  # http.client connects (again) on its own; count each one
                    self._connection.connect()
                    self.connections_opened += 1
                self._connection.request("POST", "/alexa", body=body, headers=headers)
                response = self._connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self._connection.close()
                self._connection = None
                if attempt:
                    return 0, b""
        return 0, b""

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def timed(tally: Tally, kind: str, call: Callable[[], tuple[int, str]], client: Client | None = None) -> str:
    if client is not None:
        client.turn_kind = kind
    started = time.perf_counter()
    status, speech = call()
    tally.record(kind, time.perf_counter() - started, status, speech)
    return speech


def session(client: Client, tally: Tally, product: str) -> None:
    """launch, add, read, history, checkout, yes: one visit."""
    timed(tally, "launch", client.launch, client)
    timed(tally, "add", lambda: client.intent("AddToCartIntent", {"product": product}), client)
    timed(tally, "read", lambda: client.intent("ReadCartIntent"), client)
    timed(tally, "history", lambda: client.intent("LastOrderIntent"), client)
    timed(tally, "checkout", lambda: client.intent("CheckoutIntent"), client)
    timed(tally, "confirm", lambda: client.intent("AMAZON.YesIntent"), client)


class BenchServer:
    def __init__(
        self,
        directory: Path,
        customers: list[str],
        *,
        retention_seconds: float = 0.0,
        keep_alive: bool = True,
        profile: Path | None = None,
    ) -> None:
        self._profile = profile
        self._keep_alive = keep_alive
        self._signer_dir = directory / "signer"
        self._customers = customers
        self._retention = retention_seconds
        self._process: subprocess.Popen[str] | None = None
        self.port = 0
        self.api_key = ""
        self.signer: LocalSigner | None = None

    def __enter__(self) -> BenchServer:
        self.signer = init_local_signer(self._signer_dir)
        self._process = subprocess.Popen(  # noqa: S603 - our own module, with our own arguments
            [
                sys.executable,
                "-m",
                "skill.bench.load_server",
                str(self._signer_dir),
                ",".join(self._customers),
                str(self._retention),
                str(self._profile.resolve()) if self._profile else "",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        announced = json.loads(self._process.stdout.readline())
        self.port, self.api_key = int(announced["port"]), str(announced["api_key"])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            try:
                self._process.stdin.write("quit\n")
                self._process.stdin.flush()
                self._process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait(timeout=5)

    def stats(self) -> dict[str, int]:
        return self._ask("stats")

    def kinds(self) -> dict[str, int]:
        """Items the store holds, by kind (``EVENT``, ``REQ``, ``ORDER``...)."""
        return self._ask("kinds")

    def _ask(self, command: str) -> dict[str, int]:
        answer: dict[str, int] = self._ask_json(command)
        return answer

    def _ask_json(self, command: str) -> Any:
        assert self._process is not None and self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(f"{command}\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def _client(self, customer_id: str) -> Client:
        assert self.signer is not None
        return Client(self.port, self.signer, customer_id, keep_alive=self._keep_alive)

    def level(self, workers: int, customers: list[str], *, seconds: float) -> dict[str, Any]:
        clients = [self._client(customer_id) for customer_id in customers]
        warm = Tally()
        for client in clients:  # first turns of a customer open a connection and read cold state
            session(client, warm, PRODUCTS[0])
        tally = Tally()
        self._ask_json("meter")  # from here: the warm-up's turns are not this level's
        before = self.stats()
        deadline = time.monotonic() + seconds
        started = time.perf_counter()

        def work(index: int) -> None:
            client, n = clients[index], 0
            while time.monotonic() < deadline and tally.turns < MAX_TURNS_PER_LEVEL:
                session(client, tally, PRODUCTS[(index + n) % len(PRODUCTS)])
                n += 1

        opened_before = sum(client.connections_opened for client in clients)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, range(workers)))
        elapsed = time.perf_counter() - started
        after = self.stats()
        cpu = self._ask_json("meter")
        opened = sum(client.connections_opened for client in clients) - opened_before
        for client in clients:
            client.close()
        return {
            "concurrency": workers,
            "turns": tally.turns,
            "turns_per_second": round(tally.turns / elapsed, 1),
            "all": summary_ms([s for kind in KINDS for s in tally.latencies[kind]]),
            "kinds": {kind: summary_ms(tally.latencies[kind]) for kind in KINDS},
            "store_calls_per_turn": round((after["store_calls"] - before["store_calls"]) / max(tally.turns, 1), 2),
            "connections_opened": opened,
            # The server's own CPU per turn: on a shared machine a steadier figure than turns per second.
            "server_cpu_ms_per_turn": round((after["cpu_ms"] - before["cpu_ms"]) / max(tally.turns, 1), 2),
            # Each request's own thread CPU, by kind and "all": median, mean, the mean's parts (skill.bench.turn_meter)
            "turn_cpu_ms": cpu,
            "store_refusals": after["refused"] - before["refused"],
            "errors": dict(tally.errors),
            "apologies": tally.apologies,
        }

    def one_cart(self, customer_id: str, *, writers: int, adds: int) -> dict[str, Any]:
        """``writers`` devices of one household add at once, each its own product, ``adds`` times."""
        self._clear_cart(customer_id)
        outcomes: Counter[str] = Counter()
        acknowledged: Counter[str] = Counter()
        latencies: list[float] = []
        lock = threading.Lock()
        others: list[str] = []
        products = self._distinct_products(writers, customer_id)

        def write(index: int) -> None:
            client = self._client(customer_id)
            client.launch()
            for _ in range(adds):
                started = time.perf_counter()
                status, speech = client.intent("AddToCartIntent", {"product": products[index][1]})
                elapsed = time.perf_counter() - started
                kind = _add_outcome(status, speech)
                with lock:
                    latencies.append(elapsed)
                    outcomes[kind] += 1
                    if kind == "ack":
                        acknowledged[products[index][0]] += 1
                    elif kind == "other" and len(others) < 3:
                        others.append(speech[:120])
            client.close()

        with ThreadPoolExecutor(max_workers=writers) as pool:
            list(pool.map(write, range(writers)))
        in_cart = self._cart_quantities(customer_id)
        # Each acknowledged add put one unit in the cart; each refused one put nothing. Compared in total (the
        # resolver may hear a name as a neighbouring product) and per product.
        units = sum(in_cart.values())
        return {
            "writers": writers,
            "adds": writers * adds,
            "acknowledged": outcomes["ack"],
            "refused_with_apology": outcomes["apology"],
            "other_answers": outcomes["other"],
            "other_examples": others,
            "http_errors": outcomes["error"],
            "units_in_cart": units,
            "applied_but_denied": max(0, units - outcomes["ack"]),
            "lost": max(0, outcomes["ack"] - units),
            "per_product_mismatches": sum(acknowledged[p] != in_cart.get(p, 0) for p, _ in products),
            "latency": summary_ms(latencies),
        }

    def memory(self, customers: list[str], *, requests: int) -> dict[str, Any]:
        clients = [self._client(customer_id) for customer_id in customers]
        tally = Tally()
        samples = [self._memory_sample(0)]
        kinds = [self.kinds()]
        step = max(requests // MEMORY_SAMPLES, 1)
        next_sample = step

        def work(index: int) -> None:
            n = 0
            while tally.turns < requests:
                session(clients[index], tally, PRODUCTS[(index + n) % len(PRODUCTS)])
                n += 1

        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            futures = [pool.submit(work, index) for index in range(len(clients))]
            while not all(future.done() for future in futures):
                if tally.turns >= next_sample:
                    samples.append(self._memory_sample(tally.turns))
                    if len(samples) == MEMORY_SAMPLES // 2 + 1:
                        kinds.append(self.kinds())  # the start of the last half
                    # As it goes, on stderr: a long run that is cut short still leaves its samples.
                    print(f"memory sample {json.dumps(samples[-1])}", file=sys.stderr, flush=True)
                    next_sample += step
                time.sleep(0.2)
        samples.append(self._memory_sample(tally.turns))
        kinds.append(self.kinds())
        for client in clients:
            client.close()
        return {
            "turns": tally.turns,
            **memory_figures(samples, kinds),
            "errors": dict(tally.errors),
            "apologies": tally.apologies,
        }

    def _memory_sample(self, turns: int) -> dict[str, int]:
        """RSS and store counters, and the KiB of items held without a TTL (kept: orders...) and with one."""
        held = self._ask("bytes")
        return {
            "turns": turns,
            **self.stats(),
            "kept_kb": held["kept"] // 1024,
            "expiring_kb": held["expiring"] // 1024,
        }

    # -- the API, for what the voice turns cannot show --------------------------------------------------------
    def _api(self, method: str, path: str) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, "/api/v1" + path, headers={"Authorization": f"Bearer {self.api_key}"})
            response = connection.getresponse()
            return json.loads(response.read() or b"{}")
        finally:
            connection.close()

    def _clear_cart(self, customer_id: str) -> None:
        self._api("DELETE", f"/customers/{customer_id}/cart")

    def _cart_quantities(self, customer_id: str) -> dict[str, int]:
        cart = self._api("GET", f"/customers/{customer_id}/cart")
        return {line["product_id"]: int(line["quantity"]) for line in cart.get("lines", [])}

    def _distinct_products(self, count: int, customer_id: str) -> list[tuple[str, str]]:
        """(id, spoken name) of ``count`` catalog products whose names the server's resolver accepts, for this
        customer, as those products (an add of one is answered without a question)."""

        def accepts(names: list[str]) -> dict[str, str | None]:
            answer: dict[str, str | None] = self._ask_json(
                f"accepts {json.dumps({'customer': customer_id, 'names': names})}"
            )
            return answer

        return products_named_as_themselves(count, accepts)


def products_named_as_themselves(
    count: int, accepts: Callable[[list[str]], dict[str, str | None]], *, batch: int = 32
) -> list[tuple[str, str]]:
    """(id, spoken name) of the first ``count`` catalog products with a plain name (two or three words, letters only)
    that ``accepts`` (names -> the product each is accepted as, or ``None``) accepts as that very product."""
    from backend.catalog import load_default_catalog

    plain = [
        (product.id, name)
        for product in load_default_catalog()
        if (name := product.name.lower()).isascii() and 2 <= len(name.split()) <= 3 and name.replace(" ", "").isalpha()
    ]
    chosen: list[tuple[str, str]] = []
    for start in range(0, len(plain), batch):
        candidates = plain[start : start + batch]
        accepted = accepts([name for _, name in candidates])
        chosen.extend((product_id, name) for product_id, name in candidates if accepted.get(name) == product_id)
        if len(chosen) >= count:
            break
    if len(chosen) < count:  # one writer per product: fewer products would leave writers without one
        raise ValueError(f"only {len(chosen)} plain product names are accepted as themselves; {count} writers asked")
    return chosen[:count]


def slope_per_1000(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y against x, per 1000 of x (0 for fewer than two distinct x)."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if not spread:
        return 0.0
    return 1000 * sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def memory_figures(samples: list[dict[str, int]], kinds: list[dict[str, int]]) -> dict[str, Any]:
    """RSS and items against turns: whole-run and last-half slopes, and which kinds of item the last half added.

    The last half is what flat is judged on: by then caches that fill once (parsed expressions, resolver memos) are
    full and, with a retention shorter than the first half, what expires goes as fast as it comes."""
    first, last = samples[0], samples[-1]
    half = [sample for sample in samples if sample["turns"] >= last["turns"] / 2]
    middle = half[0]
    rss_slope = slope_per_1000([(sample["turns"], sample["rss_kb"]) for sample in half])
    kept_slope = slope_per_1000([(sample["turns"], sample.get("kept_kb", 0)) for sample in half])
    turns = max(last["turns"] - first["turns"], 1)
    half_turns = max(half[-1]["turns"] - half[0]["turns"], 1)
    middle_kinds, last_kinds = kinds[-2] if len(kinds) > 2 else kinds[0], kinds[-1]
    return {
        "samples": samples,
        "rss_growth_kb_per_1000_turns": round((last["rss_kb"] - first["rss_kb"]) * 1000 / turns, 1),
        "rss_kb": {"start": first["rss_kb"], "middle": middle["rss_kb"], "end": last["rss_kb"]},
        "rss_slope_kb_per_1000_turns_last_half": round(rss_slope, 1),
        # Items without a TTL (orders above all) are customer data the mix keeps placing: their bytes grow by
        # design. What RSS grows beyond them is growth nothing accounts for; flat means that is about nothing.
        "kept_items_slope_kb_per_1000_turns_last_half": round(kept_slope, 1),
        "rss_slope_net_of_kept_kb_per_1000_turns_last_half": round(rss_slope - kept_slope, 1),
        "rss_kb_last_half": {"min": min(s["rss_kb"] for s in half), "max": max(s["rss_kb"] for s in half)},
        "items_per_1000_turns": round((last["items"] - first["items"]) * 1000 / turns, 1),
        "items_slope_per_1000_turns_last_half": round(
            slope_per_1000([(sample["turns"], sample["items"]) for sample in half]), 1
        ),
        "stream_records": {"start": first.get("stream_records", 0), "end": last.get("stream_records", 0)},
        "expired": last.get("expired", 0) - first.get("expired", 0),
        # items added per 1000 turns in the last half, by kind (what is kept, e.g. orders, and anything that is not
        # expiring as it should)
        "kinds_per_1000_turns_last_half": {
            kind: round((last_kinds.get(kind, 0) - middle_kinds.get(kind, 0)) * 1000 / half_turns, 1)
            for kind in sorted(set(last_kinds) | set(middle_kinds))
            if last_kinds.get(kind, 0) != middle_kinds.get(kind, 0)
        },
        "kinds_held_last": last_kinds,
    }


def _add_outcome(status: int, speech: str) -> str:
    """ack: the add was confirmed (skill/speech cart.added); apology: a failure was spoken; other: anything else
    (a question back, a product not found)."""
    if status != 200:
        return "error"
    if any(words in speech for words in APOLOGIES):
        return "apology"
    # The confirmation may follow a note about a question this add dropped ("I didn't add that. Okay, 1 ..."); an
    # add to a line already in the cart says its new total (cart.added_to_line: "Okay, that makes 4 ...").
    if "Added " in speech or re.search(r"(<speak>|\. )(Okay|Done), (that makes )?\d+ .* in your ", speech):
        return "ack"
    return "other"


def _print(report: dict[str, Any]) -> None:
    header = (
        f"{'conc':>4} {'turns':>6} {'turns/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}  "
        + "  ".join(f"{kind + ' p50/p99':>17}" for kind in KINDS)
        + f" {'calls/turn':>10} {'refused':>7} {'errors':>6} {'apolog.':>7} {'conns':>6} {'cpu ms/turn':>11}"
    )
    connections = "reused (keep-alive)" if report.get("connections") == "keep-alive" else "closed after every turn"
    print(
        f"signed voice turns against a serve-like server; {report['seconds_per_level']} s per level (ms); "
        f"connections {connections}"
    )
    print(header)
    print("-" * len(header))
    for level in report["levels"]:
        kinds = "  ".join(f"{level['kinds'][k]['p50_ms']:>8}/{level['kinds'][k]['p99_ms']:<8}" for k in KINDS)
        print(
            f"{level['concurrency']:>4} {level['turns']:>6} {level['turns_per_second']:>8} "
            f"{level['all']['p50_ms']:>7} {level['all']['p95_ms']:>7} {level['all']['p99_ms']:>7}  {kinds}"
            f" {level['store_calls_per_turn']:>10} {level['store_refusals']:>7} {sum(level['errors'].values()):>6}"
            f" {level['apologies']:>7} {level['connections_opened']:>6} {level['server_cpu_ms_per_turn']:>11}"
        )
    _print_cpu(report)
    if "one_cart" in report:
        print(f"\none cart, concurrent writers: {json.dumps(report['one_cart'])}")
    if "memory" in report:
        memory = report["memory"]
        retention = report.get("retention_seconds")
        rss = memory["rss_kb"]
        print(
            f"\nmemory over {memory['turns']} turns"
            f" (retention {f'{retention:g} s' if retention else 'as deployed'}): "
            f"RSS start/middle/end {rss['start']}/{rss['middle']}/{rss['end']} KiB, "
            f"+{memory['rss_growth_kb_per_1000_turns']} KiB per 1000 turns overall; last half: RSS slope "
            f"{memory['rss_slope_kb_per_1000_turns_last_half']} KiB per 1000 turns, of which items kept without a TTL "
            f"(orders...: customer data, kept by design) {memory['kept_items_slope_kb_per_1000_turns_last_half']}, "
            f"net of them {memory['rss_slope_net_of_kept_kb_per_1000_turns_last_half']} "
            f"(RSS {memory['rss_kb_last_half']['min']}..{memory['rss_kb_last_half']['max']} KiB)"
        )
        print(
            f"  items +{memory['items_per_1000_turns']} per 1000 turns overall, last-half slope "
            f"{memory['items_slope_per_1000_turns_last_half']}; held at the end {memory['kinds_held_last']}; "
            f"stream records start/end {memory['stream_records']['start']}/{memory['stream_records']['end']}; "
            f"expired {memory['expired']}; errors {memory['errors']}, apologies {memory['apologies']}"
        )
        print(f"  items added per 1000 turns in the last half, by kind: {memory['kinds_per_1000_turns_last_half']}")
        for sample in memory["samples"]:
            print(f"  {json.dumps(sample)}")


def _print_cpu(report: dict[str, Any]) -> None:
    """Thread CPU per turn in the server, by kind: median and mean, and the mean split skill / botocore / moto."""
    print(
        "\nserver CPU per turn, by kind (ms of the request thread; median, mean = skill + botocore + moto; "
        "'all' beside the process's CPU per turn)"
    )
    for level in report["levels"]:
        cpu = level.get("turn_cpu_ms") or {}
        cells = []
        for kind in ("all", *KINDS):
            figures = cpu.get(kind)
            if figures and figures["n"]:
                cells.append(
                    f"{kind} {figures['cpu_ms_p50']}/{figures['cpu_ms_mean']}"
                    f" = {figures['skill_ms']}+{figures['store_botocore_ms']}+{figures['store_moto_ms']}"
                )
        print(f"{level['concurrency']:>4} process {level['server_cpu_ms_per_turn']}  " + "  ".join(cells))
