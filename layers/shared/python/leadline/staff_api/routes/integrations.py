"""Staff API: lead partners' integrations (Thumbtack, Angi, generic partners): status, campaign, category mapping,
and the diagnostics that say in plain words why leads arrive flagged, or not at all."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.partners import integrations
from leadline.permissions import Permission
from leadline.staff_api.auth import Principal, principal
from leadline.staff_api.schemas import IntegrationPut

router = APIGatewayRouter()


def _integrator() -> Principal:
    caller = principal(router)
    caller.require(Permission.MANAGE_INTEGRATIONS)
    return caller


@router.get("/v1/integrations", tags=["Integrations"], summary="The company's lead partners")
def list_integrations() -> dict:
    return integrations.list_integrations(_integrator().tenant_id)


@router.get("/v1/integrations/<partner>", tags=["Integrations"])
def get_integration(partner: str) -> dict:
    return integrations.get(_integrator().tenant_id, partner)


@router.put(
    "/v1/integrations/<partner>",
    tags=["Integrations"],
    summary="Set up a lead partner: status, campaign, the mapping of its categories to job type and business unit",
)
def put_integration(partner: str, body: IntegrationPut) -> dict:
    caller = _integrator()
    changes = body.changes()
    if "category_map" in changes and changes["category_map"] is None:
        changes["category_map"] = {}
    return integrations.put(caller.tenant_id, partner, changes, by=caller.employee_id)


@router.get(
    "/v1/integrations/<partner>/diagnostics",
    tags=["Integrations"],
    summary="Will this partner's leads arrive, and arrive ready to book? Each problem by name, in plain words",
)
def diagnose_integration(partner: str) -> dict:
    return integrations.diagnose(_integrator().tenant_id, partner)
