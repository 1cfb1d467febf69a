"""Leads: captured from every source, converted into a job explicitly and atomically, or dismissed with a reason.

Every state change is one DynamoDB transaction that also writes its domain event to the outbox; the event is
then put on the bus (see events/outbox.py), so none is ever lost.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pynamodb.expressions.condition import Condition

from leadline.data import store
from leadline.data.models import (
    BusinessUnit,
    Campaign,
    Customer,
    DismissReason,
    Employee,
    Job,
    JobType,
    Lead,
    Location,
    tenant_pk,
)
from leadline.data.store import TxStep
from leadline.errors import Conflict, InvalidInput
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import new_id, utc_now
from leadline.reports import aggregates

OPEN, CONVERTED, DISMISSED = "open", "converted", "dismissed"
SOURCES = ("call", "manual", "job", "abandoned_call", "partner", "online", "second_chance")
STANDARD_DISMISS_REASONS = {
    "price_too_high": "Price Too High",
    "no_availability": "No Availability",
    "out_of_service_area": "Out of Service Area",
    "competitor_won": "Competitor Won",
    "customer_not_ready": "Customer Not Ready",
    "no_response": "No Response",
    "duplicate_lead": "Duplicate Lead",
}
MAX_ATTEMPTS = 5


def lead_sk(lead_id: str) -> str:
    return f"LEAD#{lead_id}"


def job_sk(job_id: str) -> str:
    return f"JOB#{job_id}"


# --- views and indexes ---------------------------------------------------------------------------


def lead_view(lead: Lead) -> dict[str, Any]:
    return {
        "lead_id": lead.lead_id,
        "source": lead.source,
        "status": lead.status,
        "customer_id": lead.customer_id,
        "location_id": lead.location_id,
        "customer_phone": lead.customer_phone,
        "campaign_id": lead.campaign_id,
        "business_unit_id": lead.business_unit_id,
        "job_type_id": lead.job_type_id,
        "priority": lead.priority,
        "summary": lead.summary,
        "tags": sorted(lead.tags or ()),
        "notes": [dict(n) for n in lead.notes or ()],
        "follow_up_date": lead.follow_up_date,
        "call_id": lead.call_id,
        "call_reason_id": lead.call_reason_id,
        "origin_job_id": lead.origin_job_id,
        "lead_setting_employee_id": lead.lead_setting_employee_id,
        "technician_id": lead.technician_id,
        "start": lead.start,
        "job_id": lead.job_id,
        "dismiss_reason": lead.dismiss_reason,
        "history": [dict(h) for h in lead.history or ()],
        "created_by": lead.created_by,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
    }


def _index(lead: Lead) -> None:
    tenant = tenant_pk(lead.tenant_id)
    order = f"{lead.created_at}#{lead.lead_id}"
    lead.gsi1pk, lead.gsi1sk = f"{tenant}#LEADS", order
    lead.gsi2pk, lead.gsi2sk = f"{tenant}#LEADS#{lead.status}", order
    if lead.customer_phone:
        lead.gsi3pk, lead.gsi3sk = f"{tenant}#CALLER#{lead.customer_phone}#LEADS", order


def _transition(lead: Lead, to: str, by: str | None, why: str | None) -> None:
    lead.history = [*(lead.history or []), {"at": utc_now(), "by": by, "from": lead.status, "to": to, "why": why}]
    lead.status = to
    _index(lead)
    store.touch(lead)


def _event(kind: str, lead: Lead, **extra: Any) -> DomainEvent:
    return DomainEvent(
        kind,
        lead.tenant_id,
        {
            "lead_id": lead.lead_id,
            "source": lead.source,
            "status": lead.status,
            "campaign_id": lead.campaign_id,
            "customer_phone": lead.customer_phone,
            **extra,
        },
    )


# --- creation ------------------------------------------------------------------------------------


def new_lead(tenant_id: str, *, source: str, created_by: str | None, lead_id: str | None = None, **fields) -> Lead:
    lead_id = lead_id or new_id("ld")
    lead = store.new_item(
        Lead, tenant_id, lead_sk(lead_id), lead_id=lead_id, source=source, status=OPEN, created_by=created_by, **fields
    )
    lead.history = [{"at": lead.created_at, "by": created_by, "from": None, "to": OPEN, "why": f"captured ({source})"}]
    _index(lead)
    return lead


def lead_from_call(call, *, source: str, created_by: str | None, **fields) -> Lead:
    """A lead captured from a call: its campaign and the caller's number; one per call and source."""
    return new_lead(
        call.tenant_id,
        source=source,
        created_by=created_by,
        lead_id=derived_lead_id(source, call.call_id),
        call_id=call.call_id,
        campaign_id=call.campaign_id,
        customer_phone=call.from_number,
        **fields,
    )


