"""Leads: captured from every source, converted into a job explicitly and atomically, or dismissed with a reason.

Every state change is one DynamoDB transaction that also writes its domain event to the outbox; the event is
then put on the bus (see events/outbox.py), so none is ever lost.
"""

from __future__ import annotations

import hashlib
from typing import Any

from leadline.data import store
from leadline.data.models import Call, Job, Lead
from leadline.data.repositories import calls as call_records
from leadline.data.repositories import customers as customer_records
from leadline.data.repositories import jobs as job_records
from leadline.data.repositories import leads as lead_records
from leadline.data.store import TxStep
from leadline.errors import Conflict, InvalidInput
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import new_id, utc_now
from leadline.leads import jobs
from leadline.leads.jobs import check_references
from leadline.reports import projection

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
OPEN_LEADS_PER_PHONE = 50  # listed with a job booked on its own


# --- views ---------------------------------------------------------------------------------------


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


def _transition(lead: Lead, to: str, by: str | None, why: str | None) -> None:
    lead.history = [*(lead.history or []), {"at": utc_now(), "by": by, "from": lead.status, "to": to, "why": why}]
    lead.status = to
    lead_records.index(lead)
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
    lead = lead_records.new(tenant_id, lead_id, source=source, status=OPEN, created_by=created_by, **fields)
    lead.history = [{"at": lead.created_at, "by": created_by, "from": None, "to": OPEN, "why": f"captured ({source})"}]
    return lead


def lead_from_call(call: Call, *, source: str, created_by: str | None, **fields) -> Lead:
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
        lead_records.create_step(lead),
        outbox.step(event),
        *projection.change(lead),
    ], event


def derived_lead_id(kind: str, source_id: str) -> str:
    """A lead id that one source record (a call, a job) always gives: a second capture is refused by its write."""
    return f"ld-{kind}-" + hashlib.sha256(source_id.encode()).hexdigest()[:20]


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
    job = job_records.get_or_404(tenant_id, job_id)
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
    return lead_view(lead_records.get_or_404(tenant_id, lead_id))


def list_leads(
    tenant_id: str,
    *,
    status: str | None,
    source: str | None,
    campaign_id: str | None,
    business_unit_id: str | None,
    created_from: str | None,
    created_to: str | None,
    phone: str | None = None,
    limit: int,
    next_token: str | None,
) -> dict[str, Any]:
    """Newest first. A customer phone, else the status (or all), picks the listing, the days narrow it; source,
    campaign and business unit filter what the page reads. Each lead with its customer's name, for the list."""
    page = lead_records.list_by_status(
        tenant_id,
        status,
        created_from=created_from,
        created_to=created_to,
        source=source,
        campaign_id=campaign_id,
        business_unit_id=business_unit_id,
        phone=phone,
        limit=limit,
        next_token=next_token,
    )
    names = customer_records.names(tenant_id, [lead.customer_id for lead in page.items if lead.customer_id])
    items = [{**lead_view(lead), "customer_name": names.get(lead.customer_id)} for lead in page.items]
    return {"items": items, "next_token": page.next_token}


def open_leads_for_phones(tenant_id: str, phones: list[str]) -> list[dict[str, Any]]:
    found = []
    for phone in dict.fromkeys(p for p in phones if p):
        found += [
            {
                "lead_id": i.lead_id,
                "source": i.source,
                "campaign_id": i.campaign_id,
                "created_at": i.created_at,
                "customer_phone": i.customer_phone,
            }
            for i in lead_records.list_by_caller(tenant_id, phone, status=OPEN, limit=OPEN_LEADS_PER_PHONE)
        ]
    return found


# --- changes -------------------------------------------------------------------------------------


class _LeadChanged(Conflict):
    pass


def _change(tenant_id: str, lead_id: str, apply) -> Lead:
    """Read, change, write under the lead's version; a concurrent change makes it read again (and then, say,
    find the lead converted by the other request and refuse)."""
    for _attempt in range(MAX_ATTEMPTS):
        lead = lead_records.get_or_404(tenant_id, lead_id, consistent=True)
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
    """The booked job and the converted lead, in one transaction: the job carries the lead's campaign and customer.
    A lead without a customer (captured from a call) takes the one named, if any."""
    check_references(tenant_id, data)
    data = dict(data)
    customer_id = data.pop("customer_id", None)
    holder: dict[str, Job] = {}

    def apply(lead: Lead):
        _refuse_unless_open(lead, "converted")
        if customer_id and lead.customer_id and customer_id != lead.customer_id:
            raise InvalidInput(
                f"lead {lead.lead_id} is for customer {lead.customer_id}: its job is for that customer too; "
                "leave customer_id out",
                field="customer_id",
            )
        lead.customer_id = lead.customer_id or customer_id
        job = jobs.new_job(
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
        before = projection.counts(lead)
        lead.job_id = job.job_id
        _transition(lead, CONVERTED, by, f"converted into job {job.job_id}")
        converted = _event("LeadConverted", lead, job_id=job.job_id)
        holder["job"] = job
        steps, events = jobs.conversion(job, converted, lead, before)
        return [_lead_step(lead), *steps], events

    lead = _change(tenant_id, lead_id, apply)
    return {"lead": lead_view(lead), "job": jobs.job_view(holder["job"])}


def dismiss_reasons(tenant_id: str) -> list[dict[str, str]]:
    own = lead_records.dismiss_reasons(tenant_id)
    standard = [{"code": c, "label": label, "standard": True} for c, label in STANDARD_DISMISS_REASONS.items()]
    return standard + [{"code": r.code, "label": r.label, "standard": False} for r in own]


def add_dismiss_reason(tenant_id: str, code: str, label: str) -> dict[str, str]:
    if code in STANDARD_DISMISS_REASONS:
        raise Conflict(f"'{code}' is a standard reason already")
    store.create(lead_records.new_dismiss_reason(tenant_id, code, label), f"dismiss reason {code}")
    return {"code": code, "label": label, "standard": False}


def check_reason(tenant_id: str, code: str) -> str:
    if code in STANDARD_DISMISS_REASONS:
        return STANDARD_DISMISS_REASONS[code]
    own = lead_records.dismiss_reason(tenant_id, code)
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


# --- jobs booked on their own --------------------------------------------------------------------


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
        call = call_records.get(tenant_id, call_id)
        if call is None:
            raise InvalidInput(f"call {call_id} does not exist", field="call_id")
        origin, campaign_id = "call", campaign_id or call.campaign_id
        phones = [*([call.from_number] if call.from_number else []), *phones]
    job = jobs.new_job(
        tenant_id,
        origin=origin,
        booked_by=by,
        customer_phone=(phones or [None])[0],
        **{**data, "campaign_id": campaign_id},
    )
    steps, event = jobs.booking(job, customer_phones=phones)
    store.transact(steps)
    outbox.publish_after_commit([event])
    return {"job": jobs.job_view(job), "open_leads_for_customer": open_leads_for_phones(tenant_id, phones)}
