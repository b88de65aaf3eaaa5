"""The pure parts of ``voicecart bench heldout``: which products and customers a held-out set draws, what is spoken,
what is expected, and the CSV columns, exactly as ``shared/eval/README.md`` defines the dev sets.

Nothing here speaks or listens (``heldout_speech`` does), so every rule can be tested without flite or pocketsphinx.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The columns of the dev sets, in their order (shared/eval).
CATALOG_COLUMNS = ("product_id", "product_name", "voice", "rate", "asr_hypothesis")
HISTORY_COLUMNS = ("product_id", "product_name", "user_id", "expected_product_id", "voice", "rate", "asr_hypothesis")

DEV_FILES = ("spoken_catalog_dev.csv", "spoken_personal_dev.csv", "spoken_catalog_with_history_dev.csv")
PERSONAL_MIN_PURCHASES = 3  # "a product they bought 3+ times"
PERSONAL_WORDS = 2  # "the last two words of its name"

# A word of a name as the personal dev set cuts it: letters, digits, '%' and apostrophes stay ("2% milk",
# "d'anjou pears"); hyphens, commas and '&' separate ("omega-3" -> "omega 3", "Half & Half" -> "half half").
# This reproduces all 500 product_name values and expected ids of spoken_personal_dev.csv (see the tests).
_WORD = re.compile(r"[a-z0-9%']+")
_AMPERSAND = re.compile(r"\s*&\s*")
_COUNT = re.compile(r"\b(\d*)\s*ct\b\.?", re.IGNORECASE)


def name_words(name: str) -> list[str]:
    """The words of a product name, lower-cased, as the personal set counts them."""
    return _WORD.findall(name.lower())


def personal_words(name: str) -> str:
    """What a customer says for a product they know: the last two words of its name."""
    return " ".join(name_words(name)[-PERSONAL_WORDS:])


def spoken_text(name: str) -> str:
    """The text handed to the speech engine: what a person reads aloud for the written name.

    flite reads '&' as "ampersand" and "ct" letter by letter; a shopper says "and" and "count" (the dev sets'
    recognised text shows the same reading).
    """
    text = _AMPERSAND.sub(" and ", name)
    text = _COUNT.sub(lambda match: f"{match.group(1)} count" if match.group(1) else "count", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Bought:
    """One customer's purchases of one product: in how many orders, and the newest of them."""

    orders: int
    last_order: int


@dataclass(frozen=True, slots=True)
class DevSets:
    """What the dev sets already use: no held-out row may repeat a product (by id or by name) or a customer."""

    product_ids: frozenset[str]
    names: frozenset[str]  # case-folded names of those products
    personal_customers: frozenset[str]  # customers whose own words are dev personal queries
    customers: frozenset[str]  # every customer any dev set names


@dataclass(frozen=True, slots=True)
class Voice:
    voice: str  # flite voice name: slt, rms, awb, kal16
    rate: int  # words per minute

    @property
    def label(self) -> str:
        return f"flite:{self.voice}"


@dataclass(frozen=True, slots=True)
class Utterance:
    """One thing to speak and hear: ``key`` names its row (and seeds its noise)."""

    key: str
    text: str
    voice: Voice


@dataclass(slots=True)
class Row:
    product_id: str
    product_name: str
    voice: Voice
    spoken: str
    user_id: str = ""
    expected_product_id: str = ""
    asr_hypothesis: str = field(default="")

    def as_csv(self, columns: Sequence[str]) -> dict[str, str]:
        values = {
            "product_id": self.product_id,
            "product_name": self.product_name,
            "user_id": self.user_id,
            "expected_product_id": self.expected_product_id,
            "voice": self.voice.label,
            "rate": str(self.voice.rate),
            "asr_hypothesis": self.asr_hypothesis,
        }
        return {column: values[column] for column in columns}


Purchases = dict[str, dict[str, Bought]]  # customer -> product -> purchases


def read_products(path: Path) -> list[Product]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Product(row["product_id"].strip(), row["product_name"]) for row in csv.DictReader(handle)]


def read_purchases(path: Path) -> Purchases:
    """``customers_sample.csv`` as order counts: a product bought twice in one order counts once."""
    orders: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    last: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            customer, product = row["user_id"].strip(), row["product_id"].strip()
            orders[customer][product].add(row["order_id"])
            number = int(row["order_number"])
            last[customer][product] = max(last[customer].get(product, number), number)
    return {
        customer: {product: Bought(len(ids), last[customer][product]) for product, ids in products.items()}
        for customer, products in orders.items()
    }


