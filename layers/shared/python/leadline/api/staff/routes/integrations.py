"""Staff API: lead partners' integrations (registered partners and generic ones): status, campaign, category
mapping, and the diagnostics that say in plain words why leads arrive flagged, or not at all; and every sender's
deliveries (partners' and telephony vendors') that could not be applied, to read and apply again once the cause is
fixed."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline import deliveries
from leadline.api.staff import contract, responses
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


@router.get(
    "/v1/integrations",
    operation_id="listIntegrations",
    tags=["Integrations"],
    responses=contract.returns(responses.IntegrationList),
    summary="List the company's lead partners",
    description="Each partner integration with its status, campaign, category mapping and counters.",
)
def list_integrations() -> dict:
    return integrations.list_integrations(_integrator().tenant_id)


@router.get(
    "/v1/integrations/<partner>",
    operation_id="getIntegration",
    tags=["Integrations"],
    responses=contract.returns(responses.Integration),
    summary="Get a lead partner's integration",
    description=(
        "Its status (active, error, disconnected), the campaign its leads carry, the category mapping, "
        "the webhook's path, counters of leads received and flagged, the last lead and the last error."
    ),
)
def get_integration(partner: str) -> dict:
    return integrations.get(_integrator().tenant_id, partner)


@router.put(
    "/v1/integrations/<partner>",
    operation_id="updateIntegration",
    tags=["Integrations"],
    responses=contract.returns(responses.Integration),
    summary="Set up a lead partner",
    description=(
        "Status, the campaign its leads carry, and the mapping of its categories to job type and "
        "business unit (the whole map; each pairing must be one the business unit offers). A field left "
        "out is unchanged."
    ),
)
def put_integration(partner: str, body: IntegrationPut) -> dict:
    caller = _integrator()
    changes = body.changes()
    if "category_map" in changes and changes["category_map"] is None:
        changes["category_map"] = {}
    return integrations.put(caller.tenant_id, partner, changes, by=caller.employee_id)


@router.get(
    "/v1/integrations/<partner>/diagnostics",
    operation_id="diagnoseIntegration",
    tags=["Integrations"],
    responses=contract.returns(responses.IntegrationCheck),
    summary="Check a lead partner's set-up",
    description=(
        "Will this partner's leads arrive, and arrive ready to book? Each problem by name, in plain "
        "words: not set up, in error or disconnected, credentials, the campaign (none, gone, inactive), "
        "categories without a mapping."
    ),
)
def diagnose_integration(partner: str) -> dict:
    return integrations.diagnose(_integrator().tenant_id, partner)


def _sender(name: str) -> str:
    """A telephony vendor (twilio, callrail, native) or a lead partner, by the name in its webhook's URL."""
    return name if name in TELEPHONY_VENDORS else registry.find(name).name


@router.get(
    "/v1/integrations/<partner>/deliveries",
    operation_id="listDeliveries",
    tags=["Integrations"],
    responses=contract.returns(responses.DeliveryPage),
    summary="List a sender's deliveries not applied, newest first",
    description=(
        "For a lead partner or a telephony vendor (twilio, callrail, native): the deliveries rejected, "
        "with the reason, or received and waiting to be applied."
    ),
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
    operation_id="getDelivery",
    tags=["Integrations"],
    responses=contract.returns(responses.DeliveryWithBody),
    summary="Get a delivery as it was received",
    description="The delivery's body as it was received, its state, attempts, and why it was not applied.",
)
def get_delivery(partner: str, delivery_id: str) -> dict:
    record = deliveries.get_or_404(_integrator().tenant_id, _sender(partner), delivery_id)
    return deliveries.view(record, full=True)


@router.post(
    "/v1/integrations/<partner>/deliveries/<delivery_id>/reprocess",
    operation_id="reprocessDelivery",
    tags=["Integrations"],
    status_code=202,
    responses=contract.returns(responses.Delivery, 202),
    summary="Apply a delivery again",
    description=(
        "Once its cause is fixed: the delivery goes back to the queue, and the scanner applies it within "
        "a minute or keeps it rejected with the reason it still cannot be applied."
    ),
)
def reprocess_delivery(partner: str, delivery_id: str) -> dict:
    return redelivery.reprocess(_integrator().tenant_id, _sender(partner), delivery_id)
