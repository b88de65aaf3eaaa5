"""`voicecart test`: YAML dialogs run against a tiny real skill; readable failures; exit codes; colours."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from skill.cli import main as voicecart
from skill.commands.dialog import repl
from skill.commands.dialogtest import Painter, report, run_all, use_colour
from skill.simulator.local import conversation_for
from skill.simulator.script import ScriptError, isolates_dialogs, load_dialogs
from skill.simulator.transport import InProcessTransport
from tests.fixtures.simulator.tiny_skill import tiny_runtime

FIXTURES = Path(__file__).parent / "fixtures" / "simulator"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


def _run(path: Path) -> tuple[int, str]:
    transport = InProcessTransport(tiny_runtime())
    results = run_all(load_dialogs(path), transport, SKILL_ID, None)
    out = io.StringIO()
    return report(results, out, Painter(False)), out.getvalue()


def test_a_passing_dialog_exits_zero_with_a_summary_line() -> None:
    code, output = _run(FIXTURES / "passing.yaml")
    assert code == 0, output
    assert output.splitlines()[0].startswith("PASS tiny passing dialog")
    assert output.splitlines()[0].endswith("passing.yaml, 8 turns)")
    assert output.splitlines()[-1] == "1 passed, 0 failed, 1 dialogs (100.0% passed); 8 of 8 turns passed (100.0%)"


def test_a_failing_dialog_shows_what_differs_and_exits_non_zero() -> None:
    code, output = _run(FIXTURES / "failing.yaml")
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith("FAIL tiny failing dialog")
    assert "   x turn 2: say 'add two bananas' -> heard AddToCartIntent" in lines
    assert "      alexa said: 'Added 2 bananas. Anything else?'" in lines
    assert "      intent: expected 'ReadCartIntent'" in lines
    assert any("got 'AddToCartIntent'" in line for line in lines)
    assert any(line.strip().startswith("- 3") for line in lines)  # a diff of the slot value
    assert any(line.strip().startswith("+ 2") for line in lines)
    assert any("speech: expected \"contains 'removed'\"" in line for line in lines)
    assert "      card: expected 'no card'" in lines
    assert any("session_ended: expected true" in line for line in lines)
    assert "   1 later turn(s) not run" in lines
    assert any(line.startswith("PASS tiny passing neighbour") for line in lines)
    assert lines[-1] == "1 passed, 1 failed, 2 dialogs (50.0% passed); 2 of 4 turns passed (50.0%)"


def _needs_file(tmp_path: Path) -> Path:
    path = tmp_path / "needs.yaml"
    path.write_text(
        "dialogs:\n"
        "  - name: ahead of the skill\n"
        "    needs: cart-total\n"
        "    turns:\n      - say: add two bananas\n        expect: {intent: ReadCartIntent}\n"
        "  - name: stale tag\n"
        "    needs: [price, cart-total]\n"
        "    turns:\n      - say: help\n        expect: {intent: AMAZON.HelpIntent}\n"
        "  - name: plain\n"
        "    turns:\n      - say: help\n        expect: {intent: AMAZON.HelpIntent}\n"
    )
    return path


def test_dialogs_tagged_needs_count_in_the_shares_but_do_not_fail_the_run(tmp_path: Path) -> None:
    code, output = _run(_needs_file(tmp_path))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("NEED ahead of the skill [needs cart-total]")
    assert "      intent: expected 'ReadCartIntent'" in lines  # what differs is still shown
    assert any(line.startswith("PASS stale tag [needs price, cart-total]  passes now: drop the tag") for line in lines)
    assert lines[-2] == "2 passed, 1 failed, 3 dialogs (66.7% passed); 2 of 3 turns passed (66.7%)"
    assert lines[-1] == (
        "needs (failing/tagged, not counted as failures): cart-total 1/2, price 0/1; 0 untagged failure(s), 1 tagged"
    )


def test_an_untagged_failure_still_fails_the_run_next_to_tagged_ones(tmp_path: Path) -> None:
    path = _needs_file(tmp_path)
    path.write_text(path.read_text().replace("expect: {intent: AMAZON.HelpIntent}\n", "expect: {intent: Nope}\n"))
    code, output = _run(path)
    assert code == 1
    assert "FAIL plain" in output
    assert output.splitlines()[-1].endswith("1 untagged failure(s), 2 tagged")


@pytest.mark.parametrize(
    ("text", "isolated"),
    [("turns: []", False), ("isolation: file\nturns: []", False), ("isolation: dialog\ndialogs: []", True)],
)
def test_isolation_is_read_from_the_file(tmp_path: Path, text: str, isolated: bool) -> None:
    path = tmp_path / "iso.yaml"
    path.write_text(text)
    assert isolates_dialogs(path) is isolated


def test_cart_checks_without_a_hook_fail_and_say_why(tmp_path: Path) -> None:
    dialog = tmp_path / "cart.yaml"
    dialog.write_text("turns:\n  - say: add bananas\n    expect: {cart: [{product_id: '24852', quantity: 1}]}\n")
    code, output = _run(dialog)
    assert code == 1
    assert "no cart probe" in output


def test_cart_checks_use_the_probe(tmp_path: Path) -> None:
    dialog = tmp_path / "cart.yaml"
    dialog.write_text(
        "account: {access_token: t-9}\n"
        "turns:\n  - say: add bananas\n    expect: {cart: [{product_id: '24852', name: banana, quantity: 1}]}\n"
    )
    seen = []

    def probe(identity: object) -> list[dict[str, object]]:
        seen.append(identity)
        return [{"product_id": "24852", "name": "Banana", "quantity": 1}]

    results = run_all(load_dialogs(dialog), InProcessTransport(tiny_runtime()), SKILL_ID, probe)
    assert results[0].passed
    assert seen[0].access_token == "t-9"  # type: ignore[attr-defined]

    def wrong(identity: object) -> list[dict[str, object]]:
        return [{"product_id": "24852", "name": "Banana", "quantity": 2}]

    results = run_all(load_dialogs(dialog), InProcessTransport(tiny_runtime()), SKILL_ID, wrong)
    assert not results[0].passed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("turns: nope", "a list of turns"),
        ("turns:\n  - say: hi\n    expect: {speach: hello}", "unknown expectations ['speach']"),
        ("turns:\n  - expect: {intent: X}", "expect needs a say"),
        ("turns:\n  - sey: hi", "unknown keys ['sey']"),
        ("turns: [", "not valid YAML"),
        ("needs: [3]\nturns: []", "needs must be a name or a list of names"),
    ],
)
def test_malformed_dialog_files_are_reported(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScriptError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_dialogs(path)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colours_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(_Tty())
    assert not use_colour(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not use_colour(_Tty())
    out = _Tty()
    transport = InProcessTransport(tiny_runtime())
    report(run_all(load_dialogs(FIXTURES / "passing.yaml"), transport, SKILL_ID, None), out, Painter(True))
    assert "\033[32mPASS\033[0m" in out.getvalue()


def test_command_line_usage_errors_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("turns: 3")
    assert voicecart(["test", str(bad)]) == 2
    assert "a list of turns" in capsys.readouterr().err


def test_interactive_dialog_prints_speech_heard_intent_and_card() -> None:
    conversation = conversation_for(InProcessTransport(tiny_runtime()), skill_id=SKILL_ID)
    lines = iter(["open my grocer", "add two bananas", ":attrs", ":token abc", ":new", ":help", ":quit"])
    out = io.StringIO()

    def read(prompt: str) -> str:
        return next(lines)

    assert repl(conversation, read, out, Painter(False)) == 0
    text = out.getvalue()
    assert "heard: LaunchRequest" in text
    assert "Alexa: Welcome to the tiny grocer." in text
    assert "heard: AddToCartIntent  product='bananas' [" in text
    assert "card [Simple]: Added" in text
    assert '"added"' in text
    assert "access token set" in text
    assert conversation.identity.access_token == "abc"
    assert ":token <token>" in text


class _Refusing:
    """A transport whose server refuses every request, as a verifying server refuses unsigned ones."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send(self, envelope: dict[str, object]) -> dict[str, object]:
        raise self.error


