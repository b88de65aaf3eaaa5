"""What outbound messages need to know about a customer: the e-mail address, and whether marketing e-mail is allowed.

The address is the customer's linked e-mail identity (``IDENT#email#<address>`` in their partition), else an
``email`` attribute of the profile. Marketing e-mail needs the customer's ``marketing_email`` consent, read from
the profile item as the consent records keep it (``backend.profile.consent``: off until granted). Order
confirmations are transactional and need no marketing consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.profile.consent import Purpose, consents_from_item
from backend.store import keys
from backend.store.dynamo import Table


def email_address(table: Table, customer_id: str, *, profile: Mapping[str, Any] | None = None) -> str | None:
    linked, _ = table.query(
        "pk = :pk AND begins_with(sk, :email)",
        values={":pk": keys.customer_pk(customer_id), ":email": keys.identity_sk("email", "")},
        limit=1,
        consistent=True,
    )
    if linked and linked[0].get("value"):
        return str(linked[0]["value"])
    profile = profile if profile is not None else load_profile(table, customer_id)
    address = (profile or {}).get("email")
    return str(address) if isinstance(address, str) and "@" in address else None


def load_profile(table: Table, customer_id: str) -> dict[str, Any] | None:
    return table.get({"pk": keys.customer_pk(customer_id), "sk": keys.PROFILE})


def consents_to_marketing_email(profile: Mapping[str, Any] | None) -> bool:
    return consents_from_item(profile).allows(Purpose.MARKETING_EMAIL)
