"""Property: no envelope and no API input, however odd, is answered with a 5xx (and every answer is JSON)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.errors import ValidationError
from backend.identity.clients import create_api_client
from backend.identity.store import IdentityKind
from backend.services import Backend
from backend.shopping import normalise_code, parse_quantity
from backend.shopping.voicecode import enabled_state
from skill.app import ALEXA_ROUTE, API_PREFIX, create_app
from skill.simulator.signing import LocalCertificateAuthority, LocalSigner
from skill.speech import Speech, available_locales
from skill.verification import build_verifiers
from tests.support.envelopes import LINKED_TOKEN, alexa_request
from tests.support.properties import examples

CUSTOMER = "1285"
# Text as an attacker writes it: surrogates, controls, bidi controls, digits other than ASCII, plus plain ids.
NASTY = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\ud800", "\udfff", "\u0000", "\u001b", "\u202e", "\u2066", "\u200f", "²", "٣", ":", "/"]),
    ),
    max_size=24,
)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), NASTY)
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY, inner, max_size=4), max_leaves=12
)
ENVELOPE_PATHS = [
    "/version",
    "/session",
    "/session/new",
    "/session/attributes",
    "/session/user",
    "/session/user/accessToken",
    "/context",
    "/context/System",
    "/context/System/user",
    "/context/System/device",
    "/context/System/person",
    "/request",
    "/request/type",
    "/request/requestId",
    "/request/locale",
    "/request/dialogState",
    "/request/intent",
    "/request/intent/name",
    "/request/intent/slots",
    "/request/intent/slots/product",
    "/request/intent/slots/product/value",
    "/request/intent/slots/quantity/value",
    "/request/intent/confirmationStatus",
    "/request/reason",
    "/request/error",
]


@pytest.fixture(scope="module")
def signer() -> LocalSigner:
    return LocalCertificateAuthority.create().issue_signer()


@pytest.fixture(scope="module")
def client(shared_backend: Backend, signer: LocalSigner) -> FlaskClient:
    """The app on the harness's module-scoped backend (no request here depends on another), trusting ``signer``."""
    verifiers = build_verifiers(
        shared_backend.settings, trust_roots=signer.trust_roots, cert_fetcher=signer.cert_fetcher()
    )
    app: Flask = create_app(backend=shared_backend, verifiers=verifiers)
    return app.test_client()


@pytest.fixture(scope="module")
def api_key(shared_backend: Backend) -> str:
    shared_backend.profiles.ensure_customer(CUSTOMER)
    key: str = create_api_client(shared_backend.table, name="fuzzer", channel="web")["api_key"]
    return key


