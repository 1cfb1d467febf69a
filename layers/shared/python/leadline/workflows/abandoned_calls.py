"""Abandoned-call leads: when a call's after-call work elapses, an inbound call longer than
`rules.ABANDONED_CALL_SECONDS` that no CSR classified becomes a lead (whether Second Chance Leads is on or not)."""

from __future__ import annotations

from leadline import rules
from leadline.calls.events import OUTBOUND
from leadline.data import store
from leadline.data.models import Call
from leadline.data.repositories import calls
from leadline.data.store import TxStep
from leadline.errors import Conflict
from leadline.events import outbox
from leadline.leads import service as leads

MAX_ATTEMPTS = 5


class _CallChanged(Conflict):
    pass


def is_abandoned(call: Call) -> bool:
    return (
        call.direction != OUTBOUND
        and int(call.duration_seconds or 0) > rules.ABANDONED_CALL_SECONDS
        and not call.call_reason_id
        and not call.lead_id
    )


def capture(tenant_id: str, call_id: str) -> str:
    """'captured', 'duplicate' (a redelivered event), 'not-abandoned' or 'no-call'."""
    for _attempt in range(MAX_ATTEMPTS):
        call = calls.get(tenant_id, call_id, consistent=True)
        if call is None:
            return "no-call"
        if not is_abandoned(call):
            return "not-abandoned"
        lead = leads.lead_from_call(
            call,
            source="abandoned_call",
            created_by=None,
            summary=f"Inbound call of {int(call.duration_seconds)} s that no CSR classified",
        )
        call.lead_id = lead.lead_id
        store.touch(call)
        call_step = TxStep.put(call, "the call changed meanwhile")
        call_step.error = _CallChanged
        lead_steps, event = leads.creation_steps(lead)
        try:
            store.transact([*lead_steps, call_step])
        except _CallChanged:
            continue
        except Conflict:
            return "duplicate"
        outbox.publish_after_commit([event])
        return "captured"
    raise Conflict(f"call {call_id} kept changing; the event will be retried")
