"""Calibrated confidence and the decision taken from it.

The confidence is a logistic function of the candidate's match quality, its lead over the next
distinct candidate and whether the customer has bought it. The coefficients were fitted by
``benchmarks/calibrate.py`` (logistic regression, top candidate right or wrong) on the dev sets, so
a confidence of 0.9 means about 9 in 10 such answers were right there.
"""

from __future__ import annotations

import math
from typing import Final

from backend.resolver.model import Decision

# Fitted by benchmarks/calibrate.py on half a of the three dev sets (--half a); see the module docstring.
INTERCEPT: Final = -3.65
MATCH_COEF: Final = 5.29
LEAD_COEF: Final = 32.58
BOUGHT_COEF: Final = -1.64  # personal short words are harder: bought items need a larger lead

ACCEPT_AT: Final = 0.90  # accept without asking from this confidence
ACCEPT_MATCH_FLOOR: Final = 0.65  # ... and only when the words match the name at least this well
CHOOSE_LEAD: Final = 0.04  # candidates within this score of the best are real alternatives


def confidence(match: float, lead: float, *, bought: bool) -> float:
    """Probability that a candidate with this match quality and lead is the product meant."""
    logit = INTERCEPT + MATCH_COEF * match + LEAD_COEF * lead + (BOUGHT_COEF if bought else 0.0)
    return 1.0 / (1.0 + math.exp(-max(min(logit, 40.0), -40.0)))


def decide(best_confidence: float, close_alternatives: int, *, match: float = 1.0) -> Decision:
    """Accept when confident; otherwise choose between close alternatives, or confirm the best one.

    A weak match is never accepted, however far ahead it is: a lead that the history (or an empty
    field) gives a poor match is no evidence that the words named it.
    """
    if best_confidence >= ACCEPT_AT and match >= ACCEPT_MATCH_FLOOR:
        return Decision.ACCEPT
    if close_alternatives > 0:
        return Decision.CHOOSE
    return Decision.CONFIRM
