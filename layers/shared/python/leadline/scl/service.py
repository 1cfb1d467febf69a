"""Second Chance Leads: the evaluation when a call's after-call work elapses (its rules: `evaluation`), the review
queue, the statuses.

No more than one SCL is made for a caller's number in the recent window: that rule is one conditional write on the
number's claim item, so concurrent evaluations of calls from one number make one SCL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline import rules
from leadline.data import store
from leadline.data.models import Call, SecondChanceLead, TenantSettings
from leadline.data.repositories import calls, customers, jobs, settings
from leadline.data.repositories import scl as scls
from leadline.data.repositories.people import employees
from leadline.data.store import TxStep
from leadline.errors import Conflict, InvalidInput
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import utc_now
from leadline.permissions import Permission
from leadline.reports import projection
from leadline.scl import evaluation
from leadline.scl import statuses as st
from leadline.scl.analysis import Analysis, CallAnalyser, CallContext
from leadline.scl.evaluation import Decision, Facts, Need
from leadline.setup import service as setup

MAX_ATTEMPTS = 5
ALREADY_EVALUATED, NO_CALL = "already-evaluated", "no-call"


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _cold_after(tenant_settings: TenantSettings) -> timedelta:
    return timedelta(hours=int(tenant_settings.cold_lead_threshold_hours))


# --- views ---------------------------------------------------------------------------------------


def scl_view(scl: SecondChanceLead, tenant_settings: TenantSettings, *, full: bool = False) -> dict[str, Any]:
    now = datetime.now(UTC)
    view = {
        "scl_id": scl.scl_id,
        "call_id": scl.call_id,
        "phone": scl.phone,
        "status": scl.status,
        "status_label": st.LABELS[scl.status],
        "tab": st.tab(scl.status, _moment(scl.created_at), now, _cold_after(tenant_settings)),
        "summary": scl.summary,
        "reasons": list(scl.reasons or []),
        "confidence": float(scl.confidence),
        "call_started_at": scl.call_started_at,
        "call_type": scl.call_type,
        "campaign_id": scl.campaign_id,
        "job_id": scl.job_id,
        "created_at": scl.created_at,
        "updated_at": scl.updated_at,
    }
    if full:
        view |= {
            "call_ended_at": scl.call_ended_at,
            "agent": scl.agent,
            "csr_notes": scl.csr_notes,
            "transcript": scl.transcript,
            "recording_url": scl.recording_url,
            "notes": [dict(n) for n in scl.notes or []],
            "history": [dict(h) for h in scl.history or []],
        }
    return view


def _index(scl: SecondChanceLead) -> None:
    scls.index(scl, is_open=scl.status in st.OPEN_STATUSES)


def _status_event(scl: SecondChanceLead, previous: str | None) -> DomainEvent:
    kind = "SecondChanceLeadCreated" if previous is None else "SecondChanceLeadStatusChanged"
    return DomainEvent(
        kind,
        scl.tenant_id,
        {
            "scl_id": scl.scl_id,
            "call_id": scl.call_id,
            "phone": scl.phone,
            "status": scl.status,
            "previous_status": previous,
            "summary": scl.summary,
            "campaign_id": scl.campaign_id,
        },
    )


# --- the evaluation ------------------------------------------------------------------------------


def evaluate(tenant_id: str, call_id: str, analyser: CallAnalyser) -> str:
    """The outcome, also kept on the call (see `evaluation`), or already-evaluated, or no-call."""
    analyses: dict[str, Analysis] = {}  # a retry after a write conflict does not pay for the analysis again
    for _attempt in range(MAX_ATTEMPTS):
        found = store.batch_get_raw(tenant_id, [calls.key(call_id), settings.KEY], consistent=True)
        call = calls.from_batch(found, call_id)
        if call is None:
            return NO_CALL
        tenant_settings = settings.from_batch(found)
        if call.scl_id or call.scl_evaluation in evaluation.FINAL:
            return ALREADY_EVALUATED
        decision, facts = _decide(call, tenant_settings, Facts(), analyser, analyses)
        steps: list[TxStep] = []
        events: list[DomainEvent] = []
        if decision.creates_scl:
            scl = _new_scl(call, facts.analysis, decision)
            call.scl_id = scl.scl_id
            created = _status_event(scl, None)
            steps += [
                scls.phone_claim_step(
                    scl,
                    unless_since=_iso(datetime.now(UTC) - st.RECENT),
                    message=f"an SCL was made for this number in {rules.SCL_RECENT_TEXT}",
                ),
                scls.create_step(scl),
                outbox.step(created),
                *projection.change(scl),
            ]
            events.append(created)
        try:
            store.transact([_marked(call, decision, facts.analysis), *steps])
        except _Changed:
            continue
        except Conflict:
            # the number's claim is younger than the window (another call's SCL, maybe made this very moment)
            call = calls.get(tenant_id, call_id, consistent=True)
            if call is None or call.scl_id:
                return ALREADY_EVALUATED
            decision, facts = _decide(call, tenant_settings, replace(facts, number_claimed=True), analyser, analyses)
            try:
                store.transact([_marked(call, decision, facts.analysis)])
            except Conflict:
                continue
            return decision.outcome
        outbox.publish_after_commit(events)
        return decision.outcome
    raise Conflict(f"call {call_id} kept changing during its evaluation; the event will be retried")


class _Changed(Conflict):
    pass


def _decide(
    call: Call, tenant_settings: TenantSettings, facts: Facts, analyser: CallAnalyser, analyses: dict[str, Analysis]
) -> tuple[Decision, Facts]:
    """The rules' decision, and what was read for it: each thing they ask for, in turn."""
    while isinstance(step := evaluation.decide(call, tenant_settings, facts), Need):
        if step is Need.CALLER_JOBS:
            booked = jobs.booked_for_caller_since(call.tenant_id, call.from_number, call.ended_at)
            facts = replace(facts, job_booked_since_call=booked)
        else:
            text = evaluation.transcript_text(call)
            if text not in analyses:
                context = CallContext(
                    direction=call.direction,
                    duration_seconds=int(call.duration_seconds) or None,
                    call_type=call.call_type,
                    csr_notes=call.notes,
                )
                analyses[text] = analyser.analyse(text, context)
            facts = replace(facts, analysis=analyses[text])
    return step, facts


