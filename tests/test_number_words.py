from hypothesis import given
from hypothesis import strategies as st

from backend.number_words import number_to_words
from skill.simulator.numbers import parse_number


def test_cardinals() -> None:
    assert number_to_words(0) == "zero"
    assert number_to_words(42) == "forty two"
    assert number_to_words(1200) == "one thousand two hundred"


@given(st.integers(min_value=0, max_value=9999))
def test_the_simulator_reads_back_what_the_generator_says(number: int) -> None:
    assert parse_number(number_to_words(number).split()) == number
