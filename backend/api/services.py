"""What the cross-channel API uses, in one small value the lead builds once (``ApiServices.build``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from backend.catalog import Catalog
from backend.identity.clients import ApiClientStore
from backend.identity.store import IdentityStore
from backend.profile.privacy import CustomerData
from backend.profile.store import ProfileStore, utc_now
from backend.settings import Settings
from backend.shopping.service import Shopping
from backend.store.dynamo import Table


class BackendParts(Protocol):
    """What the API needs from the app's backend (``backend.services.Backend`` has it): the rest it builds."""

    @property
    def table(self) -> Table: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def catalog(self) -> Catalog: ...


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
    def from_backend(cls, backend: BackendParts, *, clock: Callable[[], datetime] = utc_now) -> ApiServices:
        """Build from the app's backend, reusing its shopping service when it has one."""
        shopping = getattr(backend, "shopping", None)
        return cls.build(
            table=backend.table,
            settings=backend.settings,
            catalog=backend.catalog,
            shopping=shopping if isinstance(shopping, Shopping) else None,
            clock=clock,
        )
