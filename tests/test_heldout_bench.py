"""``voicecart bench heldout``: the rules that draw held-out sets, checked without flite or pocketsphinx.

The drawing rules are checked against the dev sets themselves (the personal set's words and expected ids must come
out exactly as the dev set has them) and against the committed held-out files (no dev product or customer in them).
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from backend.bench.cli import main as bench_main
from backend.bench.heldout import DEFAULT_DEV_DIR, set_names
from backend.bench.heldout_draw import (
    CATALOG_COLUMNS,
    HISTORY_COLUMNS,
    PERSONAL_MIN_PURCHASES,
    Bought,
    DevSets,
    Product,
    Purchases,
    draw_catalog,
    draw_personal,
    expected_personal,
    name_words,
    personal_words,
    read_dev_sets,
    read_products,
    read_purchases,
    spoken_text,
    utterances,
    voices,
    with_history,
)
from backend.bench.heldout_speech import SpeechToolMissing, add_noise, noise_seed, resample, stretch_for
from backend.bench.heldout_stats import heard_figures, word_errors
from backend.catalog import DEFAULT_DATA_DIR

HELDOUT_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "heldout"
CHOICES = voices(["slt", "rms", "awb", "kal16"], [140, 190])

pytestmark = pytest.mark.skipif(
    not (DEFAULT_DEV_DIR / "spoken_personal_dev.csv").exists(), reason=f"the dev sets are not at {DEFAULT_DEV_DIR}"
)


@pytest.fixture(scope="module")
def products() -> list[Product]:
    return read_products(DEFAULT_DATA_DIR / "products.csv")


@pytest.fixture(scope="module")
def names(products: list[Product]) -> dict[str, str]:
    return {product.product_id: product.name for product in products}


@pytest.fixture(scope="module")
def purchases() -> Purchases:
    return read_purchases(DEFAULT_DATA_DIR / "customers_sample.csv")


@pytest.fixture(scope="module")
def dev(products: list[Product]) -> DevSets:
    return read_dev_sets(DEFAULT_DEV_DIR, products)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(next(csv.reader(handle)))


# --- the rules, against the dev sets they must reproduce


def test_columns_are_the_dev_sets_columns() -> None:
    assert _header(DEFAULT_DEV_DIR / "spoken_catalog_dev.csv") == CATALOG_COLUMNS
    assert _header(DEFAULT_DEV_DIR / "spoken_personal_dev.csv") == HISTORY_COLUMNS
    assert _header(DEFAULT_DEV_DIR / "spoken_catalog_with_history_dev.csv") == HISTORY_COLUMNS


def test_personal_words_and_expected_ids_reproduce_the_dev_personal_set(
    names: dict[str, str], purchases: Purchases
) -> None:
    rows = _rows(DEFAULT_DEV_DIR / "spoken_personal_dev.csv")
    assert len(rows) == 500
    for row in rows:
        assert personal_words(names[row["product_id"]]) == row["product_name"], row
        customer = purchases[row["user_id"]]
        assert customer[row["product_id"]].orders >= PERSONAL_MIN_PURCHASES
        assert expected_personal(row["product_name"], customer, names) == row["expected_product_id"], row


def test_name_words_split_as_a_shopper_says_them() -> None:
    # invented names: the rule, not any dev row
    assert name_words("Sparkling Water with Vitamin B-12")[-2:] == ["b", "12"]
    assert personal_words("Fresh Salt & Pepper") == "salt pepper"
    assert personal_words("Skim 1% Yogurt") == "1% yogurt"
    assert personal_words("Ripe Bartlett's Plums") == "bartlett's plums"
    assert personal_words("Crackers, Whole-Grain, Sesame") == "grain sesame"


def test_spoken_text_reads_ampersands_and_counts_as_words() -> None:
    assert spoken_text("Glass Jars & Lids") == "Glass Jars and Lids"
    assert spoken_text("Hand Soap 40 ct Refill") == "Hand Soap 40 count Refill"
    assert spoken_text("Scrub Sponge 2ct. Kitchen") == "Scrub Sponge 2 count Kitchen"
    assert spoken_text("Cookies Family Pack - 12 CT") == "Cookies Family Pack - 12 count"
    # words that merely hold the letters are left alone
    assert spoken_text("Act Fresh Mint, Pct") == "Act Fresh Mint, Pct"


# --- drawing


def test_catalog_draw_avoids_every_dev_product_by_id_and_name(products: list[Product], dev: DevSets) -> None:
    rows = draw_catalog(products, dev, 600, CHOICES, random.Random(1))
    assert len({row.product_id for row in rows}) == 600
    assert not {row.product_id for row in rows} & dev.product_ids
    assert not {row.product_name.casefold() for row in rows} & dev.names
    assert {row.voice for row in rows} == set(CHOICES)
    assert all(row.voice.rate not in {150, 175} for row in rows)


def test_a_draw_depends_only_on_its_seed(products: list[Product], dev: DevSets) -> None:
    first = draw_catalog(products, dev, 50, CHOICES, random.Random(7))
    again = draw_catalog(products, dev, 50, CHOICES, random.Random(7))
    other = draw_catalog(products, dev, 50, CHOICES, random.Random(8))
    assert [(row.product_id, row.voice) for row in first] == [(row.product_id, row.voice) for row in again]
    assert [row.product_id for row in first] != [row.product_id for row in other]


def test_with_history_rows_are_asked_by_unseen_customers_who_never_bought_them(
    products: list[Product], purchases: Purchases, dev: DevSets
) -> None:
    catalog_rows = draw_catalog(products, dev, 300, CHOICES, random.Random(2))
    for index, row in enumerate(catalog_rows):
        row.asr_hypothesis = f"heard {index}"
    rows = with_history(catalog_rows, purchases, dev, random.Random(3))
    assert [row.product_id for row in rows] == [row.product_id for row in catalog_rows]
    assert [row.asr_hypothesis for row in rows] == [row.asr_hypothesis for row in catalog_rows]
    for row in rows:
        assert row.user_id not in dev.customers
        assert row.product_id not in purchases[row.user_id]
        assert row.expected_product_id == row.product_id
    assert len({row.user_id for row in rows}) > 10


def test_personal_rows_are_a_new_customers_words_for_a_product_no_dev_set_holds(
    names: dict[str, str], purchases: Purchases, dev: DevSets
) -> None:
    rows = draw_personal(purchases, names, dev, 300, choices=CHOICES, rng=random.Random(4))
    assert len({(row.user_id, row.product_id) for row in rows}) == 300
    for row in rows:
        assert row.user_id not in dev.personal_customers
        assert row.product_id not in dev.product_ids
        assert purchases[row.user_id][row.product_id].orders >= PERSONAL_MIN_PURCHASES
        assert row.product_name == personal_words(names[row.product_id])
        assert len(row.product_name.split()) == 2
        expected = purchases[row.user_id][row.expected_product_id]
        assert set(row.product_name.split()) <= set(name_words(names[row.expected_product_id]))
        assert expected.orders >= purchases[row.user_id][row.product_id].orders


def test_expected_personal_prefers_the_most_bought_then_the_most_recent() -> None:
    names = {"1": "Orange Bell Pepper", "2": "Yellow Bell Pepper", "3": "Bell Pepper Red", "4": "Pepper Jack"}
    customer = {"1": Bought(3, 10), "2": Bought(5, 4), "3": Bought(5, 9), "4": Bought(9, 12)}
    assert expected_personal("bell pepper", customer, names) == "3"


def test_utterance_keys_name_their_rows(products: list[Product], dev: DevSets) -> None:
    rows = draw_catalog(products, dev, 5, CHOICES, random.Random(5))
    keys = [utterance.key for utterance in utterances(rows, "catalog")]
    assert len(set(keys)) == 5
    assert all(key.startswith("catalog:") for key in keys)


# --- the audio parts that need no speech engine


def test_rates_map_to_flite_duration_stretch() -> None:
    assert stretch_for(175) == 1.0
    assert stretch_for(140) == pytest.approx(1.25)
    assert stretch_for(190) < 1.0


def test_resampling_an_8khz_voice_to_16khz_keeps_its_tone_and_length() -> None:
    seconds = 0.5
    times = np.arange(int(8000 * seconds)) / 8000
    tone = (8000 * np.sin(2 * np.pi * 440 * times)).astype(np.int16)
    up = resample(tone, 8000)
    assert up.dtype == np.int16
    assert len(up) == 8000
    spectrum = np.abs(np.fft.rfft(up.astype(np.float64)))
    assert np.argmax(spectrum) * 16000 / len(up) == pytest.approx(440, abs=3)
    assert resample(up, 16000) is up


def test_noise_is_at_the_stated_snr_and_seeded_by_the_row() -> None:
    times = np.arange(16000) / 16000
    tone = (6000 * np.sin(2 * np.pi * 300 * times)).astype(np.int16)
    noisy = add_noise(tone, 20.0, noise_seed("catalog:0:1", 1))
    noise = noisy.astype(np.float64) - tone.astype(np.float64)
    snr = 10 * np.log10(np.mean(tone.astype(np.float64) ** 2) / np.mean(noise**2))
    assert snr == pytest.approx(20.0, abs=0.5)
    assert np.array_equal(noisy, add_noise(tone, 20.0, noise_seed("catalog:0:1", 1)))
    assert not np.array_equal(noisy, add_noise(tone, 20.0, noise_seed("catalog:1:1", 1)))


def test_without_flite_the_command_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no flite on it
    from skill.cli import main as voicecart_main

    out = tmp_path / "out"
    code = voicecart_main(["bench", "heldout", "--out", str(out), "--catalog-rows", "2", "--sets", "catalog"])
    assert code == 2
    assert "flite is not installed" in capsys.readouterr().err
    assert not (out / "READY").exists()
    with pytest.raises(SpeechToolMissing, match="flite"):  # python -m backend.bench: the same command
        bench_main(["heldout", "--out", str(out), "--sets", "personal"])
    assert not out.exists()


# --- how garbled a set is (voicecart bench heard)


def test_word_errors_count_substitutions_insertions_and_deletions() -> None:
    assert word_errors(["green", "tea"], ["green", "tea"]) == 0
    assert word_errors(["green", "tea"], ["green", "t"]) == 1
    assert word_errors(["oatmeal"], ["oat", "mill"]) == 2
    assert word_errors(["rye", "bread", "loaf"], ["rye", "loaf"]) == 1
    assert word_errors(["a", "b"], []) == 2


def test_heard_figures_per_set_voice_and_rate(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text(
        "product_id,product_name,voice,rate,asr_hypothesis\n"
        "1,Jars & Lids,flite:slt,140,jars and lids\n"
        "2,Green Tea,flite:slt,190,green t\n"
        "3,Oat Milk,flite:rms,190,\n",
        encoding="utf-8",
    )
    figures = heard_figures(path)
    assert (figures["all"].rows, figures["all"].exact, figures["all"].errors, figures["all"].words) == (3, 1, 3, 7)
    assert (figures["rate=190"].rows, figures["rate=190"].exact) == (2, 0)
    assert (figures["voice=flite:slt"].rows, figures["voice=flite:slt"].exact) == (2, 1)


# --- the committed held-out sets


@pytest.mark.parametrize(
    ("kind", "columns", "count"),
    [
        ("catalog", CATALOG_COLUMNS, 600),
        ("history", HISTORY_COLUMNS, 600),
        ("personal", HISTORY_COLUMNS, 300),
    ],
)
def test_committed_sets_have_the_dev_columns_and_no_dev_product_or_customer(
    kind: str, columns: tuple[str, ...], count: int, dev: DevSets, names: dict[str, str]
) -> None:
    path = HELDOUT_DIR / set_names(None)[kind]
    assert _header(path) == columns
    rows = _rows(path)
    assert len(rows) == count
    assert not {row["product_id"] for row in rows} & dev.product_ids
    assert not {names[row["product_id"]].casefold() for row in rows} & dev.names
    assert Counter(row["rate"] for row in rows).keys() <= {"140", "190"}
    if kind == "history":
        assert not {row["user_id"] for row in rows} & dev.customers
    if kind == "personal":
        assert not {row["user_id"] for row in rows} & dev.personal_customers
    assert sum(not row["asr_hypothesis"] for row in rows) < count // 20  # the recogniser heard almost every row
    assert (HELDOUT_DIR / "READY").read_text(encoding="utf-8").split().count(path.name) == 1
