"""How ``voicecart bench load`` reads a spoken answer to an add: its truthfulness figures rest on it."""

import pytest

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
