"""What a hostile-corpus case is, as bytes on the wire: the Alexa corpus's interpreter and the API's cases.

An Alexa case (one JSON file in ``tests/fixtures/requests/hostile/``, written by ``tests/support/hostile.py``)
names a base request (``launch``, ``intent_add_to_cart``, ``session_ended``) and edits to it (``set``: JSON pointer
-> value, ``delete``: JSON pointers), or gives the body outright (``body``, ``raw``, ``raw_hex``, ``repeat``).
``repeat_key`` (``{"key": "request", "set": [...]}``) appends that top-level key a second time, its value edited.
``timestamp`` (``{"shift": seconds, "format": strftime pattern}``) sets the request's timestamp relative to the
moment it is sent, in a given spelling: a request just outside the 150 s window, or a fresh one spelled as Alexa
never spells it. ``signing`` says how it is signed: ``signed`` (the trusted signer), ``unsigned``, ``stranger``
(a signer nobody trusts) or ``tampered`` (signed, then the body changed); ``headers`` are set after signing.

An API case (``api_cases``) is one request to the cross-channel API that must be refused: bad or missing keys,
scopes the key lacks, extreme or malformed dates, odd unicode in ids and bodies, huge limits and bodies, wrong
types in every field. Each is a 4xx in JSON; a 2xx is an accepted hostile request.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from backend.settings import DEMO_SKILL_ID
from skill.simulator import envelope as env
from skill.simulator.matcher import Heard, HeardSlot
from skill.simulator.signing import LocalSigner

BaseEnvelope = Callable[[str], dict[str, Any]]
PROJECT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "requests" / "hostile"
CONTROL_BASES = ("launch", "intent_add_to_cart", "session_ended")


def load_alexa_cases(directory: Path) -> list[dict[str, Any]]:
    cases = []
    for path in sorted(directory.glob("*.json")):
        case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        cases.append(case)
    return cases


def bench_envelope(base: str) -> dict[str, Any]:
    """A fresh request of kind ``base`` from a device nobody linked (the corpus's cases must fail before that
    matters), for the skill id ``voicecart serve`` verifies by default."""
    moment = datetime.now(UTC)
    request_id = f"amzn1.echo-api.request.{uuid.uuid4()}"
    if base == "launch":
        request = env.launch_request(request_id, moment, "en-US")
    elif base == "session_ended":
        request = env.session_ended_request(request_id, moment, "en-US", "USER_INITIATED")
    elif base == "intent_add_to_cart":
        slots = {"product": "oat milk", "quantity": None, "unit": None}
        heard = Heard("AddToCartIntent", {"product": HeardSlot("product", "", "oat milk", None)})
        intent = env.intent_json(heard, dict.fromkeys(slots, ""), DEMO_SKILL_ID)
        request = env.intent_request(request_id, moment, "en-US", intent, "STARTED")
    else:
        raise KeyError(f"no base request named {base!r}")
    identity = env.Identity(user_id="amzn1.ask.account.HOSTILE", device_id="amzn1.ask.device.HOSTILE")
    session = env.SessionInfo(session_id=f"amzn1.echo-api.session.hostile-{base}", new=base == "launch", attributes={})
    return env.envelope(request, skill_id=DEMO_SKILL_ID, identity=identity, session=session)


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = _pointer(path)
    node: Any = document
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _delete(document: dict[str, Any], path: str) -> None:
    *parents, last = _pointer(path)
    node: Any = document
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def case_body(case: dict[str, Any], base_envelope: BaseEnvelope) -> bytes:
    if "raw" in case:
        return str(case["raw"]).encode("utf-8", "surrogatepass")
    if "raw_hex" in case:
        return bytes.fromhex(case["raw_hex"])
    if "repeat" in case:
        return str(case["repeat"]["unit"]).encode() * int(case["repeat"]["count"])
    if "base" not in case:
        return json.dumps(case["body"]).encode()
    envelope = base_envelope(case["base"])
    for path, value in case.get("set", []):
        _set(envelope, path, value)
    for path in case.get("delete", []):
        _delete(envelope, path)
    if "timestamp" in case:
        moment = datetime.now(UTC) + timedelta(seconds=float(case["timestamp"].get("shift", 0)))
        _set(envelope, "/request/timestamp", moment.strftime(case["timestamp"].get("format", "%Y-%m-%dT%H:%M:%SZ")))
    # ensure_ascii keeps lone surrogates as \\ud800 escapes: what an attacker's JSON encoder would send.
    text = json.dumps(envelope, ensure_ascii=True)
    if "repeat_key" in case:  # the same top-level key again, its value edited: two meanings in one body
        again = copy.deepcopy(envelope[case["repeat_key"]["key"]])
        for path, value in case["repeat_key"].get("set", []):
            _set(again, path, value)
        text = text[:-1] + f", {json.dumps(case['repeat_key']['key'])}: {json.dumps(again, ensure_ascii=True)}}}"
    return text.encode()


def case_request(
    case: dict[str, Any], signer: LocalSigner, stranger: LocalSigner, base_envelope: BaseEnvelope
) -> tuple[bytes, dict[str, str]]:
    body = case_body(case, base_envelope)
    headers = {"Content-Type": "application/json"}
    signing = case.get("signing", "unsigned")
    if signing in ("signed", "tampered"):
        headers.update(signer.headers(body))
    elif signing == "stranger":
        headers.update(stranger.headers(body))
    if signing == "tampered":
        body = body.replace(b"oat milk", b"caviar!!")
    for name in case.get("drop_headers", []):
        headers.pop(name, None)
    headers.update(case.get("headers", {}))
    return body, headers


@dataclass(frozen=True, slots=True)
class ApiCase:
    """One hostile API request. ``path`` is below the API prefix, ``{c}`` the demo customer; ``key`` is
    ``"demo"`` (the demo key, which may read and write carts but neither export nor erase), ``None`` (no
    Authorization header) or a literal header value."""

    name: str
    method: str
    path: str
    key: str | None = "demo"
    body: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()


def _segment(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _item(name: str, *, headers: dict[str, str] | None = None, **fields: Any) -> ApiCase:
    """An add to the cart: a valid one, with ``fields`` changed."""
    body = {"product_id": "1", "quantity": 1, **fields}
    return ApiCase(name, "POST", "/customers/{c}/cart/items", body=_json(body), headers=headers or {})


def _event(name: str, **fields: Any) -> ApiCase:
    """A web event: a valid one, with ``fields`` changed."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    body = {"event_id": f"hostile-{name}", "channel": "web", "type": "product_viewed", "product_id": "1"}
    body = {**body, "occurred_at": now, **fields}
    return ApiCase(name, "POST", "/customers/{c}/events", body=_json(body))


