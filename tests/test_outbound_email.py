"""Order confirmations leave the outbox exactly once: as .eml files locally, through SES (moto) when deployed."""

from __future__ import annotations

import email
import email.policy
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from backend.catalog import Catalog
from backend.errors import StoreUnavailable
from backend.identity.store import IdentityKind, IdentityStore
from backend.outbound.consumer import StreamConsumer
from backend.outbound.emailing import EmailDelivery
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.mailers import FileMailer, Mailer, SesMailer, make_mailer
from backend.outbound.records import parse_record
from backend.outbound.translate import work_for
from backend.settings import Settings
from backend.store import keys
from backend.store.dynamo import Table
from tests.support.outbound import FakeClock, all_records, shopping_on, stream_reader

MILK = "27845"  # Organic Whole Milk
BANANA = "24852"
SENDER = "orders@shop.example"


def consumer_for(table: Table, mailer: Mailer, clock: FakeClock) -> StreamConsumer:
    ledger = DeliveryLedger(table, clock=clock)
    return StreamConsumer(email=EmailDelivery(table, mailer, sender=SENDER, ledger=ledger, clock=clock))


def checkout(table: Table, catalog: Catalog, settings: Settings, clock: FakeClock, customer: str = "2706") -> str:
    shopping = shopping_on(table, settings, catalog, clock)
    shopping.add_items(customer, [(MILK, 2), (BANANA, 3)], request_id=f"add-{customer}")
    return shopping.place_order(customer, request_id=f"buy-{customer}").order.order_id


def outbox_of(table: Table, customer: str) -> list[dict[str, object]]:
    return table.query_all(
        "pk = :pk AND begins_with(sk, :o)", values={":pk": keys.customer_pk(customer), ":o": "OUTBOX#"}, consistent=True
    )


