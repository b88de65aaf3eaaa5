"""Phrases Alexa maps to its built-in intents. Amazon trains these itself, so they are not in our model's samples;
the simulator needs a list to behave the same. Whole-utterance matches only (after normalisation)."""

from __future__ import annotations

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
