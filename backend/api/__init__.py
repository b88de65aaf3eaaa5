"""The cross-channel API (a Flask blueprint) over the shared customer profile, cart, orders and identities.

The lead mounts it: ``app.register_blueprint(create_api_blueprint(ApiServices.build(...)), url_prefix="/api/v1")``.
Its OpenAPI 3.1 description is ``backend/api/openapi.json``, also served at ``/api/v1/openapi.json``.
"""

from backend.api.blueprint import create_api_blueprint, openapi_document
from backend.api.services import ApiServices

__all__ = ["ApiServices", "create_api_blueprint", "openapi_document"]
