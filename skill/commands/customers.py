"""``voicecart customers``: the demo customers (real Instacart order histories) and their demo access tokens."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

from backend.demo import DAYS_SINCE_LAST_ORDER, load_histories
from backend.identity.tokens import demo_token_for
from backend.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("customers", help="list the demo customers and their access tokens")
    parser.add_argument("--limit", type=int, default=None, help="list at most this many")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.load()
    today = datetime.now(UTC).date()
    histories = load_histories(
        settings.data_dir / "customers_sample.csv", last_order_on=today - timedelta(days=DAYS_SINCE_LAST_ORDER)
    )
    secret = settings.demo_token_secret.encode()
    rows = sorted(histories.values(), key=lambda history: int(history.customer_id))[: args.limit]
    if not args.json:
        print(f"{'customer':>8}  {'access token':<39}  {'orders':>6}  products bought")
    for history in rows:
        token = demo_token_for(history.customer_id, secret)
        distinct = len({product for order in history.orders for product in order.product_ids})
        if args.json:
            row = {"customer_id": history.customer_id, "access_token": token, "orders": len(history.orders)}
            print(json.dumps(row | {"distinct_products": distinct}))
        else:
            print(f"{history.customer_id:>8}  {token:<39}  {len(history.orders):>6}  {distinct}")
    return 0
