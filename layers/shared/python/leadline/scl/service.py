"""Second Chance Leads: the evaluation when a call's after-call work elapses, the review queue, the statuses.

An SCL is made when all hold: SCL is on for the company; the call was inbound, has a recording and a
transcript; nothing was booked from it (nor for the caller since the call ended); the analysis says the caller
was a prospect; and no SCL was made for the caller's number in the last 14 days. That last rule is one
conditional write on the number's claim item, so concurrent evaluations of calls from one number make one SCL.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline.calls.events import OUTBOUND
from leadline.calls.service import SETTINGS_SK, call_sk
from leadline.data import store
from leadline.data.models import (
    Call,
    Customer,
    Job,
    Location,
    PhoneSclClaim,
    SecondChanceLead,
    TenantSettings,
    tenant_pk,
)
from leadline.data.store import TxStep
from leadline.errors import Conflict, InvalidInput
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import utc_now
from leadline.reports import aggregates
from leadline.scl import statuses as st
from leadline.scl.analysis import CallAnalyser, CallContext

MAX_ATTEMPTS = 5


def scl_sk(scl_id: str) -> str:
    return f"SCL#{scl_id}"


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _cold_after(settings: TenantSettings) -> timedelta:
    return timedelta(hours=int(settings.cold_lead_threshold_hours))


# --- views ---------------------------------------------------------------------------------------


def scl_view(scl: SecondChanceLead, settings: TenantSettings, *, full: bool = False) -> dict[str, Any]:
    now = datetime.now(UTC)
    view = {
        "scl_id": scl.scl_id,
        "call_id": scl.call_id,
        "phone": scl.phone,
        "status": scl.status,
        "status_label": st.LABELS[scl.status],
        "tab": st.tab(scl.status, _moment(scl.created_at), now, _cold_after(settings)),
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
    tenant = tenant_pk(scl.tenant_id)
    order = f"{scl.created_at}#{scl.scl_id}"
    bucket = "OPEN" if scl.status in st.OPEN_STATUSES else "DONE"
    scl.gsi1pk, scl.gsi1sk = f"{tenant}#SCL#{bucket}", order
    scl.gsi2pk, scl.gsi2sk = f"{tenant}#SCL#STATUS#{scl.status}", order
    scl.gsi3pk, scl.gsi3sk = f"{tenant}#CALLER#{scl.phone}#SCL", order


def _counting(
    scl: SecondChanceLead,
    campaign_counters: dict[str, int],
    *,
    agent_counters: dict[str, int] | None = None,
    saver_counters: dict[str, int] | None = None,
    status_moves: tuple[tuple[str, int], ...] = (),
) -> list[TxStep]:
    """The report counters of an SCL's creation or status change, on its creation day."""
    day = aggregates.day_of(scl.tenant_id, scl.created_at)
    changes = [
        (aggregates.CAMPAIGN, scl.campaign_id, campaign_counters),
        (aggregates.CSR, scl.agent, agent_counters or {}),
        (aggregates.CSR, scl.saved_by, saver_counters or {}),
        *((aggregates.SCL_STATUS, status, {"scls": amount}) for status, amount in status_moves),
    ]
    return aggregates.steps(scl.tenant_id, day, scl.scl_id, changes)


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


def _booked_since(tenant_id: str, phone: str, since: str | None) -> bool:
    key = f"{tenant_pk(tenant_id)}#CALLER#{phone}#JOBS"
    condition = Job.gsi3sk >= since if since else None
    page = store.query_index(Job.by_person, key, condition, limit=1, next_token=None)
    return bool(page.items)


def _mark(call: Call, outcome: str) -> str:
    call.scl_evaluation = outcome
    store.touch(call)
    return outcome


