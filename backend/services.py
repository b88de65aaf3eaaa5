"""The backend, assembled once per process from settings and injected clients: what the skill and the API use.

``build_backend`` creates a DynamoDB client only when none is given (tests inject one inside ``mock_aws``), loads
the catalog once and builds the resolver's index once; requests share all of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backend.catalog import Catalog, load_instacart
from backend.identity.store import IdentityStore
from backend.identity.tokens import AccessTokenStore, DynamoAccessTokenStore
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.shopping import Shopping
from backend.store.dynamo import Table, make_client
from backend.store.schema import MAIN_TABLE
from backend.store.tables import ensure_tables, physical_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from backend.resolver import Resolver

log = logging.getLogger(__name__)


@dataclass
class Backend:
    settings: Settings
    table: Table
    catalog: Catalog
    resolver: Resolver
    # Built from the fields above: carts, orders, checkout; linked ids; access tokens (the demo wraps this one).
    shopping: Shopping = field(init=False)
    identities: IdentityStore = field(init=False)
    tokens: AccessTokenStore = field(init=False)
    profiles: ProfileStore = field(init=False)

    def __post_init__(self) -> None:
        self.shopping = Shopping(self.table, self.catalog, self.settings)
        self.identities = IdentityStore(self.table)
        self.tokens = DynamoAccessTokenStore(self.identities, secret=self.settings.demo_token_secret.encode())
        self.profiles = ProfileStore(self.table, heard_words_retention_days=self.settings.heard_words_retention_days)


def load_catalog(settings: Settings) -> Catalog:
    loaded = load_instacart(settings.data_dir)
    for problem in loaded.problems[:20]:
        log.warning("catalog row skipped: %s line %d: %s", problem.file, problem.line, problem.reason)
    if len(loaded.problems) > 20:
        log.warning("catalog: %d more rows skipped", len(loaded.problems) - 20)
    return loaded.catalog


def build_backend(
    settings: Settings,
    *,
    client: DynamoDBClient | None = None,
    catalog: Catalog | None = None,
    resolver: Resolver | None = None,
    create_tables: bool | None = None,
) -> Backend:
    from backend.resolver import Resolver

    client = client or make_client(settings)
    if settings.create_tables if create_tables is None else create_tables:
        ensure_tables(client, settings.table_name)
    catalog = catalog or load_catalog(settings)
    resolver = resolver or Resolver(catalog)
    table = Table(client, physical_name(settings.table_name, MAIN_TABLE))
    return Backend(settings=settings, table=table, catalog=catalog, resolver=resolver)
