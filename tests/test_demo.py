"""Demo customers: provisioned once, on first use or in the background, from the real Instacart histories."""

from __future__ import annotations

from datetime import date

import pytest

from backend.demo import DAYS_SINCE_LAST_ORDER, DemoDirectory
from backend.errors import UnknownAccessToken
from backend.services import Backend, build_backend

TODAY = date(2026, 11, 22)


def restarted(backend: Backend) -> Backend:
    """The same store, seen by a freshly started process serving the demo."""
    return build_backend(
        backend.settings, client=backend.table.client, catalog=backend.catalog, demo=True, demo_today=TODAY
    )


@pytest.fixture
def backend(demo_backend: Backend) -> Backend:
    return restarted(demo_backend)


@pytest.fixture
def directory(backend: Backend) -> DemoDirectory:
    assert backend.demo is not None
    return backend.demo


def test_lists_every_demo_customer_with_a_token(directory: DemoDirectory) -> None:
    customers = directory.customers()
    assert len(customers) == 500
    assert len({c.access_token for c in customers}) == 500
    assert all(c.last_order_on == date(2026, 11, 15) for c in customers)
    assert (TODAY - customers[0].last_order_on).days == DAYS_SINCE_LAST_ORDER


def test_a_demo_token_provisions_its_customer_on_first_use(directory: DemoDirectory, backend: Backend) -> None:
    customer = next(c for c in directory.customers() if c.customer_id == "1285")
    assert backend.tokens.customer_for_token(customer.access_token) == "1285"
    orders = backend.table.query_all(
        "pk = :pk AND begins_with(sk, :order)", values={":pk": "CUST#1285", ":order": "ORDER#"}
    )
    assert len(orders) == customer.orders


def test_provisioning_happens_once(directory: DemoDirectory, backend: Backend) -> None:
    assert directory.provision("1285") is True
    assert directory.provision("1285") is False
    again = restarted(backend).demo  # a restarted process sees the marker in the store
    assert again is not None and again.provision("1285") is False


def test_unknown_tokens_are_still_refused(directory: DemoDirectory, backend: Backend) -> None:
    with pytest.raises(UnknownAccessToken):
        backend.tokens.customer_for_token("vcdemo_not-a-real-token")


def test_background_provisioning_can_be_stopped_and_resumed(directory: DemoDirectory) -> None:
    import threading

    stop = threading.Event()
    stop.set()
    assert directory.provision_all(stop) == 0
