"""The cross-channel API (a Flask blueprint) over the shared customer profile, cart, orders and identities.

Mounted over the process's one ``Backend``:
``app.register_blueprint(create_api_blueprint(backend), url_prefix="/api/v1")``.
Its OpenAPI 3.1 description is ``backend/api/openapi.json``, also served at ``/api/v1/openapi.json``.
"""

from backend.api.blueprint import create_api_blueprint, openapi_document

__all__ = ["create_api_blueprint", "openapi_document"]