def creation_steps(lead: Lead) -> tuple[list[TxStep], DomainEvent]:
    """The writes that create a lead (once: its id is the idempotency), count it and announce it."""
    event = _event("LeadCreated", lead)
    return [
        TxStep.put(lead, f"lead {lead.lead_id} already exists", condition=Lead.pk.does_not_exist()),
        outbox.step(event),
        *counting_lead(lead.tenant_id, lead.lead_id, lead.created_at, lead.campaign_id, lead.source, "leads"),
    ], event


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
    day = aggregates.day_of(job.tenant_id, job.created_at)
    return aggregates.steps(
        job.tenant_id,
        day,
        job.job_id,
        [(aggregates.CAMPAIGN, job.campaign_id, {"jobs": 1}), (aggregates.CSR, job.booked_by, {"jobs": 1})],
    )


def derived_lead_id(kind: str, source_id: str) -> str:
    """A lead id that one source record (a call, a job) always gives: a second capture is refused by its write."""
    return f"ld-{kind}-" + hashlib.sha256(source_id.encode()).hexdigest()[:20]


def check_references(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The set-up records a lead or job names must exist in this tenant; one BatchGetItem."""
    wanted = {
        "customer_id": ("CUSTOMER#", Customer),
        "location_id": ("LOCATION#", Location),
        "campaign_id": ("CAMPAIGN#", Campaign),
        "business_unit_id": ("BU#", BusinessUnit),
        "job_type_id": ("JOBTYPE#", JobType),
        "technician_id": ("EMPLOYEE#", Employee),
        "lead_setting_employee_id": ("EMPLOYEE#", Employee),
    }
    keys = {field: prefix + data[field] for field, (prefix, _) in wanted.items() if data.get(field)}
    found = store.batch_get_raw(tenant_id, list(keys.values())) if keys else {}
    records: dict[str, Any] = {}
    for field, key in keys.items():
        if key not in found:
            raise InvalidInput(
                f"{field.removesuffix('_id').replace('_', ' ')} {data[field]} does not exist", field=field
            )
        records[field] = wanted[field][1].from_raw_data(found[key])
    location, customer = records.get("location_id"), data.get("customer_id")
    if location is not None and location.customer_id != customer:
        raise InvalidInput("the location belongs to another customer", field="location_id")
    return records


def create_manual(tenant_id: str, data: dict[str, Any], *, by: str) -> dict[str, Any]:
    records = check_references(tenant_id, data)
    customer = records["customer_id"]
    note = data.pop("notes", None)
    notes = [{"at": utc_now(), "by": by, "text": note}] if note else []
    lead = new_lead(
        tenant_id, source="manual", created_by=by, customer_phone=(customer.phones or [None])[0], notes=notes, **data
    )
    steps, event = creation_steps(lead)
    store.transact(steps)
    outbox.publish_after_commit([event])
    return lead_view(lead)


def create_from_job(tenant_id: str, job_id: str, data: dict[str, Any], *, by: str) -> dict[str, Any]:
    """A job-generated (technician-generated) lead: the customer, location and campaign come from the job."""
    job = store.get_or_404(Job, tenant_id, job_sk(job_id), f"job {job_id}")
    check_references(tenant_id, {**data, "customer_id": job.customer_id})
    lead = new_lead(
        tenant_id,
        source="job",
        created_by=by,
        origin_job_id=job_id,
        customer_id=job.customer_id,
        location_id=job.location_id,
        customer_phone=job.customer_phone,
        campaign_id=job.campaign_id,
        **data,
    )
    steps, event = creation_steps(lead)
    store.transact(steps)
    outbox.publish_after_commit([event])
    return lead_view(lead)


# --- reading -------------------------------------------------------------------------------------


def get_lead(tenant_id: str, lead_id: str) -> dict[str, Any]:
    return lead_view(store.get_or_404(Lead, tenant_id, lead_sk(lead_id), f"lead {lead_id}"))


def list_leads(
    tenant_id: str,
    *,
    status: str | None,
    source: str | None,
    campaign_id: str | None,
    business_unit_id: str | None,
    created_from: str | None,
    created_to: str | None,
    limit: int,
    next_token: str | None,
) -> dict[str, Any]:
    """Newest first. The status (or all) picks the index, the date range narrows its key; source, campaign and
    business unit filter what the page reads."""
    tenant = tenant_pk(tenant_id)
    if status:
        index, index_pk = Lead.by_time, f"{tenant}#LEADS#{status}"
        sort_key = Lead.gsi2sk
    else:
        index, index_pk = Lead.by_parent, f"{tenant}#LEADS"
        sort_key = Lead.gsi1sk
    key_range: Condition | None = None
    if created_from and created_to:
        key_range = sort_key.between(created_from, created_to + "~")
    elif created_from:
        key_range = sort_key >= created_from
    elif created_to:
        key_range = sort_key <= created_to + "~"
    filters = [
        condition
        for condition in (
            Lead.source == source if source else None,
            Lead.campaign_id == campaign_id if campaign_id else None,
            Lead.business_unit_id == business_unit_id if business_unit_id else None,
        )
        if condition is not None
    ]
    filter_condition = None
    for condition in filters:
        filter_condition = condition if filter_condition is None else filter_condition & condition
    page = store.query_index(
        index,
        index_pk,
        key_range,
        limit=limit,
        next_token=next_token,
        newest_first=True,
        filter_condition=filter_condition,
    )
    return {"items": [lead_view(i) for i in page.items], "next_token": page.next_token}


def open_leads_for_phones(tenant_id: str, phones: list[str]) -> list[dict[str, Any]]:
    found = []
    for phone in dict.fromkeys(p for p in phones if p):
        page = store.query_index(
            Lead.by_person,
            f"{tenant_pk(tenant_id)}#CALLER#{phone}#LEADS",
            None,
            limit=50,
            next_token=None,
            newest_first=True,
            filter_condition=Lead.status == OPEN,
        )
        found += [
            {
                "lead_id": i.lead_id,
                "source": i.source,
                "campaign_id": i.campaign_id,
                "created_at": i.created_at,
                "customer_phone": i.customer_phone,
            }
            for i in page.items
        ]
    return found


# --- changes -------------------------------------------------------------------------------------


class _LeadChanged(Conflict):
    pass


def _change(tenant_id: str, lead_id: str, apply) -> Lead:
    """Read, change, write under the lead's version; a concurrent change makes it read again (and then, say,
    find the lead converted by the other request and refuse)."""
    for _attempt in range(MAX_ATTEMPTS):
        lead = store.get_or_404(Lead, tenant_id, lead_sk(lead_id), f"lead {lead_id}", consistent=True)
        steps, events = apply(lead)
        try:
            store.transact(steps)
        except _LeadChanged:
            continue
        outbox.publish_after_commit(events)
        return lead
    raise Conflict(f"lead {lead_id} kept changing at the same time; retry")


def _lead_step(lead: Lead) -> TxStep:
    step = TxStep.put(lead, "the lead changed at the same time")
    step.error = _LeadChanged
    return step


def _refuse_unless_open(lead: Lead, action: str) -> None:
    if lead.status == CONVERTED:
        raise Conflict(f"lead {lead.lead_id} was already converted into job {lead.job_id}; it cannot be {action}")
    if lead.status == DISMISSED:
        raise Conflict(f"lead {lead.lead_id} is dismissed ({lead.dismiss_reason}); reopen it before it can be {action}")


def convert(tenant_id: str, lead_id: str, data: dict[str, Any], *, by: str) -> dict[str, Any]:
    """The booked job and the converted lead, in one transaction: the job carries the lead's campaign."""
    check_references(tenant_id, data)
    holder: dict[str, Job] = {}

    def apply(lead: Lead):
        _refuse_unless_open(lead, "converted")
        job = new_job(
            tenant_id,
            origin="lead",
            lead_id=lead.lead_id,
            customer_id=lead.customer_id,
            location_id=lead.location_id,
            customer_phone=lead.customer_phone,
            campaign_id=lead.campaign_id,
            call_id=lead.call_id,
            booked_by=by,
            **data,
        )
        lead.job_id = job.job_id
        _transition(lead, CONVERTED, by, f"converted into job {job.job_id}")
        converted = _event("LeadConverted", lead, job_id=job.job_id)
        booked = job_event(job)
        holder["job"] = job
        steps = [
            _lead_step(lead),
            TxStep.put(job, "job exists", condition=Job.pk.does_not_exist()),
            outbox.step(converted),
            outbox.step(booked),
            *counting_job(job),
            *counting_lead(tenant_id, lead.lead_id, lead.created_at, lead.campaign_id, lead.source, "leads_converted"),
        ]
        return steps, [converted, booked]

    lead = _change(tenant_id, lead_id, apply)
    return {"lead": lead_view(lead), "job": job_view(holder["job"])}


