"""The cyclic garbage collector of a long-running server (``voicecart serve``, the WSGI app), set for its request loop.

After startup the process holds a large heap that lives as long as it does: modules, the catalog, the resolver's
index, the embedded store's items (the demo histories). A full collection walks all of it, several hundred thousand
objects, and stops every thread while it does: a pause of 0.2-1 s that lands on whichever turn happened to allocate
last (the history turns' single outlier of about 200 ms was one). Between full collections, young collections ran
about once per turn. So once startup (and the demo data's background provisioning) is done, ``settle`` collects
once and moves everything that survived to the permanent generation (``gc.freeze``): later collections walk only
what was made since. Reference counting still frees frozen objects as usual; only cyclic garbage that was already
frozen stays.

The first generation's threshold is raised too (``REQUEST_LOOP_THRESHOLDS``): a voice turn allocates tens of
thousands of short-lived objects (botocore's and moto's dictionaries, the SDK's models), nearly all freed by reference
counting, so collecting every 700 net allocations ran several young collections per turn that found next to nothing.

(A Lambda does the same in its init phase: ``backend.lambda_support.collector``.)
"""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)

# (first generation, second, third): the first in net allocations, the others in collections of the one below.
REQUEST_LOOP_THRESHOLDS = (10_000, 10, 10)


def settle() -> int:
    """Collect once, freeze what is left and set the request loop's thresholds; the number of objects frozen."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*REQUEST_LOOP_THRESHOLDS)
    frozen = gc.get_freeze_count()
    log.info(
        "long-lived objects frozen", extra={"objects": frozen, "ms": round(1000 * (time.perf_counter() - started))}
    )
    return frozen


def settle_when_done(work: threading.Thread) -> threading.Thread:
    """``settle`` again once ``work`` (the demo data's background provisioning) has finished."""

    def wait_then_settle() -> None:
        work.join()
        settle()

    waiter = threading.Thread(target=wait_then_settle, name="settle-heap", daemon=True)
    waiter.start()
    return waiter