def test_a_checkout_writes_one_eml_file_with_real_headers_lines_and_total(
    table: Table, catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    clock = FakeClock()
    IdentityStore(table, clock=clock).link("2706", IdentityKind.EMAIL, "Shopper@Example.com")
    order_id = checkout(table, catalog, settings, clock)
    consumer = consumer_for(table, FileMailer(tmp_path), clock)
    reader = stream_reader(table, clock)
    records = all_records(reader)

    first = consumer.handle(records)
    again = consumer.handle(records)  # the same records seen twice: nothing goes out again

    assert first.emails == {"sent": 1} and not first.failed
    assert again.emails == {"skipped": 1}  # the outbox item is no longer pending
    files = list(tmp_path.glob("*.eml"))
    assert [file.name for file in files] == [f"{order_id}.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "shopper@example.com" and message["From"] == SENDER
    assert order_id in message["Subject"] and message["Date"] and message["Message-ID"].endswith("@shop.example>")
    body = message.get_content()
    assert "2 x Organic Whole Milk" in body and "3 x Banana" in body
    total = Decimal(body.split("Total: $")[1].split()[0])
    assert total > 0
    (outbox,) = outbox_of(table, "2706")
    assert outbox["state"] == "sent" and outbox["sent_ref"] == str(files[0]) and "gsi1pk" not in outbox


def test_a_record_seen_twice_while_still_pending_is_sent_once(
    table: Table, catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    """Two workers given the same record: the delivery marker lets one of them send."""
    clock = FakeClock()
    checkout(table, catalog, settings, clock)
    records = all_records(stream_reader(table, clock))
    outbox_records = [r for r in records if r["dynamodb"]["Keys"]["sk"]["S"].startswith("OUTBOX#")]
    sent: list[str] = []

    class CountingMailer(FileMailer):
        def send(self, message: email.message.EmailMessage, *, message_id: str) -> str:
            sent.append(message_id)
            return super().send(message, message_id=message_id)

    mailer = CountingMailer(tmp_path)
    ledger = DeliveryLedger(table, clock=clock)
    delivery = EmailDelivery(table, mailer, sender=SENDER, ledger=ledger, clock=clock)
    # Worker B reads the outbox item while worker A is still sending it: only the marker stops B.
    (message,) = work_for(parse_record(outbox_records[0])).emails
    assert ledger.claim("2706", "email", message.message_id) is True  # worker A claims ...
    assert delivery.deliver(message).outcome == "duplicate"  # ... so worker B does not send
    assert sent == []
    assert delivery.deliver(message).outcome == "duplicate"  # and while A's lease lasts, neither does anyone else


def test_without_an_address_the_file_is_written_to_no_one_and_ses_sends_nothing(
    table: Table, catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    clock = FakeClock()
    checkout(table, catalog, settings, clock)
    records = all_records(stream_reader(table, clock))
    result = consumer_for(table, FileMailer(tmp_path), clock).handle(records)
    assert result.emails == {"sent": 1}
    (file,) = tmp_path.glob("*.eml")
    assert email.message_from_bytes(file.read_bytes())["To"] == "undisclosed-recipients:;"


def test_deployed_a_checkout_is_one_ses_call(table: Table, catalog: Catalog, settings: Settings) -> None:
    clock = FakeClock()
    ses = boto3.client("sesv2", region_name="us-east-1")
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)
    IdentityStore(table, clock=clock).link("2706", IdentityKind.EMAIL, "shopper@example.com")
    order_id = checkout(table, catalog, settings, clock)
    ses_settings = Settings.load(env={}, email_sender="ses", email_from=SENDER, aws_region="us-east-1")
    mailer = make_mailer(ses_settings, ses_client=ses)
    assert isinstance(mailer, SesMailer)
    records = all_records(stream_reader(table, clock))

    consumer = consumer_for(table, mailer, clock)
    assert consumer.handle(records).emails == {"sent": 1}
    assert consumer.handle(records).emails == {"skipped": 1}

    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert len(sent) == 1
    assert sent[0].destinations == ["shopper@example.com"] and order_id in sent[0].raw_data
    (outbox,) = outbox_of(table, "2706")
    assert outbox["state"] == "sent" and outbox["sent_ref"] == sent[0].id


def test_a_failed_send_is_retried_from_that_record_and_then_sent_once(
    table: Table, catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    clock = FakeClock()
    IdentityStore(table, clock=clock).link("2706", IdentityKind.EMAIL, "shopper@example.com")
    checkout(table, catalog, settings, clock)
    records = all_records(stream_reader(table, clock))
    ses = boto3.client("sesv2", region_name="us-east-1")  # the sender is not verified yet: SES refuses
    consumer = consumer_for(table, SesMailer(ses, sender=SENDER), clock)

    failed = consumer.handle(records)
    assert failed.failed and failed.lambda_response()["batchItemFailures"][0]["itemIdentifier"] == failed.failed[0]
    (outbox,) = outbox_of(table, "2706")
    assert outbox["state"] == "pending"

    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=SENDER)
    retried = [r for r in records if r["dynamodb"]["SequenceNumber"] >= failed.failed[0]]
    assert consumer.handle(retried).emails == {"sent": 1}
    assert len(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages) == 1


def test_the_settings_choose_the_mailer(tmp_path: Path) -> None:
    assert make_mailer(Settings.load(env={}, email_sender="none")) is None
    chosen = make_mailer(Settings.load(env={"VOICECART_EMAIL_FOLDER": str(tmp_path)}))
    assert isinstance(chosen, FileMailer) and chosen.folder == tmp_path
    with pytest.raises(Exception, match="VOICECART_EMAIL_SENDER"):
        Settings.load(env={"VOICECART_EMAIL_SENDER": "pigeon"})


def test_a_store_failure_fails_the_record_without_sending(tmp_path: Path, table: Table) -> None:
    class Down(Table):
        def get(self, *args: object, **kwargs: object) -> None:
            raise StoreUnavailable("down")

    from tests.support.outbound import START

    clock = FakeClock(START)
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "dynamodb": {
            "SequenceNumber": "100",
            "Keys": {"pk": {"S": "CUST#9"}, "sk": {"S": "OUTBOX#x#m1"}},
            "NewImage": {"pk": {"S": "CUST#9"}, "sk": {"S": "OUTBOX#x#m1"}, "kind": {"S": "outbox"},
                         "channel": {"S": "email"}, "state": {"S": "pending"}, "message_id": {"S": "m1"},
                         "subject": {"S": "s"}, "body": {"S": "b"}, "created_at": {"S": START.isoformat()}},
            "ApproximateCreationDateTime": 1_700_000_000,
        },
    }  # fmt: skip
    down = Down(table.client, table.name)
    result = consumer_for(down, FileMailer(tmp_path), clock).handle([record])
    assert result.failed == ["100"] and not list(tmp_path.iterdir())


def test_an_unforeseen_failure_fails_its_record_and_releases_the_claim(
    table: Table, catalog: Catalog, settings: Settings, tmp_path: Path
) -> None:
    clock = FakeClock()
    checkout(table, catalog, settings, clock)
    records = all_records(stream_reader(table, clock))

    class Broken(FileMailer):
        def send(self, message: email.message.EmailMessage, *, message_id: str) -> str:
            raise RuntimeError("a bug")

    failed = consumer_for(table, Broken(tmp_path), clock).handle(records)
    assert failed.failed and failed.emails == {}
    retried = [r for r in records if r["dynamodb"]["SequenceNumber"] >= failed.failed[0]]
    assert consumer_for(table, FileMailer(tmp_path), clock).handle(retried).emails == {"sent": 1}
