"""Nothing is written for a customer once their erase has begun: one test per write point that is not a turn's cart
or event transaction (those are ``test_erase_in_flight``).

An erase writes the tombstone first and then sweeps the partition until a consistent read finds nothing. A write
with no condition on the tombstone that lands after the last sweep is the erased customer's data, back for good
(and on the table's stream after its redaction). So every write point is tried here in the state an erase in
another process leaves between its first step and its sweep (the tombstone is there, the data still is), and must
be refused with nothing written; the import and the merge also meet a whole erase between two of their writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from backend.api.idempotency import RequestFingerprints
from backend.demo.directory import DemoDirectory
from backend.demo.histories import CustomerHistory, PastOrder
from backend.demo.history_import import import_histories
from backend.errors import CustomerErased
from backend.identity.clients import ApiClientStore
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.reminders import ReminderScheduler, ReminderSweep
from backend.outbound.subscriptions import Subscription
from backend.outbound.translate import CartActivity, OutboundEvent
from backend.outbound.webhooks import Attempts, WebhookDispatcher
from backend.profile.consent import ConsentStore, Purpose, Status
from backend.profile.erasure import Tombstones
from backend.profile.events import Channel
from backend.services import Backend
from backend.shopping import voicecode
from backend.shopping.orders import rebuild_summary
from backend.shopping.requests import stage_marker
from backend.store.codec import from_attribute_values
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

CUSTOMER = "4242"
OTHER = "4343"
AT = "2026-12-02T10:00:00+00:00"
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def begin_erase(table: Table, customer_id: str = CUSTOMER) -> None:
    """What an erase in another process has done before its sweep: the tombstone, nothing deleted yet."""
    Tombstones(table).begin(customer_id, at=AT, requested_by="test")


def scan(table: Table) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table.name, "ConsistentRead": True}
    while True:
        page = table.client.scan(**kwargs)
        items.extend(from_attribute_values(item) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def about(table: Table, customer_id: str = CUSTOMER) -> list[str]:
    """Every item that names the customer, but their tombstone: ``pk sk``."""
    return sorted(
        f"{item['pk']} {item['sk']}"
        for item in scan(table)
        if item["pk"] != f"ERASED#{customer_id}"
        and (customer_id in str(item["pk"]) or customer_id in str(item["sk"]) or item.get("customer_id") == customer_id)
    )


def history(customer_id: str, orders: int) -> CustomerHistory:
    start = date(2026, 1, 1)
    return CustomerHistory(
        customer_id,
        tuple(
            PastOrder(f"{customer_id}{n:04d}", n + 1, start + timedelta(days=n), ("24852", "27845"))
            for n in range(orders)
        ),
    )


@pytest.fixture
def erase_on_first_write(backend: Backend) -> Iterator[Callable[[str], list[int]]]:
    """Arm: the whole erase of a customer (another process's ``DELETE``) runs right after the next write call that
    succeeds, between two writes of the code under test. Returns the list the hook appends to when it fired."""
    events = backend.table.client.meta.events
    hooks: list[Any] = []

    def arm(customer_id: str) -> list[int]:
        fired: list[int] = []

        def after_write(**_: Any) -> None:
            if not fired:
                fired.append(1)
                backend.customer_data.delete(customer_id, requested_by="another process")

        for operation in ("TransactWriteItems", "BatchWriteItem", "PutItem"):
            name = f"after-call.dynamodb.{operation}"
            events.register(name, after_write)
            hooks.append((name, after_write))
        return fired

    yield arm
    for name, hook in hooks:
        events.unregister(name, hook)


# --- the API and the voice code ------------------------------------------------------------------------------------


def test_an_api_fingerprint_is_not_written_once_the_erase_began(backend: Backend) -> None:
    begin_erase(backend.table)
    with pytest.raises(CustomerErased):
        RequestFingerprints(backend.table).remember(CUSTOMER, "event-after-erase", "f" * 64)
    assert about(backend.table) == []


def test_a_voice_code_is_not_set_once_the_erase_began(backend: Backend) -> None:
    backend.profiles.ensure_customer(CUSTOMER)
    begin_erase(backend.table)
    with pytest.raises(CustomerErased):
        voicecode.set_voice_code(backend.table, CUSTOMER, "4321", at=AT)
    assert about(backend.table) == [f"CUST#{CUSTOMER} PROFILE"]  # only what the sweep still has to delete


def test_a_wrong_voice_code_counts_nothing_once_the_erase_began(backend: Backend) -> None:
    """The wrong-code transaction is a request marker and the code's count: no cart write carries the check."""
    voicecode.set_voice_code(backend.table, CUSTOMER, "4321", at=AT)
    state = backend.shopping.state(CUSTOMER).voice_code
    begin_erase(backend.table)
    tx = Transaction(backend.table)
    stage_marker(tx, CUSTOMER, "turn-wrong-code", outcome={"wrong_code": 2}, applied_at=AT)
    voicecode.stage_wrong_code(tx, CUSTOMER, state, at=AT)
    with pytest.raises(CustomerErased):
        tx.commit()
    assert about(backend.table) == [f"CUST#{CUSTOMER} VOICECODE"]
    assert backend.shopping.state(CUSTOMER).voice_code.failed_attempts == 0


# --- the demo: history import and provisioning ---------------------------------------------------------------------


def test_an_import_writes_nothing_for_an_erased_customer_and_goes_on_with_the_others(backend: Backend) -> None:
    begin_erase(backend.table)
    written = import_histories(
        backend.table, [history(CUSTOMER, 3), history(OTHER, 2)], backend.catalog, backend.settings, at=AT
    )
    assert written == 2
    assert about(backend.table) == []
    assert len(about(backend.table, OTHER)) == 2 + 2  # their orders, statistics and summary


def test_an_erase_between_two_writes_of_an_import_leaves_nothing(
    backend: Backend, erase_on_first_write: Callable[[str], list[int]]
) -> None:
    """150 orders take two writes: the erase runs whole after the first (and its sweep deletes what it wrote)."""
    fired = erase_on_first_write(CUSTOMER)
    written = import_histories(backend.table, [history(CUSTOMER, 150)], backend.catalog, backend.settings, at=AT)
    assert fired
    assert written == 0
    assert about(backend.table) == []
    assert Tombstones(backend.table).is_erased(CUSTOMER)


def test_a_demo_provisioning_met_by_an_erase_stops_and_leaves_nothing(
    backend: Backend, erase_on_first_write: Callable[[str], list[int]]
) -> None:
    directory = DemoDirectory(
        {CUSTOMER: history(CUSTOMER, 4)},
        table=backend.table,
        catalog=backend.catalog,
        settings=backend.settings,
        profiles=backend.profiles,
        tokens=backend.tokens,
    )
    fired = erase_on_first_write(CUSTOMER)
    assert directory.provision(CUSTOMER) is False
    assert fired
    assert about(backend.table) == []
    assert directory.provision(CUSTOMER) is False
    assert about(backend.table) == []


def test_an_order_summary_is_not_rebuilt_once_the_erase_began(backend: Backend) -> None:
    import_histories(backend.table, [history(CUSTOMER, 2)], backend.catalog, backend.settings, at=AT)
    before = about(backend.table)
    backend.table.delete({"pk": f"CUST#{CUSTOMER}", "sk": "ORDERSUMMARY"})
    begin_erase(backend.table)
    with pytest.raises(CustomerErased):
        rebuild_summary(backend.table, CUSTOMER, at=AT)
    assert about(backend.table) == [key for key in before if not key.endswith("ORDERSUMMARY")]


# --- identity: API grants and merges --------------------------------------------------------------------------------


def test_no_api_client_is_granted_a_customer_once_their_erase_began(backend: Backend) -> None:
    begin_erase(backend.table)
    with pytest.raises(CustomerErased):
        ApiClientStore(backend.table).create(name="shop", channel="web", customers=[OTHER, CUSTOMER])
    assert about(backend.table) == []
    assert about(backend.table, OTHER) == []
    assert not [item for item in scan(backend.table) if str(item["pk"]).startswith("APIKEY#")]


def test_a_merge_into_a_customer_whose_erase_began_moves_nothing_into_them(backend: Backend) -> None:
    import_histories(backend.table, [history(OTHER, 3)], backend.catalog, backend.settings, at=AT)
    backend.profiles.ensure_customer(OTHER)
    backend.profiles.ensure_customer(CUSTOMER)
    begin_erase(backend.table)
    source_before = about(backend.table, OTHER)
    with pytest.raises(CustomerErased):
        backend.merger.merge(OTHER, CUSTOMER)
    assert about(backend.table) == [f"CUST#{CUSTOMER} PROFILE"]
    assert about(backend.table, OTHER) == source_before


# --- outbound: deliveries, dead letters, reminders ------------------------------------------------------------------


def test_no_delivery_is_claimed_or_recorded_for_an_erased_customer(backend: Backend) -> None:
    ledger = DeliveryLedger(backend.table, clock=lambda: NOW)
    assert ledger.claim(CUSTOMER, "email", "m-1") is True
    backend.customer_data.delete(CUSTOMER, requested_by="test")  # erased while the message was being sent
    ledger.complete(CUSTOMER, "email", "m-1", "sent", reference="ref-1")
    assert ledger.claim(CUSTOMER, "email", "m-2") is False  # never sent: the customer is gone
    assert about(backend.table) == []


def test_no_dead_letter_is_written_for_an_erased_customer(backend: Backend) -> None:
    dispatcher = WebhookDispatcher(
        backend.table, directory=None, sender=None, ledger=DeliveryLedger(backend.table, clock=lambda: NOW),  # type: ignore[arg-type]
        clock=lambda: NOW,
    )  # fmt: skip
    subscription = Subscription("sub-1", "client-1", "APIKEY#x", "https://hooks.example/in", ("*",), "s" * 32, AT)
    event = OutboundEvent("ev-1", "cart.changed", CUSTOMER, AT, {"product_id": "1"})
    begin_erase(backend.table)
    dispatcher._dead_letter(subscription, event, Attempts(False, 3, 500, None))
    assert about(backend.table) == []


def test_no_reminder_is_scheduled_or_queued_once_the_erase_began(backend: Backend) -> None:
    backend.shopping.add_items(CUSTOMER, [("24852", 1)], request_id="turn-1", channel="web")
    ConsentStore(backend.table).set(
        CUSTOMER, Purpose.MARKETING_EMAIL, Status("granted"), channel=Channel.WEB, at=NOW - timedelta(days=1)
    )
    before = about(backend.table)
    begin_erase(backend.table)
    ReminderScheduler(backend.table, idle=timedelta(hours=1), clock=lambda: NOW).schedule(
        CartActivity(customer_id=CUSTOMER, version=1, updated_at=AT)
    )
    # The cart was written by the real clock: the sweep looks a day past it, whatever today is (a fixed date here
    # made the cart look freshly changed, "active", from the day after it was written).
    a_day_later = datetime.now(UTC) + timedelta(days=1)
    sweep = ReminderSweep(backend.table, idle=timedelta(hours=1), clock=lambda: a_day_later)
    assert sweep.check(CUSTOMER).skipped == {"erased": 1}
    assert about(backend.table) == before


def test_the_erase_deletes_the_customers_reminder_schedule_entries_outside_their_partition(backend: Backend) -> None:
    scheduler = ReminderScheduler(backend.table, idle=timedelta(hours=1), clock=lambda: NOW)
    for version, minutes in ((1, 0), (2, 7), (3, 31)):  # three cart changes: three schedule buckets
        at = (NOW + timedelta(minutes=minutes)).isoformat()
        scheduler.schedule(CartActivity(customer_id=CUSTOMER, version=version, updated_at=at))
    scheduler.schedule(CartActivity(customer_id=OTHER, version=1, updated_at=AT))
    entries = [item for item in scan(backend.table) if str(item["pk"]).startswith("REMIND#")]
    assert len(entries) == 4
    receipt = backend.customer_data.delete(CUSTOMER, requested_by="test")
    assert receipt.counts["reminder_schedule"] == 3
    assert about(backend.table) == []
    assert [item["customer_id"] for item in scan(backend.table) if str(item["pk"]).startswith("REMIND#")] == [OTHER]