def _marked(call: Call, decision: Decision, analysis: Analysis | None) -> TxStep:
    """The call's write, with the evaluation's outcome kept on it, and the analyser's verdict if it judged the call
    (a manager audits the calls judged not a prospect by their reasons)."""
    call.scl_evaluation = decision.outcome
    if analysis is not None:
        call.analysis = {
            "is_prospect": analysis.is_prospect,
            "confidence": round(analysis.confidence, 3),
            "summary": analysis.summary,
            "reasons": list(analysis.reasons),
        }
    store.touch(call)
    step = TxStep.put(call, "the call changed meanwhile")
    step.error = _Changed
    return step


def _new_scl(call: Call, analysis: Analysis, decision: Decision) -> SecondChanceLead:
    recording = store.plain_map(call.recording) or {}
    transcript = store.plain_map(call.transcript) or {}
    scl_id = "scl-" + hashlib.sha256(f"{call.tenant_id}|{call.call_id}".encode()).hexdigest()[:24]
    scl = scls.new(
        call.tenant_id,
        scl_id,
        call_id=call.call_id,
        phone=call.from_number,
        status=st.NEW,
        call_started_at=call.started_at,
        call_ended_at=call.ended_at,
        call_type=call.call_type,
        campaign_id=call.campaign_id,
        agent=call.agent or call.classified_by,
        csr_notes=call.notes,
        summary=analysis.summary,
        reasons=list(analysis.reasons),
        confidence=analysis.confidence,
        transcript=transcript["text"],
        search_text=(transcript["text"] + "\n" + analysis.summary).lower(),
        recording_url=recording.get("url"),
    )
    scl.history = [{"at": scl.created_at, "by": None, "from": None, "to": st.NEW, "why": decision.reason}]
    _index(scl)
    return scl


def transcript_on(call: Call) -> list[DomainEvent]:
    """A transcript is on the call: if its evaluation was waiting for one, the event that brings it back (to be
    written with the call)."""
    if call.scl_evaluation != evaluation.AWAITING_TRANSCRIPT:
        return []
    call.scl_evaluation = evaluation.TRANSCRIPT_ARRIVED
    return [DomainEvent("SecondChanceLeadEvaluationDue", call.tenant_id, {"call_id": call.call_id})]


