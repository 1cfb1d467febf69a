"""Leads, the jobs they convert into, and jobs booked on their own."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import (
    ConvertIn,
    DismissIn,
    DismissReasonIn,
    JobIn,
    JobLeadIn,
    LeadIn,
    LeadPatch,
    NoteIn,
    ReopenIn,
)
from leadline.leads import jobs, service
from leadline.permissions import Permission

router = APIGatewayRouter()

Status = Annotated[str | None, Query(pattern="^(open|converted|dismissed)$")]
Source = Annotated[str | None, Query(pattern="^(" + "|".join(service.SOURCES) + ")$")]
Id = Annotated[str | None, Query(max_length=64)]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Created on or after / up to (UTC)")]


@router.post("/v1/leads", tags=["Leads"], status_code=201, summary="Create a lead by hand (Follow Up > Leads)")
def create_lead(body: LeadIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.create_manual(caller.tenant_id, body.model_dump(), by=caller.employee_id)


@router.get("/v1/leads", tags=["Leads"], summary="Leads, newest first, by status, source, campaign, unit, dates")
def list_leads(
    status: Status = None,
    source: Source = None,
    campaign_id: Id = None,
    business_unit_id: Id = None,
    created_from: Day = None,
    created_to: Day = None,
    limit: Limit = 50,
    next_token: NextToken = None,
) -> dict:
    return service.list_leads(
        principal(router).tenant_id,
        status=status,
        source=source,
        campaign_id=campaign_id,
        business_unit_id=business_unit_id,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        next_token=next_token,
    )


@router.get("/v1/leads/<lead_id>", tags=["Leads"])
def get_lead(lead_id: str) -> dict:
    return service.get_lead(principal(router).tenant_id, lead_id)


@router.patch("/v1/leads/<lead_id>", tags=["Leads"], summary="Follow-up date, tags, priority, details")
def update_lead(lead_id: str, body: LeadPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.update(caller.tenant_id, lead_id, body.changes(), by=caller.employee_id)


@router.post("/v1/leads/<lead_id>/notes", tags=["Leads"], status_code=201)
def add_note(lead_id: str, body: NoteIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.add_note(caller.tenant_id, lead_id, body.text, by=caller.employee_id)


@router.post("/v1/leads/<lead_id>/convert", tags=["Leads"], summary="Book the job from the lead, in one step")
def convert_lead(lead_id: str, body: ConvertIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.convert(caller.tenant_id, lead_id, body.model_dump(), by=caller.employee_id)


@router.post("/v1/leads/<lead_id>/dismiss", tags=["Leads"])
def dismiss_lead(lead_id: str, body: DismissIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.dismiss(caller.tenant_id, lead_id, reason=body.reason, note=body.note, by=caller.employee_id)


@router.post("/v1/leads/<lead_id>/reopen", tags=["Leads"])
def reopen_lead(lead_id: str, body: ReopenIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.reopen(caller.tenant_id, lead_id, by=caller.employee_id, why=body.why)


@router.get("/v1/lead-dismiss-reasons", tags=["Leads"], summary="The standard reasons and the company's own")
def list_dismiss_reasons() -> dict:
    return {"items": service.dismiss_reasons(principal(router).tenant_id)}


@router.post("/v1/lead-dismiss-reasons", tags=["Leads"], status_code=201)
def add_dismiss_reason(body: DismissReasonIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_SETTINGS)
    return service.add_dismiss_reason(caller.tenant_id, body.code, body.label)


@router.post(
    "/v1/jobs",
    tags=["Jobs"],
    status_code=201,
    summary="Book a job on its own (it never converts a lead; the answer lists the customer's open leads)",
)
def book_job(body: JobIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.book_job(caller.tenant_id, body.model_dump(), by=caller.employee_id)


@router.get("/v1/jobs/<job_id>", tags=["Jobs"])
def get_job(job_id: str) -> dict:
    return jobs.get_job(principal(router).tenant_id, job_id)


@router.post(
    "/v1/jobs/<job_id>/leads", tags=["Jobs"], status_code=201, summary="A job-generated (technician-generated) lead"
)
def job_generated_lead(job_id: str, body: JobLeadIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.create_from_job(caller.tenant_id, job_id, body.model_dump(), by=caller.employee_id)
