"""Applying call events to call records, classifying calls, reading them. What follows a call (its after-call
work, the leads and Second Chance Leads it may become) is not known here: `ingest` takes it from its caller as an
`AfterCall`, and a classification is written by whoever asked for it (`leadline.workflows`).

One event costs two DynamoDB requests on the hot path: a consistent BatchGetItem (the call, the tenant's
settings, the called number and which campaign advertises it) and one TransactWriteItems (the event record,
whose key is the dedupe key, and the call under its version). The event's own conditional write is the
idempotency: a duplicate cancels the transaction and nothing changes.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from leadline import deliveries
from leadline.calls.events import INBOUND, OUTBOUND, CallEvent, Recording, Transcript
from leadline.calls.state import CallState, merge
from leadline.data import store
from leadline.data.models import Call, CallReason, Delivery, TenantSettings
from leadline.data.repositories import calls, campaigns, settings, tracking_numbers
from leadline.data.repositories.operations import call_reasons
from leadline.data.store import TxStep
from leadline.dni import service as dni
from leadline.errors import Conflict, InvalidInput, NotFound
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import utc_now
from leadline.reports import aggregates, projection
from leadline.setup.attribution import DIRECT, attribute

MAX_ATTEMPTS = 10


# --- the record <-> the domain state -------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def to_state(item: Call) -> CallState:
    recording = store.plain_map(item.recording)
    transcript = store.plain_map(item.transcript)
    return CallState(
        call_id=item.call_id,
        vendor=item.vendor,
        direction=item.direction,
        from_number=item.from_number,
        to_number=item.to_number,
        status=item.status,
        status_sequence=int(item.status_sequence),
        answered=item.answered,
        started_at=_moment(item.started_at),
        ended_at=_moment(item.ended_at),
        duration_seconds=int(item.duration_seconds),
        agent=item.agent,
        recording=Recording(**{k: int(v) if k == "duration_seconds" else v for k, v in recording.items()})
        if recording
        else None,
        transcript=Transcript(**transcript) if transcript else None,
        vendor_details=store.plain_map(item.vendor_details) or {},
    )


def _write_state(item: Call, state: CallState) -> None:
    item.vendor = state.vendor
    item.direction = state.direction
    item.from_number = state.from_number
    item.to_number = state.to_number
    item.status = state.status
    item.status_sequence = state.status_sequence
    item.answered = state.answered
    item.started_at = _iso(state.started_at)
    item.ended_at = _iso(state.ended_at)
    item.duration_seconds = state.duration_seconds
    item.agent = state.agent
    item.recording = vars(state.recording).copy() if state.recording else None
    item.transcript = vars(state.transcript).copy() if state.transcript else None
    item.vendor_details = dict(state.vendor_details) or None


# --- ingest --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    result: str  # "applied" | "duplicate"
    call_id: str
    after_call_work_started: bool = False


class AfterCall(Protocol):
    """What follows a call, supplied by whoever applies its events (the after-call workflow). What it returns is
    written in the call's own transaction, so an event still costs one read and one write."""

    def call_ended(self, call: Call, settings: TenantSettings) -> list[TxStep]:
        """An inbound call has just ended (once per call): start its after-call work; the steps to write with it."""
        ...

    def transcript_on(self, call: Call) -> list[DomainEvent]:
        """The call has a transcript: the events to announce with this change of the call (none, mostly)."""
        ...