def _identity(name: str, kind: Any, value: Any) -> ApiCase:
    return ApiCase(name, "POST", "/customers/{c}/identities", body=_json({"kind": kind, "value": value}))


def api_cases() -> list[ApiCase]:
    cases = [
        # -- who is asking -------------------------------------------------------------------------------------
        ApiCase("no-key", "GET", "/customers/{c}/cart", key=None),
        ApiCase("basic-auth", "GET", "/customers/{c}/cart", key="Basic ZGVtbzpkZW1v"),
        ApiCase("wrong-key", "GET", "/customers/{c}/cart", key="Bearer vc_" + "0" * 40),
        ApiCase("empty-bearer", "GET", "/customers/{c}/cart", key="Bearer "),
        ApiCase("huge-key", "GET", "/customers/{c}/cart", key="Bearer " + "k" * 6000),
        ApiCase("key-with-nul-escape", "GET", "/customers/{c}/cart", key="Bearer vc_%00abc"),
        ApiCase("export-without-scope", "GET", "/customers/{c}/export"),
        ApiCase("erase-without-scope", "DELETE", "/customers/{c}"),
        ApiCase("merge-without-scope", "POST", "/customers/{c}/merge", body=_json({"into": "1"})),
        # -- webhooks that would make the server call itself or the cloud's metadata service -----------------
        ApiCase("webhook-loopback", "POST", "/webhooks", body=_json({"url": "https://127.0.0.1:8080/alexa"})),
        ApiCase(
            "webhook-metadata", "POST", "/webhooks", body=_json({"url": "http://169.254.169.254/latest/meta-data"})
        ),
        ApiCase("webhook-file", "POST", "/webhooks", body=_json({"url": "file:///etc/passwd"})),
        ApiCase("webhook-events-number", "POST", "/webhooks", body=_json({"url": "https://a.example/h", "events": 5})),
        # -- query values -----------------------------------------------------------------------------------------
        ApiCase("since-year-one-plus-14", "GET", "/customers/{c}/events?since=0001-01-01T00:00:00%2B14:00"),
        ApiCase("until-year-9999-minus-14", "GET", "/customers/{c}/events?until=9999-12-31T23:59:59-14:00"),
        ApiCase("since-no-zone", "GET", "/customers/{c}/events?since=2026-01-01T00:00:00"),
        ApiCase("since-words", "GET", "/customers/{c}/events?since=yesterday"),
        ApiCase("since-huge", "GET", "/customers/{c}/events?since=2026-01-01T00:00:00" + "0" * 3000 + "Z"),
        ApiCase("since-nul", "GET", "/customers/{c}/events?since=2026-01-01%00T00:00:00Z"),
        ApiCase("since-month-13", "GET", "/customers/{c}/events?since=2026-13-01T00:00:00Z"),
        ApiCase("since-leap-second", "GET", "/customers/{c}/events?since=2026-06-30T23:59:60Z"),
        ApiCase("limit-superscript", "GET", "/customers/{c}/events?limit=%C2%B2"),
        ApiCase("limit-arabic-digit", "GET", "/customers/{c}/events?limit=%D9%A3"),
        ApiCase("limit-huge", "GET", "/customers/{c}/events?limit=99999999999999999999"),
        ApiCase("limit-negative", "GET", "/customers/{c}/events?limit=-1"),
        ApiCase("limit-zero", "GET", "/customers/{c}/events?limit=0"),
        ApiCase("limit-float", "GET", "/customers/{c}/orders?limit=1e9"),
        ApiCase("limit-twice", "GET", "/customers/{c}/events?limit=1&limit=2"),
        ApiCase("limit-dead-letters-huge", "GET", "/webhooks/x/dead-letters?limit=4294967296"),
        ApiCase("channel-unknown", "GET", "/customers/{c}/events?channel=fax"),
        ApiCase("order-unknown", "GET", "/customers/{c}/events?order=sideways"),
        ApiCase("cursor-garbage", "GET", "/customers/{c}/events?cursor=%%%not-base64"),
        ApiCase("cursor-forged", "GET", "/customers/{c}/events?cursor=eyJ2IjoxLCJxIjoieCIsInMiOiJDQVJUIn0"),
        ApiCase("cursor-huge", "GET", "/customers/{c}/events?cursor=" + "A" * 5000),
        ApiCase("unknown-parameter", "GET", "/customers/{c}/events?drop=table"),
        # -- ids in the path ----------------------------------------------------------------------------------------
        ApiCase("ref-lone-surrogate", "GET", "/customers/" + _segment("email:a\ud800@example.com") + "/cart"),
        ApiCase("ref-bidi", "GET", "/customers/" + _segment("email:evil\u202emoc.elpmaxe@a") + "/cart"),
        ApiCase("ref-nul", "GET", "/customers/%00/cart"),
        ApiCase("ref-escape-sequence", "GET", "/customers/" + _segment("\u001b[2J") + "/cart"),
        ApiCase("ref-huge", "GET", "/customers/" + "9" * 3000 + "/cart"),
        ApiCase("ref-dotdot", "GET", "/customers/..%2F..%2Fadmin/cart"),
        ApiCase("ref-unknown-kind", "GET", "/customers/ssn:123-45-6789/cart"),
        ApiCase("product-emoji", "PUT", "/customers/{c}/cart/items/%F0%9F%98%80", body=_json({"quantity": 1})),
        ApiCase("product-rtl-override", "DELETE", "/customers/{c}/cart/items/" + _segment("1\u202e2")),
        ApiCase("identity-surrogate-in-path", "DELETE", "/customers/{c}/identities/email/" + _segment("a\udfff@b.c")),
        # -- bodies -----------------------------------------------------------------------------------------------
        ApiCase("item-text-plain", "POST", "/customers/{c}/cart/items", body=b"quantity=1", content_type="text/plain"),
        ApiCase("item-malformed-json", "POST", "/customers/{c}/cart/items", body=b'{"product_id": '),
        ApiCase("item-array", "POST", "/customers/{c}/cart/items", body=_json([{"product_id": "1"}])),
        ApiCase("item-nan", "POST", "/customers/{c}/cart/items", body=b'{"product_id": "1", "quantity": NaN}'),
        ApiCase(
            "item-quantity-twice",
            "POST",
            "/customers/{c}/cart/items",
            body=b'{"product_id": "1", "quantity": 1, "quantity": 50}',
        ),
        _item("item-quantity-string", quantity="2"),
        _item("item-quantity-huge", quantity=10**30),
        _item("item-quantity-negative", quantity=-5),
        _item("item-quantity-bool", quantity=True),
        _item("item-quantity-float", quantity=1.5),
        _item("item-product-unknown", product_id="999999999"),
        _item("item-product-list", product_id=["1"]),
        _item("item-extra-field", price=0),
        ApiCase("item-deep", "POST", "/customers/{c}/cart/items", body=b"[" * 100_000),
        ApiCase("item-huge", "POST", "/customers/{c}/cart/items", body=b" " * 1_000_000),
        ApiCase("item-bad-utf8", "POST", "/customers/{c}/cart/items", body=b'{"product_id": "\xff\xfe"}'),
        ApiCase("item-surrogate", "POST", "/customers/{c}/cart/items", body=b'{"product_id": "\\ud800"}'),
        _item("item-idempotency-huge", headers={"Idempotency-Key": "i" * 5000}),
        # a header goes out as latin-1: these are the UTF-8 bytes of a right-to-left override
        _item("item-idempotency-bidi", headers={"Idempotency-Key": "abc\u202edef".encode().decode("latin-1")}),
        _event("event-year-one-plus-14", occurred_at="0001-01-01T00:00:00+14:00"),
        _event("event-year-9999-minus-14", occurred_at="9999-12-31T23:59:59-14:00"),
        _event("event-before-epoch", occurred_at="1970-01-01T00:00:00Z"),
        _event("event-type-number", type=12),
        _event("event-type-spaces", type="drop table; --"),
        _event("event-channel-other", channel="alexa"),
        _event("event-id-surrogate", event_id="\udfff"),
        _event("event-id-object", event_id={"$ne": None}),
        _event("event-id-huge", event_id="e" * 5000),
        _identity("identity-bidi-email", "email", "evil\u202emoc.elpmaxe@a"),
        _identity("identity-control-email", "email", "a\u0000b@example.com"),
        _identity("identity-kind-unknown", "ssn", "123-45-6789"),
        _identity("identity-value-number", "email", 7),
        ApiCase("voice-code-letters", "PUT", "/customers/{c}/voice-code", body=_json({"code": "abcd"})),
        ApiCase("voice-code-huge", "PUT", "/customers/{c}/voice-code", body=_json({"code": "1" * 10_000})),
        ApiCase("voice-code-arabic-digits", "PUT", "/customers/{c}/voice-code", body=_json({"code": "\u0663" * 4})),
        ApiCase("consent-unknown-purpose", "PUT", "/customers/{c}/consent/mind-reading", body=_json({"granted": 1})),
        ApiCase("consent-granted-string", "PUT", "/customers/{c}/consent/marketing", body=_json({"granted": "yes"})),
        # -- methods and routes -----------------------------------------------------------------------------------
        ApiCase("patch-cart", "PATCH", "/customers/{c}/cart", body=_json({})),
        ApiCase("unknown-route", "GET", "/customers/{c}/passwords"),
    ]
    return cases


