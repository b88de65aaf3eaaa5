"""The hostile request corpus: forged and malformed Alexa requests, one JSON file each in
``tests/fixtures/requests/hostile/``. Regenerate with ``python -m tests.support.hostile`` after editing the cases.

A case names a base fixture (``launch``, ``intent_add_to_cart``) and edits to it (``set``: JSON pointer -> value,
``delete``: JSON pointers), or gives the body outright (``body``: a document; ``raw``: text; ``repeat``: a unit
repeated ``count`` times). ``signing`` says how the test signs it: ``signed`` (the trusted test signer),
``unsigned`` (no headers), ``stranger`` (a signer from another CA), ``tampered`` (signed, then the body changed);
``headers`` are set after signing. Every case must be refused with a 4xx in JSON: none is a real request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HOSTILE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "requests" / "hostile"
URL_HEADER = "SignatureCertChainUrl"
SIG_HEADER = "Signature-256"
GOOD_B64_256 = "A" * 340 + "=="  # base64 of 256 zero-ish bytes: the right length, the wrong signature


def _case(name: str, why: str, **spec: Any) -> dict[str, Any]:
    return {"name": name, "why": why, **spec}


def _signed(name: str, why: str, base: str = "intent_add_to_cart", **spec: Any) -> dict[str, Any]:
    return _case(name, why, base=base, signing="signed", **spec)


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    # -- forged: the signature or its chain is wrong --------------------------------------------------------
    cases += [
        _case("unsigned-launch", "no signature headers at all", base="launch", signing="unsigned"),
        _case("unsigned-add", "no signature headers at all", base="intent_add_to_cart", signing="unsigned"),
        _case("stranger-signer", "signed by a CA nobody trusts", base="launch", signing="stranger"),
        _case("tampered-body", "signed, then a slot value changed", base="intent_add_to_cart", signing="tampered"),
        _case(
            "no-signature-header",
            "chain URL but no signature",
            base="launch",
            signing="signed",
            drop_headers=[SIG_HEADER],
        ),
        _case(
            "no-chain-header", "signature but no chain URL", base="launch", signing="signed", drop_headers=[URL_HEADER]
        ),
        _case(
            "signature-not-base64",
            "garbage signature",
            base="launch",
            signing="signed",
            headers={SIG_HEADER: "not*base64*at*all"},
        ),
        _case(
            "signature-short",
            "a signature of the wrong length",
            base="launch",
            signing="signed",
            headers={SIG_HEADER: "AAAA"},
        ),
        _case(
            "signature-huge",
            "an oversized signature header",
            base="launch",
            signing="signed",
            headers={SIG_HEADER: "A" * 8000},
        ),
        _case(
            "signature-right-length-wrong-bits",
            "a plausible but wrong signature",
            base="launch",
            signing="signed",
            headers={SIG_HEADER: GOOD_B64_256},
        ),
        _case(
            "signature-empty", "an empty signature header", base="launch", signing="signed", headers={SIG_HEADER: ""}
        ),
    ]
    bad_urls = {
        "url-http": "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "url-other-host": "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "url-userinfo": "https://evil.example@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "url-port": "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
        "url-dotdot": "https://s3.amazonaws.com/echo.api/../evil/echo-api-cert.pem",
        "url-encoded-dotdot": "https://s3.amazonaws.com/echo.api/%2e%2e/evil/echo-api-cert.pem",
        "url-case-path": "https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem",
        "url-subdirectory": "https://s3.amazonaws.com/echo.api/deeper/echo-api-cert.pem",
        "url-not-pem": "https://s3.amazonaws.com/echo.api/echo-api-cert.txt",
        "url-query": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1",
        "url-ftp": "ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "url-file": "file:///etc/passwd",
        "url-empty-path": "https://s3.amazonaws.com",
        "url-not-a-url": "::::",
        "url-backslash": "https://s3.amazonaws.com/echo.api\\..\\evil.pem",
        "url-unknown-amazon-shaped": "https://s3.amazonaws.com/echo.api/echo-api-cert-999.pem",
        "url-long-name": "https://s3.amazonaws.com/echo.api/" + "a" * 200 + ".pem",
        "url-ipv6-host": "https://[::1]/echo.api/echo-api-cert.pem",
        "url-bad-port": "https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem",
        "url-control-char": "https://s3.amazonaws.com/echo.api/echo\u0000-api-cert.pem",
    }
    for name, url in bad_urls.items():
        cases.append(
            _case(
                name, "a chain URL Amazon would never send", base="launch", signing="signed", headers={URL_HEADER: url}
            )
        )
    # -- checks that need no chain: timestamp and application id --------------------------------------------
    timestamps = {
        "ts-stale": "2020-01-01T00:00:00Z",
        "ts-future": "2099-01-01T00:00:00Z",
        "ts-week-date": "2025-W03-3T10:00:00Z",
        "ts-ordinal-date": "2025-015T10:00:00Z",
        "ts-basic-format": "20250115T100000Z",
        "ts-no-zone": "2025-01-15T10:00:00",
        "ts-year-one-offset": "0001-01-01T00:00:00+14:00",
        "ts-year-9999-offset": "9999-12-31T23:59:59-14:00",
        "ts-words": "yesterday",
        "ts-empty": "",
        "ts-number": 1736935200,
        "ts-null": None,
        "ts-list": ["2025-01-15T10:00:00Z"],
        "ts-trailing-newline": "2025-01-15T10:00:00Z\n",
        "ts-huge": "2025-01-15T10:00:00" + "0" * 5000 + "Z",
    }
    for name, value in timestamps.items():
        cases.append(
            _signed(
                name,
                "a timestamp Alexa never sends (signed, so only the timestamp is wrong)",
                set=[["/request/timestamp", value]],
                fresh_timestamp=False,
            )
        )
    cases += [
        _signed("ts-missing", "no timestamp", delete=["/request/timestamp"], fresh_timestamp=False),
        _signed(
            "app-other-skill",
            "another skill's id",
            set=[
                ["/context/System/application/applicationId", "amzn1.ask.skill.someone-else"],
                ["/session/application/applicationId", "amzn1.ask.skill.someone-else"],
            ],
        ),
        _signed(
            "app-missing", "no application id anywhere", delete=["/context/System/application", "/session/application"]
        ),
        _signed(
            "app-number",
            "application id as a number",
            set=[["/context/System/application/applicationId", 7], ["/session/application/applicationId", 7]],
        ),
    ]
    # -- bodies that are not envelopes ------------------------------------------------------------------------
    cases += [
        _case("body-empty", "no body", raw="", signing="unsigned"),
        _case("body-not-json", "plain text", raw="hello alexa", signing="unsigned"),
        _case("body-truncated-json", "JSON cut short", raw='{"version": "1.0", "request": {', signing="unsigned"),
        _case("body-array", "a JSON array", body=[1, 2, 3], signing="unsigned"),
        _case("body-string", "a JSON string", body="LaunchRequest", signing="unsigned"),
        _case("body-number", "a JSON number", body=42, signing="unsigned"),
        _case("body-null", "JSON null", body=None, signing="unsigned"),
        _case("body-nan", "a NaN literal", raw='{"request": {"type": "LaunchRequest"}, "x": NaN}', signing="unsigned"),
        _case("body-deep-array", "100,000 nested arrays", repeat={"unit": "[", "count": 100_000}, signing="unsigned"),
        _case(
            "body-deep-object", "50,000 nested objects", repeat={"unit": '{"a":', "count": 20_000}, signing="unsigned"
        ),
        _case(
            "body-too-large",
            "a body far larger than any Alexa request",
            repeat={"unit": " ", "count": 200_000},
            signing="unsigned",
        ),
        _case(
            "body-bad-utf8", "bytes that are not UTF-8", raw_hex="7b22726571756573ff74223a7b7d7d", signing="unsigned"
        ),
        _case("body-no-request", "an envelope without a request", base="launch", delete=["/request"], signing="signed"),
        _case(
            "body-request-string",
            "request as a string",
            base="launch",
            set=[["/request", "LaunchRequest"]],
            signing="signed",
            fresh_timestamp=False,
        ),
        _case(
            "body-request-type-number",
            "request type as a number",
            base="launch",
            set=[["/request/type", 1]],
            signing="signed",
        ),
        _case(
            "body-request-type-missing",
            "request without a type",
            base="launch",
            delete=["/request/type"],
            signing="signed",
        ),
    ]
    # -- signed envelopes of the wrong shape: only the shape is wrong ---------------------------------------------
    deep: Any = "bottom"
    for _ in range(900):
        deep = {"d": deep}
    shapes: dict[str, tuple[str, list[list[Any]], list[str]]] = {
        "intent-number": ("intent as a number", [["/request/intent", 5]], []),
        "intent-string": ("intent as a string", [["/request/intent", "AddToCartIntent"]], []),
        "intent-list": ("intent as a list", [["/request/intent", ["AddToCartIntent"]]], []),
        "intent-null": ("intent as null", [["/request/intent", None]], []),
        "intent-missing": ("an IntentRequest without an intent", [], ["/request/intent"]),
        "intent-name-number": ("intent name as a number", [["/request/intent/name", 12]], []),
        "intent-name-missing": ("intent without a name", [], ["/request/intent/name"]),
        "intent-name-object": ("intent name as an object", [["/request/intent/name", {"x": 1}]], []),
        "slots-list": ("slots as a list", [["/request/intent/slots", [{"name": "product", "value": "milk"}]]], []),
        "slots-string": ("slots as a string", [["/request/intent/slots", "product=milk"]], []),
        "slot-number": ("a slot as a number", [["/request/intent/slots/product", 3]], []),
        "slot-value-number": ("a slot value as a number", [["/request/intent/slots/product/value", 3]], []),
        "slot-value-object": ("a slot value as an object", [["/request/intent/slots/product/value", {"a": 1}]], []),
        "slot-resolutions-string": (
            "slot resolutions as a string",
            [["/request/intent/slots/product/resolutions", "none"]],
            [],
        ),
        "session-string": ("session as a string", [["/session", "amzn1.echo-api.session.x"]], []),
        "session-list": ("session as a list", [["/session", []]], []),
        "session-attributes-string": ("session attributes as a string", [["/session/attributes", "{}"]], []),
        "session-attributes-list": ("session attributes as a list", [["/session/attributes", [1, 2]]], []),
        "session-attributes-deep": ("900-deep session attributes", [["/session/attributes", {"deep": deep}]], []),
        "session-new-string": ("session.new as a string", [["/session/new", "yes"]], []),
        "session-user-list": ("session user as a list", [["/session/user", ["x"]]], []),
        "context-string": ("context as a string", [["/context", "ctx"]], []),
        "context-list": ("context as a list", [["/context", []]], []),
        "system-list": ("System as a list", [["/context/System", []]], []),
        "system-string": ("System as a string", [["/context/System", "sys"]], []),
        "system-user-list": ("System user as a list", [["/context/System/user", []]], []),
        "system-device-string": ("device as a string", [["/context/System/device", "echo"]], []),
        "user-id-number": (
            "user id as a number",
            [["/context/System/user/userId", 5], ["/session/user/userId", 5]],
            [],
        ),
        "access-token-number": (
            "access token as a number",
            [["/context/System/user/accessToken", 5], ["/session/user/accessToken", 5]],
            [],
        ),
        "access-token-object": (
            "access token as an object",
            [["/context/System/user/accessToken", {"t": 1}], ["/session/user/accessToken", {"t": 1}]],
            [],
        ),
        "request-id-missing": ("no request id", [], ["/request/requestId"]),
        "request-id-number": ("request id as a number", [["/request/requestId", 12345]], []),
        "request-id-empty": ("an empty request id", [["/request/requestId", ""]], []),
        "request-id-null": ("request id null", [["/request/requestId", None]], []),
        "request-id-huge": ("a 5,000-character request id", [["/request/requestId", "r" * 5000]], []),
        "request-id-control": (
            "a request id with control characters",
            [["/request/requestId", "amzn1.echo-api.request.\u0000\u001b[2J"]],
            [],
        ),
        "request-id-surrogate": (
            "a request id with a lone surrogate",
            [["/request/requestId", "amzn1.echo-api.request.\ud800"]],
            [],
        ),
        "locale-number": ("locale as a number", [["/request/locale", 1033]], []),
        "locale-object": ("locale as an object", [["/request/locale", {"lang": "en"}]], []),
        "dialog-state-number": ("dialogState as a number", [["/request/dialogState", 2]], []),
        "version-object": ("version as an object", [["/version", {"major": 1}]], []),
        "type-unknown": ("an unknown request type", [["/request/type", "Shopping.DoEverything"]], []),
        "type-empty": ("an empty request type", [["/request/type", ""]], []),
        "type-dotted-sdk": ("an SDK-internal type name", [["/request/type", "ask_sdk_model.Request"]], []),
        "confirmation-number": (
            "intent confirmationStatus as a number",
            [["/request/intent/confirmationStatus", 1]],
            [],
        ),
        "confirmation-unknown": (
            "an unknown confirmationStatus",
            [["/request/intent/confirmationStatus", "MAYBE"]],
            [],
        ),
    }
    for name, (why, sets, deletes) in shapes.items():
        cases.append(_signed(name, why, set=sets, delete=deletes))
    cases += [
        _signed(
            "launch-type-unknown",
            "a launch envelope with an unknown type",
            base="launch",
            set=[["/request/type", "Alexa.Presentation.APL.Unknown"]],
        ),
        _signed(
            "session-ended-reason-number",
            "SessionEndedRequest reason as a number",
            base="session_ended",
            set=[["/request/reason", 3]],
        ),
        _signed(
            "session-ended-error-string",
            "SessionEndedRequest error as a string",
            base="session_ended",
            set=[["/request/error", "boom"]],
        ),
    ]
    cases += _edge_cases()
    return cases


def _edge_cases() -> list[dict[str, Any]]:
    """Cases at the edges of the rules (kept last, so adding them renumbered no earlier file)."""
    cases: list[dict[str, Any]] = []
    edge_urls = {
        "url-trailing-dot-host": "https://s3.amazonaws.com./echo.api/echo-api-cert.pem",
        "url-double-slash-path": "https://s3.amazonaws.com//echo.api/echo-api-cert.pem",
        "url-escaped-nul": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem%00",
        "url-punycode-host": "https://xn--s3-amazonaws-com/echo.api/echo-api-cert.pem",
        "url-escaped-slash-userinfo": "https://s3.amazonaws.com%2F@evil.example/echo.api/echo-api-cert.pem",
        "url-backslash-userinfo": "https://s3.amazonaws.com\\@evil.example/echo.api/echo-api-cert.pem",
        "url-escaped-dotdot-out": "https://s3.amazonaws.com/echo.api/..%2f..%2fevil/echo-api-cert.pem",
        "url-zero-padded-other-port": "https://s3.amazonaws.com:0444/echo.api/echo-api-cert.pem",
    }
    for name, url in edge_urls.items():
        why = "a chain URL at the edge of Amazon's rules"
        cases.append(_case(name, why, base="launch", signing="signed", headers={URL_HEADER: url}))
    # Made when the case is sent: just outside the 150 s window, or fresh but spelled as Alexa never spells it.
    # Whole seconds drop up to 1 s and the trip to the server takes more: a stamp 151 s ahead could arrive 149.5 s
    # ahead and rightly pass, so "ahead" keeps a margin that a slow machine cannot eat.
    relative = {
        "ts-just-stale": (-151, "%Y-%m-%dT%H:%M:%SZ"),
        "ts-just-ahead": (156, "%Y-%m-%dT%H:%M:%SZ"),
        "ts-nine-digit-fraction": (0, "%Y-%m-%dT%H:%M:%S.123456789Z"),
        "ts-lowercase-t-and-z": (0, "%Y-%m-%dt%H:%M:%Sz"),
        "ts-space-separator": (0, "%Y-%m-%d %H:%M:%SZ"),
        "ts-offset-without-colon": (0, "%Y-%m-%dT%H:%M:%S+0000"),
        "ts-decimal-comma": (0, "%Y-%m-%dT%H:%M:%S,5Z"),
        "ts-hour-24": (0, "%Y-%m-%dT24:%M:%SZ"),
        "ts-offset-24-hours": (0, "%Y-%m-%dT%H:%M:%S+24:00"),
        "ts-no-seconds": (0, "%Y-%m-%dT%H:%MZ"),
    }
    for name, (shift, spelling) in relative.items():
        cases.append(
            _signed(
                name,
                "a timestamp at the edge of the window or in a spelling Alexa never uses (signed)",
                timestamp={"shift": shift, "format": spelling},
            )
        )
    cases += [
        _case(
            "body-huge-integer",
            "a 5,000-digit number, more than int() will parse (signed, so only the number is wrong)",
            raw='{"version": "1.0", "request": {"type": "LaunchRequest"}, "n": ' + "9" * 5000 + "}",
            signing="signed",
        ),
        _case(
            "body-infinity",
            "an Infinity literal (signed)",
            raw='{"version": "1.0", "request": {"type": "LaunchRequest"}, "n": -Infinity}',
            signing="signed",
        ),
        _case("body-form-encoded", "a form, not JSON", raw="version=1.0&request=LaunchRequest", signing="unsigned"),
        _signed(
            "body-request-twice",
            "a second request key after the first, for another product (signed): one body, two meanings",
            repeat_key={"key": "request", "set": [["/intent/slots/product/value", "caviar"]]},
        ),
        _signed("locale-a-path", "a locale naming a directory (signed)", set=[["/request/locale", "../../x"]]),
        _signed("locale-huge", "a 5,000-character locale (signed)", set=[["/request/locale", "x" * 5000]]),
        _signed("locale-with-slash", "a locale with a slash (signed)", set=[["/request/locale", "en/US"]]),
        _signed(
            "body-session-twice",
            "a second session key, with other attributes (signed)",
            repeat_key={"key": "session", "set": [["/attributes", {"pending": {"kind": "confirm_checkout"}}]]},
        ),
    ]
    return cases


def rendered_corpus() -> dict[str, str]:
    """File name -> text, for every case."""
    files = {}
    for number, case in enumerate(_cases(), start=1):
        # One line per top-level key keeps the files readable and small (a 900-deep value indented is megabytes).
        lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=True)}" for key, value in case.items()]
        files[f"{number:03d}-{case['name']}.json"] = "{\n" + ",\n".join(lines) + "\n}\n"
    return files


def write_corpus(directory: Path = HOSTILE_DIR) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.json"):
        old.unlink()
    files = rendered_corpus()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return len(files)


if __name__ == "__main__":
    print(f"{write_corpus()} hostile requests written to {HOSTILE_DIR}")