def _set(document: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = pointer.lstrip("/").split("/")
    node: Any = document
    for part in parents:
        if not isinstance(node, dict):
            return
        node = node.setdefault(part, {})
    if isinstance(node, dict):
        node[last] = value


def assert_json_answer(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from(["launch", "intent_add_to_cart", "session_ended", "help_intent"]),
    edits=st.lists(st.tuples(st.sampled_from(ENVELOPE_PATHS), JSON_VALUE), min_size=1, max_size=3),
)
def test_no_signed_envelope_gets_a_5xx(
    client: FlaskClient, signer: LocalSigner, base: str, edits: list[tuple[str, Any]]
) -> None:
    envelope = alexa_request(base)
    for pointer, value in edits:
        _set(envelope, pointer, value)
    body = json.dumps(envelope).encode()  # ensure_ascii: lone surrogates travel as \\ud800 escapes
    response = client.post(ALEXA_ROUTE, data=body, headers={**signer.headers(body), "Content-Type": "application/json"})
    assert_json_answer(response)


def _segment(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(["events", "orders", "cart", "profile", "identities"]),
    ref=st.one_of(
        st.just(CUSTOMER), st.just("email:" + "a\ud800@example.com"), NASTY.map(lambda t: "email:" + t), NASTY
    ),
    params=st.dictionaries(
        st.sampled_from(["since", "until", "limit", "channel", "order", "cursor"]), NASTY, max_size=3
    ),
)
def test_no_api_read_gets_a_5xx(
    client: FlaskClient, api_key: str, route: str, ref: str, params: dict[str, str]
) -> None:
    query = "&".join(f"{_segment(k)}={_segment(v)}" for k, v in params.items())
    path = f"{API_PREFIX}/customers/{_segment(ref) or CUSTOMER}/{route}" + (f"?{query}" if query else "")
    response = client.get(path, headers={"Authorization": f"Bearer {api_key}"})
    assert_json_answer(response)


EXTREME_TIMES = st.sampled_from(
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-W48-1T00:00:00Z", "2026-11-22T09:00:00Z"]
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(["events", "cart/items", "identities"]),
    body=st.dictionaries(
        st.sampled_from(["event_id", "channel", "type", "occurred_at", "product_id", "quantity", "kind", "value"]),
        st.one_of(JSON_VALUE, EXTREME_TIMES),
        max_size=6,
    ),
)
def test_no_api_write_gets_a_5xx(client: FlaskClient, api_key: str, target: str, body: dict[str, Any]) -> None:
    response = client.post(
        f"{API_PREFIX}/customers/{CUSTOMER}/{target}",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    assert_json_answer(response)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/events?since=0001-01-01T00:00:00%2B14:00", "since"),
        ("/events?until=9999-12-31T23:59:59-14:00", "until"),
        ("/orders?limit=%C2%B2", "limit"),
        ("/events?limit=99999999999999999999", "limit"),
    ],
)
def test_known_bad_query_values_are_400_with_a_reason(
    client: FlaskClient, api_key: str, path: str, expected: str
) -> None:
    response = client.get(f"{API_PREFIX}/customers/{CUSTOMER}{path}", headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 400
    assert expected in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "value",
    ["a\ud800@example.com", "a\u0000b@example.com", "evil\u202emoc.elpmaxe@a", "tab\tin@example.com"],
)
def test_unsafe_e_mail_ids_are_400_not_a_store_error(client: FlaskClient, api_key: str, value: str) -> None:
    linked = client.post(
        f"{API_PREFIX}/customers/{CUSTOMER}/identities",
        data=json.dumps({"kind": "email", "value": value}),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    looked_up = client.get(
        f"{API_PREFIX}/customers/{_segment('email:' + value)}/cart", headers={"Authorization": f"Bearer {api_key}"}
    )
    # In a JSON body the text arrives as written: refused as bad input. In a URL, invalid UTF-8 is decoded to
    # U+FFFD before we see it, so a surrogate there reads as an id nobody has (404).
    assert 400 <= linked.status_code < 500, linked.get_data(as_text=True)
    assert 400 <= looked_up.status_code < 500, looked_up.get_data(as_text=True)
    if "\t" not in value:  # a tab may be in body text; the route then refuses the id itself
        assert linked.status_code == 400 and "holds a" in linked.get_json()["error"]["message"]


def test_an_unknown_path_and_a_get_on_the_skill_are_json(client: FlaskClient) -> None:
    for response in (client.get("/nowhere"), client.get(ALEXA_ROUTE), client.delete(ALEXA_ROUTE)):
        assert response.status_code in (404, 405)
        assert response.mimetype == "application/json"


@pytest.mark.parametrize("spoken", ["\u0661\u0662\u0663\u0664", "\uff11\uff12\uff13\uff14", "12\u0663\u0664"])
def test_a_voice_code_of_digits_other_than_ascii_is_no_code(spoken: str) -> None:
    # str.isdigit and \d take "١٢٣٤"; the digest takes ASCII only, so such a code was a 500 from the API (and an
    # exception in the turn that checks it). It is no code: the API refuses it, the turn asks again.
    assert normalise_code(spoken) is None
    with pytest.raises(ValidationError):
        enabled_state(spoken)


# Field names the API's bodies use, so that some bodies get past "unknown field" to each route's own checks.
API_FIELDS = st.sampled_from(
    ["product_id", "quantity", "event_id", "channel", "type", "occurred_at", "outcome", "kind", "value", "code",
     "url", "events", "name", "enabled", "email", "locale"]
)  # fmt: skip
FIELD_VALUE = st.one_of(
    JSON_VALUE, EXTREME_TIMES, st.integers(min_value=-2, max_value=60), st.sampled_from(["24852", "web", "1234"])
)
API_ROUTES_BODY = st.one_of(
    st.dictionaries(API_FIELDS, FIELD_VALUE, max_size=5).map(lambda value: json.dumps(value).encode()),
    JSON_VALUE.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=64),
    st.just(b"{" * 5000),  # deep before any parser sees it
)


