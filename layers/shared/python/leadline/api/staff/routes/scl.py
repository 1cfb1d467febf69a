"""The Second Chance Leads review queue. Every path needs `view_second_chance_leads`."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline import rules
from leadline.api.staff.auth import Principal, principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import SclDismissIn, SclNoteIn, SclSettingsPut, SclStatusIn
from leadline.permissions import Permission
from leadline.phones import to_e164
from leadline.scl import service
from leadline.setup import service as setup

router = APIGatewayRouter()

Tab = Annotated[
    str, Query(pattern="^(open|cold|done)$", description="Open, Cold (open and older than the threshold), Done")
]
Status = Annotated[str | None, Query(pattern="^[a-z_]{1,40}$")]
Search = Annotated[str | None, Query(min_length=2, max_length=100, description="Words in the transcript or summary")]


def _reviewer() -> Principal:
    caller = principal(router)
    caller.require(Permission.VIEW_SECOND_CHANCE_LEADS)
    return caller


@router.get("/v1/second-chance-leads", tags=["Second Chance Leads"], summary="The queue, newest first, by tab")
def list_queue(
    tab: Tab = "open", status: Status = None, search: Search = None, limit: Limit = 50, next_token: NextToken = None
) -> dict:
    return service.list_queue(
        _reviewer().tenant_id, tab=tab, status=status, search=search, limit=limit, next_token=next_token
    )


@router.get(
    "/v1/second-chance-leads/banner",
    tags=["Second Chance Leads"],
    summary=f"For the job-booking screen: the caller's Open or Cold SCL of {rules.SCL_RECENT_TEXT}",
)
def banner(phone: Annotated[str, Query(max_length=40)]) -> dict:
    return service.banner(_reviewer().tenant_id, to_e164(phone, field="phone"))


@router.get(
    "/v1/second-chance-leads/<scl_id>",
    tags=["Second Chance Leads"],
    summary="The call details: number, time, type, CSR notes, summary, transcript, recording, notes, history",
)
def get_scl(scl_id: str) -> dict:
    return service.get(_reviewer().tenant_id, scl_id)


@router.post(
    "/v1/second-chance-leads/<scl_id>/callback",
    tags=["Second Chance Leads"],
    summary="Call customer back: Lead - Call Back Attempted",
)
def call_back(scl_id: str) -> dict:
    caller = _reviewer()
    return service.call_back(caller.tenant_id, scl_id, by=caller.employee_id)


@router.post(
    "/v1/second-chance-leads/<scl_id>/dismiss",
    tags=["Second Chance Leads"],
    summary="It's not a lead / It's a lead but I'm not going to follow up",
)
def dismiss(scl_id: str, body: SclDismissIn) -> dict:
    caller = _reviewer()
    return service.dismiss(caller.tenant_id, scl_id, reason=body.reason, by=caller.employee_id)


@router.put(
    "/v1/second-chance-leads/<scl_id>/status",
    tags=["Second Chance Leads"],
    summary="Set a manual status (the two 'Job booked' statuses are automatic only)",
)
def set_status(scl_id: str, body: SclStatusIn) -> dict:
    caller = _reviewer()
    return service.set_status(caller.tenant_id, scl_id, body.status, by=caller.employee_id, why=body.why)


@router.post(
    "/v1/second-chance-leads/<scl_id>/notes",
    tags=["Second Chance Leads"],
    status_code=201,
    summary="Add a note; copy it to the customer's or the location's notes",
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
    tags=["Second Chance Leads"],
    summary="On or off, after-call-work minutes, cold-lead threshold, and who has access",
)
def get_settings() -> dict:
    caller = principal(router)
    if Permission.MANAGE_SETTINGS not in caller.permissions:
        caller.require(Permission.VIEW_SECOND_CHANCE_LEADS)
    return service.settings_view(caller.tenant_id)


@router.put("/v1/settings/second-chance-leads", tags=["Second Chance Leads"])
def put_settings(body: SclSettingsPut) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_SETTINGS)
    setup.update_settings(caller.tenant_id, {"second_chance_leads": body.changes()})
    return service.settings_view(caller.tenant_id)
