"""Reports, read from the counters kept as things happen; JSON, or CSV with `format=csv`. Needs `view_reports`."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import day_query
from leadline.permissions import Permission
from leadline.reports import service

router = APIGatewayRouter()
From = day_query("First day, YYYY-MM-DD", alias="from")
To = day_query("Last day (included), YYYY-MM-DD")
Format = Annotated[Literal["json", "csv"], Query()]
REPORTS = {
    "campaign-summary": service.campaign_summary,
    "lead-volume": service.lead_volume,
    "scl-recovery": service.scl_recovery,
    "csr-performance": service.csr_performance,
}


def _report(name: str, day_from: str, day_to: str, fmt: str):
    caller = principal(router)
    caller.require(Permission.VIEW_REPORTS)
    data = REPORTS[name](caller.tenant_id, day_from, day_to)
    if fmt != "csv":
        return data
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=service.to_csv(name, data),
        headers={"Content-Disposition": f'attachment; filename="{name}-{data["from"]}-{data["to"]}.csv"'},
    )


@router.get(
    "/v1/reports/campaign-summary",
    operation_id="getCampaignSummaryReport",
    tags=["Reports"],
    responses=contract.returns(responses.CampaignSummaryReport, csv=True),
    summary="Campaign summary report",
    description=(
        "A row per campaign and one for Unknown: calls, lead calls, leads, booked jobs, rates and Second "
        "Chance Leads, with totals, over the days given. `format=csv` for a CSV file."
    ),
)
def campaign_summary(from_: From, to: To, format: Format = "json"):  # noqa: A002 - the query parameter's name
    return _report("campaign-summary", from_, to, format)


@router.get(
    "/v1/reports/lead-volume",
    operation_id="getLeadVolumeReport",
    tags=["Reports"],
    responses=contract.returns(responses.LeadVolumeReport, csv=True),
    summary="Lead volume report",
    description="Leads by day and source, and the lead-to-booking rate. `format=csv` for a CSV file.",
)
def lead_volume(from_: From, to: To, format: Format = "json"):  # noqa: A002
    return _report("lead-volume", from_, to, format)


@router.get(
    "/v1/reports/scl-recovery",
    operation_id="getSclRecoveryReport",
    tags=["Reports"],
    responses=contract.returns(responses.SclRecoveryReport, csv=True),
    summary="Second Chance Lead recovery report",
    description=(
        "Of the SCLs created each day: followed up (called back or saved) and saved; the follow-up rate "
        "and the outcome mix by status. `format=csv` for a CSV file."
    ),
)
def scl_recovery(from_: From, to: To, format: Format = "json"):  # noqa: A002
    return _report("scl-recovery", from_, to, format)


@router.get(
    "/v1/reports/csr-performance",
    operation_id="getCsrPerformanceReport",
    tags=["Reports"],
    responses=contract.returns(responses.CsrPerformanceReport, csv=True),
    summary="CSR performance report",
    description=(
        "Per CSR: calls handled, booked, booking rate, SCLs raised from their calls and SCLs they saved. "
        "`format=csv` for a CSV file."
    ),
)
def csr_performance(from_: From, to: To, format: Format = "json"):  # noqa: A002
    return _report("csr-performance", from_, to, format)
