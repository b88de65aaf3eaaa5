"""Benchmarks that need the Alexa edge (signing, the web app, serve's server): ``voicecart bench verify``,
``bench load``, ``bench hostile``, ``bench erase`` and ``bench connections``.

They join the backend's ``voicecart bench`` command rather than adding another: the backend cannot import them
(the arrows point skill -> backend), so this module registers the bench command with them as extensions.
"""

from __future__ import annotations

import argparse

from backend.bench import cli as backend_bench
from skill.bench import connections, erase, faults, hostile, load, unreachable, verify


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backend_bench.register(
        subparsers,
        extensions=(
            verify.register,
            load.register,
            hostile.register,
            erase.register,
            faults.register,
            unreachable.register,
            connections.register,
        ),
    )