# --- the review queue ----------------------------------------------------------------------------


def _settings(tenant_id: str) -> TenantSettings:
    return settings.get_or_404(tenant_id)


def list_queue(
    tenant_id: str, *, tab: str, status: str | None, search: str | None, limit: int, next_token: str | None
) -> dict[str, Any]:
    tenant_settings = _settings(tenant_id)
    cutoff = _iso(datetime.now(UTC) - _cold_after(tenant_settings))
    if status and (status in st.OPEN_STATUSES) == (tab == st.DONE):
        raise InvalidInput(f"status '{status}' is never in the {tab} tab", field="status")
    page = scls.queue_page(
        tenant_id,
        status=status,
        is_open=tab != st.DONE,
        created_from=cutoff if tab == st.OPEN else None,
        created_before=cutoff if tab == st.COLD else None,
        search=search.lower() if search else None,
        limit=limit,
        next_token=next_token,
    )
    return {"items": [scl_view(s, tenant_settings) for s in page.items], "next_token": page.next_token}


def tab_counts(tenant_id: str) -> dict[str, int]:
    """How many SCLs each tab holds now: Open, Cold (open, older than the cold-lead threshold), Done."""
    cutoff = _iso(datetime.now(UTC) - _cold_after(_settings(tenant_id)))
    return {
        st.OPEN: scls.count_queue(tenant_id, is_open=True, created_from=cutoff),
        st.COLD: scls.count_queue(tenant_id, is_open=True, created_before=cutoff),
        st.DONE: scls.count_queue(tenant_id, is_open=False),
    }


def get(tenant_id: str, scl_id: str) -> dict[str, Any]:
    return scl_view(scls.get_or_404(tenant_id, scl_id), _settings(tenant_id), full=True)


def _change(
    tenant_id: str,
    scl_id: str,
    target: str,
    *,
    by: str | None,
    why: str | None,
    automatic: bool = False,
    job_id: str | None = None,
    saved_by: str | None = None,
) -> dict[str, Any]:
    for _attempt in range(MAX_ATTEMPTS):
        scl = scls.get_or_404(tenant_id, scl_id, consistent=True)
        if not automatic:
            try:
                st.check_manual_change(scl.status, target)
            except st.Refused as exc:
                raise Conflict(str(exc)) from None
            except ValueError as exc:
                raise InvalidInput(str(exc), field="status") from None
        elif scl.status not in st.OPEN_STATUSES:
            return scl_view(scl, _settings(tenant_id))
        previous = scl.status
        if previous == target:
            return scl_view(scl, _settings(tenant_id), full=True)
        before = projection.counts(scl)
        scl.status = target
        scl.job_id = job_id or scl.job_id
        scl.history = [*(scl.history or []), {"at": utc_now(), "by": by, "from": previous, "to": target, "why": why}]
        if target in (st.CALL_BACK_ATTEMPTED, st.BOOKED_BY_SCL) and not scl.followed_up_at:
            scl.followed_up_at = utc_now()
        if target == st.BOOKED_BY_SCL:
            scl.saved_by = saved_by
        _index(scl)
        store.touch(scl)
        event = _status_event(scl, previous)
        step = TxStep.put(scl, "the SCL changed meanwhile")
        step.error = _Changed
        counting = projection.change(scl, before)
        try:
            store.transact([step, outbox.step(event), *counting])
        except _Changed:
            continue
        outbox.publish_after_commit([event])
        return scl_view(scl, _settings(tenant_id), full=True)
    raise Conflict(f"second chance lead {scl_id} kept changing at the same time; retry")


def call_back(tenant_id: str, scl_id: str, *, by: str) -> dict[str, Any]:
    return _change(tenant_id, scl_id, st.CALL_BACK_ATTEMPTED, by=by, why="Call customer back")


def dismiss(tenant_id: str, scl_id: str, *, reason: str, by: str) -> dict[str, Any]:
    target = st.DISMISS_REASONS.get(reason)
    if target is None:
        raise InvalidInput(f"reason must be one of {', '.join(st.DISMISS_REASONS)}", field="reason")
    why = "It's not a lead" if reason == "not_a_lead" else "It's a lead but I'm not going to follow up"
    return _change(tenant_id, scl_id, target, by=by, why=why)


