"""The stream consumers' rule on hand-made records of every key shape: whose record it is, and what a consumer
drops once a customer has a tombstone."""

from __future__ import annotations

from typing import Any

from backend.profile.erasure import customer_of_record, drop_erased


def record(pk: str, sk: str, **image: str) -> dict[str, Any]:
    data: dict[str, Any] = {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}
    if image:
        data["NewImage"] = {name: {"S": value} for name, value in image.items()}
    return {"eventName": "INSERT", "dynamodb": data}


CART = record("CUST#7", "CART")
LOOKUP = record("IDENT#alexa_user#amzn1.ask.account.X", "IDENT", customer_id="7")
TOMBSTONE = record("ERASED#7", "TOMBSTONE", customer_id="7", kind="tombstone")
CLIENT = record("APIKEY#abc", "APIKEY", name="web shop")
OTHER = record("CUST#8", "PROFILE", customer_id="8")
REMOVED_LOOKUP = {"eventName": "REMOVE", "dynamodb": {**LOOKUP["dynamodb"], "OldImage": LOOKUP["dynamodb"]["NewImage"]}}
del REMOVED_LOOKUP["dynamodb"]["NewImage"]


def test_whose_record_it_is() -> None:
    assert [customer_of_record(r) for r in (CART, LOOKUP, REMOVED_LOOKUP, TOMBSTONE, CLIENT, OTHER)] == [
        "7", "7", "7", "7", None, "8"
    ]  # fmt: skip


def test_a_consumer_drops_the_erased_customers_records_and_keeps_the_rest_and_the_tombstone() -> None:
    batch = [CART, CLIENT, LOOKUP, OTHER, TOMBSTONE, REMOVED_LOOKUP]
    assert list(drop_erased(batch, {"7"})) == [CLIENT, OTHER, TOMBSTONE]
    assert list(drop_erased(batch, set())) == batch