def ingest(
    tenant_id: str,
    event: CallEvent,
    *,
    after_call: AfterCall,
    raw: str | None = None,
    already_kept: bool = False,
) -> Outcome:
    """Fold one delivery into its call. `already_kept`: the event record was stored first (CallRail)."""
    wanted = [calls.key(event.call_id), settings.KEY]
    if event.to_number:
        wanted += [tracking_numbers.key(event.to_number), campaigns.dnis_key(event.to_number)]
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))  # another delivery of this call won; back off
        found = store.batch_get_raw(tenant_id, wanted, consistent=True)
        tenant_settings = settings.from_batch(found)
        if tenant_settings is None:
            raise NotFound(f"tenant {tenant_id} not found")
        existing = calls.from_batch(found, event.call_id)
        item = existing or calls.new(tenant_id, event.call_id, vendor=event.vendor)
        before = to_state(existing) if existing else CallState(call_id=event.call_id)
        after = merge(before, event)
        _write_state(item, after)
        counting: list[TxStep] = []
        if item.attribution is None and after.to_number:
            _attribute(item, after, found)
            aggregates.remember_zone(tenant_id, tenant_settings.time_zone)
            _report_day(item, after)
            counting = projection.change(item)  # counted once, when first attributed
        follow_up: list[TxStep] = []
        started_acw = False
        if after.ended and not before.ended and after.direction != OUTBOUND and not item.after_call_work_started_at:
            # Every inbound call gets its after-call work: when it elapses, an unclassified long call becomes an
            # abandoned-call lead, and (with Second Chance Leads on) the call is evaluated.
            follow_up += after_call.call_ended(item, tenant_settings)
            item.after_call_work_started_at = utc_now()
            started_acw = True
        announced = after_call.transcript_on(item) if after.transcript and after.transcript.text else []
        follow_up += [outbox.step(e) for e in announced]
        calls.index(item)
        store.touch(item)
        steps = [_event_step(tenant_id, event, raw, already_kept), _call_step(item, existing is None), *counting]
        try:
            store.transact([*steps, *follow_up])
        except _CallChanged:
            continue
        except Conflict:
            return Outcome("duplicate", event.call_id)
        if announced:
            outbox.publish_after_commit(announced)
        return Outcome("applied", event.call_id, started_acw)
    raise Conflict(f"call {event.call_id} kept changing under concurrent deliveries; retry")


class _CallChanged(Conflict):
    pass


def _attribute(item: Call, state: CallState, found: dict[str, dict]) -> None:
    if state.direction == OUTBOUND:
        item.attribution, item.campaign_id = DIRECT, None
        return
    number = tracking_numbers.from_batch(found, state.to_number)
    claim = campaigns.dnis_from_batch(found, state.to_number)
    item.attribution, item.campaign_id = attribute(number, claim.campaign_id if claim else None)
    item.call_type = number.default_call_type if number else None
    if number is not None and number.dni_pool:  # a DNI pool number: the visitor session holding it decides (1 Query)
        dni.attribute(item, number, state.started_at)


def _report_day(item: Call, state: CallState | None = None) -> str:
    if not item.report_day:
        started = state.started_at if state is not None else None
        item.report_day = aggregates.day_of(item.tenant_id, _iso(started) or item.started_at or item.created_at)
    return item.report_day


def _event_step(tenant_id: str, event: CallEvent, raw: str | None, already_kept: bool) -> TxStep:
    record = deliveries.new_record(
        tenant_id,
        event.dedupe_key,
        event.vendor,
        raw=raw,
        state=deliveries.PROCESSED,
        kind=event.kind,
        call_id=event.call_id,
    )
    if already_kept:  # stored first (CallRail), or kept when it could not be applied: applied once, from either
        condition = Delivery.state.is_in(deliveries.RECEIVED, deliveries.REJECTED)
        return TxStep.put(record, "this delivery was already applied", condition=condition)
    return TxStep.put(record, "this delivery was already applied", condition=Delivery.pk.does_not_exist())


def _call_step(item: Call, is_new: bool) -> TxStep:
    step = TxStep.put(item, "the call changed at the same time", condition=Call.pk.does_not_exist() if is_new else None)
    step.error = _CallChanged
    return step


# --- staff: read, list, classify -----------------------------------------------------------------


