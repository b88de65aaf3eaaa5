"""The cyclic garbage collector during a Lambda's init phase: paused while it builds, then the built objects frozen.

A cold start allocates hundreds of thousands of long-lived objects (modules, classes, the SDK's models, the
catalog's tables) and almost no cyclic garbage. With the collector on, every 700 allocations start a collection and
the older generations are rescanned again and again as they grow: about a sixth of the skill's cold start (its CPU
time, ``voicecart bench coldstart``) went to collections that found next to nothing. ``init_phase`` turns the
collector off for the build and, once it is done, moves everything built to the permanent generation
(``gc.freeze``): later collections no longer walk the whole runtime (a full one over it took about 80 ms of CPU,
a pause any turn could have met), and an environment restored from a SnapStart snapshot starts with the same frozen
heap. Reference counting frees everything else as usual; a cycle made during the init and dropped before its end
stays in memory (about a thousand objects, of the 180,000 frozen at 50k products).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def init_phase() -> Iterator[None]:
    """No cyclic collection inside; on a clean exit what exists is frozen. The collector's state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
