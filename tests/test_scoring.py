"""Whole-name scores: the weighted phone alignment reorders only the best few names, and only with phones."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.resolver.phonemes import default_pronouncer, phone_similarities
from backend.resolver.scoring import (
    ALIGNED_BEST,
    ALIGNED_SPAN,
    ALIGNMENT_WEIGHT,
    QueryForms,
    aligned_matches,
    full_matches,
)

PRONOUNCER = default_pronouncer()
NAMES = (
    "pita bread",
    "rye bread",
    "butter bread",
    "wheat bread",
    "bread",
    "pita chips",
    "sourdough bread",
    "brioche bread",
    "potato bread",
    "rice bread",
    "corn bread",
    "soda bread",
)


def _matches(words: str) -> tuple[QueryForms, npt.NDArray[np.float64], list[str]]:
    forms = QueryForms.of(words, PRONOUNCER)
    names = [QueryForms.of(name, PRONOUNCER) for name in NAMES]
    phones = [name.phones for name in names]
    matches = full_matches(forms, list(NAMES), [name.sound for name in names], phones, [name.coarse for name in names])
    return forms, matches, phones


def test_only_the_best_names_get_the_alignment_mixed_in() -> None:
    forms, matches, phones = _matches("beta bread")
    aligned = aligned_matches(forms, matches, phones)
    best = np.argsort(-matches, kind="stable")[:ALIGNED_BEST]
    best = best[matches[best] >= matches.max() - ALIGNED_SPAN]
    rest = np.setdiff1d(np.arange(len(NAMES)), best)
    assert 2 <= best.size < len(NAMES)
    # The best score is the best match: only the order (and the gaps) change.
    assert aligned.max() == pytest.approx(matches.max())
    shift = aligned[rest] - matches[rest]
    np.testing.assert_allclose(shift, shift[0])  # the rest keep their plain scores, shifted alike
    expected = (1 - ALIGNMENT_WEIGHT) * matches[best] + ALIGNMENT_WEIGHT * phone_similarities(
        forms.phones, [phones[row] for row in best.tolist()]
    )
    np.testing.assert_allclose(aligned[best], expected + shift[0])
    assert NAMES[int(np.argmax(aligned))] == "pita bread"
    np.testing.assert_array_equal(matches, _matches("beta bread")[1])  # the input is not changed


def test_without_a_pronunciation_the_matches_stay() -> None:
    forms = QueryForms.of("beta bread")  # no pronouncer: no phones
    matches = np.array([0.5, 0.7, 0.6])
    assert aligned_matches(forms, matches, ["pit^brEd", "rYbrEd", "brEd"]) is matches
    assert aligned_matches(QueryForms.of("beta", PRONOUNCER), np.zeros(0), []).size == 0


@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=20))
def test_aligned_matches_keep_the_best_level(values: list[float]) -> None:
    forms = QueryForms.of("pita bread", PRONOUNCER)
    matches = np.array(values)
    phones = [PRONOUNCER.phrase(NAMES[row % len(NAMES)]) for row in range(len(values))]
    aligned = aligned_matches(forms, matches, phones)
    assert aligned.shape == matches.shape
    assert aligned.max() == pytest.approx(matches.max())
    # Only the best few move against the rest, by at most the alignment's share of a match.
    moved = aligned - matches
    order = np.argsort(-matches, kind="stable")
    close = order[:ALIGNED_BEST][matches[order[:ALIGNED_BEST]] >= matches.max() - ALIGNED_SPAN]
    rest = np.setdiff1d(order, close)
    if rest.size:
        np.testing.assert_allclose(moved[rest], moved[rest[0]])
        assert (np.abs(moved - moved[rest[0]]) <= ALIGNMENT_WEIGHT + 1e-9).all()


def test_a_clear_best_keeps_its_place_and_every_score() -> None:
    forms = QueryForms.of("pita bread", PRONOUNCER)
    matches = np.array([0.95, 0.7, 0.6])
    phones = [PRONOUNCER.phrase(name) for name in ("rye bread", "pita bread", "bread")]
    assert aligned_matches(forms, matches, phones) is matches  # nothing within ALIGNED_SPAN of the best
