"""Business units, job types and call reasons: the same five routes each."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

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


@router.post("/v1/business-units", tags=["Business units"], status_code=201)
def create_business_unit(body: BusinessUnitIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.business_units.create(caller.tenant_id, body.model_dump())


@router.get("/v1/business-units", tags=["Business units"])
def list_business_units(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.business_units.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/business-units/<business_unit_id>", tags=["Business units"])
def get_business_unit(business_unit_id: str) -> dict:
    return service.business_units.get(principal(router).tenant_id, business_unit_id)


@router.patch("/v1/business-units/<business_unit_id>", tags=["Business units"])
def update_business_unit(business_unit_id: str, body: BusinessUnitPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.business_units.update(caller.tenant_id, business_unit_id, body.changes())


@router.post("/v1/job-types", tags=["Job types"], status_code=201)
def create_job_type(body: JobTypeIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.job_types.create(caller.tenant_id, body.model_dump())


@router.get("/v1/job-types", tags=["Job types"])
def list_job_types(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.job_types.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/job-types/<job_type_id>", tags=["Job types"])
def get_job_type(job_type_id: str) -> dict:
    return service.job_types.get(principal(router).tenant_id, job_type_id)


@router.patch("/v1/job-types/<job_type_id>", tags=["Job types"])
def update_job_type(job_type_id: str, body: JobTypePatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.job_types.update(caller.tenant_id, job_type_id, body.changes())


@router.post("/v1/call-reasons", tags=["Call reasons"], status_code=201)
def create_call_reason(body: CallReasonIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.call_reasons.create(caller.tenant_id, body.model_dump())


@router.get("/v1/call-reasons", tags=["Call reasons"])
def list_call_reasons(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.call_reasons.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/call-reasons/<call_reason_id>", tags=["Call reasons"])
def get_call_reason(call_reason_id: str) -> dict:
    return service.call_reasons.get(principal(router).tenant_id, call_reason_id)


@router.patch("/v1/call-reasons/<call_reason_id>", tags=["Call reasons"])
def update_call_reason(call_reason_id: str, body: CallReasonPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_OPERATIONS)
    return service.call_reasons.update(caller.tenant_id, call_reason_id, body.changes())