@dataclass(frozen=True, slots=True)
class WireCase:
    """Bytes sent as they are on one connection, below HTTP's rules: the server itself must refuse them (4xx in
    JSON) or, for a request that ``stalls`` (sent in part, then nothing more), close the connection by its read
    deadline. An answer of 2xx or 5xx, or a connection still open long after the deadline, is a failure."""

    name: str
    data: bytes
    stalls: bool = False


def wire_cases() -> list[WireCase]:
    post = b"POST /alexa HTTP/1.1\r\nHost: voicecart\r\nContent-Type: application/json\r\n"
    return [
        WireCase("too-many-headers", b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-%d: a\r\n" % n for n in range(101))),
        WireCase("header-line-too-long", b"GET /healthz HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"),
        WireCase("request-line-too-long", b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n"),
        WireCase("request-line-garbage", b"GARBAGE\r\n\r\n"),
        WireCase("version-with-markup", b"GET /healthz HTTP/1.1<script>\r\n\r\n"),
        WireCase("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        WireCase(
            "length-and-chunked",
            post + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{}{}\r\n0\r\n\r\n",
        ),
        WireCase("two-lengths", post + b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}"),
        WireCase("chunk-size-not-hex", post + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
        WireCase("negative-length", post + b"Content-Length: -5\r\n\r\n{}"),
        WireCase("stall-mid-request-line", b"POST /ale", stalls=True),
        WireCase("stall-mid-headers", post + b"Signature-256: ", stalls=True),
        WireCase("stall-mid-body", post + b'Content-Length: 5000\r\n\r\n{"version": ', stalls=True),
        WireCase("stall-mid-chunk", post + b'Transfer-Encoding: chunked\r\n\r\n100\r\n{"ver', stalls=True),
        WireCase(
            "stall-after-expect-continue", post + b"Expect: 100-continue\r\nContent-Length: 900\r\n\r\n", stalls=True
        ),
        WireCase(
            "api-stall-mid-body",
            b"POST /api/v1/webhooks HTTP/1.1\r\nHost: voicecart\r\n"
            b'Content-Type: application/json\r\nContent-Length: 900\r\n\r\n{"url": ',
            stalls=True,
        ),
    ]
