"""``voicecart bench erase``: does ``DELETE /customers/{id}`` leave anything behind, or let anything back?

What ``voicecart serve`` runs (embedded store, demo customers, the real app and verifier), served over HTTP on
loopback, in this process so the check can read the table and its stream afterwards. A demo customer talks
(launch, adds by voice) and is written to by the API; then, while voice turns and API adds for that customer keep
arriving from several threads, a privacy key erases them. Afterwards it counts:

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
from typing import Any

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
                "items_with_alexa_id": sum(
                    1 for item in _scan(backend) if _user_id(customer) in json.dumps(item, default=str)
                ),
                "stream_records": len(_stream_about(backend, stream, customer, user_id=_user_id(customer))),
            }
            race = _Race(port, signer, api, customer, writers=writers)
            race.start()
            time.sleep(0.5)
            held_cart = backend.shopping.cart(customer)  # a turn that read its state before the erase ...
            erased_status, receipt = _Api(port, privacy_key).call("DELETE", f"/customers/{customer}")
            held_write = _write_after(backend, customer, held_cart)  # ... and writes after it, redaction and all
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
        "held_write": held_write,
        **after,
        "neighbour_items": neighbour_items,
    }
    report["ok"] = bool(
        erased_status == 200
        and held_write == "refused"
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
    """Threads adding for the customer by voice and by API until stopped: what is in flight during the erase."""

    def __init__(self, port: int, signer: Any, api: _Api, customer: str, *, writers: int) -> None:
        self._port, self._signer, self._api, self._customer = port, signer, api, customer
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(writers)]
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
            if (index + turn) % 2:
                status, _ = device.intent("AddToCartIntent", {"product": ADD_WORDS[turn % len(ADD_WORDS)]})
                kind = f"voice {status}"
            else:
                body = {"product_id": str(1 + turn % 5), "quantity": 1}
                status, _ = self._api.call("POST", f"/customers/{self._customer}/cart/items", body)
                kind = f"api {status}"
            with self._lock:
                self.statuses[kind] = self.statuses.get(kind, 0) + 1
            turn += 1

    def figures(self) -> dict[str, int]:
        return dict(sorted(self.statuses.items()))


def _write_after(backend: Backend, customer: str, cart: Any) -> str:
    """A turn in flight during the erase: its caller resolved and its cart read before, its write sent after the
    erase finished. "refused" is the only right answer (nothing of it may reach the table or its stream)."""
    at = backend.clock().isoformat(timespec="seconds")
    try:
        backend.shopping.change_cart(
            customer,
            lambda before: before.with_added("1", 1, channel="voice", at=at),
            request_id="bench-erase-held-turn",
            cart=cart,
        )
    except CustomerErased:
        return "refused"
    except VoicecartError as error:
        return f"failed otherwise: {type(error).__name__}"
    return "applied"


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
    text = json.dumps(tombstone_items, default=str)
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
    return json.dumps(item, default=str)


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
    return [
        item
        for item in _scan(backend)
        if item["pk"] != f"ERASED#{customer}" and names.search(json.dumps(item, default=str))
    ]


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
                text = json.dumps(record, default=str)
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
        f"a write read before and sent after the erase: {report['held_write']}"
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
