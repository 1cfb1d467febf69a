"""After-call work: what follows an inbound call once it ends, above calls, leads and Second Chance Leads.

Call events come in through `ingest`. When an inbound call ends, its timer starts (one Step Functions execution per
call) and an EvaluationDue is written with the call. When the work elapses, whoever notices (the timer's event, a
late transcript's, or the scanner finding an EvaluationDue overdue because the event was lost) calls `on_elapsed`:
the call is evaluated for a Second Chance Lead and, long and unclassified, becomes an abandoned-call lead. The
EvaluationDue is deleted then, or comes back later while a transcript may still come. The scanner reads only the
overdue ones (an index ordered by due time), so its cost grows with the work due, not with the number of calls.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline import config
from leadline.calls import service as calls
from leadline.calls.events import CallEvent
from leadline.data.models import Call, EvaluationDue, TenantSettings
from leadline.data.repositories import evaluations
from leadline.data.store import TxStep
from leadline.events.outbox import DomainEvent
from leadline.observability import logger
from leadline.scl import evaluation
from leadline.scl import service as scl
from leadline.scl import transcription as transcriptions
from leadline.scl.analysis import CallAnalyser
from leadline.scl.transcription import RUNNING, STARTED, TRANSCRIBED, Transcription
from leadline.workflows import abandoned_calls

GRACE = timedelta(minutes=5)  # the timer's own event gets this long before the scanner steps in
TRANSCRIPT_WAIT = timedelta(minutes=15)  # a call still waiting for its vendor's transcript is looked at again
MAX_ATTEMPTS = 4
TRANSCRIPTION_POLL = timedelta(minutes=2)  # ... or at its Amazon Transcribe job, this often
MAX_TRANSCRIPTION_POLLS = 30


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the timer, and the call events that start it ------------------------------------------------


class Timer:
    """Starts the after-call-work state machine; one execution per call whatever the retries."""

    def __init__(self, client: Any = None, state_machine_arn: str | None = None):
        self._client = client
        self._arn = state_machine_arn

    def start(self, tenant_id: str, call_id: str, *, minutes: int, ended_at: str | None) -> None:
        import boto3
        from botocore.exceptions import ClientError

        client = self._client or boto3.client("stepfunctions")
        name = "acw-" + hashlib.sha256(f"{tenant_id}|{call_id}".encode()).hexdigest()[:40]
        payload = {
            "wait_seconds": max(1, round(config.scaled_seconds(minutes * 60))),
            "detail": {"tenant_id": tenant_id, "call_id": call_id, "ended_at": ended_at},
        }
        try:
            client.start_execution(
                stateMachineArn=self._arn or config.after_call_work_state_machine_arn(),
                name=name,
                input=json.dumps(payload),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise


_timer = Timer()


def due_item(tenant_id: str, call_id: str, after: timedelta, attempts: int = 0) -> EvaluationDue:
    """The call's EvaluationDue, `after` from now (on the local runtime's time scale)."""
    due_at = _iso(datetime.now(UTC) + timedelta(seconds=config.scaled_seconds(after.total_seconds())))
    return evaluations.new(tenant_id, call_id, due_at, attempts=attempts)


class _AfterCall:
    """What `calls.ingest` writes with a call for its after-call work."""

    def __init__(self, timer: Timer):
        self._timer = timer

    def call_ended(self, call: Call, settings: TenantSettings) -> list[TxStep]:
        minutes = int(settings.after_call_work_minutes)
        self._timer.start(call.tenant_id, call.call_id, minutes=minutes, ended_at=call.ended_at)
        return [evaluations.create_step(due_item(call.tenant_id, call.call_id, timedelta(minutes=minutes) + GRACE))]

    def transcript_on(self, call: Call) -> list[DomainEvent]:
        return scl.transcript_on(call)  # the after-call work elapsed before the transcript: evaluate now it is here


def ingest(tenant_id: str, event: CallEvent, *, raw: str | None = None, already_kept: bool = False) -> calls.Outcome:
    """Fold one call event into its call, with the after-call work it starts (see `calls.ingest`)."""
    return calls.ingest(tenant_id, event, after_call=_AfterCall(_timer), raw=raw, already_kept=already_kept)


def transcription_from_environment() -> Transcription | None:
    """Amazon Transcribe for calls whose vendor sent no transcript, where the stack turns it on."""
    return transcriptions.from_environment(ingest)


# --- when it elapses -----------------------------------------------------------------------------


def on_elapsed(
    tenant_id: str,
    call_id: str,
    analyser: CallAnalyser,
    *,
    abandoned_call: bool = True,
    transcription: Transcription | None = None,
) -> dict:
    """`transcription`: where set, a call with a recording and no transcript gets one from Amazon Transcribe
    (once it is on the call, the call's SecondChanceLeadEvaluationDue event brings the evaluation back)."""
    outcome = {"second_chance_lead": scl.evaluate(tenant_id, call_id, analyser)}
    if outcome["second_chance_lead"] == evaluation.AWAITING_TRANSCRIPT and transcription is not None:
        outcome["transcription"] = transcription.advance(tenant_id, call_id)
    if abandoned_call:
        outcome["abandoned_call_lead"] = abandoned_calls.capture(tenant_id, call_id)
    _settle(tenant_id, call_id, outcome)
    return outcome


def _settle(tenant_id: str, call_id: str, outcome: dict) -> None:
    """The call's EvaluationDue goes, or comes back later while its transcript may still come."""
    existing = evaluations.get(tenant_id, call_id)
    if existing is None:
        return
    existing.delete()
    if outcome["second_chance_lead"] != evaluation.AWAITING_TRANSCRIPT:
        return
    attempts = int(existing.attempts) + 1
    progress = outcome.get("transcription")
    if progress is None and attempts < MAX_ATTEMPTS:
        due_item(tenant_id, call_id, TRANSCRIPT_WAIT, attempts=attempts).save()
    elif progress in (STARTED, RUNNING, TRANSCRIBED) and attempts < MAX_TRANSCRIPTION_POLLS:
        # TRANSCRIBED: the evaluation follows from the call's event; this is its safety net
        due_item(tenant_id, call_id, TRANSCRIPTION_POLL, attempts=attempts).save()


def sweep(analyser: CallAnalyser, *, limit: int = 200, transcription: Transcription | None = None) -> int:
    """Evaluate the calls whose evaluation is overdue (their timer's event was lost, or their transcript late)."""
    now = _iso(datetime.now(UTC))
    handled = 0
    for shard in range(evaluations.SHARDS):
        for item in evaluations.overdue(shard, now, limit=limit):
            try:
                on_elapsed(item.tenant_id, item.call_id, analyser, transcription=transcription)
            except Exception:  # noqa: BLE001 - it stays due for the next sweep; the calls after it go on
                logger.exception("an overdue evaluation failed; it stays due", extra={"call_id": item.call_id})
                continue
            handled += 1
    return handled
