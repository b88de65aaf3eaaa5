"""Kind words: "rice", "pasta", "greek yogurt" name a kind of product, not one product.

The commonest request is the word for what a product *is*, said alone. When the heard words are exactly such a
kind (the last word heads many catalog names, ``heads.head_of``, and any words before it qualify several of
them), the products of that kind are what was asked for: they come before products that merely sound alike
("Dry Ice" for "rice") and before products that hold the word as a qualifier ("Pasta Sauce" is a sauce). Several
products of the kind are a short question naming a few typical ones; a product whose name is the words
themselves ("Ham") is the plain one and is taken. A sound-alike of another word is never accepted for a word the
catalog sells hundreds of.

Typical means plain: the fewest words, then the qualifier most particular to the kind ("brown" for rice is
common among rice and rare elsewhere, "organic" is common everywhere), then catalog order. The catalog carries
no sales figures, so typicality is learnt from its names alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from backend.resolver.confidence import ACCEPT_AT
from backend.resolver.kindtables import KindHeaded, KindMembers, KindTables
from backend.resolver.model import Candidate, Decision, Resolution
from backend.resolver.twins import heard_number_first, last_word_plural, tells_apart

MIN_MEMBERS: Final = 5  # a word heading fewer names is no kind a customer asks for by that word alone
# A word whose names mostly hold it as a qualifier (it heads under this share of them: "vanilla", "banana", "nut"
# head 1 in 8 to 10) may be a flavour as much as a kind: its products only displace a best match whose name
# lacks the word altogether (a sound-alike: "Notes" for "nuts").
MIN_KIND_SHARE: Final = 0.15
# A single heard word this many names hold is a catalog word: a product whose name lacks it is a sound-alike of
# another word, never taken unasked.
CATALOG_WORD_NAMES: Final = 20
# A single word said that at least this many names hold, letter for letter, is a word of the catalog even when
# it is no kind and no catalog word above ("italiano": Lasagna Italiano, Italiano Tomato Sauce): the names holding
# it come before sound-alikes lacking it ("Italian Beer"), as a question among them.
HELD_WORD_NAMES: Final = 2
MIN_HELD_WORD: Final = 3  # letters: shorter words ("ml", "xl") are marks in names, not what is asked for
MAX_KIND_WORDS: Final = 3  # "brown rice", "plain greek yogurt": a kind and up to two qualifiers
TWIN_WINDOW: Final = 4  # options per place offered that are looked at for twins in the other number
FOUND_CACHE: Final = 4096  # kinds asked for, kept with their typical order (ordering a large kind costs ms)


@dataclass(frozen=True, slots=True)
class Kind:
    """The products the words name as a kind: ``members`` most typical first, ``exact`` those named by the words."""

    words: str
    members: tuple[int, ...]
    exact: tuple[int, ...]
    strong: bool = True  # the word mostly heads the names holding it (``MIN_KIND_SHARE``)
    headed: frozenset[int] = frozenset()  # every product the last word heads, whatever its qualifiers


class KindIndex:
    """Catalog positions of the products each head word says a product is, built once from the names.

    ``spoken``, ``heads`` and ``names`` run in step, one catalog position each: the spoken name, its heads as
    ``HeadDepartments.heads`` (space-separated) and the product's name as the catalog writes it (its commas
    tell the head noun: "Plant Protein, Unflavored" is a protein).
    """

    def __init__(
        self, spoken: Sequence[str], heads: Sequence[str], names: Sequence[str], *, tables: KindTables | None = None
    ) -> None:
        """Count the names now, or take ``tables``: the same counts, made when the resolver's tables were built
        (``backend.resolver.kindtables``), so no Python walk over the catalog happens on a first request."""
        self._spoken = spoken
        self._heads = heads
        self._names = names
        if tables is None:
            tables = KindTables.build(spoken, heads, names, [""] * len(spoken))
        self._tables = tables
        held = tables.held_counts()
        self._held = held
        self._size = max(len(spoken), 1)
        members = tables.kind_members(MIN_MEMBERS)
        self._members: KindMembers = members
        self._headed: Mapping[str, frozenset[int]] = KindHeaded(members)
        self._found = lru_cache(maxsize=FOUND_CACHE)(self._kind)  # thread-safe; Kind is immutable
        self._holders = lru_cache(maxsize=FOUND_CACHE)(self._holding)
        self._strong = frozenset(word for word in members if members.size(word) >= MIN_KIND_SHARE * held[word])

    @property
    def held(self) -> Mapping[str, int]:
        """How many names hold each word (0 for a word none holds)."""
        return self._held

    def sound_alike(self, said: Sequence[str], spoken_name: str) -> bool:
        """The words are one catalog word (``CATALOG_WORD_NAMES`` names hold it) that this name lacks."""
        return len(said) == 1 and self._held[said[0]] >= CATALOG_WORD_NAMES and said[0] not in spoken_name.split()

    def holding(self, word: str) -> Kind | None:
        """The products whose names hold the word (``HELD_WORD_NAMES`` of them or more), most typical first, as a
        kind of its own: the word is what was asked for, whatever the names are of."""
        if len(word) < MIN_HELD_WORD or self._held[word] < HELD_WORD_NAMES:
            return None
        return self._holders(word)

    def _holding(self, word: str) -> Kind | None:
        members = self._tables.holders(word)  # a lookup in the tables, not a walk over every name
        if len(members) < HELD_WORD_NAMES:
            return None
        # Names the word heads ("Lasagna Italiano") are what the word says a product is; when several are, they are
        # the question ("Italiano Tomato Sauce" is a sauce). Otherwise every name holding it, those it heads first.
        headed = [p for p in members if word in self._heads[p].split()]
        if len(headed) >= HELD_WORD_NAMES:
            members = headed
        typical = self._typical_first(members, [word])
        typical.sort(key=lambda p: word not in self._heads[p].split())  # stable: typical order within each
        exact = tuple(p for p in members if self._spoken[p] == word)
        return Kind(word, tuple(typical), exact, True, frozenset(members))

    def find(self, said: Sequence[str]) -> Kind | None:
        """The kind the words are, exactly, or ``None``: the last word is a kind and the words before it are in
        the names of at least two of its products (or the name of one)."""
        if not said or len(said) > MAX_KIND_WORDS or said[-1] not in self._members:
            return None
        return self._found(tuple(said))

    def _kind(self, said: tuple[str, ...]) -> Kind | None:
        if said[-1] not in self._members:
            return None
        words = " ".join(said)
        # The kind's products holding every qualifier: its positions met with each qualifier's holders (lookups in
        # the tables, both in catalog order), not a walk over the kind's names.
        start, end = self._members.bounds(said[-1])
        found: npt.NDArray[np.int32] = self._tables.kind_positions[start:end]
        for word in dict.fromkeys(said[:-1]):
            found = np.intersect1d(found, self._tables.holder_array(word), assume_unique=True)
            if not found.size:
                break
        members: list[int] = found.tolist()
        named = self._tables.named(self._spoken, words)
        inside = set(members)
        exact = tuple(p for p in named if p in inside)
        if len(members) < 2 and not exact:
            return None
        typical = tuple(self._typical_first(members, said))
        return Kind(words, typical, exact, said[-1] in self._strong, self._headed[said[-1]])

    def _typical_first(self, members: Sequence[int], said: Sequence[str]) -> list[int]:
        """Plain names first: fewest words, then the qualifier most particular to this kind, then catalog order.

        A word's particularity is its share among the kind's products beyond its share of the catalog; a name's is
        that of its most particular word not said (1.0 when it has none). Counted over the tables' words of each
        name in numpy (a kind of a 1M catalog has tens of thousands of products): the same divisions and
        comparisons as word by word, so the same order."""
        if not members:
            return []
        tables = self._tables
        positions = np.asarray(members, dtype=np.int64)
        starts = tables.name_word_starts[positions]
        sizes = tables.name_word_starts[positions + 1] - starts
        total = int(sizes.sum())
        begins = np.cumsum(sizes) - sizes  # where each member's words begin in the gathered run
        gathered = np.arange(total, dtype=np.int64) + np.repeat(starts - begins, sizes)
        numbers = tables.name_words[gathered].astype(np.int64)
        among = np.bincount(numbers, minlength=len(tables.words))
        held = tables.held.astype(np.int64)
        particular = among[numbers] / len(members) - held[numbers] / self._size
        said_numbers = [n for n in (tables.word_number(word) for word in set(said)) if n is not None]
        own = ~np.isin(numbers, said_numbers)
        values = np.where(own, particular, -np.inf)
        most = np.full(positions.size, -np.inf)
        filled = sizes > 0
        if total:
            most[filled] = np.maximum.reduceat(values, begins[filled])
        most[most == -np.inf] = 1.0  # no word beyond those said
        order = np.lexsort((positions, tables.name_lengths[positions], -most, tables.name_tokens[positions]))
        typical: list[int] = positions[order].tolist()
        return typical


def settle(
    resolution: Resolution,
    kind: Kind,
    *,
    position_of: Callable[[Candidate], int],
    bought: Mapping[int, int],
    candidate: Callable[[int], Candidate | None],
    written: Sequence[str],
    spoken_of: Callable[[int], str],
    limit: int,
    number: str | None = None,
    heard_plural: bool | None = None,
) -> Resolution:
    """The resolution for words that name ``kind``: its products first, and a question unless one is THE one.

    ``bought`` maps the customer's products (catalog positions) to how often they bought them; ``candidate``
    makes an option of a member the ranking did not offer (``None``: the words match it too poorly);
    ``number`` is the quantity heard, in words; ``heard_plural`` whether the last word heard was a plural.

    An accepted product of the kind stands (the ranking found it good enough on the words; one of theirs taken
    for a single kind word only leads the question); several words are left alone unless another kind they
    never bought was accepted ("frozen pizza" is no peach); a weak kind (``MIN_KIND_SHARE``) only displaces a
    best match lacking the word. Otherwise the plain product named by the words is taken when it is the only
    one and the customer buys no other of the kind; else the options are the customer's own, the plain one,
    those the ranking found, then the typical ones.
    """
    best = resolution.best
    accepted = resolution.decision is Decision.ACCEPT
    said = kind.words.split()
    if best is not None and accepted and position_of(best) in kind.headed:
        at = position_of(best)
        if len(said) > 1 or at not in bought or spoken_of(at) == kind.words:
            return resolution  # a product of the kind, found good enough on the words (qualifiers are the ranking's)
        # One of theirs of the kind, taken for the kind word because they bought it (not habitually: that is a
        # habit, settled before): it leads the question, it is not put in the cart unasked.
    if best is not None and number is not None and f" {number} " in f" {spoken_of(position_of(best))} ":
        return resolution  # the number heard is part of the name found ("omega three"): not an amount of a kind
    if len(said) > 1 and (not accepted or best is None or position_of(best) in bought):
        # Several words are a name as often as a kind, and their own product that holds them ("cranberry juice"
        # for their juice cocktail) is what the ranking and their history say: only another kind taken unasked,
        # of a product they never bought, is undone.
        return resolution
    if not kind.strong and best is not None and said[-1] in spoken_of(position_of(best)).split():
        return resolution  # "vanilla" asked, something vanilla found: a flavour as much as a kind
    members = set(kind.members)
    ranked = [c for c in resolution.candidates if position_of(c) in members]
    rank = {position_of(c): number for number, c in enumerate(ranked)}
    exact = sorted(kind.exact, key=lambda p: rank.get(p, len(rank)))  # sound twins keep the ranking's order
    own = sorted((p for p in bought if p in members), key=lambda p: (-bought[p], p))
    exact_names = dict.fromkeys(written[p] for p in exact)
    if len(exact_names) == 1 and not any(p not in kind.exact for p in own):
        first = exact[0]
        found = {position_of(c): c for c in resolution.candidates}
        plain = found.get(first) or candidate(first)
        if plain is not None:
            others = [c for c in ranked if position_of(c) != first]
            return _offer(
                resolution,
                Decision.ACCEPT,
                options=[plain, *others],
                position_of=position_of,
                written=written,
                limit=limit,
            )
    by_position = {position_of(c): c for c in ranked}
    rest = [p for p in dict.fromkeys([*exact, *by_position, *kind.members]) if p not in own]
    # Their own come first as they are; of the rest, a twin in the number heard comes before the other number
    # ("butter bars": Peanut Butter Bars, then Peanut Butter Bar), wherever typical order put them. Only the first
    # few can be offered (a kind may have thousands of members), so only those are looked at.
    window = TWIN_WINDOW * limit
    rest[:window] = heard_number_first(
        rest[:window],
        spoken_of=spoken_of,
        plural=lambda position: last_word_plural(written[position], spoken_of(position)),
        heard=heard_plural,
    )
    order = dict.fromkeys([*own, *rest])
    options: list[Candidate] = []
    names: set[str] = set()
    for position in order:
        name = written[position]
        if name in names:
            continue
        option = by_position.get(position) or candidate(position)
        if option is None:
            continue
        names.add(name)
        options.append(option)
        if len(options) == limit:
            break
    if not options:
        return resolution
    decision = Decision.CHOOSE if len(options) > 1 else Decision.CONFIRM
    return _offer(resolution, decision, options=options, position_of=position_of, written=written, limit=limit)


def _offer(
    resolution: Resolution,
    decision: Decision,
    *,
    options: Sequence[Candidate],
    position_of: Callable[[Candidate], int],
    written: Sequence[str],
    limit: int,
) -> Resolution:
    """Options folded by written name and told apart; an accept keeps its confidence, a choice splits it."""
    kept: list[Candidate] = []
    names: set[str] = set()
    for option in options:
        name = written[position_of(option)]
        if name not in names:
            names.add(name)
            kept.append(option)
    kept = kept[:limit]
    if decision is Decision.CHOOSE:
        kept = [replace(option, confidence=min(option.confidence, 1 / len(kept))) for option in kept]
    elif decision is Decision.ACCEPT:  # the plain product named by the words, and no other of theirs
        kept[0] = replace(kept[0], confidence=max(kept[0].confidence, ACCEPT_AT))
    apart = tells_apart([option.product for option in kept]) if decision is Decision.CHOOSE else [()] * len(kept)
    return replace(
        resolution,
        decision=decision,
        candidates=tuple(replace(option, tells_apart=apart[rank]) for rank, option in enumerate(kept)),
    )
