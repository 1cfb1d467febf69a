from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import CampaignIn, CampaignPatch, TrackingNumberIn, TrackingNumberPatch
from leadline.permissions import Permission
from leadline.phones import to_e164
from leadline.setup import service

router = APIGatewayRouter()


@router.post(
    "/v1/campaigns",
    operation_id="createCampaign",
    tags=["Campaigns"],
    status_code=201,
    responses=contract.returns(responses.Campaign, 201),
    summary="Create a campaign",
    description=(
        "A campaign with its category and its advertised number (DNIS). Calls are attributed to the "
        "campaign only when the number called is a tracking number of type tracking, assigned to the "
        "campaign, and the campaign's DNIS: GET /v1/tracking-numbers/{number}/diagnostics says what is "
        "missing."
    ),
)
def create_campaign(body: CampaignIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.create_campaign(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/campaigns",
    operation_id="listCampaigns",
    tags=["Campaigns"],
    responses=contract.returns(responses.CampaignPage),
    summary="List the campaigns",
    description="The company's campaigns, a page at a time.",
)
def list_campaigns(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.list_campaigns(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/campaigns/<campaign_id>",
    operation_id="getCampaign",
    tags=["Campaigns"],
    responses=contract.returns(responses.CampaignWithNumbers),
    summary="Get a campaign and its tracking numbers",
    description="The campaign, with the tracking numbers assigned to it.",
)
def get_campaign(campaign_id: str) -> dict:
    return service.get_campaign(principal(router).tenant_id, campaign_id)


@router.patch(
    "/v1/campaigns/<campaign_id>",
    operation_id="updateCampaign",
    tags=["Campaigns"],
    responses=contract.returns(responses.Campaign),
    summary="Change a campaign",
    description=(
        "Only the fields given change. A new advertised number (DNIS) is refused when another campaign "
        "advertises it or it is a tracking number of another campaign: a number is never reused across "
        "campaigns."
    ),
)
def update_campaign(campaign_id: str, body: CampaignPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.update_campaign(caller.tenant_id, campaign_id, body.changes())


@router.post(
    "/v1/tracking-numbers",
    operation_id="createTrackingNumber",
    tags=["Tracking numbers"],
    status_code=201,
    responses=contract.returns(responses.TrackingNumber, 201),
    summary="Add a tracking number",
    description=(
        "A number the company advertises: its type (tracking numbers attribute calls, direct_dial "
        "numbers never do), where it forwards, the default call type, whether it is registered for "
        "texts, and its campaign. A number belongs to one campaign and is never reused across campaigns."
    ),
)
def create_tracking_number(body: TrackingNumberIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.create_tracking_number(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/tracking-numbers",
    operation_id="listTrackingNumbers",
    tags=["Tracking numbers"],
    responses=contract.returns(responses.TrackingNumberPage),
    summary="List the tracking numbers",
    description="The company's tracking and direct-dial numbers, a page at a time.",
)
def list_tracking_numbers(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.list_tracking_numbers(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/tracking-numbers/<number>",
    operation_id="getTrackingNumber",
    tags=["Tracking numbers"],
    responses=contract.returns(responses.TrackingNumber),
    summary="Get a tracking number",
    description=(
        "The number (E.164, or as people write it: `+15125550100`, `(512) 555-0100`) with its type, "
        "forwarding, default call type and campaign."
    ),
)
def get_tracking_number(number: str) -> dict:
    tenant_id = principal(router).tenant_id
    return service.get_tracking_number(tenant_id, to_e164(number, field="number"))


@router.patch(
    "/v1/tracking-numbers/<number>",
    operation_id="updateTrackingNumber",
    tags=["Tracking numbers"],
    responses=contract.returns(responses.TrackingNumber),
    summary="Change a tracking number",
    description=(
        "Only the fields given change. It can be assigned only to an existing campaign, and not while "
        "another campaign advertises it."
    ),
)
def update_tracking_number(number: str, body: TrackingNumberPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.update_tracking_number(caller.tenant_id, to_e164(number, field="number"), body.changes())


@router.get(
    "/v1/tracking-numbers/<number>/diagnostics",
    operation_id="diagnoseTrackingNumber",
    tags=["Tracking numbers"],
    responses=contract.returns(responses.TrackingNumberDiagnostics),
    summary="Check a tracking number's set-up",
    description=(
        "Will calls to this number be attributed to a campaign? The attribution the number gets now "
        "(attributed, unknown or direct), and each set-up problem by name, with what to fix: a number "
        "not set up, of type direct_dial, without a campaign, or not its campaign's advertised number "
        "(DNIS)."
    ),
)
def diagnose_tracking_number(number: str) -> dict:
    tenant_id = principal(router).tenant_id
    return service.diagnose_tracking_number(tenant_id, to_e164(number, field="number"))
