"""A CSR classifies a call: the call's reason, notes and booking, and, for a reason marked as lead, the lead it
captures (once per call), in one transaction."""

from __future__ import annotations

from typing import Any

from leadline.calls import service as calls
from leadline.data import store
from leadline.events import outbox
from leadline.ids import utc_now
from leadline.leads import service as leads


def classify(
    tenant_id: str,
    call_id: str,
    *,
    employee_id: str,
    call_reason_id: str,
    notes: str | None,
    booked: bool | None,
    job_id: str | None,
) -> dict[str, Any]:
    classified = calls.classify(
        tenant_id,
        call_id,
        employee_id=employee_id,
        call_reason_id=call_reason_id,
        notes=notes,
        booked=booked,
        job_id=job_id,
    )
    call, steps, events = classified.call, list(classified.steps), []
    if classified.reason.is_lead and not call.lead_id:
        lead = leads.lead_from_call(
            call,
            source="call",
            created_by=employee_id,
            call_reason_id=call_reason_id,
            notes=[{"at": utc_now(), "by": employee_id, "text": notes}] if notes else [],
        )
        call.lead_id = lead.lead_id
        lead_steps, event = leads.creation_steps(lead)
        steps += lead_steps
        events.append(event)
    store.transact(steps)
    if events:
        outbox.publish_after_commit(events)
    return calls.call_view(call)