def evaluate(tenant_id: str, call_id: str, analyser: CallAnalyser) -> str:
    """The outcome, also kept on the call: created, disabled, outbound, no-recording, booked, no-caller-number,
    awaiting-transcript, not-a-prospect, recent-scl-for-number, already-evaluated, no-call."""
    analyses: dict[str, Any] = {}  # a retry after a write conflict does not pay for the analysis again
    for _attempt in range(MAX_ATTEMPTS):
        found = store.batch_get_raw(tenant_id, [call_sk(call_id), SETTINGS_SK], consistent=True)
        if call_sk(call_id) not in found:
            return "no-call"
        call = Call.from_raw_data(found[call_sk(call_id)])
        settings = TenantSettings.from_raw_data(found[SETTINGS_SK])
        if call.scl_id or call.scl_evaluation in ("created", "not-a-prospect", "recent-scl-for-number"):
            return "already-evaluated"
        outcome, scl = _decide(tenant_id, call, settings, analyser, analyses)
        call_step = TxStep.put(call, "the call changed meanwhile")
        call_step.error = _Changed
        steps = [call_step]
        events: list[DomainEvent] = []
        if scl is not None:
            claim = store.new_item(
                PhoneSclClaim,
                tenant_id,
                f"SCLPHONE#{scl.phone}",
                phone=scl.phone,
                scl_id=scl.scl_id,
                claimed_at=scl.created_at,
            )
            cutoff = _iso(datetime.now(UTC) - st.RECENT)
            created = _status_event(scl, None)
            steps += [
                TxStep.put(
                    claim,
                    "an SCL was made for this number in the last 14 days",
                    condition=PhoneSclClaim.pk.does_not_exist() | (PhoneSclClaim.claimed_at < cutoff),
                ),
                TxStep.put(scl, "this call's SCL exists already", condition=SecondChanceLead.pk.does_not_exist()),
                outbox.step(created),
                *_counting(scl, {"scls": 1}, agent_counters={"scls": 1}, status_moves=((st.NEW, 1),)),
            ]
            events.append(created)
        try:
            store.transact(steps)
        except _Changed:
            continue
        except Conflict:
            # the number's claim is younger than 14 days (another call's SCL, maybe made this very moment)
            call = store.get(Call, tenant_id, call_sk(call_id), consistent=True)
            if call is None or call.scl_id:
                return "already-evaluated"
            _mark(call, "recent-scl-for-number")
            try:
                store.transact([TxStep.put(call, "the call changed meanwhile")])
            except Conflict:
                continue
            return "recent-scl-for-number"
        outbox.publish_after_commit(events)
        return outcome
    raise Conflict(f"call {call_id} kept changing during its evaluation; the event will be retried")


class _Changed(Conflict):
    pass


