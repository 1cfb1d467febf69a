"""The Second Chance Leads review queue. Every path needs `view_second_chance_leads`."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline import rules
from leadline.api.staff import contract, responses
from leadline.api.staff.auth import Principal, principal
from leadline.api.staff.routes._common import Limit, NextToken, PhoneQuery
from leadline.api.staff.schemas import SclDismissIn, SclNoteIn, SclSettingsPut, SclStatus, SclStatusIn
from leadline.permissions import Permission
from leadline.phones import to_e164
from leadline.scl import service
from leadline.setup import service as setup

router = APIGatewayRouter()

Tab = Annotated[
    str, Query(pattern="^(open|cold|done)$", description="Open, Cold (open and older than the threshold), Done")
]
Status = Annotated[SclStatus | None, Query()]
Search = Annotated[str | None, Query(min_length=2, max_length=100, description="Words in the transcript or summary")]


def _reviewer() -> Principal:
    caller = principal(router)
    caller.require(Permission.VIEW_SECOND_CHANCE_LEADS)
    return caller


@router.get(
    "/v1/second-chance-leads",
    operation_id="listSecondChanceLeads",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLeadPage),
    summary="List the Second Chance Leads queue, newest first",
    description=(
        "By tab: Open (New and Call Back Attempted, younger than the cold-lead threshold), Cold (open "
        "and older) or Done; narrowed by status, and by words of the transcript or summary."
    ),
)
def list_queue(
    tab: Tab = "open", status: Status = None, search: Search = None, limit: Limit = 50, next_token: NextToken = None
) -> dict:
    return service.list_queue(
        _reviewer().tenant_id, tab=tab, status=status, search=search, limit=limit, next_token=next_token
    )


@router.get(
    "/v1/second-chance-leads/counts",
    operation_id="countSecondChanceLeads",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLeadCounts),
    summary="How many Second Chance Leads each tab holds",
    description="Open, Cold and Done, as the queue's tabs count them now.",
)
def counts() -> dict:
    return service.tab_counts(_reviewer().tenant_id)


@router.get(
    "/v1/second-chance-leads/banner",
    operation_id="getSecondChanceLeadBanner",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLeadBanner),
    summary="Does this caller have an open Second Chance Lead?",
    description=(
        f"For the job-booking screen: the caller's SCL in Open or Cold from {rules.SCL_RECENT_TEXT}, or null."
    ),
)
def banner(phone: PhoneQuery) -> dict:
    return service.banner(_reviewer().tenant_id, to_e164(phone, field="phone"))


@router.get(
    "/v1/second-chance-leads/<scl_id>",
    operation_id="getSecondChanceLead",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLead),
    summary="Get a Second Chance Lead",
    description=(
        "The call's details: number, date and time, call type, the CSR's notes, the AI summary, "
        "transcript and recording link; the SCL's status, notes and history."
    ),
)
def get_scl(scl_id: str) -> dict:
    return service.get(_reviewer().tenant_id, scl_id)


@router.post(
    "/v1/second-chance-leads/<scl_id>/callback",
    operation_id="callBackSecondChanceLead",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLead),
    summary="Mark that you called the customer back",
    description=(
        '"Call customer back": the status becomes Lead - Call Back Attempted, and the SCL counts as followed up.'
    ),
)
def call_back(scl_id: str) -> dict:
    caller = _reviewer()
    return service.call_back(caller.tenant_id, scl_id, by=caller.employee_id)


@router.post(
    "/v1/second-chance-leads/<scl_id>/dismiss",
    operation_id="dismissSecondChanceLead",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLead),
    summary="Dismiss a Second Chance Lead",
    description=(
        "\"It's not a lead\" (`not_a_lead`: Reviewed - Not a Lead) or \"It's a lead but I'm not going to "
        'follow up" (`lead_not_following_up`: Lead - Not following up). Either moves it to Done.'
    ),
)
def dismiss(scl_id: str, body: SclDismissIn) -> dict:
    caller = _reviewer()
    return service.dismiss(caller.tenant_id, scl_id, reason=body.reason, by=caller.employee_id)


@router.put(
    "/v1/second-chance-leads/<scl_id>/status",
    operation_id="setSecondChanceLeadStatus",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLead),
    summary="Set a Second Chance Lead's status",
    description=(
        "A manual status, with why; kept in the history with who, when, from and to. The two Job booked "
        "statuses are set automatically only, and end the SCL."
    ),
)
def set_status(scl_id: str, body: SclStatusIn) -> dict:
    caller = _reviewer()
    return service.set_status(caller.tenant_id, scl_id, body.status, by=caller.employee_id, why=body.why)


@router.post(
    "/v1/second-chance-leads/<scl_id>/notes",
    operation_id="addSecondChanceLeadNote",
    tags=["Second Chance Leads"],
    status_code=201,
    responses=contract.returns(responses.SecondChanceLead, 201),
    summary="Add a note to a Second Chance Lead",
    description="Optionally copied, in the same step, to the customer's or the location's notes.",
)
def add_note(scl_id: str, body: SclNoteIn) -> dict:
    caller = _reviewer()
    return service.add_note(
        caller.tenant_id,
        scl_id,
        body.text,
        by=caller.employee_id,
        copy_to_customer=body.copy_to_customer_id,
        copy_to_location=body.copy_to_location_id,
    )


@router.get(
    "/v1/settings/second-chance-leads",
    operation_id="getSecondChanceLeadSettings",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLeadSettings),
    summary="Get the Second Chance Leads settings",
    description=(
        "On or off, the after-call-work minutes, the cold-lead threshold, and the active employees who "
        "have access (by their role or their own grant)."
    ),
)
def get_settings() -> dict:
    caller = principal(router)
    if Permission.MANAGE_SETTINGS not in caller.permissions:
        caller.require(Permission.VIEW_SECOND_CHANCE_LEADS)
    return service.settings_view(caller.tenant_id)


@router.put(
    "/v1/settings/second-chance-leads",
    operation_id="updateSecondChanceLeadSettings",
    tags=["Second Chance Leads"],
    responses=contract.returns(responses.SecondChanceLeadSettings),
    summary="Change the Second Chance Leads settings",
    description=(
        "Turn them on or off, and set the after-call-work minutes (the time a CSR has to classify a call "
        "before it is evaluated) and the cold-lead threshold (hours); a field left out is unchanged."
    ),
)
def put_settings(body: SclSettingsPut) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_SETTINGS)
    setup.update_settings(caller.tenant_id, {"second_chance_leads": body.changes()})
    return service.settings_view(caller.tenant_id)
