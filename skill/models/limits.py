"""Amazon's limits on a custom interaction model that can be checked offline, with where each figure comes from.

Figures marked "documented" are stated by Amazon; "observed" are error messages Amazon's tools returned to
developers; "policy" are our own, stricter choices where we found no published figure (a model that passes our
policy passes Amazon's check too, as far as we know).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    # documented: "A skill can have a total of 50,000 custom slot values, totaled across all custom slots used in
    # the interaction model" (Alexa custom interaction model reference). Synonyms are not counted as values.
    max_custom_slot_values: int = 50_000
    # observed: the developer console rejects "Slot value length exceeds the limit of 140 characters"; we apply
    # the same figure to synonyms.
    max_slot_value_chars: int = 140
    # observed: SMAPI rejected a model with "'modelDefinition' failed to satisfy constraint: Member must have
    # length less than or equal to 1000000" (alexa/ask-cli#9). Measured on the file as written, so a minified
    # upload has room to spare.
    max_model_chars: int = 1_000_000
    # policy: no published per-value synonym limit found for Alexa (Amazon Lex allows 10,000); we keep few.
    max_synonyms_per_value: int = 20
    # policy: a sample utterance longer than this is not something a person says in one breath.
    max_sample_chars: int = 200
    # policy: an intent with thousands of samples is a model bug (usually a runaway template).
    max_samples_per_intent: int = 3_000
    # documented (invocation name requirements): at least two words (one-word names need brand proof),
    # lower-case letters, spaces, apostrophes and periods only; no launch phrases or wake words.
    min_invocation_words: int = 2
    max_invocation_chars: int = 50


DEFAULT_LIMITS = Limits()

# Words an invocation name may not contain (launch phrases, connecting words and wake words).
FORBIDDEN_INVOCATION_WORDS = frozenset(
    {
        "alexa",
        "amazon",
        "echo",
        "computer",
        "skill",
        "app",
        "ask",
        "tell",
        "open",
        "launch",
        "start",
        "begin",
        "load",
        "run",
        "resume",
        "enable",
        "use",
        "play",
    }
)
# A two-word invocation name may not contain these.
TWO_WORD_INVOCATION_STOPWORDS = frozenset({"the", "a", "an", "for", "to", "of"})
