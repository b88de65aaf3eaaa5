"""An erased customer stays erased: after the privacy delete, the old token is an unlinked account's, nothing is
written about them again (not by a voice turn, not by the demo's provisioning), a tombstone without personal data
proves the erase, and the table's stream no longer holds their records."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from flask import Flask
from talking import Conversation

from backend.api import create_api_blueprint
from backend.demo import DemoDirectory
from backend.errors import CustomerErased, UnknownAccessToken
from backend.identity import IdentityKind
from backend.profile import Channel, EventOrigin, Outcome, new_event
from backend.profile.consent import Purpose, Status
from backend.profile.erasure import customer_of_record, drop_erased
from backend.services import Backend, build_backend
from backend.store.codec import from_attribute_values
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "1285"
USER_ID = "amzn1.ask.account.ERASE-ME"


def scan(backend: Backend) -> list[dict[str, Any]]:
    items = backend.table.client.scan(TableName=backend.table.name, ConsistentRead=True)["Items"]
    return [from_attribute_values(item) for item in items]


def about(backend: Backend, customer_id: str) -> list[dict[str, Any]]:
    """Every item that names the customer, apart from their tombstone."""
    return [
        item
        for item in scan(backend)
        if customer_id in json.dumps(item, default=str) and item["pk"] != f"ERASED#{customer_id}"
    ]


def stream_records(backend: Backend) -> list[dict[str, Any]]:
    # The regional endpoint: botocore would otherwise pick the stream ARN's account endpoint, which moto does not serve.
    streams = boto3.client(
        "dynamodbstreams", region_name="us-east-1", endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com"
    )
    arn = backend.table.client.describe_table(TableName=backend.table.name)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


def erase(backend: Backend) -> dict[str, Any]:
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(backend), url_prefix="/api/v1")
    issued = backend.clients.create(name="privacy desk", channel="web", scopes=("read", "privacy"))
    response = app.test_client().delete(
        f"/api/v1/customers/{CUSTOMER}", headers={"Authorization": f"Bearer {issued.key}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    receipt: dict[str, Any] = response.get_json()
    assert receipt["requested_by"] == issued.client.client_id
    return receipt


@pytest.fixture
def directory(demo_backend: Backend) -> DemoDirectory:
    assert demo_backend.demo is not None
    return demo_backend.demo


def test_after_the_erase_the_old_token_is_an_unlinked_account_and_nothing_is_written(
    demo_backend: Backend, directory: DemoDirectory
) -> None:
    token = directory.demo_token(CUSTOMER)
    talk = Conversation(SkillRuntime(build_skill(demo_backend)), token, user_id=USER_ID)
    talk.launch()
    talk.intent("AddToCartIntent", product="banana", ids={"product": "24852"})
    assert not demo_backend.shopping.cart(CUSTOMER).is_empty
    receipt = erase(demo_backend)
    assert receipt["counts"]["orders"] > 0 and receipt["counts"]["lookups"] >= 2  # the token and the user-id alias

    assert about(demo_backend, CUSTOMER) == []
    with pytest.raises(UnknownAccessToken):
        demo_backend.tokens.customer_for_token(token)

    # The same device, the same token: greeted as an account that is not linked, and nothing recorded.
    again = Conversation(SkillRuntime(build_skill(demo_backend)), token, user_id=USER_ID)
    for turn in (again.launch, lambda: again.intent("AddToCartIntent", product="bananas")):
        speech = turn()
        assert "link your account" in speech and "Welcome back" not in speech
        assert again.card is not None and again.card["type"] == "LinkAccount"
    assert about(demo_backend, CUSTOMER) == []

    # A restarted demo process, whose directory knows the token and whose store lost the demo marker, refuses too.
    restarted = build_backend(
        demo_backend.settings, client=demo_backend.table.client, catalog=demo_backend.catalog, demo=True
    )
    assert restarted.demo is not None and restarted.demo.provision(CUSTOMER) is False
    with pytest.raises(UnknownAccessToken):
        restarted.tokens.customer_for_token(token)
    assert about(demo_backend, CUSTOMER) == []


def test_the_tombstone_proves_the_erase_without_personal_data(demo_backend: Backend, directory: DemoDirectory) -> None:
    Conversation(SkillRuntime(build_skill(demo_backend)), directory.demo_token(CUSTOMER), user_id=USER_ID).launch()
    receipt = erase(demo_backend)
    tombstone = demo_backend.customer_data.tombstone(CUSTOMER)
    assert tombstone is not None and tombstone.status == "erased"
    assert tombstone.erased_at == receipt["deleted_at"] and tombstone.requested_by == receipt["requested_by"]
    assert sum(tombstone.counts.values()) == receipt["total"]
    stored = [item for item in scan(demo_backend) if item["pk"] == f"ERASED#{CUSTOMER}"]
    assert len(stored) == 1
    text = json.dumps(stored[0], default=str)
    for personal in (USER_ID, directory.demo_token(CUSTOMER), "Banana", "ORDER#", "IDENT#"):
        assert personal not in text
    assert demo_backend.customer_data.tombstones.erased_ids() == {CUSTOMER}

    # Asked again: the same tombstone, nothing more deleted.
    demo_backend.customer_data.delete(CUSTOMER, requested_by="support")
    after = demo_backend.customer_data.tombstone(CUSTOMER)
    assert after is not None and after.requested_at == tombstone.requested_at and after.counts == tombstone.counts


def test_the_stream_holds_nothing_of_the_erased_customer(demo_backend: Backend, directory: DemoDirectory) -> None:
    neighbour = next(c.customer_id for c in directory.customers() if c.customer_id != CUSTOMER)
    other = Conversation(SkillRuntime(build_skill(demo_backend)), directory.demo_token(neighbour))
    other.launch()
    talk = Conversation(SkillRuntime(build_skill(demo_backend)), directory.demo_token(CUSTOMER), user_id=USER_ID)
    talk.launch()
    talk.intent("AddToCartIntent", product="banana", ids={"product": "24852"})
    before = stream_records(demo_backend)
    theirs = [record for record in before if customer_of_record(record) == CUSTOMER]
    assert len(theirs) > 10 and any("NewImage" in record["dynamodb"] for record in theirs)

    receipt = erase(demo_backend)
    assert receipt["stream_records_redacted"] >= len(theirs)
    after = stream_records(demo_backend)
    assert len(after) > len(before)  # nothing removed: sequence numbers stay valid, the erase's own records follow
    tombstone_keys = {"pk": {"S": f"ERASED#{CUSTOMER}"}, "sk": {"S": "TOMBSTONE"}}
    for record in after:
        text = json.dumps(record, default=str)
        assert f"CUST#{CUSTOMER}" not in text and USER_ID not in text
        if customer_of_record(record) == CUSTOMER:
            assert record["dynamodb"]["Keys"] == tombstone_keys, text
            image = record["dynamodb"].get("NewImage") or record["dynamodb"].get("OldImage")
            assert image is None or image["kind"] == {"S": "tombstone"}, text
    assert any(customer_of_record(record) == neighbour for record in after)  # others' records untouched

    # The consumer rule, on a batch read before the erase: everything of the erased customer goes, the rest stays.
    kept = list(drop_erased(before, {CUSTOMER}))
    assert not [record for record in kept if customer_of_record(record) == CUSTOMER]
    assert len(kept) == len(before) - len(theirs)


def erase_before_the_next_write(backend: Backend) -> list[dict[str, Any]]:
    """When the turn's first write is about to go out (its token resolved, its state read), the erase runs first:
    the race of a voice turn in flight during ``DELETE /customers/{id}``, made deterministic through the client's
    own event hooks. Returns the receipts of the erases that ran."""
    receipts: list[dict[str, Any]] = []
    events = backend.table.client.meta.events

    def before_write(**_: Any) -> None:
        for name in WRITE_CALLS:
            events.unregister(f"before-call.dynamodb.{name}", before_write)
        receipts.append(erase(backend))

    for name in WRITE_CALLS:
        events.register(f"before-call.dynamodb.{name}", before_write)
    return receipts


WRITE_CALLS = ("TransactWriteItems", "PutItem", "UpdateItem")


def test_a_turn_in_flight_during_the_erase_writes_nothing_and_hears_the_link_account_answer(
    demo_backend: Backend, directory: DemoDirectory
) -> None:
    token = directory.demo_token(CUSTOMER)
    talk = Conversation(SkillRuntime(build_skill(demo_backend)), token, user_id=USER_ID)
    talk.launch()
    receipts = erase_before_the_next_write(demo_backend)
    speech = talk.intent("AddToCartIntent", product="banana", ids={"product": "24852"})
    assert len(receipts) == 1 and receipts[0]["counts"]["orders"] > 0
    assert "link your account" in speech and "Banana" not in speech
    assert about(demo_backend, CUSTOMER) == []  # no cart, no event, no profile, no marker came back


def test_every_write_of_an_erased_customer_is_refused_whole(demo_backend: Backend, directory: DemoDirectory) -> None:
    directory.provision(CUSTOMER)
    state = demo_backend.shopping.state(CUSTOMER)
    demo_backend.customer_data.delete(CUSTOMER, requested_by="support")
    shopping, profiles = demo_backend.shopping, demo_backend.profiles
    origin = EventOrigin(
        event_id="voice-late", customer_id=CUSTOMER, channel=Channel.VOICE, type="voice_turn",
        occurred_at=shopping.now(), device=None, intent="AddToCartIntent", locale="en-US",
    )  # fmt: skip
    late_writes = (
        lambda: shopping.add_items(CUSTOMER, [("24852", 1)], request_id="late-add", cart=state.cart),
        lambda: profiles.record_event(new_event(origin, Outcome.OPENED)),
        lambda: demo_backend.identities.link(CUSTOMER, IdentityKind.ALEXA_USER, USER_ID),
        lambda: demo_backend.consents.set(
            CUSTOMER, Purpose.MARKETING_EMAIL, Status.GRANTED, channel=Channel.WEB, at=shopping.now()
        ),
        lambda: profiles.ensure_customer(CUSTOMER),
    )
    for write in late_writes:
        with pytest.raises(CustomerErased):
            write()
    assert about(demo_backend, CUSTOMER) == []


@pytest.mark.parametrize("next_turn", ["ReadCartIntent", "LastOrderIntent", "AddToCartIntent"])
def test_after_an_erase_the_very_next_turn_of_a_talking_device_is_refused(
    demo_backend: Backend, directory: DemoDirectory, next_turn: str
) -> None:
    """The contract for any shortcut that remembers whose a token is (a process that resolved it before): the erase
    revokes it at once, in whichever process it ran. The device has just talked (its token resolved, read and
    written with, in this process); the erase runs through another process's backend on the same table; the next
    turn, a read or a write, hears the link-account answer and records nothing."""
    runtime = SkillRuntime(build_skill(demo_backend))  # one process, kept across the erase
    talk = Conversation(runtime, directory.demo_token(CUSTOMER), user_id=USER_ID)
    talk.launch()
    talk.intent("AddToCartIntent", product="banana", ids={"product": "24852"})
    assert "Banana" in talk.intent("ReadCartIntent")
    elsewhere = build_backend(demo_backend.settings, client=demo_backend.table.client, catalog=demo_backend.catalog)
    elsewhere.customer_data.delete(CUSTOMER, requested_by="support")

    slots = {"product": "bananas"} if next_turn == "AddToCartIntent" else {}
    speech = talk.intent(next_turn, **slots)
    assert "link your account" in speech, speech
    assert talk.card is not None and talk.card["type"] == "LinkAccount"
    assert "Banana" not in speech and "empty" not in speech  # no answer from the (now empty) state of the erased
    assert about(demo_backend, CUSTOMER) == []
