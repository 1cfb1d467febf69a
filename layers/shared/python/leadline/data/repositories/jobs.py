"""Jobs: one item per booked job, listed by time and by the customer's phone."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import Job
from leadline.data.store import TxStep


def key(job_id: str) -> str:
    """The job's sort key, for batch reads that fetch it with other items."""
    return keys.job(job_id)


def get(tenant_id: str, job_id: str, *, consistent: bool = False) -> Job | None:
    return store.get(Job, tenant_id, keys.job(job_id), consistent=consistent)


def get_or_404(tenant_id: str, job_id: str) -> Job:
    return store.get_or_404(Job, tenant_id, keys.job(job_id), f"job {job_id}")


def new(tenant_id: str, job_id: str, **attributes) -> Job:
    """A new job, indexed."""
    job = store.new_item(Job, tenant_id, keys.job(job_id), job_id=job_id, **attributes)
    index(job)
    return job


def index(job: Job) -> None:
    """The listings a job appears in: all by time, by the customer's phone."""
    order = keys.in_order(job.created_at, job.job_id)
    job.gsi1pk, job.gsi1sk = keys.jobs_by_time(job.tenant_id), order
    if job.customer_phone:
        job.gsi3pk, job.gsi3sk = keys.jobs_by_caller(job.tenant_id, job.customer_phone), order


def create_step(job: Job) -> TxStep:
    """The put of a new job, refused if it exists."""
    return TxStep.put(job, "job exists", condition=Job.pk.does_not_exist())


def booked_for_caller_since(tenant_id: str, phone: str, since: str | None) -> bool:
    """Whether a job was booked for this phone number at or after `since` (ever, if None); one Query of one item."""
    condition = Job.gsi3sk >= since if since else None
    page = store.query_index(Job.by_person, keys.jobs_by_caller(tenant_id, phone), condition, limit=1, next_token=None)
    return bool(page.items)


def all_of(tenant_id: str, *, consistent: bool = True) -> list[Job]:
    """Every job of the tenant, in key order: all of them, so for checks and maintenance, not for a request."""
    return list(Job.query(keys.tenant(tenant_id), Job.sk.startswith(keys.JOBS), consistent_read=consistent))
