from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken, day_query, phone_query
from leadline.api.staff.schemas import ClassificationIn
from leadline.calls import service
from leadline.permissions import Permission
from leadline.phones import to_e164
from leadline.scl import evaluation
from leadline.workflows.classify_call import classify

router = APIGatewayRouter()

Day = day_query("A day in the company's time zone", optional=True)
CampaignFilter = Annotated[str | None, Query(max_length=64, description="A campaign id, or 'unknown', or 'direct'")]
CallerFilter = phone_query("The caller's number", optional=True)
SclFilter = Annotated[
    Literal["not_prospect"] | None,
    Query(
        description="`not_prospect`: only the calls the analyser judged not a prospect, with its reasons (every day "
        "unless `day` is given), for a manager to audit what Second Chance Leads left out"
    ),
]
# what the `scl` filter asks for, as the evaluation keeps it on the call
SCL_OUTCOMES = {"not_prospect": evaluation.NOT_A_PROSPECT}


@router.get(
    "/v1/calls",
    operation_id="listCalls",
    tags=["Calls"],
    responses=contract.returns(responses.CallPage),
    summary="List calls, newest first",
    description=(
        "One listing at a time: the calls of a day (today, in the company's time zone, when nothing is "
        "given), of a campaign (`unknown` and `direct` too), or from a caller's number; not campaign and "
        "caller together. `scl=not_prospect` keeps the calls the analyser judged not a prospect (each with "
        "`analysis`: its confidence, summary and reasons)."
    ),
)
def list_calls(
    day: Day = None,
    campaign_id: CampaignFilter = None,
    caller: CallerFilter = None,
    scl: SclFilter = None,
    limit: Limit = 50,
    next_token: NextToken = None,
) -> dict:
    tenant_id = principal(router).tenant_id
    return service.list_calls(
        tenant_id,
        day=day,
        campaign_id=campaign_id,
        caller=to_e164(caller, field="caller") if caller else None,
        evaluated=SCL_OUTCOMES[scl] if scl else None,
        limit=limit,
        next_token=next_token,
    )


@router.get(
    "/v1/calls/<call_id>",
    operation_id="getCall",
    tags=["Calls"],
    responses=contract.returns(responses.Call),
    summary="Get a call",
    description=(
        "The call with its attribution (campaign, or Unknown, or direct), its classification, recording and transcript."
    ),
)
def get_call(call_id: str) -> dict:
    return service.get_call(principal(router).tenant_id, call_id)


@router.put(
    "/v1/calls/<call_id>/classification",
    operation_id="classifyCall",
    tags=["Calls"],
    responses=contract.returns(responses.Call),
    summary="Classify a call",
    description=(
        "The CSR's call reason, notes and whether a job was booked (and which). A reason marked as lead "
        "captures a lead from the call, once: classifying again does not make a second one."
    ),
)
def classify_call(call_id: str, body: ClassificationIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return classify(
        caller.tenant_id,
        call_id,
        employee_id=caller.employee_id,
        call_reason_id=body.call_reason_id,
        notes=body.notes,
        booked=body.booked,
        job_id=body.job_id,
    )