def set_status(tenant_id: str, scl_id: str, status: str, *, by: str, why: str | None) -> dict[str, Any]:
    return _change(tenant_id, scl_id, status, by=by, why=why)


def add_note(
    tenant_id: str, scl_id: str, text: str, *, by: str, copy_to_customer: str | None, copy_to_location: str | None
) -> dict[str, Any]:
    """A note on the SCL, optionally copied to the customer's or the location's notes, in one transaction."""
    copies = (("customer", copy_to_customer, customers.get), ("location", copy_to_location, customers.get_location))
    for _attempt in range(MAX_ATTEMPTS):
        scl = scls.get_or_404(tenant_id, scl_id)
        now = utc_now()
        scl.notes = [*(scl.notes or []), {"at": now, "by": by, "text": text}]
        store.touch(scl)
        step = TxStep.put(scl, "the SCL changed meanwhile")
        step.error = _Changed
        steps = [step]
        line = f"[{now[:10]} Second Chance Lead] {text}"
        for what, ident, read in copies:
            if ident:
                record = read(tenant_id, ident)
                if record is None:
                    raise InvalidInput(f"{what} {ident} does not exist", field=f"copy_to_{what}_id")
                record.notes = f"{record.notes}\n{line}" if record.notes else line
                store.touch(record)
                steps.append(TxStep.put(record, f"the {what} changed at the same time; retry"))
        try:
            store.transact(steps)
        except _Changed:
            continue
        return scl_view(scl, _settings(tenant_id), full=True)
    raise Conflict("the SCL kept changing at the same time; retry")


def banner(tenant_id: str, phone: str) -> dict[str, Any]:
    """For the job-booking screen: the caller's SCL in Open or Cold from the recent window, if any."""
    recent = scls.of_caller(tenant_id, phone, since=_iso(datetime.now(UTC) - st.RECENT), limit=10)
    tenant_settings = _settings(tenant_id)
    current = next((s for s in recent if s.status in st.OPEN_STATUSES), None)
    return {"phone": phone, "second_chance_lead": scl_view(current, tenant_settings) if current else None}


def on_job_booked(
    tenant_id: str,
    *,
    job_id: str,
    phone: str | None,
    booked_at: str,
    booked_by: str | None = None,
    other_phones: Iterable[str] = (),
) -> list[str]:
    """The automatic statuses: each open SCL of the caller (of `phone`, and of the customer's `other_phones`) ends
    as booked by SCL, or booked elsewhere."""
    changed = []
    phones = [p for p in dict.fromkeys([phone, *other_phones]) if p]
    for scl in (found for number in phones for found in scls.of_caller(tenant_id, number, limit=50)):
        if scl.status not in st.OPEN_STATUSES:
            continue
        target = st.automatic_status(_moment(booked_at), _moment(scl.created_at))
        _change(
            tenant_id,
            scl.scl_id,
            target,
            by=None,
            why=f"job {job_id} booked",
            automatic=True,
            job_id=job_id,
            saved_by=booked_by,
        )
        changed.append(scl.scl_id)
    return changed


# --- settings ------------------------------------------------------------------------------------


def settings_view(tenant_id: str) -> dict[str, Any]:
    s = _settings(tenant_id)
    with_access = []
    for employee in employees.list_all(tenant_id):
        if not employee.active:
            continue
        _, permissions = setup.effective_permissions(tenant_id, employee.employee_id, employee.role_id)
        if Permission.VIEW_SECOND_CHANCE_LEADS in permissions:
            granted = Permission.VIEW_SECOND_CHANCE_LEADS in (employee.granted_permissions or ())
            with_access.append(
                {
                    "employee_id": employee.employee_id,
                    "name": employee.name,
                    "role_id": employee.role_id,
                    "access_by": "employee grant" if granted else "role",
                }
            )
    return {
        "enabled": s.scl_enabled,
        "after_call_work_minutes": int(s.after_call_work_minutes),
        "cold_lead_threshold_hours": int(s.cold_lead_threshold_hours),
        "employees_with_access": with_access,
    }