def read_dev_sets(directory: Path, products: Iterable[Product]) -> DevSets:
    ids: set[str] = set()
    personal: set[str] = set()
    customers: set[str] = set()
    for file_name in DEV_FILES:
        with (directory / file_name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                ids.add(row["product_id"].strip())
                ids.add((row.get("expected_product_id") or row["product_id"]).strip())
                if row.get("user_id"):
                    customers.add(row["user_id"].strip())
                    if file_name == "spoken_personal_dev.csv":
                        personal.add(row["user_id"].strip())
    names = frozenset(product.name.casefold() for product in products if product.product_id in ids)
    return DevSets(frozenset(ids), names, frozenset(personal), frozenset(customers))


def unseen(product: Product, dev: DevSets) -> bool:
    return product.product_id not in dev.product_ids and product.name.casefold() not in dev.names


def voices(names: Sequence[str], rates: Sequence[int]) -> list[Voice]:
    return [Voice(name, rate) for name in names for rate in rates]


def draw_catalog(
    products: Sequence[Product], dev: DevSets, count: int, choices: Sequence[Voice], rng: random.Random
) -> list[Row]:
    """``count`` products no dev set holds, uniformly, each with a voice and rate drawn for it."""
    pool = [product for product in products if unseen(product, dev) and name_words(product.name)]
    if len(pool) < count:
        raise ValueError(f"only {len(pool)} unseen products for {count} catalog rows")
    drawn = rng.sample(pool, count)
    return [
        Row(product.product_id, product.name, rng.choice(choices), spoken_text(product.name), "", product.product_id)
        for product in drawn
    ]


def expected_personal(words: str, customer: dict[str, Bought], names: dict[str, str]) -> str:
    """The customer's most-bought history product whose name holds all those words (ties: the most recent).

    Products bought equally often in the same last order keep the history's order (``max`` keeps the first):
    that reproduces every expected id of the dev personal set.
    """
    wanted = set(words.split())
    matches = [product for product in customer if wanted <= set(name_words(names[product]))]
    return max(matches, key=lambda product: (customer[product].orders, customer[product].last_order))


def personal_pool(purchases: Purchases, names: dict[str, str], dev: DevSets) -> list[tuple[str, str]]:
    """(customer, product) pairs a personal row may be made of, in a stable order.

    The customer's words were never a dev personal query, and the product is in no dev set. Only a few customers
    of the sample are in no dev set at all (the with-history dev set lends most of them), so a customer who was only
    the asker of a dev catalog query may speak their own words here.
    """
    pairs = []
    for customer in sorted(purchases, key=int):
        if customer in dev.personal_customers:
            continue
        for product, bought in sorted(purchases[customer].items(), key=lambda item: int(item[0])):
            if bought.orders < PERSONAL_MIN_PURCHASES or len(name_words(names[product])) < PERSONAL_WORDS:
                continue
            if unseen(Product(product, names[product]), dev):
                pairs.append((customer, product))
    return pairs


def draw_personal(
    purchases: Purchases,
    names: dict[str, str],
    dev: DevSets,
    count: int,
    *,
    choices: Sequence[Voice],
    rng: random.Random,
) -> list[Row]:
    pool = personal_pool(purchases, names, dev)
    if len(pool) < count:
        raise ValueError(f"only {len(pool)} unseen (customer, product) pairs for {count} personal rows")
    rows = []
    for customer, product in rng.sample(pool, count):
        words = personal_words(names[product])
        expected = expected_personal(words, purchases[customer], names)
        rows.append(Row(product, words, rng.choice(choices), spoken_text(words), customer, expected))
    return rows


def with_history(catalog_rows: Sequence[Row], purchases: Purchases, dev: DevSets, rng: random.Random) -> list[Row]:
    """The catalog rows again, each asked by a customer in no dev set who never bought that product."""
    customers = sorted((customer for customer in purchases if customer not in dev.customers), key=int)
    rows = []
    for row in catalog_rows:
        askers = [customer for customer in customers if row.product_id not in purchases[customer]]
        if not askers:
            raise ValueError(f"every unseen customer bought {row.product_id}")
        customer = rng.choice(askers)
        rows.append(
            Row(
                row.product_id,
                row.product_name,
                row.voice,
                row.spoken,
                customer,
                row.product_id,
                row.asr_hypothesis,
            )
        )
    return rows


def write_rows(path: Path, rows: Sequence[Row], columns: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row.as_csv(columns))


def utterances(rows: Sequence[Row], prefix: str) -> list[Utterance]:
    return [Utterance(f"{prefix}:{index}:{row.product_id}", row.spoken, row.voice) for index, row in enumerate(rows)]
