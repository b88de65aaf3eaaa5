"""Phrases Alexa maps to its built-in intents. Amazon trains these itself, so they are not in our model's samples;
the simulator needs a list to behave the same. Whole-utterance matches only (after normalisation).

Amazon's documentation ("Standard Built-in Intents") lists a few common utterances per intent (yes / yeah / sure,
no / no thanks, help / help me / can you help me, cancel / never mind / forget it, stop / off / shut up) and says
they are a subset: a built-in "covers thousands of utterances" ("Tips for Using Built-in Intents"). People string
their yes and no words together ("yeah sure", "okay yes please", "no no thanks"), so a consent or a refusal made
only of such words, with a polite word or two, is the built-in as well (``yes_or_no``). A reply that mixes a yes
and a no ("yes no") is neither: nothing is confirmed on a muddle.
"""

from __future__ import annotations

from functools import cache

BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": (
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "of course",
        "correct",
        "that's right",
        "that's correct",
        "right",
        "ok",
        "okay",
        "yes please",
        "please do",
        "do it",
        "go ahead",
        "absolutely",
        "sounds good",
        "yes it is",
    ),
    "AMAZON.NoIntent": (
        "no",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "not really",
        "wrong",
        "that's wrong",
        "negative",
        "no it isn't",
        "no it's not",
        "don't",
    ),
    "AMAZON.HelpIntent": (
        "help",
        "help me",
        "what can i say",
        "what can i do",
        "what can you do",
        "how does this work",
        "i need help",
        "help please",
        "can you help me",
    ),
    "AMAZON.StopIntent": ("stop", "shut up", "be quiet", "off", "goodbye", "good bye", "bye", "i'm done", "stop it"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it", "cancel that", "cancel it"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "go to home", "go back home"),
}

# Said inside a skill session, these close it: Alexa sends SessionEndedRequest (USER_INITIATED), no intent.
EXIT_PHRASES = frozenset({"exit", "quit", "alexa exit", "alexa quit"})

# Launch phrases Alexa accepts before an invocation name, and connecting words after it.
LAUNCH_WORDS = ("open", "launch", "start", "begin", "load", "run", "talk to", "resume", "use", "play")
ONE_SHOT_WORDS = ("ask", "tell")
CONNECTING_WORDS = ("to", "for", "about", "if", "whether", "that", "and")
TRAILING_WORDS = ("using", "with", "from", "on", "in")

# Words and phrases that say yes (or no) on their own; a reply made only of these (and polite words) is the
# built-in. Longest first within a reply: "of course" before "of".
AFFIRMATIVE = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "yea",
    "aye",
    "sure",
    "sure thing",
    "ok",
    "okay",
    "alright",
    "all right",
    "of course",
    "absolutely",
    "definitely",
    "certainly",
    "correct",
    "right",
    "that's right",
    "that's correct",
    "go ahead",
    "do it",
    "please do",
    "sounds good",
    "fine",
    "why not",
    "yes it is",
)
NEGATIVE = (
    "no",
    "nope",
    "nah",
    "negative",
    "no way",
    "not really",
    "not at all",
    "no it isn't",
    "no it's not",
    "wrong",
    "that's wrong",
)
POLITE = ("please", "thanks", "thank you", "cheers", "i think", "oh", "um", "uh", "well")
MAX_PARTS = 4  # "oh yeah sure thanks": longer replies carry something else than a yes


def yes_or_no(words: str) -> str | None:
    """AMAZON.YesIntent or AMAZON.NoIntent for a reply made only of yes (or only of no) words and polite ones."""
    tokens = tuple(words.split())
    kinds = _segment(tokens)
    if kinds is None or len(kinds) > MAX_PARTS:
        return None
    said = set(kinds) - {"polite"}
    if said == {"yes"}:
        return "AMAZON.YesIntent"
    if said == {"no"}:
        return "AMAZON.NoIntent"
    return None


def _phrases() -> list[tuple[tuple[str, ...], str]]:
    return [
        *((tuple(p.split()), "yes") for p in AFFIRMATIVE),
        *((tuple(p.split()), "no") for p in NEGATIVE),
        *((tuple(p.split()), "polite") for p in POLITE),
    ]


@cache
def _segment(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """The kinds of the phrases the tokens split into, fewest phrases first; None when some word is none of them."""
    if not tokens:
        return ()
    best: tuple[str, ...] | None = None
    for phrase, kind in _phrases():
        if tokens[: len(phrase)] != phrase:
            continue
        rest = _segment(tokens[len(phrase) :])
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = (kind, *rest)
    return best