@pytest.mark.parametrize("ending", [EOFError(), KeyboardInterrupt()])
def test_ctrl_d_and_ctrl_c_end_the_session_without_a_traceback(ending: BaseException) -> None:
    conversation = conversation_for(InProcessTransport(tiny_runtime()), skill_id=SKILL_ID)
    lines: list[object] = ["open my grocer", ending]

    def read(prompt: str) -> str:
        line = lines.pop(0)
        if isinstance(line, BaseException):
            raise line
        return str(line)

    out = io.StringIO()
    assert repl(conversation, read, out, Painter(False)) == 0
    assert "heard: SessionEndedRequest" in out.getvalue()
    assert not conversation.in_session


def test_a_refused_turn_and_quit_are_one_line_each_with_a_hint() -> None:
    from skill.simulator.transport import SimulatorError

    refusing = _Refusing(SimulatorError("http://127.0.0.1:8080/alexa answered HTTP 400: signature missing"))
    conversation = conversation_for(refusing, skill_id=SKILL_ID)  # type: ignore[arg-type]
    lines = iter(["open my grocer", ":quit"])
    out = io.StringIO()
    assert repl(conversation, lambda prompt: next(lines), out, Painter(False)) == 0
    text = out.getvalue()
    assert "error: http://127.0.0.1:8080/alexa answered HTTP 400" in text
    assert "--sign-with" in text and "Traceback" not in text


def test_a_skill_that_crashes_on_a_turn_is_reported_and_the_dialog_goes_on() -> None:
    conversation = conversation_for(_Refusing(RuntimeError("boom")), skill_id=SKILL_ID)  # type: ignore[arg-type]
    lines = iter(["open my grocer", "help", ":quit"])
    out = io.StringIO()
    assert repl(conversation, lambda prompt: next(lines), out, Painter(False)) == 0
    # Both turns and the SessionEndedRequest that :quit sends: each one line, and the dialog ends normally.
    assert out.getvalue().count("error: the skill failed on that turn (RuntimeError: boom)") == 3


def test_line_editing_keeps_a_history_across_sessions(tmp_path: Path) -> None:
    readline = pytest.importorskip("readline")
    from skill.commands.dialog import line_editing

    history = tmp_path / "state" / "history"
    readline.clear_history()
    with line_editing(history):
        readline.add_history("add two bananas")
    readline.clear_history()
    with line_editing(history):
        assert readline.get_history_item(readline.get_current_history_length()) == "add two bananas"
    readline.clear_history()


def test_dialog_says_it_is_starting_and_an_unknown_locale_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("VOICECART_STORE", "VOICECART_DYNAMODB_ENDPOINT", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOICECART_DEMO_DATA", "false")
    monkeypatch.setattr("builtins.input", lambda prompt: (_ for _ in ()).throw(EOFError()))
    assert voicecart(["dialog", "--locale", "xx-XX"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("Starting the skill in this process")
    assert captured.err.strip().splitlines() == [
        next(line for line in captured.err.splitlines() if "no interaction model for locale 'xx-XX'" in line)
    ]
