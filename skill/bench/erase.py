"""``voicecart bench erase``: does ``DELETE /customers/{id}`` leave anything behind, or let anything back?

What ``voicecart serve`` runs (embedded store, demo customers, the real app and verifier), served over HTTP on
loopback, in this process so the check can read the table and its stream afterwards. A demo customer talks
(launch, adds by voice) and is written to by the API; then, while voice turns, API adds, API events and voice-code
changes for that customer keep arriving from several threads and the demo's history import of them runs again, a
privacy key erases them. Writes that were decided before the erase are then sent after it (a voice turn's cart
write, an API event's idempotency fingerprint, the support tool's voice code, a history import): each must be
refused. Afterwards it counts:

- items that still name the customer (apart from the tombstone), and stream records that still hold their data
  (the embedded store redacts them into pointers to the tombstone);
- whether the old token still resolves, whether the demo would provision them again, what a voice turn with the
  old token hears and writes, what the API answers to a read and to writes (cart, event, alias);
- whether the tombstone holds anything personal (the Alexa user id, the token, a product or order key);
- that the neighbour's data is untouched.

Usage::

    voicecart bench erase [--customer 1285] [--writers 4] [--json]

Exit status 1 when anything of the customer is left, comes back, or the old token still works.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from backend.api.idempotency import RequestFingerprints
from backend.demo import import_history
from backend.errors import CustomerErased, UnknownAccessToken, VoicecartError
from backend.identity.clients import DEMO_KEY_SCOPES, create_api_client
from backend.identity.tokens import demo_token_for
from backend.outbound.streams import make_streams_client
from backend.profile.erasure import customer_of_record
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.codec import from_attribute_values
from backend.store.embedded import store_for
from skill.app import API_PREFIX, create_app
from skill.bench.load import Client
from skill.bench.stats import quiet_logs, served_on_loopback
from skill.simulator.signing import LocalCertificateAuthority
from skill.verification import build_verifiers

ADD_WORDS = ("bananas", "oat milk", "eggs", "sourdough bread")


def register(bench_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = bench_commands.add_parser("erase", help="what is left of a customer, and what comes back, after erase")
    parser.add_argument("--customer", default="1285", help="the demo customer to erase")
    parser.add_argument("--writers", type=int, default=4, help="threads adding for the customer during the erase")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.writers <= 32:
        raise SystemExit("--writers must be in 0..32")
    quiet_logs()
    report = measure(args.customer, writers=args.writers)
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0 if report["ok"] else 1


def measure(customer: str, *, writers: int) -> dict[str, Any]:
    signer = LocalCertificateAuthority.create().issue_signer()
    settings = Settings.load(load_demo_data=False, log_level="ERROR")
    # A table of its own: moto's tables live as long as the process, and a second run in it (a test) starts afresh.
    settings = dataclasses.replace(settings, table_name=f"voicecart-erase-{secrets.token_hex(4)}")
    with store_for(settings) as reachable:
        backend = build_backend(reachable, demo=True)
        assert backend.demo is not None
        neighbour = next(c.customer_id for c in backend.demo.customers() if c.customer_id != customer)
        for someone in (customer, neighbour):
            if not backend.demo.provision(someone):
                raise SystemExit(f"customer {someone} is not a demo customer")
        verifiers = build_verifiers(reachable, trust_roots=signer.trust_roots, cert_fetcher=signer.cert_fetcher())
        app = create_app(reachable, backend=backend, verifiers=verifiers)
        shop_key = create_api_client(backend.table, name="web shop", channel="web", scopes=DEMO_KEY_SCOPES)["api_key"]
        privacy_key = create_api_client(backend.table, name="privacy desk", channel="web", scopes=("read", "privacy"))[
            "api_key"
        ]
        with served_on_loopback(app) as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            api = _Api(port, shop_key)
            device = Client(port, signer, customer)
            device.launch()
            for words in ADD_WORDS[:2]:
                device.intent("AddToCartIntent", {"product": words})
            api.call("POST", f"/customers/{customer}/cart/items", {"product_id": "1", "quantity": 1})
            Client(port, signer, neighbour).launch()
            stream = make_streams_client(reachable)
            before = {
                "items": len(_items_about(backend, customer)),
                "items_with_alexa_id": sum(1 for item in _scan(backend) if _user_id(customer) in _text(item)),
                "stream_records": len(_stream_about(backend, stream, customer, user_id=_user_id(customer))),
            }
            race = _Race(port, signer, api, customer, writers=writers, backend=backend)
            race.start()
            time.sleep(0.5)
            held_cart = backend.shopping.cart(customer)  # a turn that read its state before the erase ...
            erased_status, receipt = _Api(port, privacy_key).call("DELETE", f"/customers/{customer}")
            held_writes = _writes_after(backend, customer, held_cart)  # ... and writes after it, redaction and all
            time.sleep(1.0)
            race.stop()
            after = _after(backend, stream, api, port=port, signer=signer, customer=customer)
            neighbour_items = len(_items_about(backend, neighbour))
    left_items = after["items_left"]
    report = {
        "customer": customer,
        "before": before,
        "erase_status": erased_status,
        "receipt_total": receipt.get("total") if isinstance(receipt, dict) else None,
        "stream_records_redacted": receipt.get("stream_records_redacted") if isinstance(receipt, dict) else None,
        "race": race.figures(),
        "held_write": held_writes["cart"],
        "held_writes": held_writes,
        **after,
        "neighbour_items": neighbour_items,
    }
    report["ok"] = bool(
        erased_status == 200
        and all(outcome == "refused" for outcome in held_writes.values())
        and not left_items
        and not after["stream_records_left"]
        and not after["token_resolves"]
        and not after["demo_reprovisions"]
        and after["voice_after"]["link_account"]
        and all(400 <= status < 500 for status in after["api_after"].values())
        and not after["tombstone_personal"]
        and after["tombstone_status"] == "erased"
        and neighbour_items > 0
    )
    return report


class _Api:
    def __init__(self, port: int, key: str) -> None:
        self._port = port
        self._key = key

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
        headers = {"Authorization": f"Bearer {self._key}", "Content-Type": "application/json"}
        try:
            connection.request(method, API_PREFIX + path, body=json.dumps(body) if body else None, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            return 0, None
        finally:
            connection.close()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None


class _Race:
    """Threads writing for the customer until stopped, what is in flight during the erase: adds by voice and by API,
    API events (each with its idempotency fingerprint) and voice-code changes, and the demo's history import of
    them (as a provisioning in another process would)."""

    def __init__(self, port: int, signer: Any, api: _Api, customer: str, *, writers: int, backend: Backend) -> None:
        self._port, self._signer, self._api, self._customer = port, signer, api, customer
        self._backend = backend
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(writers)]
        if writers:  # the demo's history import, as another process provisioning them
            self._threads.append(threading.Thread(target=self._import, daemon=True))
        self._lock = threading.Lock()
        self.statuses: dict[str, int] = {}

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _work(self, index: int) -> None:
        device = Client(self._port, self._signer, self._customer)
        device.launch()
        turn = 0
        while not self._stop.is_set():
            step = (index + turn) % 4
            if step == 1:
                status, _ = device.intent("AddToCartIntent", {"product": ADD_WORDS[turn % len(ADD_WORDS)]})
                kind = f"voice {status}"
            elif step == 0:
                body = {"product_id": str(1 + turn % 5), "quantity": 1}
                status, _ = self._api.call("POST", f"/customers/{self._customer}/cart/items", body)
                kind = f"api cart {status}"
            elif step == 2:  # an event with its idempotency fingerprint, written after the event
                event = {**_event_after(self._backend), "event_id": f"race-{index}-{turn}"}
                status, _ = self._api.call("POST", f"/customers/{self._customer}/events", event)
                kind = f"api event {status}"
            else:
                status, _ = self._api.call("PUT", f"/customers/{self._customer}/voice-code", {"code": "2468"})
                kind = f"api voice-code {status}"
            with self._lock:
                self.statuses[kind] = self.statuses.get(kind, 0) + 1
            turn += 1

    def _import(self) -> None:
        backend = self._backend
        assert backend.demo is not None
        history = backend.demo.histories[self._customer]
        while not self._stop.is_set():
            written = import_history(backend.table, history, backend.catalog, backend.settings)
            kind = "import wrote" if written else "import refused"
            with self._lock:
                self.statuses[kind] = self.statuses.get(kind, 0) + 1

    def figures(self) -> dict[str, int]:
        return dict(sorted(self.statuses.items()))


def _writes_after(backend: Backend, customer: str, cart: Any) -> dict[str, str]:
    """Writes in flight during the erase: each decided (its caller resolved, its state read) before, and sent after
    the erase finished. "refused" is the only right answer (nothing of them may reach the table or its stream).

    - cart: a voice turn's add, on the cart it read;
    - api fingerprint: an API event's idempotency fingerprint, written after its event committed;
    - voice code: the code set by the support tool (``Shopping.set_voice_code``);
    - history import: the demo's import of their past orders, started by a provisioning that checked before."""
    at = backend.clock().isoformat(timespec="seconds")
    assert backend.demo is not None
    history = backend.demo.histories[customer]
    writes: dict[str, Callable[[], bool]] = {  # each says whether it wrote (a refusal raises CustomerErased)
        "cart": lambda: (
            not backend.shopping.change_cart(
                customer,
                lambda before: before.with_added("1", 1, channel="voice", at=at),
                request_id="bench-erase-held-turn",
                cart=cart,
            ).repeated
        ),
        "api fingerprint": lambda: _wrote(
            RequestFingerprints(backend.table).remember, customer, "bench-erase-held-event", "0" * 64
        ),
        "voice code": lambda: _wrote(backend.shopping.set_voice_code, customer, "1357"),
        "history import": lambda: import_history(backend.table, history, backend.catalog, backend.settings) > 0,
    }
    outcomes: dict[str, str] = {}
    for name, write in writes.items():
        try:
            outcomes[name] = "applied" if write() else "refused"
        except CustomerErased:
            outcomes[name] = "refused"
        except VoicecartError as error:
            outcomes[name] = f"failed otherwise: {type(error).__name__}"
    return outcomes


