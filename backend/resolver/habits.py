"""The customer's habit: the product of theirs whose name holds every word they said, bought most.

Someone who buys "Pure Irish Butter" every other week and says "we're out of butter" means theirs,
not the catalog's plain "Butter"; "string cheese" from someone who buys one string cheese is that
one. A customer names a product they know by a few of its words, so the rule is: of the products
they bought, those whose name holds every word said (plurals folded, spellings of the same sound
such as "chili" / "chile" met, words run together or split as a recogniser writes them, the aisle's
own noun allowed: "sourdough bread" for their "Santa Cruz Sourdough" in bread) compete, and the one
bought in the most orders (the most recent of equals) is meant when it is a habit.

Measured on the dev sets (``voicecart bench resolve``): in the personal set, where the customer
said two words of a product they buy, the rule names the right product in 286 of the 288 rows it
applies to; in the catalog set asked by customers who never bought the product (full names), it
applies to 2 rows in 1,000. Heard words that are not in the name (a distinguishing word such as
"organic", "oat", a flavour) never reach the rule: such a product does not hold the words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Final, Protocol

from rapidfuzz.distance import Levenshtein

from backend.spoken import spoken_form
from backend.spoken import word_sound as _uncached_word_sound

# Words that say nothing about which product is meant ("half and half", "salt and vinegar", "bag of").
FUNCTION_WORDS: Final = frozenset(["a", "an", "and", "of", "the", "with", "in", "for", "n", "or"])
PHRASE_STARTS: Final = frozenset(["with", "in", "for"])  # what follows is what a product has, is in or is for
SAME_SOUND_SPELLING: Final = 0.8  # two words with one sound key are one only when spelt nearly alike
# A name word that heads at least this share of the names holding it says what the product is ("yogurt" heads
# 0.69 of them); one that mostly qualifies others ("classic" 0.06, a number) says nothing of the kind.
KIND_SHARE: Final = 0.25
# Bought in this many times the orders of any other product of theirs holding the words: that one is meant.
# Closer than that (8 orders against 7), both are real readings and the customer is asked.
HABIT_LEAD: Final = 1.5
# A word heading fewer than this share of the names holding it is a qualifier ("organic" 0.02, "whole" 0.02), not a
# word that names a product ("rye" 0.10, "sourdough" 0.15); a word too rare to count (share 0) is distinctive.
NAMING_SHARE: Final = 0.05


# A customer's products are first looked at when they first speak to us: their names' words (most of them in many
# names: "organic", "milk") are keyed once per process, not once per product.
word_sound = lru_cache(maxsize=65_536)(_uncached_word_sound)


class _Bought(Protocol):
    @property
    def count(self) -> int: ...

    @property
    def days_since_last(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Habit:
    """The product meant (``key``), and the other products of theirs that hold the words too and were bought
    nearly as often (``close``, within ``HABIT_LEAD``; the most bought, then the most recent, first): with
    any close, it is a question, not an answer."""

    key: int
    close: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class NameWords:
    """What a product's name offers to hold heard words: its words in order, the set of them with each two
    neighbours run together and any ``extra`` (the aisle's noun), their sound keys, and what the product is
    (``heads``: its head noun and last word; ``extra`` says so too)."""

    name: tuple[str, ...]
    words: frozenset[str]
    sounds: Mapping[str, tuple[str, ...]]
    heads: frozenset[str]
    extra: frozenset[str] = frozenset()
    # Pronunciation -> word of the name's own words and the aisle's noun, when a pronouncer is given. Two neighbours
    # run together are met by their spelling or sound key only: no dictionary holds them, and spelling them out
    # (``phonemes.letters_to_phones``) was a third of the cost of first looking at a customer's products.
    phones: Mapping[str, str] = field(default_factory=dict)
    pronounce: Callable[[str], str] | None = None

    @classmethod
    def of(
        cls,
        name: Sequence[str],
        heads: Iterable[str] = (),
        extra: Iterable[str] = (),
        *,
        pronounce: Callable[[str], str] | None = None,
    ) -> NameWords:
        extra = tuple(extra)
        words = {*name, *extra, *(first + second for first, second in pairwise(name))}
        words.discard("")
        sounds: dict[str, list[str]] = defaultdict(list)
        for word in words:
            sounds[word_sound(word)].append(word)
        return cls(
            tuple(name),
            frozenset(words),
            {sound: tuple(group) for sound, group in sounds.items()},
            frozenset(heads) - {""},
            frozenset(extra) - {""},
            {pronounce(word): word for word in {*name, *extra} if word} if pronounce is not None else {},
            pronounce,
        )

    def has(self, word: str, keys: tuple[str, str] | None = None) -> bool:
        """``word`` is one of these words, or is pronounced the same ("chili" / "chile", "donut" / "doughnut"),
        or has the same sound key and about the same spelling ("yoghurt" / "yogurt"). ``keys``: the word's
        pronunciation and sound key, when the caller has them (``heard_keys``)."""
        return self._named(word, keys) is not None

    def _named(self, word: str, keys: tuple[str, str] | None = None) -> str | None:
        """The word of these that ``word`` is (as ``has``), or ``None``."""
        if word in self.words:
            return word
        if keys is None:
            keys = (self.pronounce(word) if self.pronounce is not None else "", word_sound(word))
        phones, sound = keys
        if phones and phones in self.phones:
            return self.phones[phones]
        return next((named for named in self.sounds.get(sound, ()) if _same_spelling(word, named)), None)

    def _only_aisle(self, word: str) -> bool:
        """``word`` is the aisle's noun and no word of the name itself."""
        return (
            word in self.extra
            and word not in self.name
            and all(first + second != word for first, second in pairwise(self.name))
        )

    def near(self, word: str) -> bool:
        """``word`` is spelt nearly as one of these words ("allmond" / "almond")."""
        return any(Levenshtein.normalized_similarity(word, named) >= SAME_SOUND_SPELLING for named in self.words)

    def near_word(self, word: str) -> bool:
        """``word`` is spelt nearly as one word of the name (or the aisle's noun), never as two run together: a
        heard word run into the next one ("lowfatyogurt") is near "nonfatyogurt" only because they share "yogurt"."""
        return any(
            Levenshtein.normalized_similarity(word, named) >= SAME_SOUND_SPELLING for named in (*self.name, *self.extra)
        )

    def holds(
        self,
        said: Sequence[str],
        kind_share: Callable[[str], float],
        keys: Mapping[str, tuple[str, str]] | None = None,
    ) -> bool:
        """Every content word ``said`` is one of these words (``has``), and the last of them is no word that
        here only qualifies another kind of product.

        A heard word may be two name words run together ("almondmilk" / "almond milk"), and two heard
        words one name word. Function words ("and", "of") need not be in the name; at least one content
        word must, and in the name itself: the aisle's noun alone ("bread" for their corn tortillas, shelved
        in bread) names the aisle, not the product. ``kind_share(word)``: how often the word is what a product
        is (``heads.kind_shares``; 0 for a word heading hardly any product), see ``kind_of``. ``keys`` as
        ``heard_keys`` gives them.
        """
        last = ""
        in_name = False  # a word of the name itself, not only the aisle's noun ("pretzels" for their corn chips)
        by_aisle: list[str] = []  # words said that only the aisle's noun holds
        kind_named = False
        at = 0
        while at < len(said):
            word = said[at]
            at += 1
            if word in FUNCTION_WORDS:
                continue
            named = self._named(word, keys.get(word) if keys is not None else None)
            if named is None:
                if at < len(said) and word + said[at] in self.words:
                    word += said[at]
                    named = word
                    at += 1
                else:
                    return False
            if self._only_aisle(named):
                by_aisle.append(named)
            else:
                in_name = True
                share = kind_share(named)
                kind_named = kind_named or not share or share >= NAMING_SHARE
            last = word
        # The aisle's noun stands in for the name's only beside a word of the name that says what it is
        # ("sourdough bread"); beside a qualifier ("organic bread") it would make any organic thing on the shelf
        # the customer's bread.
        # Nor for a name that says it is another kind of thing ("cream cheese" is no "Sour Cream", though sour cream
        # is shelved with the cheeses): only a name whose head hardly names a kind ("Santa Cruz Sourdough") leaves
        # the aisle to say what it is.
        # (The aisle's noun may be the name's own head spelt another way: their "Vanilla Yoghurt" is a yogurt.)
        if by_aisle and any(
            kind_share(head) >= KIND_SHARE and not any(_same_spelling(word, head) for word in by_aisle)
            for head in self.heads
        ):
            return False
        return in_name and (kind_named or not by_aisle) and (self.kind_of(last, kind_share) or self.ends(said))

    def ends(self, said: Sequence[str]) -> bool:
        """The words said are the end of the name, as a customer names their product by what sets it apart ("meat
        sauce" for their Lasagna with Meat Sauce, "with bacon" for their Potato with Bacon), whatever the name says
        it is: two or more content words, or words beginning with what begins such a phrase ("with", "in"). One
        word alone ("oil") asks for a kind."""
        content = tuple(word for word in said if word not in FUNCTION_WORDS)
        if not content:
            return False
        if said[0] in PHRASE_STARTS:
            return self.name[-len(said) :] == tuple(said)
        own = tuple(word for word in self.name if word not in FUNCTION_WORDS)
        return len(content) > 1 and own[-len(content) :] == content

    def qualifies_only(self, word: str, kind_share: Callable[[str], float]) -> bool:
        """``word`` is in this name only as a qualifier of another kind of product: "butter" in "Cheese & Peanut
        Butter Sandwich Crackers", "tuna" in "Whitefish & Tuna Cat Food". The word as the name spells it (spoken
        forms fold plurals): this is asked of every product of theirs the words partly match, so it stays cheap."""
        return word in self.name and not self.kind_of(word, kind_share)

    def kind_of(self, word: str, kind_share: Callable[[str], float]) -> bool:
        """The product is a ``word`` as far as its name tells: the word is what it is (a head, or the aisle's
        noun), or names no kind of product ("garcia"), or does not come before a head that says what the
        product is. "milk" in "Whole Milk Greek Yogurt" and "apple" in "Apple Juice" only qualify it; "coke"
        in "Coke Classic" does not ("classic" mostly qualifies). Nor after such a head, in a name the catalog writes
        head first: "chip" in "Cookies, Chocolate Chip Walnut" says what kind of cookies."""
        if word in self.heads or word in self.extra or not kind_share(word):
            return True
        seen = headed = False
        for named in self.name:
            if named == word or _same_spelling(word, named):
                if headed:
                    return False
                seen = True
            elif named in self.heads and kind_share(named) >= KIND_SHARE:
                if seen:
                    return False
                headed = True
        return True


def _same_spelling(heard: str, named: str) -> bool:
    return (
        word_sound(heard) == word_sound(named)
        and Levenshtein.normalized_similarity(heard, named) >= SAME_SOUND_SPELLING
    )


def asked_kind(said: Sequence[str]) -> str:
    """What the words ask for: their last word ("peanut butter" -> "butter"); nothing when that is a function
    word, as in words cut short or misheard ("yellow and a" for "yellow onion")."""
    return said[-1] if said and said[-1] not in FUNCTION_WORDS else ""


def aisle_noun(aisle: str) -> str:
    """What an aisle name says its products are: its last word ("red wines" -> "wine", "bread" -> "bread")."""
    words = spoken_form(aisle).split()
    return words[-1] if words else ""


def heard_keys(said: Iterable[str], pronounce: Callable[[str], str] | None) -> dict[str, tuple[str, str]]:
    """Each heard word's pronunciation and sound key, computed once for all the names it is held against."""
    return {word: (pronounce(word) if pronounce is not None else "", word_sound(word)) for word in said}


def habit_among(
    said: Sequence[str],
    products: Iterable[tuple[int, NameWords, _Bought]],
    *,
    is_habit: Callable[[int], bool],
    kind_share: Callable[[str], float],
    fits: Callable[[int], bool] | None = None,
    pronounce: Callable[[str], str] | None = None,
) -> Habit | None:
    """The habit meant by the words ``said`` among the customer's ``products`` (key, name words, stats);
    ``kind_share`` as for ``NameWords.holds``; ``fits(key)``, asked only of products holding the words, may
    rule one out.

    ``None`` when no bought product holds the words, or when the one bought in the most orders is no
    habit (``is_habit(count)``): then the history is only a prior in the ranking.
    """
    content = next((at for at, word in enumerate(said) if word not in FUNCTION_WORDS), None)
    if content is None:
        return None  # only function words: no name holds them
    keys = heard_keys(said, pronounce)
    # A name holds the words only if it holds the first content word, by itself or run into the next one: asked of
    # every product of theirs on every request, that is tested here before ``holds`` is asked.
    first = said[content]
    phones, sound = keys[first]
    joined = first + said[content + 1] if content + 1 < len(said) else ""
    holding = [
        (stats.count, -stats.days_since_last, key)
        for key, name, stats in products
        if (
            first in name.words
            or sound in name.sounds
            or (phones and phones in name.phones)
            or (joined and joined in name.words)
        )
        and name.holds(said, kind_share, keys)
        and (fits is None or fits(key))
    ]
    if not holding:
        return None
    holding.sort(reverse=True)
    count, _, key = holding[0]
    if not is_habit(count):
        return None
    close = tuple(other for other_count, _, other in holding[1:] if other_count * HABIT_LEAD > count)
    return Habit(key, close)
