"""How ``voicecart bench load`` reads a spoken answer to an add: its truthfulness figures rest on it."""

import json
from pathlib import Path

import pytest

import skill
from skill.bench.load import _add_outcome


@pytest.mark.parametrize(
    ("speech", "outcome"),
    [
        ("<speak>Added 1 Banana. Anything else?</speak>", "ack"),
        ("<speak>Okay, 2 Whole Milk in your cart, the one you usually buy. Anything else?</speak>", "ack"),
        # A note about the question this add dropped comes first; the add itself was still confirmed.
        ("<speak>I didn't add that. Okay, 1 Chocolate Sandwich Cookies in your cart. Anything else?</speak>", "ack"),
        ("<speak>I found Banana or Bananas. Which one?</speak>", "other"),
        ("<speak>Okay, I didn't add anything. Anything else?</speak>", "other"),
    ],
)
def test_an_add_is_acknowledged_only_when_the_answer_says_it_is_in_the_cart(speech: str, outcome: str) -> None:
    assert _add_outcome(200, speech) == outcome


def test_every_way_the_skill_confirms_an_add_counts_as_acknowledged() -> None:
    # Read from the speech files, so a new confirmation phrasing cannot turn acknowledged adds into "applied but
    # denied" in the bench's figures (the new-total phrasing "Okay, that makes 4 ..." once did).
    speech = json.loads((Path(skill.__file__).parent / "speech/locales/en-US/shopping.json").read_text("utf-8"))
    values = {"quantity": "2", "product": "Whole Milk", "amount": "2 cans of Soup", "cart": "cart", "why": ""}
    templates = [text for key in ("cart.added", "cart.added_amount", "cart.added_to_line") for text in speech[key]]
    assert len(templates) >= 6
    for template in templates:
        assert _add_outcome(200, f"<speak>{template.format(**values)} Anything else?</speak>") == "ack", template


def test_memory_figures_give_the_rss_slope_net_of_items_kept_by_design() -> None:
    from skill.bench.load import memory_figures

    # RSS grows 300 KiB per 1000 turns in the last half, of which orders (kept) 200: 100 is unaccounted for
    samples = [
        {"turns": turns, "rss_kb": 1000 + (turns * 3) // 10, "kept_kb": turns // 5, "items": 0, "stream_records": 9}
        for turns in range(0, 10_001, 1000)
    ]
    figures = memory_figures(samples, [{"ORDER": 0}, {"ORDER": 100}, {"ORDER": 200}])
    assert figures["rss_kb"] == {"start": 1000, "middle": 2500, "end": 4000}
    assert figures["rss_slope_kb_per_1000_turns_last_half"] == 300.0
    assert figures["kept_items_slope_kb_per_1000_turns_last_half"] == 200.0
    assert figures["rss_slope_net_of_kept_kb_per_1000_turns_last_half"] == 100.0
    assert figures["kinds_per_1000_turns_last_half"] == {"ORDER": 20.0}