def _after(backend: Backend, stream: Any, api: _Api, *, port: int, signer: Any, customer: str) -> dict[str, Any]:
    token = demo_token_for(customer, backend.settings.demo_token_secret.encode())
    try:
        backend.tokens.customer_for_token(token)
        token_resolves = True
    except UnknownAccessToken:
        token_resolves = False
    assert backend.demo is not None
    again = Client(port, signer, customer)
    launch_status, launch_speech = again.launch()
    add_status, add_speech = again.intent("AddToCartIntent", {"product": "bananas"})
    api_after = {
        "GET cart": api.call("GET", f"/customers/{customer}/cart")[0],
        "POST cart/items": api.call("POST", f"/customers/{customer}/cart/items", {"product_id": "1", "quantity": 1})[0],
        "POST events": api.call("POST", f"/customers/{customer}/events", _event_after(backend))[0],
        "POST identities": api.call(
            "POST", f"/customers/{customer}/identities", {"kind": "email", "value": "back@example.com"}
        )[0],
        "GET profile": api.call("GET", f"/customers/{customer}/profile")[0],
    }
    demo_reprovisions = backend.demo.provision(customer)
    tombstone_items = [item for item in _scan(backend) if item["pk"] == f"ERASED#{customer}"]
    personal = (_user_id(customer), token, "ORDER#", "IDENT#", "CART", "Banana", "banana")
    text = _text(tombstone_items)
    left = _items_about(backend, customer)
    held = _stream_about(backend, stream, customer, user_id=_user_id(customer))
    return {
        "items_left": len(left),
        "items_left_examples": [f"{item['pk']} {item['sk']}" for item in left[:5]],
        "stream_records_left": len(held),
        "stream_records_left_examples": [_record_label(record) for record in held[:5]],
        "token_resolves": token_resolves,
        "demo_reprovisions": demo_reprovisions,
        "voice_after": {
            "launch_status": launch_status,
            "add_status": add_status,
            "link_account": "link your account" in launch_speech and "link your account" in add_speech,
        },
        "api_after": api_after,
        "tombstones": len(tombstone_items),
        "tombstone_status": tombstone_items[0].get("status") if tombstone_items else None,
        "tombstone_fields": sorted(tombstone_items[0]) if tombstone_items else [],
        "tombstone_personal": [word for word in personal if word in text],
    }


