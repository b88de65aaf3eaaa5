"""The arrows point one way: skill -> backend. The backend never imports the skill or the Alexa SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("skill", "ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "flask_ask_sdk")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


BACKEND_FILES = sorted((ROOT / "backend").rglob("*.py"))


def test_there_is_a_backend_to_check() -> None:
    assert len(BACKEND_FILES) > 10


@pytest.mark.parametrize("path", BACKEND_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_backend_module_imports_nothing_from_the_edge(path: Path) -> None:
    offending = {name for name in _imported_modules(path) if name.split(".")[0] in FORBIDDEN}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


def test_nothing_depends_on_flask_ask_sdk() -> None:
    # flask-ask-sdk pulls in oscrypto, which cannot load on OpenSSL >= 3.0.10; we verify with `cryptography`.
    for path in sorted((ROOT / "skill").rglob("*.py")):
        assert not any(n.startswith(("flask_ask_sdk", "ask_sdk_webservice_support")) for n in _imported_modules(path))
    assert "flask-ask-sdk" not in (ROOT / "pyproject.toml").read_text()
