"""How many examples a property test draws: every one it asks for in the full suite, a fifth in the fast loop.

The same property runs in both; only the number of examples differs. ``tests/conftest.py`` registers the two
hypothesis profiles and loads ``fast`` for ``pytest -m "not slow"`` and ``full`` for everything else (CI runs the
whole suite, so the full count); ``HYPOTHESIS_PROFILE`` or ``--hypothesis-profile`` choose one explicitly.

A profile's ``max_examples`` is the number drawn by a test that names none (hypothesis' default is 100) and the
percentage of the count a test names: ``settings(max_examples=examples(150))`` draws 150 under ``full`` and 30 under
``fast``.
"""

from __future__ import annotations

from hypothesis import settings

FULL = "full"
FAST = "fast"
FULL_EXAMPLES = 100
FAST_EXAMPLES = 20
# Fewer than this and a fast-loop run hardly explores at all
FLOOR = 5


def register_profiles() -> None:
    settings.register_profile(FULL, max_examples=FULL_EXAMPLES)
    settings.register_profile(FAST, max_examples=FAST_EXAMPLES)


def examples(full: int) -> int:
    """``full`` examples under the full profile, the same share of them as the loaded profile's default."""
    scaled = full * settings().max_examples // FULL_EXAMPLES
    return max(min(full, FLOOR), scaled)