def _wrote(write: Callable[..., None], *args: str) -> bool:
    write(*args)
    return True


def _event_after(backend: Backend) -> dict[str, str]:
    now = backend.clock().isoformat(timespec="seconds")
    return {
        "event_id": "after-erase",
        "channel": "web",
        "type": "product_viewed",
        "product_id": "1",
        "occurred_at": now,
    }


def _text(item: Any) -> str:
    """An item or record as searchable text. Binary attributes (a voice code's salt and digest) as hex: ``str`` of
    boto3's ``Binary`` is bytes, which ``json.dumps`` refuses."""
    return json.dumps(item, default=_plain)


def _plain(value: Any) -> str:
    raw = getattr(value, "value", value)
    return raw.hex() if isinstance(raw, bytes | bytearray) else str(value)


def _user_id(customer: str) -> str:
    """The Alexa user id ``skill.bench.load.Client`` talks as (the "before" figures show it was stored)."""
    return f"amzn1.ask.account.bench-{customer}"


def _scan(backend: Backend) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": backend.table.name, "ConsistentRead": True}
    while True:
        page = backend.table.client.scan(**kwargs)
        items.extend(from_attribute_values(item) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _names(customer: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(customer)}(?![0-9A-Za-z])")


def _items_about(backend: Backend, customer: str) -> list[dict[str, Any]]:
    """Every item that names the customer (their id as a whole word anywhere in it), apart from their tombstone."""
    names = _names(customer)
    return [item for item in _scan(backend) if item["pk"] != f"ERASED#{customer}" and names.search(_text(item))]


def _stream_about(backend: Backend, stream: Any, customer: str, *, user_id: str) -> list[dict[str, Any]]:
    """Stream records that still hold the customer's data: about them (not the tombstone), or naming their Alexa id."""
    table = backend.table.client.describe_table(TableName=backend.table.name)["Table"]
    arn = table["LatestStreamArn"]
    held: list[dict[str, Any]] = []
    for shard in stream.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = stream.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        while iterator:
            page = stream.get_records(ShardIterator=iterator, Limit=1000)
            for record in page["Records"]:
                text = _text(record)
                pk = record["dynamodb"]["Keys"]["pk"]["S"]
                about = customer_of_record(record) == customer and not pk.startswith("ERASED#")
                if about or f"CUST#{customer}" in text or user_id in text:
                    held.append(record)
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return held


def _record_label(record: dict[str, Any]) -> str:
    """Which record, without its data: event, sequence number, key."""
    data = record["dynamodb"]
    key = data["Keys"]
    return f"{record['eventName']} {data.get('SequenceNumber')} {key['pk']['S']} {key['sk']['S']}"


def _print(report: dict[str, Any]) -> None:
    print(f"erase of demo customer {report['customer']} (embedded store, served over HTTP on loopback)")
    before = report["before"]
    print(
        f"  before: {before['items']} items ({before['items_with_alexa_id']} with their Alexa id), "
        f"{before['stream_records']} stream records"
    )
    print(
        f"  DELETE /customers/{report['customer']}: {report['erase_status']}, {report['receipt_total']} items, "
        f"{report['stream_records_redacted']} stream records redacted; adds in flight: {report['race']}; "
        f"writes read before and sent after the erase: {report['held_writes']}"
    )
    print(
        f"  after: {report['items_left']} items left {report['items_left_examples']}, "
        f"{report['stream_records_left']} stream records with their data {report['stream_records_left_examples']}"
    )
    print(
        f"  old token resolves: {report['token_resolves']}; demo provisions again: {report['demo_reprovisions']}; "
        f"voice turn: {report['voice_after']}"
    )
    print(f"  API after: {report['api_after']}")
    print(
        f"  tombstones {report['tombstones']} ({report['tombstone_status']}), fields {report['tombstone_fields']}, "
        f"personal data in it: {report['tombstone_personal'] or 'none'}"
    )
    print(f"  neighbour's items: {report['neighbour_items']}")
    print("  OK" if report["ok"] else "  FAILED")
