"""The composition root: ``build_backend`` builds every store and service of the process once, from settings and
injected parts, and gives them all the same clock. The skill's web app, both Lambda entries and the API blueprint
take the ``Backend`` it returns; nothing else constructs a store.

A DynamoDB client is created only when none is given (tests inject one inside ``mock_aws``); the catalog is loaded
once. The resolver's index takes seconds to build and only the voice turns use it, so it is built on first use:
the API's Lambda never pays for it.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from backend.catalog import Catalog
from backend.clock import Clock, utc_now
from backend.identity.clients import ApiClientStore
from backend.identity.merge import ProfileMerger
from backend.identity.remembered import RememberedTokens
from backend.identity.store import IdentityStore
from backend.identity.tokens import AccessTokenStore, DynamoAccessTokenStore
from backend.profile.consent import ConsentStore
from backend.profile.privacy import CustomerData
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.shopping import Shopping
from backend.shopping.voicecodes import VoiceCodes
from backend.store.dynamo import Table, make_client
from backend.store.schema import MAIN_TABLE
from backend.store.stream_redaction import redact_customer_records
from backend.store.tables import ensure_tables, physical_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.demo import DemoDirectory
    from backend.resolver import Resolver

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Once(Generic[T]):
    """A value built by ``build`` on first use, once, even when several request threads ask at the same moment."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value


@dataclass(frozen=True)
class Backend:
    settings: Settings
    clock: Clock
    table: Table
    catalog: Catalog
    shopping: Shopping  # carts, orders, checkout: the one cart of every channel
    identities: IdentityStore  # linked ids of every channel
    tokens: AccessTokenStore  # account-linking access tokens (with demo provisioning when the demo is on)
    profiles: ProfileStore  # the shared profile: events and their summary
    clients: ApiClientStore  # API keys of the cross-channel API
    customer_data: CustomerData  # privacy export and deletion
    voice_codes: VoiceCodes  # the voice purchase code's lifecycle (set, change, remove, unlock), audited
    _resolver: _Once[Resolver] = field(repr=False)  # built on first use: see the module's docstring
    demo: DemoDirectory | None = None  # the demo customers, when this backend serves the demo
    # Tokens resolved before, confirmed by each turn's state read (backend.identity.remembered); None when the token
    # store was replaced (nothing in the table to confirm against).
    remembered_tokens: RememberedTokens | None = None

    @property
    def resolver(self) -> Resolver:
        return self._resolver.get()

    @property
    def merger(self) -> ProfileMerger:
        """Merges two profiles into one (a stateless view of the stores)."""
        return ProfileMerger(self.table, profiles=self.profiles, shopping=self.shopping, clock=self.clock)

    @property
    def consents(self) -> ConsentStore:
        """Consent per purpose (kept on the profile item: a stateless view of the table)."""
        return ConsentStore(self.table)


def load_catalog(settings: Settings) -> Catalog:
    """The catalog in ``settings.data_dir``: its prebuilt file (``voicecart index build``) when there is one for this
    version of the CSV files, else the CSV files (``backend.catalog.prebuilt``)."""
    from backend.catalog.prebuilt import load_instacart_prebuilt

    loaded = load_instacart_prebuilt(settings.data_dir)
    for problem in loaded.problems[:20]:
        log.warning("catalog row skipped: %s line %d: %s", problem.file, problem.line, problem.reason)
    if len(loaded.problems) > 20:
        log.warning("catalog: %d more rows skipped", len(loaded.problems) - 20)
    return loaded.catalog


def open_table(settings: Settings, *, client: DynamoDBClient | None = None, create_tables: bool | None = None) -> Table:
    """The main table on the chosen store (created when missing, unless settings or ``create_tables`` say not)."""
    client = client or make_client(settings)
    if settings.create_tables if create_tables is None else create_tables:
        ensure_tables(client, settings.table_name)
    return Table(client, physical_name(settings.table_name, MAIN_TABLE))


def build_backend(
    settings: Settings,
    *,
    client: DynamoDBClient | None = None,
    clock: Clock | None = None,
    tokens: AccessTokenStore | None = None,
    catalog: Catalog | None = None,
    resolver: Resolver | Callable[[], Resolver] | None = None,
    demo: bool = False,
    demo_today: date | None = None,
    create_tables: bool | None = None,
) -> Backend:
    """Every store and service, built once, sharing ``clock`` (default: UTC now).

    ``resolver`` is a built resolver or a function building one on first use (tests share one index this way);
    ``tokens`` replaces the DynamoDB access-token store. ``demo`` loads the demo customers (``backend.demo``): their
    tokens then provision them on first use; ``demo_today`` moves their histories (default: the clock's today).
    """
    clock = clock or utc_now
    table = open_table(settings, client=client, create_tables=create_tables)
    client = table.client
    catalog = catalog or load_catalog(settings)
    identities = IdentityStore(table, clock=clock)
    profiles = ProfileStore(table, retention=settings.retention, clock=clock)

    def build_resolver() -> Resolver:
        from backend.resolver import Resolver

        if resolver is None:
            return Resolver.cached(catalog)
        return resolver() if callable(resolver) else resolver

    resolver_once = _Once(build_resolver)
    shopping = Shopping(table, catalog, settings, profiles=profiles, resolver=resolver_once.get, clock=clock)
    remembered = RememberedTokens() if tokens is None else None
    tokens = tokens or DynamoAccessTokenStore(identities, secret=settings.demo_token_secret.encode())
    directory: DemoDirectory | None = None
    if demo:
        from backend.demo import DemoDirectory, ProvisioningTokenStore

        directory = DemoDirectory.load(
            table=table,
            catalog=catalog,
            settings=settings,
            profiles=profiles,
            tokens=tokens,
            today=demo_today or clock().date(),
        )
        tokens = ProvisioningTokenStore(tokens, directory)

    return Backend(
        settings=settings,
        clock=clock,
        table=table,
        catalog=catalog,
        shopping=shopping,
        identities=identities,
        tokens=tokens,
        profiles=profiles,
        clients=ApiClientStore(table, clock=clock),
        customer_data=CustomerData(
            table, clock=clock, redact_stream=functools.partial(redact_customer_records, table.name)
        ),
        voice_codes=VoiceCodes(table, profiles, clock=clock),
        demo=directory,
        _resolver=resolver_once,
        remembered_tokens=remembered,
    )
