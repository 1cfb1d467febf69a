"""Leads, the jobs they convert into, and jobs booked on their own."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken, day_query, phone_query
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
from leadline.phones import to_e164

router = APIGatewayRouter()

Status = Annotated[str | None, Query(pattern="^(open|converted|dismissed)$")]
Source = Annotated[str | None, Query(pattern="^(" + "|".join(service.SOURCES) + ")$")]
Id = Annotated[str | None, Query(max_length=64)]
CallerPhone = phone_query("The customer's phone number (as people write it, or E.164)", optional=True)
Day = day_query("Created on or after / up to (UTC)", optional=True)


@router.post(
    "/v1/leads",
    operation_id="createLead",
    tags=["Leads"],
    status_code=201,
    responses=contract.returns(responses.Lead, 201),
    summary="Create a lead by hand",
    description=(
        "Follow Up > Leads > Create Lead: the customer (required), location, campaign, business unit, "
        "job type, priority, summary, notes, tags and follow-up date. Every record named must exist in "
        "the company."
    ),
)
def create_lead(body: LeadIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.create_manual(caller.tenant_id, body.model_dump(), by=caller.employee_id)


@router.get(
    "/v1/leads",
    operation_id="listLeads",
    tags=["Leads"],
    responses=contract.returns(responses.LeadPage),
    summary="List leads, newest first",
    description=(
        "By status (open, converted, dismissed; all when not given), created between two days (UTC), and "
        "narrowed by source, campaign and business unit; with `phone`, those of that customer phone only (e.g. "
        "a caller's open leads, to offer to convert one before booking a job)."
    ),
)
def list_leads(
    status: Status = None,
    source: Source = None,
    campaign_id: Id = None,
    business_unit_id: Id = None,
    created_from: Day = None,
    created_to: Day = None,
    phone: CallerPhone = None,
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
        phone=to_e164(phone, field="phone") if phone else None,
        limit=limit,
        next_token=next_token,
    )


@router.get(
    "/v1/leads/<lead_id>",
    operation_id="getLead",
    tags=["Leads"],
    responses=contract.returns(responses.Lead),
    summary="Get a lead",
    description=(
        "The lead with its source, status, customer, campaign, notes and history (who changed what, when, why)."
    ),
)
def get_lead(lead_id: str) -> dict:
    return service.get_lead(principal(router).tenant_id, lead_id)


@router.patch(
    "/v1/leads/<lead_id>",
    operation_id="updateLead",
    tags=["Leads"],
    responses=contract.returns(responses.Lead),
    summary="Change a lead's details",
    description=(
        "Follow-up date, tags, priority, summary, campaign, business unit and job type; only the fields "
        "given change. The status changes only by converting, dismissing or reopening."
    ),
)
def update_lead(lead_id: str, body: LeadPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.update(caller.tenant_id, lead_id, body.changes(), by=caller.employee_id)


@router.post(
    "/v1/leads/<lead_id>/notes",
    operation_id="addLeadNote",
    tags=["Leads"],
    status_code=201,
    responses=contract.returns(responses.Lead, 201),
    summary="Add a note to a lead",
    description="The note is kept with who wrote it and when.",
)
def add_note(lead_id: str, body: NoteIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.add_note(caller.tenant_id, lead_id, body.text, by=caller.employee_id)


@router.post(
    "/v1/leads/<lead_id>/convert",
    operation_id="convertLead",
    tags=["Leads"],
    responses=contract.returns(responses.LeadConversion),
    summary="Convert a lead into a booked job",
    description=(
        "ConvertLead: books the job (job type, business unit, appointment window, technician) and sets "
        "the lead converted, in one step; the job carries the lead's campaign and customer (a lead captured "
        "from a call has none: name the customer). An open lead only: converting twice is refused. Answers the "
        "lead and the job."
    ),
)
def convert_lead(lead_id: str, body: ConvertIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.convert(caller.tenant_id, lead_id, body.model_dump(), by=caller.employee_id)


@router.post(
    "/v1/leads/<lead_id>/dismiss",
    operation_id="dismissLead",
    tags=["Leads"],
    responses=contract.returns(responses.Lead),
    summary="Dismiss a lead",
    description="With a reason code (see GET /v1/lead-dismiss-reasons) and an optional note; an open lead only.",
)
def dismiss_lead(lead_id: str, body: DismissIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.dismiss(caller.tenant_id, lead_id, reason=body.reason, note=body.note, by=caller.employee_id)


@router.post(
    "/v1/leads/<lead_id>/reopen",
    operation_id="reopenLead",
    tags=["Leads"],
    responses=contract.returns(responses.Lead),
    summary="Reopen a dismissed lead",
    description="The lead is open again, with why kept in its history.",
)
def reopen_lead(lead_id: str, body: ReopenIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.reopen(caller.tenant_id, lead_id, by=caller.employee_id, why=body.why)


@router.get(
    "/v1/lead-dismiss-reasons",
    operation_id="listLeadDismissReasons",
    tags=["Leads"],
    responses=contract.returns(responses.DismissReasonList),
    summary="List the reasons to dismiss a lead",
    description=(
        "The standard reasons (Price Too High, No Availability, Out of Service Area, Competitor Won, "
        "...) and the company's own."
    ),
)
def list_dismiss_reasons() -> dict:
    return {"items": service.dismiss_reasons(principal(router).tenant_id)}


@router.post(
    "/v1/lead-dismiss-reasons",
    operation_id="addLeadDismissReason",
    tags=["Leads"],
    status_code=201,
    responses=contract.returns(responses.DismissReason, 201),
    summary="Add a reason to dismiss leads",
    description="A code (lower case, digits, underscores) and the label people see.",
)
def add_dismiss_reason(body: DismissReasonIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_SETTINGS)
    return service.add_dismiss_reason(caller.tenant_id, body.code, body.label)


@router.post(
    "/v1/jobs",
    operation_id="bookJob",
    tags=["Jobs"],
    status_code=201,
    responses=contract.returns(responses.JobBooked, 201),
    summary="Book a job on its own",
    description=(
        "A job for a customer, booked directly or from a call. It never converts a lead: the answer "
        "lists the customer's open leads, so the client can offer to convert one (POST "
        "/v1/leads/{lead_id}/convert). A job booked for a caller then ends their open Second Chance "
        "Leads (Job booked by SCL, or elsewhere)."
    ),
)
def book_job(body: JobIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.book_job(caller.tenant_id, body.model_dump(), by=caller.employee_id)


@router.get(
    "/v1/jobs/<job_id>",
    operation_id="getJob",
    tags=["Jobs"],
    responses=contract.returns(responses.Job),
    summary="Get a job",
    description=(
        "The job with its customer, job type, business unit, appointment window, campaign, and the lead "
        "or call it came from."
    ),
)
def get_job(job_id: str) -> dict:
    return jobs.get_job(principal(router).tenant_id, job_id)


@router.post(
    "/v1/jobs/<job_id>/leads",
    operation_id="createJobGeneratedLead",
    tags=["Jobs"],
    status_code=201,
    responses=contract.returns(responses.Lead, 201),
    summary="Raise a lead from a job",
    description=(
        "A job-generated (technician-generated) lead: business unit, job type, priority, start, the "
        "employee who set it, technician, summary and tags; the customer, location and campaign come "
        "from the job."
    ),
)
def job_generated_lead(job_id: str, body: JobLeadIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return service.create_from_job(caller.tenant_id, job_id, body.model_dump(), by=caller.employee_id)
