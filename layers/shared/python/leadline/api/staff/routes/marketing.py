from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import CampaignIn, CampaignPatch, TrackingNumberIn, TrackingNumberPatch
from leadline.permissions import Permission
from leadline.phones import to_e164
from leadline.setup import service

router = APIGatewayRouter()


@router.post("/v1/campaigns", tags=["Campaigns"], status_code=201)
def create_campaign(body: CampaignIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.create_campaign(caller.tenant_id, body.model_dump())


@router.get("/v1/campaigns", tags=["Campaigns"])
def list_campaigns(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.list_campaigns(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/campaigns/<campaign_id>", tags=["Campaigns"], summary="A campaign and its tracking numbers")
def get_campaign(campaign_id: str) -> dict:
    return service.get_campaign(principal(router).tenant_id, campaign_id)


@router.patch("/v1/campaigns/<campaign_id>", tags=["Campaigns"])
def update_campaign(campaign_id: str, body: CampaignPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.update_campaign(caller.tenant_id, campaign_id, body.changes())


@router.post("/v1/tracking-numbers", tags=["Tracking numbers"], status_code=201)
def create_tracking_number(body: TrackingNumberIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.create_tracking_number(caller.tenant_id, body.model_dump())


@router.get("/v1/tracking-numbers", tags=["Tracking numbers"])
def list_tracking_numbers(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.list_tracking_numbers(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/tracking-numbers/<number>", tags=["Tracking numbers"])
def get_tracking_number(number: str) -> dict:
    tenant_id = principal(router).tenant_id
    return service.get_tracking_number(tenant_id, to_e164(number, field="number"))


@router.patch("/v1/tracking-numbers/<number>", tags=["Tracking numbers"])
def update_tracking_number(number: str, body: TrackingNumberPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.update_tracking_number(caller.tenant_id, to_e164(number, field="number"), body.changes())


@router.get(
    "/v1/tracking-numbers/<number>/diagnostics",
    tags=["Tracking numbers"],
    summary="Will calls to this number be attributed? Each set-up problem, by name",
)
def diagnose_tracking_number(number: str) -> dict:
    tenant_id = principal(router).tenant_id
    return service.diagnose_tracking_number(tenant_id, to_e164(number, field="number"))
