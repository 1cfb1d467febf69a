"""Business units, job types and call reasons: the same five routes each."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import (
    BusinessUnitIn,
    BusinessUnitPatch,
    CallReasonIn,
    CallReasonPatch,
    JobTypeIn,
    JobTypePatch,
)
from leadline.permissions import Permission
from leadline.setup import service

router = APIGatewayRouter()


@router.post(
    "/v1/business-units",
    operation_id="createBusinessUnit",
    tags=["Business units"],
    status_code=201,
    responses=contract.returns(responses.BusinessUnit, 201),
    summary="Create a business unit",
    description="A division of the company (HVAC, Plumbing, ...) that jobs and leads belong to.",
)
def create_business_unit(body: BusinessUnitIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.business_units.create(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/business-units",
    operation_id="listBusinessUnits",
    tags=["Business units"],
    responses=contract.returns(responses.BusinessUnitPage),
    summary="List the business units",
    description="The company's business units, a page at a time.",
)
def list_business_units(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.business_units.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/business-units/<business_unit_id>",
    operation_id="getBusinessUnit",
    tags=["Business units"],
    responses=contract.returns(responses.BusinessUnit),
    summary="Get a business unit",
    description="The business unit's name and whether it is active.",
)
def get_business_unit(business_unit_id: str) -> dict:
    return service.business_units.get(principal(router).tenant_id, business_unit_id)


@router.patch(
    "/v1/business-units/<business_unit_id>",
    operation_id="updateBusinessUnit",
    tags=["Business units"],
    responses=contract.returns(responses.BusinessUnit),
    summary="Change a business unit",
    description="Only the fields given change.",
)
def update_business_unit(business_unit_id: str, body: BusinessUnitPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.business_units.update(caller.tenant_id, business_unit_id, body.changes())


@router.post(
    "/v1/job-types",
    operation_id="createJobType",
    tags=["Job types"],
    status_code=201,
    responses=contract.returns(responses.JobType, 201),
    summary="Create a job type",
    description=("A kind of job, and the business units that offer it (each must exist; none: every unit offers it)."),
)
def create_job_type(body: JobTypeIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.job_types.create(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/job-types",
    operation_id="listJobTypes",
    tags=["Job types"],
    responses=contract.returns(responses.JobTypePage),
    summary="List the job types",
    description="The company's job types, a page at a time.",
)
def list_job_types(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.job_types.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/job-types/<job_type_id>",
    operation_id="getJobType",
    tags=["Job types"],
    responses=contract.returns(responses.JobType),
    summary="Get a job type",
    description="The job type, with the business units that offer it.",
)
def get_job_type(job_type_id: str) -> dict:
    return service.job_types.get(principal(router).tenant_id, job_type_id)


@router.patch(
    "/v1/job-types/<job_type_id>",
    operation_id="updateJobType",
    tags=["Job types"],
    responses=contract.returns(responses.JobType),
    summary="Change a job type",
    description=(
        "Only the fields given change; `business_unit_ids` replaces the units that offer it (each must exist)."
    ),
)
def update_job_type(job_type_id: str, body: JobTypePatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.job_types.update(caller.tenant_id, job_type_id, body.changes())


@router.post(
    "/v1/call-reasons",
    operation_id="createCallReason",
    tags=["Call reasons"],
    status_code=201,
    responses=contract.returns(responses.CallReason, 201),
    summary="Create a call reason",
    description="A reason a CSR picks to classify a call; one marked `is_lead` captures a lead from the call.",
)
def create_call_reason(body: CallReasonIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.call_reasons.create(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/call-reasons",
    operation_id="listCallReasons",
    tags=["Call reasons"],
    responses=contract.returns(responses.CallReasonPage),
    summary="List the call reasons",
    description="The company's call reasons, a page at a time.",
)
def list_call_reasons(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.call_reasons.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/call-reasons/<call_reason_id>",
    operation_id="getCallReason",
    tags=["Call reasons"],
    responses=contract.returns(responses.CallReason),
    summary="Get a call reason",
    description="The call reason, and whether it is marked as lead.",
)
def get_call_reason(call_reason_id: str) -> dict:
    return service.call_reasons.get(principal(router).tenant_id, call_reason_id)


@router.patch(
    "/v1/call-reasons/<call_reason_id>",
    operation_id="updateCallReason",
    tags=["Call reasons"],
    responses=contract.returns(responses.CallReason),
    summary="Change a call reason",
    description="Only the fields given change.",
)
def update_call_reason(call_reason_id: str, body: CallReasonPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.call_reasons.update(caller.tenant_id, call_reason_id, body.changes())
