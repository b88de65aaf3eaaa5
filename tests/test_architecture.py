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


# The seam between the skill and the backend. The skill's runtime (the Alexa edge: handlers, turn, identity, app,
# Lambda entry) speaks to the backend through services, domain models and errors only: never store keys,
# transactions or raw items. Its development tools (commands, simulator, interaction-model build) may also reach
# the demo, the embedded store and logging. A new arrow across the seam must be added here on purpose.
SKILL_RUNTIME_MAY_IMPORT = {
    "backend.api",  # the cross-channel API blueprint, mounted by the app
    "backend.catalog",
    "backend.errors",
    "backend.identity",
    # the Lambda entry: Powertools logs and metrics, the store its init phase opens (shared with the API's) and the
    # garbage collector paused while it builds
    "backend.lambda_support.collector",
    "backend.lambda_support.init",
    "backend.lambda_support.telemetry",
    "backend.profile",
    "backend.resolver",
    "backend.services",
    "backend.settings",
    "backend.shopping",
    "backend.store.budget",  # the runtime opens the one deadline a turn's store calls share (no keys or items)
}
SKILL_TOOLS_MAY_ALSO_IMPORT = {
    "backend.api.idempotency",  # bench erase sends an API fingerprint's write after the erase (it must be refused)
    "backend.bench",
    "backend.demo",
    "backend.identity.clients",
    "backend.identity.tokens",
    "backend.logs",
    "backend.number_words",
    "backend.outbound.runtime",
    "backend.outbound.streams",  # bench erase reads the table's stream as a consumer would
    "backend.profile.erasure",  # ... and sorts its records by customer with the consumers' own rule
    "backend.store.codec",  # ... and decodes the items it scans
    "backend.store.embedded",
    "backend.store.keys",  # bench faults reads a customer's partition to check what the store holds after a fault
}
# skill/wsgi.py launches the app as `serve` does (store choice, demo data), so it is a tool, not the edge.
# skill/bench/ drives the app from outside, as a load generator would; skill/pages/console/ drives the simulator
# for developers (off in production).
SKILL_TOOLS = (
    "skill/commands/",
    "skill/simulator/",
    "skill/models/",
    "skill/bench/",
    "skill/pages/console/",
    "skill/cli.py",
    "skill/wsgi.py",
)


def _backend_imports(paths: list[Path]) -> set[str]:
    return {name for path in paths for name in _imported_modules(path) if name.split(".")[0] == "backend"}


def test_the_skill_runtime_imports_only_services_domain_models_and_errors() -> None:
    runtime = [p for p in (ROOT / "skill").rglob("*.py") if not str(p.relative_to(ROOT)).startswith(SKILL_TOOLS)]
    assert _backend_imports(runtime) == SKILL_RUNTIME_MAY_IMPORT


def test_the_skill_tools_import_only_the_pinned_backend_modules() -> None:
    tools = [p for p in (ROOT / "skill").rglob("*.py") if str(p.relative_to(ROOT)).startswith(SKILL_TOOLS)]
    assert _backend_imports(tools) <= SKILL_RUNTIME_MAY_IMPORT | SKILL_TOOLS_MAY_ALSO_IMPORT
