"""Where prebuilt files live: the prebuilt catalog (``backend.catalog.prebuilt``) and the resolver's tables
(``backend.resolver.tables``) share one directory, so one setting ships both."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def default_cache_dir() -> Path:
    """``$VOICECART_INDEX_DIR``, else the user's cache directory (``/tmp`` on Lambda, the only place it may write)."""
    configured = os.environ.get("VOICECART_INDEX_DIR")
    if configured:
        return Path(configured)
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return Path(tempfile.gettempdir()) / "voicecart-index"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "voicecart" / "resolver"