def _decide(tenant_id: str, call: Call, settings: TenantSettings, analyser: CallAnalyser, analyses: dict):
    """(outcome, SCL to create or None); the outcome is also set on the call."""
    recording = store.plain_map(call.recording) or {}
    transcript = store.plain_map(call.transcript) or {}
    if not settings.scl_enabled:
        return _mark(call, "disabled"), None
    if call.direction == OUTBOUND:
        return _mark(call, "outbound"), None
    if not recording.get("url") or recording.get("status") not in (None, "completed"):
        return _mark(call, "no-recording"), None
    if call.booked or call.job_id:
        return _mark(call, "booked"), None
    if not call.from_number:
        return _mark(call, "no-caller-number"), None
    if _booked_since(tenant_id, call.from_number, call.ended_at):
        return _mark(call, "booked"), None
    text = (transcript.get("text") or "").strip()
    if not text:
        return _mark(call, "awaiting-transcript"), None  # evaluated again when the transcript arrives
    if text not in analyses:
        context = CallContext(
            direction=call.direction,
            duration_seconds=int(call.duration_seconds) or None,
            call_type=call.call_type,
            csr_notes=call.notes,
        )
        analyses[text] = analyser.analyse(text, context)
    analysis = analyses[text]
    if not analysis.is_prospect:
        return _mark(call, "not-a-prospect"), None
    scl_id = "scl-" + hashlib.sha256(f"{tenant_id}|{call.call_id}".encode()).hexdigest()[:24]
    scl = store.new_item(
        SecondChanceLead,
        tenant_id,
        scl_sk(scl_id),
        scl_id=scl_id,
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
    scl.history = [{"at": scl.created_at, "by": None, "from": None, "to": st.NEW, "why": "; ".join(analysis.reasons)}]
    _index(scl)
    call.scl_id = scl_id
    return _mark(call, "created"), scl


# --- the review queue ----------------------------------------------------------------------------


def _settings(tenant_id: str) -> TenantSettings:
    return store.get_or_404(TenantSettings, tenant_id, SETTINGS_SK, "tenant")


def list_queue(
    tenant_id: str, *, tab: str, status: str | None, search: str | None, limit: int, next_token: str | None
) -> dict[str, Any]:
    settings = _settings(tenant_id)
    tenant = tenant_pk(tenant_id)
    cutoff = _iso(datetime.now(UTC) - _cold_after(settings))
    if status:
        if (status in st.OPEN_STATUSES) == (tab == st.DONE):
            raise InvalidInput(f"status '{status}' is never in the {tab} tab", field="status")
        index, key = SecondChanceLead.by_time, f"{tenant}#SCL#STATUS#{status}"
        sort_key = SecondChanceLead.gsi2sk
    else:
        index, key = SecondChanceLead.by_parent, f"{tenant}#SCL#{'DONE' if tab == st.DONE else 'OPEN'}"
        sort_key = SecondChanceLead.gsi1sk
    key_range = None
    if tab == st.OPEN:
        key_range = sort_key >= cutoff
    elif tab == st.COLD:
        key_range = sort_key < cutoff
    search_filter = SecondChanceLead.search_text.contains(search.lower()) if search else None
    page = store.query_index(
        index, key, key_range, limit=limit, next_token=next_token, newest_first=True, filter_condition=search_filter
    )
    return {"items": [scl_view(s, settings) for s in page.items], "next_token": page.next_token}


def get(tenant_id: str, scl_id: str) -> dict[str, Any]:
    scl = store.get_or_404(SecondChanceLead, tenant_id, scl_sk(scl_id), f"second chance lead {scl_id}")
    return scl_view(scl, _settings(tenant_id), full=True)


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
        scl = store.get_or_404(
            SecondChanceLead, tenant_id, scl_sk(scl_id), f"second chance lead {scl_id}", consistent=True
        )
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
        scl.status = target
        scl.job_id = job_id or scl.job_id
        scl.history = [*(scl.history or []), {"at": utc_now(), "by": by, "from": previous, "to": target, "why": why}]
        counters = {}
        if target in (st.CALL_BACK_ATTEMPTED, st.BOOKED_BY_SCL) and not scl.followed_up_at:
            scl.followed_up_at = utc_now()
            counters["scls_followed_up"] = 1
        saver = None
        if target == st.BOOKED_BY_SCL:
            scl.saved_by = saved_by
            counters["scls_saved"] = 1
            saver = {"scls_saved": 1}
        _index(scl)
        store.touch(scl)
        event = _status_event(scl, previous)
        step = TxStep.put(scl, "the SCL changed meanwhile")
        step.error = _Changed
        counting = _counting(scl, counters, saver_counters=saver, status_moves=((previous, -1), (target, 1)))
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
    for _attempt in range(MAX_ATTEMPTS):
        scl = store.get_or_404(SecondChanceLead, tenant_id, scl_sk(scl_id), f"second chance lead {scl_id}")
        now = utc_now()
        scl.notes = [*(scl.notes or []), {"at": now, "by": by, "text": text}]
        store.touch(scl)
        step = TxStep.put(scl, "the SCL changed meanwhile")
        step.error = _Changed
        steps = [step]
        line = f"[{now[:10]} Second Chance Lead] {text}"
        for model, key, ident in ((Customer, "CUSTOMER#", copy_to_customer), (Location, "LOCATION#", copy_to_location)):
            if ident:
                record = store.get(model, tenant_id, key + ident)
                if record is None:
                    raise InvalidInput(
                        f"{model.__name__.lower()} {ident} does not exist", field=f"copy_to_{key[:-1].lower()}"
                    )
                record.notes = f"{record.notes}\n{line}" if record.notes else line
                store.touch(record)
                steps.append(TxStep.put(record, f"the {model.__name__.lower()} changed at the same time; retry"))
        try:
            store.transact(steps)
        except _Changed:
            continue
        return scl_view(scl, _settings(tenant_id), full=True)
    raise Conflict("the SCL kept changing at the same time; retry")


def banner(tenant_id: str, phone: str) -> dict[str, Any]:
    """For the job-booking screen: the caller's SCL in Open or Cold from the last 14 days, if any."""
    since = _iso(datetime.now(UTC) - st.RECENT)
    key = f"{tenant_pk(tenant_id)}#CALLER#{phone}#SCL"
    page = store.query_index(
        SecondChanceLead.by_person, key, SecondChanceLead.gsi3sk >= since, limit=10, next_token=None, newest_first=True
    )
    settings = _settings(tenant_id)
    current = next((s for s in page.items if s.status in st.OPEN_STATUSES), None)
    return {"phone": phone, "second_chance_lead": scl_view(current, settings) if current else None}


def on_job_booked(
    tenant_id: str, *, job_id: str, phone: str | None, booked_at: str, booked_by: str | None = None
) -> list[str]:
    """The automatic statuses: each open SCL of the caller ends as booked by SCL, or booked elsewhere."""
    if not phone:
        return []
    key = f"{tenant_pk(tenant_id)}#CALLER#{phone}#SCL"
    page = store.query_index(SecondChanceLead.by_person, key, None, limit=50, next_token=None, newest_first=True)
    changed = []
    for scl in page.items:
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
    from leadline.data.models import Employee
    from leadline.setup import service as setup

    s = _settings(tenant_id)
    employees = store.query_page(Employee, tenant_id, sk_prefix="EMPLOYEE#", limit=store.MAX_PAGE, next_token=None)
    with_access = []
    for employee in employees.items:
        if not employee.active:
            continue
        _, permissions = setup.effective_permissions(tenant_id, employee.employee_id, employee.role_id)
        if "view_second_chance_leads" in permissions:
            by = "employee grant" if "view_second_chance_leads" in (employee.granted_permissions or ()) else "role"
            with_access.append(
                {
                    "employee_id": employee.employee_id,
                    "name": employee.name,
                    "role_id": employee.role_id,
                    "access_by": by,
                }
            )
    return {
        "enabled": s.scl_enabled,
        "after_call_work_minutes": int(s.after_call_work_minutes),
        "cold_lead_threshold_hours": int(s.cold_lead_threshold_hours),
        "employees_with_access": with_access,
    }
