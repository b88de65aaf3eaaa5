"""Identities on the real store: link/resolve/unlink, refusal of a second owner, hashed tokens and API keys."""

from __future__ import annotations

from typing import Any

import pytest

from backend.errors import AccountNotLinked, CustomerNotFound, UnknownAccessToken, ValidationError
from backend.identity import (
    ApiClientStore,
    DynamoAccessTokenStore,
    IdentityConflict,
    IdentityKind,
    IdentityStore,
    InvalidApiKey,
    create_api_client,
)
from backend.profile import Channel
from backend.store.dynamo import Table

ALEXA_USER = "amzn1.ask.account.AGF7EXAMPLEEXAMPLEEXAMPLE"


@pytest.fixture
def identities(table: Table) -> IdentityStore:
    return IdentityStore(table)


def scan(table: Table) -> list[dict[str, Any]]:
    from backend.store.codec import from_attribute_values

    items = table.client.scan(TableName=table.name)["Items"]
    return [from_attribute_values(item) for item in items]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IdentityKind.WEB, "u-42"),
        (IdentityKind.EMAIL, "Ann.Example@Example.COM"),
        (IdentityKind.STORE, "card-7781"),
        (IdentityKind.ALEXA_USER, ALEXA_USER),
        (IdentityKind.ALEXA_PERSON, "amzn1.ask.person.EXAMPLE"),
        (IdentityKind.ALEXA_TOKEN, "Atza|opaque-token-value"),
    ],
)
def test_every_kind_links_and_resolves(identities: IdentityStore, kind: IdentityKind, value: str) -> None:
    identities.link("1285", kind, value)
    assert identities.resolve(kind, value) == "1285"
    assert [linked.kind for linked in identities.identities("1285")] == [kind]


def test_emails_resolve_case_insensitively(identities: IdentityStore) -> None:
    identities.link("1285", IdentityKind.EMAIL, "Ann@Example.com")
    assert identities.resolve(IdentityKind.EMAIL, "  ann@example.COM ") == "1285"


def test_an_id_of_one_customer_cannot_be_linked_to_another(identities: IdentityStore) -> None:
    identities.link("1285", IdentityKind.WEB, "u-42")
    identities.link("1285", IdentityKind.WEB, "u-42")  # again, same customer: fine
    with pytest.raises(IdentityConflict):
        identities.link("2000", IdentityKind.WEB, "u-42")
    assert identities.resolve(IdentityKind.WEB, "u-42") == "1285"
    assert identities.identities("2000") == []


def test_unlink_only_removes_ones_own_link(identities: IdentityStore) -> None:
    identities.link("1285", IdentityKind.STORE, "card-1")
    assert identities.unlink("2000", IdentityKind.STORE, "card-1") is False
    assert identities.resolve(IdentityKind.STORE, "card-1") == "1285"
    assert identities.unlink("1285", IdentityKind.STORE, "card-1") is True
    assert identities.resolve(IdentityKind.STORE, "card-1") is None
    with pytest.raises(CustomerNotFound):
        identities.require(IdentityKind.STORE, "card-1")
    identities.link("2000", IdentityKind.STORE, "card-1")  # free again
    assert identities.require(IdentityKind.STORE, "card-1") == "2000"


@pytest.mark.parametrize(
    ("kind", "value"),
    [(IdentityKind.WEB, ""), (IdentityKind.WEB, "has#hash"), (IdentityKind.EMAIL, "not-an-email"),
     (IdentityKind.STORE, "x" * 300), (IdentityKind.ALEXA_USER, "spaces are not ids")],
)  # fmt: skip
def test_malformed_ids_are_refused(identities: IdentityStore, kind: IdentityKind, value: str) -> None:
    with pytest.raises(ValidationError):
        identities.link("1285", kind, value)


def test_demo_tokens_are_deterministic_and_stored_hashed(identities: IdentityStore, table: Table) -> None:
    tokens = DynamoAccessTokenStore(identities)
    token = tokens.issue_demo_token("1285")
    assert token == tokens.issue_demo_token("1285")  # same secret, same customer: same token, one link
    assert token != DynamoAccessTokenStore(identities, secret=b"another").demo_token("1285")
    assert tokens.customer_for_token(token) == "1285"
    assert token not in repr(scan(table))
    with pytest.raises(AccountNotLinked):
        tokens.customer_for_token(None)
    with pytest.raises(UnknownAccessToken):
        tokens.customer_for_token("vcdemo_forged")
    assert tokens.revoke(token)
    with pytest.raises(UnknownAccessToken):
        tokens.customer_for_token(token)


def test_api_keys_are_shown_once_and_stored_hashed(table: Table) -> None:
    clients = ApiClientStore(table)
    issued = clients.create(name="web shop", channel="web")
    assert issued.key.startswith("vck_")
    assert issued.key not in repr(scan(table))
    client = clients.authenticate(issued.key)
    assert client == issued.client
    assert client.channel is Channel.WEB and client.can_see("anyone")
    for bad in (None, "", "short", "x" * 500, "vck_" + "A" * 43):
        with pytest.raises(InvalidApiKey):
            clients.authenticate(bad)
    clients.revoke(issued.key)
    with pytest.raises(InvalidApiKey):
        clients.authenticate(issued.key)


def test_scoped_clients_see_only_their_customers(table: Table) -> None:
    printed = create_api_client(table, name="store tills", channel="store", customers=["1285", "2000"])
    client = ApiClientStore(table).authenticate(printed["api_key"])
    assert printed["customer_ids"] == ["1285", "2000"] and not printed["all_customers"]
    assert client.can_see("1285") and not client.can_see("3000")
    grants = [item for item in scan(table) if item.get("kind") == "api_grant"]
    assert sorted(item["pk"] for item in grants) == ["CUST#1285", "CUST#2000"]
    with pytest.raises(ValidationError):
        create_api_client(table, name="fax", channel="fax")


def test_clients_are_listed_and_revoked_by_id_never_by_key(table: Table) -> None:
    clients = ApiClientStore(table)
    first = clients.create(name="web shop", channel="web")
    second = clients.create(name="privacy desk", channel="email", customers=["1285"], scopes=["read", "privacy"])
    listed = clients.clients()
    assert [client.client_id for client in listed] == [first.client.client_id, second.client.client_id]
    assert listed[1].scopes == {"read", "privacy"} and listed[0].scopes == {"read", "write"}
    assert first.key not in repr([client.to_json() for client in listed])
    revoked = clients.revoke_client(first.client.client_id)
    assert revoked.revoked_at is not None
    with pytest.raises(InvalidApiKey):
        clients.authenticate(first.key)
    assert clients.authenticate(second.key).has_scope("privacy")
    assert [client.client_id for client in clients.clients()] == [second.client.client_id]
    assert len(clients.clients(include_revoked=True)) == 2
    with pytest.raises(InvalidApiKey):
        clients.revoke_client("cli_0000000000000000")


def test_scopes_and_channels_are_checked_when_a_client_is_created(table: Table) -> None:
    clients = ApiClientStore(table)
    for bad in ([], ["read", "admin"]):
        with pytest.raises(ValidationError):
            clients.create(name="x", channel="web", scopes=bad)
    with pytest.raises(ValidationError, match="voice"):
        clients.create(name="speaker", channel="voice")
