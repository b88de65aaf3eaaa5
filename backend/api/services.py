"""What the cross-channel API uses, in one small value the lead builds once (``ApiServices.build``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from backend.catalog import Catalog
from backend.identity.clients import ApiClientStore
from backend.identity.store import IdentityStore
from backend.profile.privacy import CustomerData
from backend.profile.store import ProfileStore, utc_now
from backend.settings import Settings
from backend.shopping.service import Shopping
from backend.store.dynamo import Table

if TYPE_CHECKING:
    from backend.services import Backend


@dataclass(frozen=True)
class ApiServices:
    table: Table
    settings: Settings
    catalog: Catalog
    profiles: ProfileStore
    identities: IdentityStore
    clients: ApiClientStore
    customer_data: CustomerData
    shopping: Shopping  # the one cart of every channel: the same code the voice turns use
    clock: Callable[[], datetime] = utc_now

    @classmethod
    def build(
        cls,
        *,
        table: Table,
        settings: Settings,
        catalog: Catalog,
        shopping: Shopping | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> ApiServices:
        return cls(
            table=table,
            settings=settings,
            catalog=catalog,
            profiles=ProfileStore(table, heard_words_retention_days=settings.heard_words_retention_days, clock=clock),
            identities=IdentityStore(table, clock=clock),
            clients=ApiClientStore(table, clock=clock),
            customer_data=CustomerData(table, clock=clock),
            shopping=shopping or Shopping(table, catalog, settings, clock=clock),
            clock=clock,
        )

    @classmethod
    def from_backend(cls, backend: Backend) -> ApiServices:
        """The API over the app's backend: the same stores the voice turns use, built once per process."""
        return cls(
            table=backend.table,
            settings=backend.settings,
            catalog=backend.catalog,
            profiles=backend.profiles,
            identities=backend.identities,
            clients=ApiClientStore(backend.table),
            customer_data=CustomerData(backend.table),
            shopping=backend.shopping,
        )
