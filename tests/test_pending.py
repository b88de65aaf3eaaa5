"""The question in progress: its kinds, what each accepts, and its round trip through the session."""

from __future__ import annotations

import pytest

from skill.handlers.pending import ACCEPTS, Answer, Pending, Question, accepts


def test_every_question_accepts_yes_and_no() -> None:
    assert set(ACCEPTS) == set(Question)
    for question in Question:
        assert {Answer.YES, Answer.NO} <= ACCEPTS[question]


@pytest.mark.parametrize(
    ("question", "answer", "accepted"),
    [
        (Question.CHOOSE, Answer.CHOICE, True),
        (Question.CHOOSE, Answer.PRODUCT, True),
        (Question.ADD, Answer.CHOICE, False),
        (Question.CHECKOUT, Answer.CODE, True),
        (Question.CODE, Answer.CODE, True),
        (Question.CLEAR, Answer.CODE, False),
        (Question.OFFER_CART, Answer.CODE, False),
    ],
)
def test_which_answers_a_question_accepts(question: Question, answer: Answer, accepted: bool) -> None:
    assert Pending(question).accepts(answer) is accepted


def test_the_session_form_is_kind_plus_data() -> None:
    pending = Pending(Question.CHOOSE, {"options": ["1", "2"], "quantity": 2})
    assert pending.to_session() == {"kind": "choose", "options": ["1", "2"], "quantity": 2}
    assert Pending.from_session(pending.to_session()) == pending


@pytest.mark.parametrize("raw", [None, "add", {}, {"kind": "retired_kind"}, {"kind": None}])
def test_anything_else_in_the_session_is_no_question(raw: object) -> None:
    assert Pending.from_session(raw) is None
    assert not accepts(Pending.from_session(raw), Answer.YES)
