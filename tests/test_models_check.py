"""The offline validator: the shipped models pass; each broken fixture breaks exactly the rule it is named after."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.cli import main as voicecart
from skill.models import model_path
from skill.models.check import check_file
from skill.models.limits import Limits

FIXTURES = Path(__file__).parent / "fixtures" / "models"
BROKEN = sorted((FIXTURES / "broken").glob("*.json"))
# Size rules are checked with tight limits so the fixtures stay small.
TIGHT_LIMITS = {
    "too-many-slot-values": Limits(max_custom_slot_values=4),
    "too-many-samples": Limits(max_samples_per_intent=3),
    "model-too-large": Limits(max_model_chars=3_000),
}


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_shipped_models_pass(locale: str) -> None:
    assert check_file(model_path(locale)) == []


def test_valid_fixture_passes_even_with_tight_limits() -> None:
    assert check_file(FIXTURES / "valid.json") == []
    for limits in TIGHT_LIMITS.values():
        assert check_file(FIXTURES / "valid.json", limits=limits) == []


def test_every_documented_rule_has_a_fixture() -> None:
    from skill.models import check

    documented = {line.split()[0] for line in (check.__doc__ or "").splitlines() if line.startswith("    ")}
    assert documented == {path.stem for path in BROKEN}


@pytest.mark.parametrize("path", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_fixture_breaks_its_rule(path: Path) -> None:
    problems = check_file(path, limits=TIGHT_LIMITS.get(path.stem, Limits()))
    assert problems, f"{path.name} passed"
    assert {problem.code for problem in problems} == {path.stem}, [str(p) for p in problems]
    assert all(str(path) in problem.where for problem in problems)


def test_check_command_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert voicecart(["models", "check", str(FIXTURES / "valid.json")]) == 0
    assert voicecart(["models", "check", str(FIXTURES / "broken" / "undeclared-slot.json")]) == 1
    out = capsys.readouterr().out
    assert "undeclared-slot" in out
    assert "{unit}" in out
