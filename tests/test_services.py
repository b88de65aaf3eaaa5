"""The composition root: one backend, every store built once, one clock for all of them."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.catalog import Catalog
from backend.services import build_backend
from backend.settings import Settings
from backend.store.dynamo import Table

PINNED = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def test_one_injected_clock_reaches_every_store(table: Table, settings: Settings, catalog: Catalog) -> None:
    backend = build_backend(settings, client=table.client, clock=lambda: PINNED, catalog=catalog, create_tables=False)
    assert backend.shopping.now() == PINNED
    assert backend.profiles.ensure_customer("1285") is True
    assert backend.profiles.summary_item("1285") is not None
    assert backend.profiles.summary_item("1285")["created_at"].startswith("2026-11-20T15:30")  # type: ignore[index]
    client = backend.clients.create(name="web shop", channel="web")
    assert backend.clients.authenticate(client.key).name == "web shop"
    backend.shopping.set_voice_code("1285", "1234")
    voice_code = backend.table.get({"pk": "CUST#1285", "sk": "VOICECODE"})
    assert voice_code is not None and str(voice_code["updated_at"]).startswith("2026-11-20T15:30")


def test_the_demo_is_composed_in_not_patched_on(table: Table, settings: Settings, catalog: Catalog) -> None:
    plain = build_backend(settings, client=table.client, catalog=catalog, create_tables=False)
    demo = build_backend(
        settings, client=table.client, clock=lambda: PINNED, catalog=catalog, create_tables=False, demo=True
    )
    assert plain.demo is None
    assert demo.demo is not None
    token = demo.demo.customers()[0].access_token
    assert demo.tokens.customer_for_token(token) == demo.demo.customers()[0].customer_id
