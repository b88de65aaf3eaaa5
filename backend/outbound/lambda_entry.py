"""The outbound pieces as AWS Lambda handlers (infra/template.yaml):

* ``backend.outbound.lambda_entry.stream_handler``: the table's DynamoDB stream (event source mapping with
  ``ReportBatchItemFailures``); returns the partial-batch answer, so Lambda retries from the first failed record
  and, after its retries, sends the batch's description to the on-failure queue.
* ``backend.outbound.lambda_entry.reminder_handler``: the idle-cart sweep, on a schedule.

Everything is built on the first invocation (never at import) and reused while the container lives.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from backend.outbound.runtime import Outbound


@functools.cache
def _outbound(*, with_catalog: bool) -> Outbound:
    """The stream handler needs no catalog (a cold start without loading 50k products); reminders name products."""
    # Deferred imports: importing this module must stay free of settings, AWS clients and the catalog.
    from backend.outbound.runtime import build_outbound
    from backend.services import load_catalog
    from backend.settings import Settings
    from backend.store.dynamo import Table, make_client
    from backend.store.schema import MAIN_TABLE
    from backend.store.tables import physical_name

    settings = Settings.load()
    table = Table(make_client(settings), physical_name(settings.table_name, MAIN_TABLE))
    return build_outbound(settings, table=table, catalog=load_catalog(settings) if with_catalog else None)


def stream_handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    return _outbound(with_catalog=False).consumer.handle(event.get("Records") or []).lambda_response()


def reminder_handler(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    result = _outbound(with_catalog=True).sweep.run()
    return {"buckets": result.buckets, "checked": result.checked, "reminded": len(result.reminded),
            "skipped": result.skipped}  # fmt: skip
