"""Who is calling: the claims API Gateway's Cognito authorizer (or the local runtime, the same way) put in
the request context, and the permissions the employee holds now (role plus per-employee grants)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from leadline.errors import Forbidden, Unauthorized
from leadline.setup import service

TENANT_CLAIM = "custom:tenant_id"
EMPLOYEE_CLAIM = "custom:employee_id"
ROLE_CLAIM = "custom:role"


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    employee_id: str
    role_id: str
    permissions: frozenset[str]

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise Forbidden(f"this needs the '{permission}' permission, which your role and grants do not give")


def principal(app: APIGatewayRestResolver) -> Principal:
    """The caller of this request, read once per request."""
    cached = app.context.get("principal")
    if cached is not None:
        return cached
    authorizer = app.current_event.request_context.authorizer
    claims = (authorizer.claims if authorizer else None) or {}
    tenant_id, employee_id = claims.get(TENANT_CLAIM), claims.get(EMPLOYEE_CLAIM)
    if not tenant_id or not employee_id:
        raise Unauthorized("a staff token with a tenant and an employee is required")
    employee, permissions = service.effective_permissions(tenant_id, employee_id, claims.get(ROLE_CLAIM))
    found = Principal(tenant_id=tenant_id, employee_id=employee_id, role_id=employee.role_id, permissions=permissions)
    app.append_context(principal=found)
    return found
