"""``voicecart keys create|list|revoke``: the cross-channel API's clients and their keys.

A key is shown once, when it is created; the store keeps only its SHA-256. Clients are listed and revoked by id.
Keys live in the chosen store (``VOICECART_STORE``): the embedded store lives inside one ``voicecart serve``
process and loses everything when it stops, so these commands need a store that outlives them.
"""

from __future__ import annotations

import argparse
import json

from backend.errors import ValidationError
from backend.identity.clients import API_CHANNELS, DEFAULT_SCOPES, SCOPES, ApiClient, ApiClientStore
from backend.services import open_table
from backend.settings import Settings
from skill.commands.durable_store import durable_store


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("keys", help="create, list and revoke API keys of the cross-channel API")
    actions = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create an API client and print its key (shown once)")
    create.add_argument("--channel", required=True, choices=[channel.value for channel in API_CHANNELS])
    create.add_argument(
        "--customers", nargs="+", required=True, metavar="all|ID", help="'all', or the customer ids it may see"
    )
    create.add_argument(
        "--scope",
        default=",".join(DEFAULT_SCOPES),
        help=f"comma-separated, of {', '.join(SCOPES)} (default %(default)s; privacy = export and erase customers)",
    )
    create.add_argument("--name", help="a label for the client (default: '<channel> client')")
    create.add_argument("--json", action="store_true", help="print the client and its key as one JSON object")
    create.set_defaults(func=run_create)

    listing = actions.add_parser("list", help="list API clients (never their keys)")
    listing.add_argument("--all", action="store_true", help="include revoked clients")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(func=run_list)

    revoke = actions.add_parser("revoke", help="revoke an API client's key, by client id (see keys list)")
    revoke.add_argument("client_id")
    revoke.set_defaults(func=run_revoke)


def client_store(settings: Settings | None = None) -> ApiClientStore:
    return ApiClientStore(open_table(durable_store("keys", instead="which prints a demo key", settings=settings)))


def parse_customers(values: list[str]) -> list[str] | None:
    """``all`` (alone) means every customer; else the listed ids."""
    if [value.lower() for value in values] == ["all"]:
        return None
    if any(value.lower() == "all" for value in values):
        raise ValidationError("--customers takes 'all' or customer ids, not both", field="customers")
    return values


def run_create(args: argparse.Namespace) -> int:
    scopes = [scope.strip() for scope in args.scope.split(",") if scope.strip()]
    issued = client_store().create(
        name=args.name or f"{args.channel} client",
        channel=args.channel,
        customers=parse_customers(args.customers),
        scopes=scopes,
    )
    if args.json:
        print(json.dumps({**issued.client.to_json(), "api_key": issued.key}))
        return 0
    print(describe(issued.client))
    print(f"  api key    {issued.key}")
    print(
        "  (shown once: only its SHA-256 is stored. Revoke with: voicecart keys revoke " + issued.client.client_id + ")"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    clients = client_store().clients(include_revoked=args.all)
    for client in clients:
        print(json.dumps(client.to_json()) if args.json else describe(client))
    if not clients and not args.json:
        print("no API clients")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    client = client_store().revoke_client(args.client_id)
    print(f"revoked {client.client_id} ({client.name}); its key is refused from now on")
    return 0


def describe(client: ApiClient) -> str:
    customers = "every customer" if client.all_customers else ", ".join(sorted(client.customer_ids))
    state = f"  REVOKED {client.revoked_at}" if client.revoked_at else ""
    scopes = ",".join(scope for scope in SCOPES if scope in client.scopes)
    return (
        f"{client.client_id}  {client.name!r}  channel {client.channel.value}  scopes {scopes}  "
        f"customers {customers}  created {client.created_at}{state}"
    )
