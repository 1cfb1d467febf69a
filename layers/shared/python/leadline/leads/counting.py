"""What leads, bookings and jobs add to the report counters (`reports.aggregates`), in the transaction of the
change they count."""

from __future__ import annotations

from leadline.data.models import Job
from leadline.data.store import TxStep
from leadline.reports import aggregates


def counting_lead(
    tenant_id: str, key: str, created_at: str, campaign_id: str | None, source: str, counter: str
) -> list[TxStep]:
    """A lead (or booking) counted, or its conversion counted on its creation day, by campaign and source."""
    day = aggregates.day_of(tenant_id, created_at)
    return aggregates.steps(
        tenant_id,
        day,
        key,
        [(aggregates.CAMPAIGN, campaign_id, {counter: 1}), (aggregates.SOURCE, source, {counter: 1})],
    )


def counting_job(job: Job) -> list[TxStep]:
    """A job counted on its booking day, by campaign and by the CSR who booked it."""
    day = aggregates.day_of(job.tenant_id, job.created_at)
    return aggregates.steps(
        job.tenant_id,
        day,
        job.job_id,
        [(aggregates.CAMPAIGN, job.campaign_id, {"jobs": 1}), (aggregates.CSR, job.booked_by, {"jobs": 1})],
    )
