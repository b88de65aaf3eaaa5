"""``voicecart test FILE...``: run scripted YAML dialogs against the skill; non-zero exit on any failure.

The last lines give the share of dialogs and of turns that passed. A dialog tagged ``needs: <capability>`` was
written ahead of the skill: it runs and counts in the shares, but its failure does not make the exit code
non-zero, and it is flagged when it passes (the tag is then stale).

In-process by default (the real skill on the embedded store); ``--url`` sends the same requests to any running
endpoint, signed with a local test key when ``--sign-with DIR`` is given (``Settings.local_signer_dir``).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from backend.services import Backend
from backend.settings import Settings
from skill.commands.options import add_demo_data_argument
from skill.simulator.local import (
    LocalSkill,
    apply_setup,
    cart_probe,
    conversation_for,
    local_skill,
)
from skill.simulator.script import (
    CartProbe,
    Dialog,
    DialogResult,
    Failure,
    ScriptError,
    describe,
    isolates_dialogs,
    load_dialogs,
    run_dialog,
)
from skill.simulator.transport import HttpTransport, Transport

GREEN, RED, YELLOW, DIM, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"


def use_colour(stream: TextIO) -> bool:
    """Colours on a terminal; none in CI, with NO_COLOR, or when piped."""
    if os.environ.get("CI") or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, colour: str) -> str:
        return f"{colour}{text}{RESET}" if self.enabled else text


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("test", help="run scripted YAML dialogs against the skill")
    parser.add_argument("files", nargs="+", type=Path, help="dialog files (YAML); directories are searched")
    add_target_arguments(parser)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every turn, not only failures")
    parser.set_defaults(func=run)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="send requests to this endpoint instead of the in-process skill")
    parser.add_argument("--sign-with", type=Path, help="directory of a local signer (voicecart signer init)")
    parser.add_argument("--skill-id", help="applicationId to send (default: the configured skill id)")
    parser.add_argument("--locale", default=None, help="locale of the model to use (default en-US)")
    add_demo_data_argument(parser)


def local_settings(args: argparse.Namespace) -> Settings:
    """Settings for the in-process skill: the environment's, with the command's flags."""
    return Settings.load(demo_data_anywhere=True) if getattr(args, "demo_data_anywhere", False) else Settings.load()


def dialog_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[Transport, str, Backend | None]]:
    """(transport, skill id, backend or None) for the in-process skill or ``--url``."""
    if args.url:
        signer = None
        if args.sign_with:
            from skill.simulator.signing import LocalSigner

            signer = LocalSigner.load(args.sign_with)
        skill_id = args.skill_id or Settings.load().skill_id or ""
        yield HttpTransport(args.url, signer=signer), skill_id, None
        return
    with local_skill(local_settings(args)) as local:
        yield local.transport, args.skill_id or local.settings.skill_id or "", local.backend


def run(args: argparse.Namespace) -> int:
    if not args.verbose:
        logging.disable(logging.WARNING)  # keep the report readable; -v shows the skill's logs too
    out: TextIO = sys.stdout
    paint = Painter(use_colour(out))
    try:
        scripts = [(path, load_dialogs(path)) for path in dialog_files(args.files)]
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not any(dialogs for _, dialogs in scripts):
        print("no dialogs found", file=sys.stderr)
        return 2
    results: list[DialogResult] = []
    if args.url:
        with target(args) as (transport, skill_id, _):
            for _, dialogs in scripts:
                results += run_all(dialogs, transport, skill_id, None, default_locale=args.locale)
    else:
        with local_skill(local_settings(args)) as local:
            skill_id = args.skill_id or local.settings.skill_id or ""
            results = run_local(local, scripts, skill_id, default_locale=args.locale)
    return report(results, out, paint, verbose=args.verbose)


def run_local(
    local: LocalSkill,
    scripts: Sequence[tuple[Path, Sequence[Dialog]]],
    skill_id: str,
    *,
    default_locale: str | None = None,
) -> list[DialogResult]:
    """Run each file from the demo as `serve` starts it: no cart or order of one file leaks into the next, and
    with ``isolation: dialog`` none of one dialog leaks into the next."""
    results: list[DialogResult] = []
    for number, (path, dialogs) in enumerate(scripts):
        groups = [[dialog] for dialog in dialogs] if isolates_dialogs(path) else [list(dialogs)]
        for part, group in enumerate(groups):
            isolated = local.isolated(f"dialogs{number}-{part}")
            apply_setup(path, isolated.backend)
            probe = cart_probe(isolated.backend)
            results += run_all(group, isolated.transport, skill_id, probe, default_locale=default_locale)
    return results


def run_all(
    dialogs: Sequence[Dialog],
    transport: Transport,
    skill_id: str,
    probe: CartProbe | None,
    *,
    default_locale: str | None = None,
) -> list[DialogResult]:
    results = []
    for dialog in dialogs:
        locale = dialog.locale or default_locale or "en-US"
        conversation = conversation_for(transport, skill_id=skill_id, locale=locale, account=dialog.account)
        results.append(run_dialog(dialog, conversation, cart_probe=probe))
    return results


def format_failure(failure: Failure) -> list[str]:
    lines = [f"      {failure.check}: expected {describe(failure.expected)}"]
    actual = describe(failure.actual)
    if isinstance(failure.expected, str) and isinstance(failure.actual, str) and failure.check.endswith("value"):
        diff = difflib.ndiff([failure.expected], [failure.actual])
        lines += [f"        {line}" for line in diff]
    else:
        lines.append(f"      {' ' * len(failure.check)}       got {actual}")
    if failure.note:
        lines.append(f"      {' ' * len(failure.check)}  note: {failure.note}")
    return lines


@dataclass(frozen=True, slots=True)
class Tally:
    """What a run adds up to: dialogs and turns passed, and the dialogs tagged ``needs:``."""

    passed: int
    failed: int
    turns_passed: int
    turns_total: int
    failing_untagged: int
    needs: dict[str, tuple[int, int]]  # capability -> (dialogs tagged, of which failing)

    @classmethod
    def of(cls, results: Sequence[DialogResult]) -> Tally:
        needs: dict[str, tuple[int, int]] = {}
        for result in results:
            for need in result.dialog.needs:
                tagged, failing = needs.get(need, (0, 0))
                needs[need] = (tagged + 1, failing + (not result.passed))
        return cls(
            passed=sum(result.passed for result in results),
            failed=sum(not result.passed for result in results),
            turns_passed=sum(result.turns_passed for result in results),
            turns_total=sum(result.turns_total for result in results),
            failing_untagged=sum(not result.passed and not result.dialog.needs for result in results),
            needs=dict(sorted(needs.items())),
        )

    @property
    def share(self) -> float:
        total = self.passed + self.failed
        return self.passed / total if total else 0.0

    @property
    def turn_share(self) -> float:
        return self.turns_passed / self.turns_total if self.turns_total else 0.0

    def lines(self) -> list[str]:
        total = self.passed + self.failed
        lines = [
            f"{self.passed} passed, {self.failed} failed, {total} dialogs ({self.share:.1%} passed); "
            f"{self.turns_passed} of {self.turns_total} turns passed ({self.turn_share:.1%})"
        ]
        if self.needs:
            parts = [f"{need} {failing}/{tagged}" for need, (tagged, failing) in self.needs.items()]
            tagged_failing = self.failed - self.failing_untagged
            lines.append(
                f"needs (failing/tagged, not counted as failures): {', '.join(parts)}; "
                f"{self.failing_untagged} untagged failure(s), {tagged_failing} tagged"
            )
        return lines


def report(results: Sequence[DialogResult], out: TextIO, paint: Painter, *, verbose: bool = False) -> int:
    """Print each dialog and the tally; 1 when a dialog without ``needs:`` failed, else 0."""
    for result in results:
        dialog = result.dialog
        where = f"{dialog.path}"
        needs = f" [needs {', '.join(dialog.needs)}]" if dialog.needs else ""
        if result.passed and dialog.needs:
            note = paint("passes now: drop the tag", YELLOW)
            print(f"{paint('PASS', GREEN)} {dialog.name}{needs}  {note}  {paint(f'({where})', DIM)}", file=out)
        elif result.passed:
            print(f"{paint('PASS', GREEN)} {dialog.name}  {paint(f'({where}, {result.turns} turns)', DIM)}", file=out)
        elif dialog.needs:
            print(f"{paint('NEED', YELLOW)} {dialog.name}{needs}  {paint(f'({where})', DIM)}", file=out)
        else:
            print(f"{paint('FAIL', RED)} {dialog.name}  {paint(f'({where})', DIM)}", file=out)
        for step in result.steps:
            if not step.failures and not verbose:
                continue
            turn = step.turn
            heard = f" -> heard {turn.heard}" if turn else ""
            mark = paint("x", RED) if step.failures else paint("ok", GREEN)
            print(f"   {mark} turn {step.index}: say {step.said!r}{heard}", file=out)
            if turn is not None and (step.failures or verbose):
                print(f"      alexa said: {turn.speech!r}", file=out)
            for failure in step.failures:
                for line in format_failure(failure):
                    print(line, file=out)
        if result.skipped:
            print(f"   {paint(f'{result.skipped} later turn(s) not run', YELLOW)}", file=out)
    tally = Tally.of(results)
    for line in tally.lines():
        print(paint(line, RED if tally.failing_untagged else GREEN), file=out)
    return 1 if tally.failing_untagged else 0
