"""The wheel carries what an installed voicecart reads at run time: every locale's speech, the built interaction
models, the OpenAPI description and the demo data. The tests run from the checkout, where every file is present
anyway, so this builds the real wheel (offline, from a scratch copy) and reads its file list."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# What setup.py and pyproject.toml build from (the same list infra/Makefile copies).
SOURCES = ("pyproject.toml", "setup.py", "README.md", "backend", "skill", "interaction_models")


def _tracked(*parts: str) -> list[str]:
    """Files git tracks under a directory, as paths relative to the checkout."""
    result = subprocess.run(
        ["git", "ls-files", "--", "/".join(parts)], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out)]
    result = subprocess.run([*command, str(source)], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = out.glob("voicecart-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_every_speech_file_of_every_locale_is_in_the_wheel(wheel_files: set[str]) -> None:
    speech = [path for path in _tracked("skill", "speech", "locales") if path.endswith(".json")]
    assert {Path(path).parent.name for path in speech} >= {"en-US", "en-GB"}
    assert sorted(set(speech) - wheel_files) == []


def test_the_built_interaction_models_are_in_the_wheel(wheel_files: set[str]) -> None:
    built = _tracked("interaction_models", "skill-package", "interactionModels")
    assert built
    installed = {f"skill/{path}" for path in built}
    assert sorted(installed - wheel_files) == []


def test_the_api_description_and_demo_data_are_in_the_wheel(wheel_files: set[str]) -> None:
    wanted = {"backend/api/openapi.json", *_tracked("backend", "data", "instacart")}
    assert sorted(wanted - wheel_files) == []


def test_the_wheel_holds_no_tests_or_local_secrets(wheel_files: set[str]) -> None:
    assert not [path for path in wheel_files if path.startswith(("tests/", ".voicecart/", "infra/"))]
