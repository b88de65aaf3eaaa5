"""The web application factory: the Alexa endpoint, the cross-channel API and a health check on one Flask app.

``create_app(settings)`` builds everything from settings (tests pass test settings and an injected backend; nothing
is global). ``build_runtime(backend)`` gives the same skill without Flask, for the Lambda entry and the simulator.
Both take the one ``Backend`` of the process (``backend.services.build_backend``).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from backend.api import create_api_blueprint
from backend.services import Backend, build_backend
from backend.settings import Settings
from skill.adapter import SkillAdapter, register_json_errors
from skill.health import register_health
from skill.pages.associate import create_associate_blueprint
from skill.pages.console import create_console_blueprint
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill
from skill.verification import RequestVerifier, build_verifiers

ALEXA_ROUTE = "/alexa"
API_PREFIX = "/api/v1"


def build_runtime(backend: Backend) -> SkillRuntime:
    return SkillRuntime(build_skill(backend))


def create_app(
    settings: Settings | None = None,
    *,
    backend: Backend | None = None,
    verifiers: Sequence[RequestVerifier] | None = None,
) -> Flask:
    settings = settings or (backend.settings if backend else Settings.load())
    backend = backend or build_backend(settings)
    app = Flask("voicecart")
    app.config["VOICECART_SETTINGS"] = settings
    app.extensions["voicecart"] = backend

    runtime = SkillRuntime(build_skill(backend))
    adapter = SkillAdapter(runtime, verifiers=list(verifiers) if verifiers is not None else build_verifiers(settings))
    adapter.register(app, ALEXA_ROUTE)
    register_json_errors(app)

    app.register_blueprint(create_api_blueprint(backend), url_prefix=API_PREFIX)
    app.register_blueprint(create_associate_blueprint(backend), url_prefix="/associate")
    app.register_blueprint(create_console_blueprint(backend), url_prefix="/console")

    register_health(app, backend)

    return app
