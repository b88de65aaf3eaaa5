"""The voice code's whole life: set, changed, removed and unlocked through the cross-channel API (the website) with
the ``voice_code`` scope, audited as profile events; locked by voice after three wrong codes, with the skill naming
the place to unlock, and that place working."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import sign_up
from flask import Flask
from talking import Conversation

from backend.api import create_api_blueprint
from backend.demo.histories import CustomerHistory
from backend.profile.privacy import json_safe
from backend.services import Backend
from backend.store.codec import from_attribute_values
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill
from tests.support.contract import check_response

CUSTOMER = "3623"


class Website:
    """The web shop's calls, with a key of the given scopes; every answer checked against openapi.json."""

    def __init__(self, backend: Backend, scopes: tuple[str, ...] = ("read", "write", "voice_code")) -> None:
        app = Flask(__name__)
        app.register_blueprint(create_api_blueprint(backend), url_prefix="/api/v1")
        self.http = app.test_client()
        self.issued = backend.clients.create(name="web shop", channel="web", scopes=scopes)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.open(
            f"/api/v1/customers/{CUSTOMER}{path}",
            method=method,
            headers={"Authorization": f"Bearer {self.issued.key}"},
            **kwargs,
        )
        check_response(response)
        return response


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))


@pytest.fixture
def web(backend: Backend, talk: Conversation) -> Website:
    return Website(backend)


def audit(backend: Backend) -> list[tuple[str, str, str | None]]:
    events = backend.profiles.events(CUSTOMER, newest_first=False).events
    return [(e.type, e.channel.value, e.device) for e in events if e.type.startswith("voice_code_")]


def test_set_change_remove_through_the_api_audited_and_never_stored_in_plain(backend: Backend, web: Website) -> None:
    assert web.call("GET", "/voice-code").get_json()["enabled"] is False
    status = web.call("PUT", "/voice-code", json={"code": "4321"}).get_json()
    assert status["enabled"] is True and status["locked"] is False and status["attempts_left"] == 3
    assert "4321" not in json.dumps(status)
    stored = backend.table.client.get_item(
        TableName=backend.table.name, Key={"pk": {"S": f"CUST#{CUSTOMER}"}, "sk": {"S": "VOICECODE"}}
    )["Item"]
    item = from_attribute_values(stored)
    assert "4321" not in json.dumps(json_safe(item)) and b"4321" not in bytes(item["digest"].value)
    assert len(bytes(item["digest"].value)) == 32 and len(bytes(item["salt"].value)) == 16  # salted PBKDF2-SHA256
    assert backend.shopping.state(CUSTOMER).voice_code.enabled

    web.call("PUT", "/voice-code", json={"code": "9876"})
    assert web.call("DELETE", "/voice-code").get_json()["enabled"] is False
    assert not backend.shopping.state(CUSTOMER).voice_code.enabled
    who = f"api:{web.issued.client.client_id}"
    assert audit(backend) == [
        ("voice_code_set", "web", who), ("voice_code_changed", "web", who), ("voice_code_removed", "web", who)
    ]  # fmt: skip
    assert all("4321" not in json.dumps(e.to_json()) for e in backend.profiles.events(CUSTOMER).events)


@pytest.mark.parametrize("body", [{"code": "123"}, {"code": "12345"}, {"code": 1234}, {"code": "12a4"}, {}])
def test_a_code_that_is_not_four_digits_is_a_400_and_changes_nothing(
    backend: Backend, web: Website, body: dict[str, Any]
) -> None:
    response = web.call("PUT", "/voice-code", json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_request"
    assert not backend.shopping.state(CUSTOMER).voice_code.enabled and audit(backend) == []


def test_changing_the_code_needs_the_voice_code_scope_and_the_customer(backend: Backend, talk: Conversation) -> None:
    plain = Website(backend, scopes=("read", "write"))
    for method, path in (("PUT", "/voice-code"), ("DELETE", "/voice-code"), ("POST", "/voice-code/unlock")):
        response = plain.call(method, path, json={"code": "4321"} if method == "PUT" else None)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "scope_missing"
    assert plain.call("GET", "/voice-code").status_code == 200  # reading the state is a read
    other = Website(backend)
    other.issued = backend.clients.create(name="shop", channel="web", customers=["1"], scopes=("voice_code",))
    assert other.call("POST", "/voice-code/unlock").status_code == 403
    assert audit(backend) == []


def test_locked_by_voice_the_skill_names_the_website_and_unlocking_there_works(
    backend: Backend, talk: Conversation, web: Website
) -> None:
    web.call("PUT", "/voice-code", json={"code": "4321"})
    talk.intent("AddToCartIntent", product="string cheese", quantity="30")
    talk.intent("CheckoutIntent")
    assert "voice code" in talk.intent("AMAZON.YesIntent")
    for wrong in ("1111", "2222"):
        talk.intent("VoiceCodeIntent", code=wrong)
    locked = talk.intent("VoiceCodeIntent", code="3333")
    assert "locked" in locked and "website" in locked and "voice code" in locked.lower()
    assert web.call("GET", "/voice-code").get_json() | {"updated_at": None} == {
        "customer_id": CUSTOMER, "enabled": True, "locked": True, "failed_attempts": 3, "attempts_left": 0,
        "updated_at": None,
    }  # fmt: skip
    orders_before = len(backend.shopping.orders(CUSTOMER))

    status = web.call("POST", "/voice-code/unlock").get_json()
    assert status["locked"] is False and status["failed_attempts"] == 0 and status["enabled"] is True

    talk.intent("CheckoutIntent")
    assert "voice code" in talk.intent("AMAZON.YesIntent")
    talk.intent("VoiceCodeIntent", code="4321")  # the same code as before the lock
    assert len(backend.shopping.orders(CUSTOMER)) == orders_before + 1
    assert [kind for kind, _, _ in audit(backend)] == ["voice_code_set", "voice_code_unlocked"]
