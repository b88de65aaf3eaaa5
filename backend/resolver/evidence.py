"""How much of what was heard a candidate's name explains, word by word: whether it was found, or is only the closest.

The ranking match compares whole strings, so an unrelated name still matches noisy words about half way (0.4 to
0.55: "phone charger" and "Natural Artesian Water"), and a customer's own product reaches the first places on its
prior alone. The words themselves say more: a heard word is *in* a name when a word of the name spells or sounds
nearly like it ("tee" / "Tea", "printer" / "Pronto"), and a request names what it asks for by its head, its last
word ("garden *hose*"). So:

- a candidate whose name holds every heard word, or that the words match strongly as a whole, was found;
- one holding the heard head but not all the words is the closest of that kind ("rice milk": "Almond Milk"): it may
  be asked about, after saying what was not found;
- one not holding the head is another kind of thing, whatever word it shares ("garden hose": "Garden Peas") or
  however often the customer buys it: never taken unasked;
- when no candidate holds a word, nothing was found, and the candidates are only asked about as the closest: the
  words alone cannot tell a request for what the shop does not sell ("a lawn mower") from a request the recogniser
  garbled word by word ("so bad that" for Cannellini beans), and only the second has a right answer to offer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from backend.resolver.habits import FUNCTION_WORDS, KIND_SHARE
from backend.resolver.heads import head_of, head_word
from backend.resolver.phonemes import Pronouncer, phone_similarities
from backend.resolver.scoring import similarity
from backend.spoken import spoken_form

# A heard word is in a name when a word of the name spells or sounds at least this much like it (weighted phone
# alignment, ``phonemes.phone_similarities``): "tee" / "tea" 1.0, "garden" / "golden" 0.82, "dryer" / "dry" 0.81,
# "bring" / "spring" 0.72; "hose" / "gose" 0.62, "lawn" / "lint" 0.56, "mower" / "roller" 0.41 are other words.
WORD_HEARD: Final = 0.7
# ... or is spelt this much like it (Levenshtein): a letter in five ("tomatoe" / "tomato"); "hose" / "gose" (0.75)
# are two words.
WORD_SPELT: Final = 0.8
# Words that say which or how many of a thing, not what it is ("some", "the"): no name needs to hold them.
_NOT_WHAT: Final = FUNCTION_WORDS | frozenset({"some", "any", "please", "my", "our", "your", "more", "another"})


def _fold(word: str) -> str:
    """Plural folded ("eggs" / "egg"); short words kept as they are ("gas")."""
    return word.removesuffix("s") if len(word) > 3 else word


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a name explains of the heard words."""

    share: float  # of the heard content words, the share a word of the name spells or sounds like
    head: bool  # the heard head (what was asked for) is what the name says it is (one of its heads), or no head


def heard_words(said: Sequence[str]) -> tuple[str, ...]:
    """The words that say what is asked for (``said`` in query form, the amount taken off)."""
    return tuple(word for word in said if word not in _NOT_WHAT)


def _alike(heard: str, words: Sequence[str], pronouncer: Pronouncer) -> bool:
    folded = _fold(heard)
    named = [_fold(word) for word in words]
    if not named:
        return False
    if any(similarity(folded, word) >= WORD_SPELT for word in named):
        return True
    phones = pronouncer.word(folded)
    if not phones:
        return False
    return bool((phone_similarities(phones, [pronouncer.word(word) for word in named]) >= WORD_HEARD).any())


def name_heads(name: str, kind_share: Callable[[str], float]) -> tuple[str, ...]:
    """What a name says it is: its head noun ("Salame" of "Salame, Italian Dry"), and its last word when that is a
    word the catalog's names say things are ("Ale, Belgian Blend": blends), not a describing one ("dry")."""
    head = head_of(name)
    last = head_word(spoken_form(name))
    if last and last != head and max(kind_share(last), kind_share(_fold(last))) >= KIND_SHARE:
        return (head, last) if head else (last,)
    return (head,) if head else ((last,) if last else ())


def evidence(said: Sequence[str], name: str, pronouncer: Pronouncer, kind_share: Callable[[str], float]) -> Evidence:
    """How much of ``said`` (query-form words) the product name ``name`` explains; ``kind_share`` is how often a word
    is what a catalog product is (``heads.kind_shares``)."""
    words = heard_words(said)
    if not words:
        return Evidence(1.0, True)
    name_words = spoken_form(name).split()
    explained = sum(1 for word in words if _alike(word, name_words, pronouncer))
    asked = head_of(" ".join(said))
    head = not asked or asked in _NOT_WHAT or _alike(asked, name_heads(name, kind_share), pronouncer)
    return Evidence(explained / len(words), head)
