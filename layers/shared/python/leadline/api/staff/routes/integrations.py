"""Staff API: lead partners' integrations (registered partners and generic ones): status, campaign, category
mapping, and the diagnostics that say in plain words why leads arrive flagged, or not at all; and every sender's
deliveries (partners' and telephony vendors') that could not be applied, to read and apply again once the cause is
fixed."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline import deliveries
from leadline.api.staff.auth import Principal, principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import IntegrationPut
from leadline.calls.vendors import VENDORS as TELEPHONY_VENDORS
from leadline.partners import integrations, registry
from leadline.permissions import Permission
from leadline.workflows import redelivery

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


def _sender(name: str) -> str:
    """A telephony vendor (twilio, callrail, native) or a lead partner, by the name in its webhook's URL."""
    return name if name in TELEPHONY_VENDORS else registry.find(name).name


@router.get(
    "/v1/integrations/<partner>/deliveries",
    tags=["Integrations"],
    summary="A sender's deliveries not applied: rejected (with the reason) or waiting to be applied, newest first",
)
def list_deliveries(
    partner: str,
    state: Annotated[
        Literal["rejected", "received"], Query(description="rejected, or received (waiting)")
    ] = "rejected",
    limit: Limit = 50,
    next_token: NextToken = None,
) -> dict:
    tenant_id = _integrator().tenant_id
    return deliveries.list_deliveries(tenant_id, _sender(partner), state=state, limit=limit, next_token=next_token)


@router.get(
    "/v1/integrations/<partner>/deliveries/<delivery_id>",
    tags=["Integrations"],
    summary="One delivery as it was received, with why it was not applied",
)
def get_delivery(partner: str, delivery_id: str) -> dict:
    record = deliveries.get_or_404(_integrator().tenant_id, _sender(partner), delivery_id)
    return deliveries.view(record, full=True)


@router.post(
    "/v1/integrations/<partner>/deliveries/<delivery_id>/reprocess",
    tags=["Integrations"],
    summary="Apply a delivery again once its cause is fixed (the scanner applies it within a minute)",
    status_code=202,
)
def reprocess_delivery(partner: str, delivery_id: str) -> dict:
    return redelivery.reprocess(_integrator().tenant_id, _sender(partner), delivery_id)