def call_view(item: Call) -> dict[str, Any]:
    recording = store.plain_map(item.recording) or {}
    transcript = store.plain_map(item.transcript) or {}
    return {
        "call_id": item.call_id,
        "vendor": item.vendor,
        "direction": item.direction,
        "from_number": item.from_number,
        "to_number": item.to_number,
        "status": item.status,
        "answered": item.answered,
        "started_at": item.started_at,
        "ended_at": item.ended_at,
        "duration_seconds": int(item.duration_seconds),
        "agent": item.agent,
        "attribution": item.attribution,
        "campaign_id": item.campaign_id,
        "call_type": item.call_type,
        "recording_url": recording.get("url") or None,
        "recording_status": recording.get("status"),
        "transcript": transcript.get("text") or None,
        "dni_session": store.plain_map(item.dni_session),
        "vendor_details": store.plain_map(item.vendor_details) or {},
        "classification": {
            "call_reason_id": item.call_reason_id,
            "is_lead": item.is_lead,
            "lead_id": item.lead_id,
            "notes": item.notes,
            "booked": item.booked,
            "job_id": item.job_id,
            "classified_by": item.classified_by,
            "classified_at": item.classified_at,
        },
        "after_call_work_started_at": item.after_call_work_started_at,
        "scl_evaluation": item.scl_evaluation,
        "analysis": store.plain_map(item.analysis),
        "updated_at": item.updated_at,
    }


def get_call(tenant_id: str, call_id: str) -> dict[str, Any]:
    return call_view(calls.get_or_404(tenant_id, call_id))


def day_range(day: str, time_zone: str) -> tuple[str, str]:
    """The tenant's calendar day as a range of UTC sort keys."""
    try:
        start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(time_zone))
    except ValueError:
        raise InvalidInput(f"day '{day}' is not a date (YYYY-MM-DD)", field="day") from None
    end = start + timedelta(days=1)
    return _iso(start), _iso(end)


def list_calls(
    tenant_id: str,
    *,
    day: str | None,
    campaign_id: str | None,
    caller: str | None,
    evaluated: str | None = None,
    limit: int,
    next_token: str | None,
) -> dict[str, Any]:
    """Newest first: by day (the tenant's), by campaign ('unknown' and 'direct' too) or by caller number; only
    those whose SCL evaluation ended `evaluated`, if given (then every day unless one is given)."""
    if campaign_id and caller:
        raise InvalidInput("filter by campaign_id or by caller, not both", field="caller")
    if not campaign_id and not caller and day is None and not evaluated:
        day = datetime.now(ZoneInfo(settings.get_or_404(tenant_id).time_zone)).date().isoformat()
    between = day_range(day, settings.get_or_404(tenant_id).time_zone) if day else None
    page = calls.list_started(
        tenant_id,
        campaign=campaign_id,
        caller=caller,
        between=between,
        evaluated=evaluated,
        limit=limit,
        next_token=next_token,
    )
    return {"items": [call_view(i) for i in page.items], "next_token": page.next_token}


@dataclass(frozen=True)
class Classification:
    """A CSR's classification of a call, to be written: the call as classified, its reason, and the steps that
    write it (the call and its report counters)."""

    call: Call
    reason: CallReason
    steps: list[TxStep]


def classify(
    tenant_id: str,
    call_id: str,
    *,
    employee_id: str,
    call_reason_id: str,
    notes: str | None,
    booked: bool | None,
    job_id: str | None,
) -> Classification:
    """A CSR's call reason, notes and booking; written by the caller with what follows from it (a lead reason
    captures a lead from the call, once: `workflows.classify_call`)."""
    found = store.batch_get_raw(tenant_id, [calls.key(call_id), call_reasons.key(call_reason_id)])
    call = calls.from_batch(found, call_id)
    if call is None:
        raise NotFound(f"call {call_id} not found")
    reason = call_reasons.from_batch(found, call_reason_id)
    if reason is None:
        raise InvalidInput(
            f"call reason {call_reason_id} does not exist; see GET /v1/call-reasons", field="call_reason_id"
        )
    before = projection.counts(call)
    call.call_reason_id, call.is_lead, call.notes = call_reason_id, reason.is_lead, notes
    if booked is not None:
        call.booked = booked
    if job_id is not None:
        call.job_id = job_id
    call.classified_by, call.classified_at = employee_id, utc_now()
    store.touch(call)
    steps = [TxStep.put(call, "the call changed at the same time; read it again and retry")]
    steps += projection.change(call, before)  # a call is handled by whoever classified it last
    return Classification(call, reason, steps)


__all__ = ["INBOUND", "AfterCall", "Classification", "ingest", "classify", "get_call", "list_calls"]