def dismiss_reasons(tenant_id: str) -> list[dict[str, str]]:
    own = store.query_page(DismissReason, tenant_id, sk_prefix="DISMISSREASON#", limit=store.MAX_PAGE, next_token=None)
    standard = [{"code": c, "label": label, "standard": True} for c, label in STANDARD_DISMISS_REASONS.items()]
    return standard + [{"code": r.code, "label": r.label, "standard": False} for r in own.items]


def add_dismiss_reason(tenant_id: str, code: str, label: str) -> dict[str, str]:
    if code in STANDARD_DISMISS_REASONS:
        raise Conflict(f"'{code}' is a standard reason already")
    store.create(
        store.new_item(DismissReason, tenant_id, f"DISMISSREASON#{code}", code=code, label=label),
        f"dismiss reason {code}",
    )
    return {"code": code, "label": label, "standard": False}


def check_reason(tenant_id: str, code: str) -> str:
    if code in STANDARD_DISMISS_REASONS:
        return STANDARD_DISMISS_REASONS[code]
    own = store.get(DismissReason, tenant_id, f"DISMISSREASON#{code}")
    if own is None:
        raise InvalidInput(f"'{code}' is not a dismiss reason; see GET /v1/lead-dismiss-reasons", field="reason")
    return own.label


def dismiss(tenant_id: str, lead_id: str, *, reason: str, note: str | None, by: str) -> dict[str, Any]:
    label = check_reason(tenant_id, reason)

    def apply(lead: Lead):
        _refuse_unless_open(lead, "dismissed")
        lead.dismiss_reason = reason
        if note:
            lead.notes = [*(lead.notes or []), {"at": utc_now(), "by": by, "text": note}]
        _transition(lead, DISMISSED, by, label)
        event = _event("LeadDismissed", lead, reason=reason)
        return [_lead_step(lead), outbox.step(event)], [event]

    return lead_view(_change(tenant_id, lead_id, apply))


