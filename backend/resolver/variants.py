"""The readings of heard words that the resolver scores, each as ``QueryForms``.

- the words without the request around them (``query_form``: "please add some" ... "to my cart");
- the words as heard, unstripped: a "leading filler" may be the garbled start of the name ("and ..." heard
  for "enchilada"), and a unit may begin the name itself ("Bag of Red Delicious Apples");
- the product words once a quantity, unit or pack size is taken off ("two pounds of apples").

The best reading of each product counts, so a reading can only add candidates, never hide one.
"""

from __future__ import annotations

from backend.resolver.amounts import Amount
from backend.resolver.phonemes import Pronouncer
from backend.resolver.scoring import QueryForms
from backend.spoken import query_form, spoken_form, without_carrier


def query_variants(text: str, amount: Amount, pronouncer: Pronouncer | None = None) -> list[QueryForms]:
    """Distinct non-empty readings of ``text``, the stripped one first and the product words last."""
    readings = [query_form(text)]
    # Unstripped, the first words may be a garbled start of the name, or a unit the name itself begins with
    # ("Bag of Red Delicious Apples" is a product, not a bag of another).
    readings.append(without_carrier(spoken_form(text)))
    readings.append(query_form(amount.words))
    return [QueryForms.of(reading, pronouncer) for reading in dict.fromkeys(readings) if reading]
