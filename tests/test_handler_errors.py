"""Every domain error has its own spoken answer: none reaches the generic "something went wrong"."""

from __future__ import annotations

import pytest

import backend.errors as errors
from backend.errors import OtherUnitInCart, ProductNotFound, ValidationError, VoicecartError, WrongVoiceCode
from skill.handlers.errors import speech_key_for, speech_values_for
from skill.speech import Speech, available_locales


def _every_subclass(root: type[VoicecartError]) -> list[type[VoicecartError]]:
    found: list[type[VoicecartError]] = []
    for sub in root.__subclasses__():
        found += [sub, *_every_subclass(sub)]
    return found


# Answered by their own handlers before the domain error handler: the link-account card, the store apology.
OWN_HANDLERS = (errors.AccountNotLinked, errors.UnknownAccessToken, errors.StoreError)
DOMAIN_ERRORS = [
    kind
    for kind in _every_subclass(VoicecartError)
    if kind.__module__ == "backend.errors" and not issubclass(kind, OWN_HANDLERS)
]


def _instance(kind: type[VoicecartError]) -> VoicecartError:
    if kind is ProductNotFound:
        return ProductNotFound("42")
    if kind is WrongVoiceCode:
        return WrongVoiceCode(attempts_left=1)
    if kind is OtherUnitInCart:
        return OtherUnitInCart("42", held="pound", said=None)
    if issubclass(kind, ValidationError):
        return kind("bad", field=None)
    return kind("bad")


@pytest.mark.parametrize("kind", DOMAIN_ERRORS, ids=lambda kind: kind.__name__)
def test_no_domain_error_gets_the_generic_apology(kind: type[VoicecartError]) -> None:
    key = speech_key_for(_instance(kind))
    assert key != "error.generic"
    for locale in available_locales():
        speech = Speech(locale)
        assert speech.has(key)
        speech.say(key, cart="cart", **speech_values_for(_instance(kind), speech))  # every value it names is given


def test_the_carts_own_limits_are_named() -> None:
    assert speech_key_for(ValidationError("quantity must be 1..50, not 60", field="quantity")) == "error.line_full"
    assert speech_key_for(ValidationError("a cart holds at most 60 products", field="product")) == "error.cart_full"
    assert speech_key_for(ValidationError("a voice code is exactly 4 digits", field="code")) == "error.invalid"


@pytest.mark.parametrize("locale", available_locales())
def test_a_line_held_in_another_unit_says_both_units_and_that_nothing_changed(locale: str) -> None:
    speech = Speech(locale)
    error = OtherUnitInCart("42", held="pound", said="six pack")
    spoken = speech.say(speech_key_for(error), cart="cart", **speech_values_for(error, speech))
    assert "by the pound" in spoken
    assert "by the six pack" in spoken
    assert "changed" in spoken
    by_piece = OtherUnitInCart("42", held=None, said="dozen")
    assert "by the piece" in speech.say(speech_key_for(by_piece), cart="cart", **speech_values_for(by_piece, speech))
