"""Booking a job: the one path every job takes, whether booked on its own (`leads.service.book_job`), from a lead
(`leads.service.convert`) or from a booking (`bookings.service.convert`).

`check_references` checks what the job names; `new_job` makes it, with its listings; `booking` gives the writes that
create it (once), count it and announce it (JobBooked). A conversion's `conversion` adds the converted record's
event and its conversion count to those; the caller adds the record's own write, and all go in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leadline.data import store
from leadline.data.models import Booking, BusinessUnit, Campaign, Customer, Employee, Job, JobType, Lead, Location
from leadline.data.repositories import campaigns
from leadline.data.repositories import customers as customer_records
from leadline.data.repositories import jobs as job_records
from leadline.data.repositories.operations import business_units, job_types
from leadline.data.repositories.people import employees
from leadline.data.store import TxStep
from leadline.errors import InvalidInput
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import new_id
from leadline.reports import projection

# The set-up records a lead or a job may name: the field, its record's sort key, its model.
_REFERENCES = {
    "customer_id": (customer_records.key, Customer),
    "location_id": (customer_records.location_key, Location),
    "campaign_id": (campaigns.key, Campaign),
    "business_unit_id": (business_units.key, BusinessUnit),
    "job_type_id": (job_types.key, JobType),
    "technician_id": (employees.key, Employee),
    "lead_setting_employee_id": (employees.key, Employee),
}


def check_references(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The set-up records a lead or job names must exist in this tenant; one BatchGetItem. The records found, by
    field."""
    wanted = {name: key(data[name]) for name, (key, _model) in _REFERENCES.items() if data.get(name)}
    found = store.batch_get_raw(tenant_id, list(wanted.values())) if wanted else {}
    records: dict[str, Any] = {}
    for name, key in wanted.items():
        if key not in found:
            raise InvalidInput(f"{name.removesuffix('_id').replace('_', ' ')} {data[name]} does not exist", field=name)
        records[name] = _REFERENCES[name][1].from_raw_data(found[key])
    location, customer = records.get("location_id"), data.get("customer_id")
    if location is not None and location.customer_id != customer:
        raise InvalidInput("the location belongs to another customer", field="location_id")
    job_type, unit = records.get("job_type_id"), records.get("business_unit_id")
    if job_type is not None and unit is not None and not offers(unit, job_type):
        raise InvalidInput(
            f"job type {job_type.name} is not offered by business unit {unit.name}: choose a job type of that unit, "
            "or add the unit to the job type",
            field="job_type_id",
        )
    return records


def offers(unit: BusinessUnit, job_type: JobType) -> bool:
    """A job type names the business units that offer it; one that names none is offered by every unit."""
    return not job_type.business_unit_ids or unit.business_unit_id in job_type.business_unit_ids


def new_job(tenant_id: str, **fields: Any) -> Job:
    return job_records.new(tenant_id, new_id("job"), **fields)


def booking(job: Job, *, customer_phones: Sequence[str] = ()) -> tuple[list[TxStep], DomainEvent]:
    """The writes that create the job (once), count it and announce it (`customer_phones`: every number of the
    customer it is for, so that an SCL of any of them ends as booked)."""
    event = job_event(job, customer_phones)
    return [job_records.create_step(job), outbox.step(event), *projection.change(job)], event


def conversion(
    job: Job, converted: DomainEvent, record: Lead | Booking, before: projection.Counts
) -> tuple[list[TxStep], list[DomainEvent]]:
    """A lead or booking converted into `job`: the job booked, the conversion announced (`converted`) and counted
    (`before`: what the record counted for before it was converted). The caller adds the record's own write."""
    steps, booked = booking(job)
    steps += [outbox.step(converted), *projection.change(record, before)]
    return steps, [converted, booked]


def job_view(job: Job) -> dict[str, Any]:
    fields = (
        "job_id",
        "status",
        "origin",
        "customer_id",
        "location_id",
        "customer_phone",
        "job_type_id",
        "business_unit_id",
        "appointment_start",
        "appointment_end",
        "technician_id",
        "priority",
        "campaign_id",
        "summary",
        "lead_id",
        "call_id",
        "booked_by",
        "created_at",
    )
    return {f: getattr(job, f) for f in fields}


def job_event(job: Job, customer_phones: Sequence[str] = ()) -> DomainEvent:
    return DomainEvent(
        "JobBooked",
        job.tenant_id,
        {
            "job_id": job.job_id,
            "origin": job.origin,
            "lead_id": job.lead_id,
            "call_id": job.call_id,
            "campaign_id": job.campaign_id,
            "customer_phone": job.customer_phone,
            "customer_phones": [p for p in dict.fromkeys(customer_phones) if p != job.customer_phone],
            "booked_by": job.booked_by,
        },
    )


def get_job(tenant_id: str, job_id: str) -> dict[str, Any]:
    return job_view(job_records.get_or_404(tenant_id, job_id))
