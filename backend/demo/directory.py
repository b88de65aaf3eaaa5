"""The demo: 500 real Instacart customers, each provisioned as if they had just linked their account.

Provisioning one customer is what a retailer's account linking does: their past orders arrive from the order
system (``backend.demo.history_import``) and their access token is linked (``backend.identity``). A marker
item records that it happened, so it happens once, however often it is asked for.

Loading all 9,549 orders into the embedded store takes about fifteen seconds (moto parses every attribute), so
nothing waits for it: ``voicecart serve`` answers at once and provisions every customer in a background thread,
and a customer who speaks before their turn comes is provisioned on the spot, on their first request.

An erased customer (a privacy delete left a tombstone, ``backend.profile.erasure``) is never provisioned again,
and their demo token stops resolving: the directory still knows the token, but it no longer speaks for anyone.

The newest order of every customer is dated ``DAYS_SINCE_LAST_ORDER`` days before the server started, and earlier
orders keep the customer's real gaps (see ``backend.demo.histories``), so "when did I last buy ..." has true answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory, load_histories
from backend.demo.history_import import import_history
from backend.errors import CustomerErased, UnknownAccessToken
from backend.identity.tokens import AccessTokenStore, demo_token_for
from backend.profile.erasure import Tombstones, put_unless_erased
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.store import keys
from backend.store.dynamo import Table

log = logging.getLogger(__name__)

DAYS_SINCE_LAST_ORDER = 7


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    customer_id: str
    access_token: str
    orders: int
    last_order_on: date


class DemoDirectory:
    """The demo customers, their tokens, and provisioning (idempotent, safe from several threads)."""

    def __init__(
        self,
        histories: Mapping[str, CustomerHistory],
        *,
        table: Table,
        catalog: Catalog,
        settings: Settings,
        profiles: ProfileStore,
        tokens: AccessTokenStore,
    ) -> None:
        self.histories = dict(histories)
        self._table = table
        self._catalog = catalog
        self._settings = settings
        self._profiles = profiles
        self._tokens = tokens
        self._tombstones = Tombstones(table)
        self._secret = settings.demo_token_secret.encode()
        self._by_token = {self.demo_token(customer_id): customer_id for customer_id in self.histories}
        self._provisioned: set[str] = set()
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @classmethod
    def load(
        cls,
        *,
        table: Table,
        catalog: Catalog,
        settings: Settings,
        profiles: ProfileStore,
        tokens: AccessTokenStore,
        today: date,
    ) -> DemoDirectory:
        histories = load_histories(
            settings.data_dir / "customers_sample.csv",
            last_order_on=today - timedelta(days=DAYS_SINCE_LAST_ORDER),
        )
        return cls(histories, table=table, catalog=catalog, settings=settings, profiles=profiles, tokens=tokens)

    def demo_token(self, customer_id: str) -> str:
        return demo_token_for(customer_id, self._secret)

    def customers(self) -> list[DemoCustomer]:
        return [
            DemoCustomer(
                customer_id=customer_id,
                access_token=self.demo_token(customer_id),
                orders=len(history.orders),
                last_order_on=history.orders[-1].placed_on,
            )
            for customer_id, history in sorted(self.histories.items(), key=lambda item: int(item[0]))
        ]

    def customer_for_demo_token(self, token: str) -> str | None:
        return self._by_token.get(token)

    def is_erased(self, customer_id: str) -> bool:
        return self._tombstones.is_erased(customer_id)

    def provision(self, customer_id: str) -> bool:
        """Import this customer's history and link their token, once. True if this call did it. Never for an
        erased customer."""
        if customer_id in self._provisioned or customer_id not in self.histories:
            return False
        with self._lock_for(customer_id):
            if customer_id in self._provisioned or self.is_erased(customer_id):
                return False
            marker = {"pk": keys.customer_pk(customer_id), "sk": keys.DEMO_MARKER}
            if self._table.get(marker) is None:
                try:
                    self._import(customer_id, marker)
                except CustomerErased:  # erased by another process while this one provisioned: nothing more
                    return False
                did_it = True
            else:
                did_it = False
            self._provisioned.add(customer_id)
            return did_it

    def _import(self, customer_id: str, marker: Mapping[str, str]) -> None:
        """Every write of a provisioning carries the not-erased check (``CustomerErased`` from the first refused)."""
        imported = import_history(self._table, self.histories[customer_id], self._catalog, self._settings)
        if not imported and self.is_erased(customer_id):
            raise CustomerErased("erased while being provisioned")
        self._profiles.ensure_customer(customer_id)
        self._tokens.issue_demo_token(customer_id)
        put_unless_erased(self._table, customer_id, {**marker, "kind": "demo", "source": "instacart"})

    def provision_all(self, stop: threading.Event | None = None) -> int:
        done = 0
        for customer in self.customers():
            if stop is not None and stop.is_set():
                break
            done += self.provision(customer.customer_id)
        return done

    def provision_in_background(self) -> threading.Thread:
        def run() -> None:
            try:
                count = self.provision_all()
                log.info("demo customers provisioned", extra={"customers": count})
            except Exception:
                # A half-provisioned demo still works: every customer is provisioned again on first use.
                log.exception("provisioning the demo customers in the background failed")

        thread = threading.Thread(target=run, name="demo-provisioning", daemon=True)
        thread.start()
        return thread

    def _lock_for(self, customer_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(customer_id, threading.Lock())


class ProvisioningTokenStore:
    """The token store, plus: a demo customer's token provisions that customer on first use."""

    def __init__(self, inner: AccessTokenStore, directory: DemoDirectory) -> None:
        self._inner = inner
        self._directory = directory

    def customer_for_token(self, token: str | None) -> str:
        try:
            return self._inner.customer_for_token(token)
        except UnknownAccessToken:
            customer_id = self._directory.customer_for_demo_token(token or "")
            # An erased customer's token was revoked on purpose: the demo directory must not bring them back.
            if customer_id is None or self._directory.is_erased(customer_id):
                raise
            self._directory.provision(customer_id)
            return customer_id

    def issue_demo_token(self, customer_id: str) -> str:
        return self._inner.issue_demo_token(customer_id)