@pytest.fixture(scope="module")
def api_routes(client: FlaskClient) -> list[tuple[str, str]]:
    routes = []
    for rule in client.application.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint.endswith("unknown_route"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method == "DELETE" and rule.rule.endswith("/customers/<ref>"):
                continue
            routes.append((method, rule.rule))
    assert len(routes) >= 15, routes  # the cart, profile, events, identities, voice code, channels, webhooks
    return routes


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pick=st.integers(min_value=0, max_value=10_000),
    segments=st.lists(st.one_of(st.just(CUSTOMER), st.just("24852"), NASTY), min_size=4, max_size=4),
    body=API_ROUTES_BODY,
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
    idempotency_key=st.one_of(st.none(), NASTY),
)
def test_no_input_to_any_api_route_gets_a_5xx(
    client: FlaskClient,
    api_key: str,
    api_routes: list[tuple[str, str]],
    pick: int,
    segments: list[str],
    body: bytes,
    content_type: str,
    idempotency_key: str | None,
) -> None:
    method, rule = api_routes[pick % len(api_routes)]
    path, filled = rule, iter(segments)
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        path = path[:start] + (_segment(next(filled, CUSTOMER)) or CUSTOMER) + path[end + 1 :]
    headers = {"Authorization": f"Bearer {api_key}"}
    if content_type:
        headers["Content-Type"] = content_type
    if idempotency_key is not None:
        # Percent-encoded as a client would send it; a lone surrogate becomes the invalid UTF-8 bytes it stands for.
        headers["Idempotency-Key"] = _segment(idempotency_key)
    response = client.open(path, method=method, data=body, headers=headers)
    assert_json_answer(response)


ODD_DIGITS = st.text(alphabet="0123456789²³¹٣۴\u0966\u07c3", max_size=8)


@settings(max_examples=examples(200), deadline=None)
@given(heard=st.one_of(ODD_DIGITS, st.integers(4_000, 6_000).map(lambda n: "9" * n), NASTY))
def test_a_heard_quantity_is_a_count_or_nothing_never_an_error(heard: str) -> None:
    assert parse_quantity(heard) in (None, *range(1, 51))


@pytest.mark.parametrize("heard", ["²", "٣", "9" * 5000, "1" * 30], ids=["superscript", "arabic", "5000-digits", "30"])
def test_a_quantity_no_one_can_buy_is_asked_again_not_an_apology(
    client: FlaskClient, shared_backend: Backend, signer: LocalSigner, heard: str
) -> None:
    shared_backend.profiles.ensure_customer(CUSTOMER)
    shared_backend.identities.link(CUSTOMER, IdentityKind.ALEXA_TOKEN, LINKED_TOKEN)
    # Digits str.isdigit() accepts but int() refuses, or more digits than int() will parse, made the turn fail.
    envelope = alexa_request("intent_add_to_cart")
    envelope["request"]["intent"]["slots"]["quantity"] = {"name": "quantity", "value": heard}
    body = json.dumps(envelope).encode()
    response = client.post(ALEXA_ROUTE, data=body, headers={**signer.headers(body), "Content-Type": "application/json"})
    assert response.status_code == 200
    said = response.get_json()["response"]["outputSpeech"]["ssml"]
    assert "went wrong" not in said and response.get_json()["response"].get("shouldEndSession") is not True, said


@pytest.mark.parametrize("locale", ["../../handlers", "x" * 5000, "en-US/../en-GB", "", None, "de-DE"])
def test_speech_takes_a_locale_it_has_and_never_reads_a_path_from_the_request(locale: str | None) -> None:
    # The locale was joined to the speech directory and stat-ed: "../.." named another directory, 5,000
    # characters raised "file name too long" inside the error handler itself (a 500).
    speech = Speech(locale)
    assert speech.locale in available_locales()
    assert speech.say("error.generic")
