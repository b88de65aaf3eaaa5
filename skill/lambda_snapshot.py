"""SnapStart for the skill's Lambda: what must differ between execution environments restored from one snapshot.

With SnapStart (``infra/template.yaml``), Lambda runs the init phase once per published version, snapshots the
initialised environment and restores that snapshot for each cold start, so every restored environment starts with
the same memory. Whatever the init drew at random is then shared: the ``random`` module's state (retry jitter that
keeps two writers from colliding in lockstep, spoken variants), so it is reseeded from the OS after each restore.
The init opens no connection (no table is created, nothing is read) and boto3 resolves credentials when a call
needs them, so nothing else has to be redone. ``uuid4`` and ``secrets`` read the OS at each call and need nothing.

The hooks come from ``snapshot_restore_py``, which Lambda's managed Python runtimes (3.12 and later) include;
elsewhere (a local run, Python 3.11) there are no snapshots and nothing is registered.
"""

from __future__ import annotations

import importlib
import logging
import random

logger = logging.getLogger(__name__)


def after_restore() -> None:
    """Run by Lambda in each environment restored from the snapshot, before its first invocation."""
    random.seed()  # from os.urandom: each restored environment draws its own numbers
    logger.info("restored from a SnapStart snapshot: random reseeded")


def register_snapshot_hooks() -> bool:
    """Register ``after_restore`` with Lambda's runtime hooks when they exist; whether they did."""
    try:
        hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return False
    hooks.register_after_restore(after_restore)
    return True
