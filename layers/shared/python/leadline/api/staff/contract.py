"""The staff API's contract: the OpenAPI document's title, description and security, Swagger UI, and the document
as served at /openapi.json."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

TITLE = "Leadline staff API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Set-up records of a home-services company: settings, campaigns, tracking numbers, business units, "
    "job types, call reasons, employees and roles. Every /v1 call takes a staff bearer token (JWT) that "
    "carries the tenant, the employee and the role."
)
SECURITY_SCHEMES = {"staff": HTTPBearer(bearerFormat="JWT", description="Staff ID token")}
SECURITY = [{"staff": []}]


def describe(app: APIGatewayRestResolver) -> None:
    """Swagger UI at /swagger, on the same document."""
    app.enable_swagger(
        path="/swagger",
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes=SECURITY_SCHEMES,
        security=SECURITY,
    )


def document(app: APIGatewayRestResolver) -> str:
    """The OpenAPI document, as JSON text."""
    return app.get_openapi_json_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=SECURITY_SCHEMES, security=SECURITY
    )