def reopen(tenant_id: str, lead_id: str, *, by: str, why: str | None) -> dict[str, Any]:
    def apply(lead: Lead):
        if lead.status != DISMISSED:
            raise Conflict(f"only a dismissed lead can be reopened; lead {lead_id} is {lead.status}")
        lead.dismiss_reason = None
        _transition(lead, OPEN, by, why or "reopened")
        event = _event("LeadReopened", lead)
        return [_lead_step(lead), outbox.step(event)], [event]

    return lead_view(_change(tenant_id, lead_id, apply))


def update(tenant_id: str, lead_id: str, changes: dict[str, Any], *, by: str) -> dict[str, Any]:
    check_references(tenant_id, changes)

    def apply(lead: Lead):
        for name, value in changes.items():
            setattr(lead, name, value)
        store.touch(lead)
        return [_lead_step(lead)], []

    return lead_view(_change(tenant_id, lead_id, apply))


def add_note(tenant_id: str, lead_id: str, text: str, *, by: str) -> dict[str, Any]:
    def apply(lead: Lead):
        lead.notes = [*(lead.notes or []), {"at": utc_now(), "by": by, "text": text}]
        store.touch(lead)
        return [_lead_step(lead)], []

    return lead_view(_change(tenant_id, lead_id, apply))


# --- jobs ----------------------------------------------------------------------------------------


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


def job_event(job: Job) -> DomainEvent:
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
            "booked_by": job.booked_by,
        },
    )


def new_job(tenant_id: str, **fields: Any) -> Job:
    job_id = new_id("job")
    job = store.new_item(Job, tenant_id, job_sk(job_id), job_id=job_id, **fields)
    tenant = tenant_pk(tenant_id)
    job.gsi1pk, job.gsi1sk = f"{tenant}#JOBS", f"{job.created_at}#{job_id}"
    if job.customer_phone:
        job.gsi3pk, job.gsi3sk = f"{tenant}#CALLER#{job.customer_phone}#JOBS", f"{job.created_at}#{job_id}"
    return job


def book_job(tenant_id: str, data: dict[str, Any], *, by: str) -> dict[str, Any]:
    """A job booked on its own. It never converts a lead: the answer lists the customer's open leads instead,
    so the client can offer to convert one."""
    records = check_references(tenant_id, data)
    call_id = data.get("call_id")
    customer = records.get("customer_id")
    phones = list(customer.phones or []) if customer else []
    campaign_id = data.get("campaign_id")
    origin = "direct"
    if call_id:
        from leadline.calls.service import call_sk
        from leadline.data.models import Call

        call = store.get(Call, tenant_id, call_sk(call_id))
        if call is None:
            raise InvalidInput(f"call {call_id} does not exist", field="call_id")
        origin, campaign_id = "call", campaign_id or call.campaign_id
        phones = [*([call.from_number] if call.from_number else []), *phones]
    job = new_job(
        tenant_id,
        origin=origin,
        booked_by=by,
        customer_phone=(phones or [None])[0],
        **{**data, "campaign_id": campaign_id},
    )
    event = job_event(job)
    store.transact(
        [TxStep.put(job, "job exists", condition=Job.pk.does_not_exist()), outbox.step(event), *counting_job(job)]
    )
    outbox.publish_after_commit([event])
    return {"job": job_view(job), "open_leads_for_customer": open_leads_for_phones(tenant_id, phones)}


def get_job(tenant_id: str, job_id: str) -> dict[str, Any]:
    return job_view(store.get_or_404(Job, tenant_id, job_sk(job_id), f"job {job_id}"))
