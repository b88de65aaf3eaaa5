"""The store of ``voicecart keys`` and ``voicecart voicecode``: one that outlives the command.

The embedded store lives inside one process (a running ``voicecart serve``) and is gone when it stops, so a
command that wrote keys or voice codes into one of its own would report a change nobody can ever see.
"""

from __future__ import annotations

from backend.errors import ValidationError
from backend.settings import Settings


def durable_store(what: str, *, instead: str, settings: Settings | None = None) -> Settings:
    """``settings`` (default: from the environment) when they choose a store that outlives this process; else a
    ``ValidationError`` saying that ``what`` live in the chosen store and what to do ``instead``."""
    settings = settings or Settings.load()
    if settings.uses_embedded_store:
        raise ValidationError(
            f"{what} live in the chosen store, and the embedded store lives only inside a running `voicecart serve` "
            f"({instead}): set VOICECART_STORE to an endpoint URL or to aws",
            field="store",
        )
    return settings
