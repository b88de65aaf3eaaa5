"""Idle-cart reminders with a fake clock: one per idle cart episode, only with consent, none after purchase."""

from __future__ import annotations

import email
from datetime import timedelta
from pathlib import Path

import pytest

from backend.catalog import Catalog
from backend.identity.store import IdentityKind, IdentityStore
from backend.outbound.consumer import StreamConsumer
from backend.outbound.emailing import EmailDelivery
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.mailers import FileMailer
from backend.outbound.reminders import ReminderScheduler, ReminderSweep
from backend.outbound.streams import StreamReader
from backend.profile import Channel
from backend.profile.consent import ConsentStore, Purpose, Status
from backend.settings import Settings
from backend.store.dynamo import Table
from tests.support.outbound import FakeClock, all_records, shopping_on, stream_reader

MILK = "27845"  # Organic Whole Milk
BANANA = "24852"
IDLE = timedelta(minutes=60)


class Shop:
    def __init__(self, table: Table, catalog: Catalog, settings: Settings, folder: Path) -> None:
        self.table = table
        self.clock = FakeClock()
        self.folder = folder
        self.shopping = shopping_on(table, settings, catalog, self.clock)
        ledger = DeliveryLedger(table, clock=self.clock)
        mailer = FileMailer(folder)
        self.consumer = StreamConsumer(
            email=EmailDelivery(table, mailer, sender="shop@shop.example", ledger=ledger, clock=self.clock),
            carts=ReminderScheduler(table, idle=IDLE, clock=self.clock),
        )
        self.sweep = ReminderSweep(table, idle=IDLE, clock=self.clock, catalog=catalog, seller_name="Test Grocer")
        self.reader: StreamReader = stream_reader(table, self.clock)

    def consent(self, customer_id: str, status: str = "granted") -> None:
        ConsentStore(self.table).set(
            customer_id, Purpose.MARKETING_EMAIL, Status(status), channel=Channel.WEB, at=self.clock()
        )

    def pump(self) -> None:
        """Hand every new stream record to the consumer (what the worker or the Lambda does)."""
        result = self.consumer.handle(all_records(self.reader))
        assert not result.failed

    def reminders(self) -> list[email.message.Message]:
        files = sorted(self.folder.glob("cart-reminder-*.eml"))
        return [email.message_from_bytes(file.read_bytes()) for file in files]


@pytest.fixture
def shop(table: Table, catalog: Catalog, settings: Settings, tmp_path: Path) -> Shop:
    return Shop(table, catalog, settings, tmp_path)


def test_an_idle_cart_gets_one_reminder_after_the_idle_time(shop: Shop) -> None:
    shop.consent("1285")
    IdentityStore(shop.table, clock=shop.clock).link("1285", IdentityKind.EMAIL, "ana@example.com")
    shop.shopping.add_items("1285", [(MILK, 2), (BANANA, 1)], request_id="a")
    shop.pump()

    shop.clock.advance(minutes=30)
    assert shop.sweep.run().reminded == []
    shop.clock.advance(minutes=40)  # 70 minutes idle
    assert shop.sweep.run().reminded == ["1285"]
    shop.pump()

    (reminder,) = shop.reminders()
    assert reminder["To"] == "ana@example.com" and reminder["Subject"] == "You left these in your cart at Test Grocer"
    body = reminder.get_payload(decode=True).decode()
    assert "2 x Organic Whole Milk" in body and "1 x Banana" in body

    shop.clock.advance(hours=5)
    assert shop.sweep.run().reminded == [] and shop.sweep.check("1285").skipped == {"already_reminded": 1}
    shop.pump()
    assert len(shop.reminders()) == 1


def test_a_cart_bought_or_emptied_before_the_idle_time_gets_no_reminder(shop: Shop) -> None:
    for customer in ("1285", "2000"):
        shop.consent(customer)
    shop.shopping.add_items("1285", [(MILK, 1)], request_id="a1")
    shop.shopping.add_items("2000", [(MILK, 1)], request_id="a2")
    shop.pump()
    shop.clock.advance(minutes=10)
    shop.shopping.place_order("1285", request_id="buy")
    shop.shopping.change_cart("2000", lambda cart: cart.cleared(), request_id="clear")
    shop.pump()

    shop.clock.advance(hours=2)
    result = shop.sweep.run()

    assert result.reminded == [] and result.skipped == {"empty": 2}
    assert shop.reminders() == []
    assert len(list(shop.folder.glob("*.eml"))) == 1  # only the order confirmation


def test_without_marketing_consent_there_is_no_reminder(shop: Shop) -> None:
    shop.consent("2000", status="withdrawn")
    shop.shopping.add_items("1285", [(MILK, 1)], request_id="a1")  # no consent recorded at all
    shop.shopping.add_items("2000", [(MILK, 1)], request_id="a2")
    shop.pump()
    shop.clock.advance(hours=2)
    assert shop.sweep.run().skipped == {"no_consent": 2}
    shop.pump()
    assert shop.reminders() == []


def test_a_web_cart_changed_again_is_reminded_once_when_it_finally_idles(shop: Shop) -> None:
    shop.consent("1285")
    shop.shopping.add_items("1285", [(MILK, 1)], request_id="w1", channel="web")
    shop.pump()
    shop.clock.advance(minutes=50)
    shop.shopping.add_items("1285", [(BANANA, 2)], request_id="w2", channel="web")
    shop.pump()

    shop.clock.advance(minutes=20)  # 70 min after the first change, 20 after the last: not idle yet
    first = shop.sweep.run()
    assert first.reminded == [] and first.skipped == {"active": 1}
    shop.clock.advance(minutes=50)  # now 70 minutes after the last change
    assert shop.sweep.run().reminded == ["1285"]
    shop.pump()
    (reminder,) = shop.reminders()
    assert "2 x Banana" in reminder.get_payload(decode=True).decode()


# Every sweep queries each 5-minute bucket that passed (four shards each): the day-long gap, a day's catch-up in one
# run, is 1,152 queries; the fast loop has the same episodes two hours apart.
@pytest.mark.parametrize(
    "gap", [timedelta(hours=2), pytest.param(timedelta(days=1), marks=pytest.mark.slow)], ids=["hours", "a-day"]
)
def test_a_new_episode_after_a_purchase_can_be_reminded_again(shop: Shop, gap: timedelta) -> None:
    shop.consent("1285")
    shop.shopping.add_items("1285", [(MILK, 1)], request_id="e1")
    shop.pump()
    shop.clock.advance(minutes=70)
    assert shop.sweep.run().reminded == ["1285"]
    shop.shopping.place_order("1285", request_id="buy")
    shop.clock.advance(seconds=gap.total_seconds())
    shop.shopping.add_items("1285", [(BANANA, 1)], request_id="e2")
    shop.pump()
    shop.clock.advance(minutes=70)
    assert shop.sweep.run().reminded == ["1285"]
    shop.pump()
    assert len(shop.reminders()) == 2


def test_the_sweep_resumes_where_it_stopped_and_catches_up(shop: Shop) -> None:
    shop.consent("1285")
    assert shop.sweep.run().buckets == 72  # first run: the last six hours
    shop.shopping.add_items("1285", [(MILK, 1)], request_id="c1")
    shop.pump()
    shop.clock.advance(hours=6)  # the worker was down
    caught_up = shop.sweep.run()
    assert caught_up.buckets == 72 and caught_up.reminded == ["1285"]
    assert shop.sweep.run().buckets == 0  # nothing new has passed
