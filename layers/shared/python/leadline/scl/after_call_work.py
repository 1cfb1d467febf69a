"""What happens when a call's after-call work elapses, whoever notices: the timer's event, a late transcript,
or the scanner finding a call whose event was lost.

When the timer starts, an EvaluationDue item is written with the call; it is deleted once the call is
evaluated. The scanner reads only the overdue ones (an index ordered by due time), so its cost grows with the
work due, not with the number of calls.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from leadline.config import scaled_seconds
from leadline.data import store
from leadline.data.models import EvaluationDue, tenant_pk
from leadline.data.store import TxStep
from leadline.leads import abandoned
from leadline.observability import logger
from leadline.scl import service as scl
from leadline.scl.analysis import CallAnalyser
from leadline.scl.transcription import RUNNING, STARTED, TRANSCRIBED, Transcription

SHARDS = 8
GRACE = timedelta(minutes=5)  # the timer's own event gets this long before the scanner steps in
TRANSCRIPT_WAIT = timedelta(minutes=15)  # a call still waiting for its vendor's transcript is looked at again
MAX_ATTEMPTS = 4
TRANSCRIPTION_POLL = timedelta(minutes=2)  # ... or at its Amazon Transcribe job, this often
MAX_TRANSCRIPTION_POLLS = 30


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _shard(tenant_id: str, call_id: str) -> str:
    return f"EVALDUE#{int(hashlib.sha256(f'{tenant_id}|{call_id}'.encode()).hexdigest(), 16) % SHARDS}"


def due_item(tenant_id: str, call_id: str, after: timedelta, attempts: int = 0) -> EvaluationDue:
    due_at = _iso(datetime.now(UTC) + timedelta(seconds=scaled_seconds(after.total_seconds())))
    item = store.new_item(EvaluationDue, tenant_id, f"DUE#{call_id}", call_id=call_id, due_at=due_at, attempts=attempts)
    item.gsi1pk, item.gsi1sk = _shard(tenant_id, call_id), f"{due_at}#{tenant_id}#{call_id}"
    return item


def due_step(tenant_id: str, call_id: str, after_call_work_minutes: int) -> TxStep:
    """Goes in the transaction that starts the call's timer."""
    item = due_item(tenant_id, call_id, timedelta(minutes=after_call_work_minutes) + GRACE)
    return TxStep.put(item, "the call's evaluation is already due")


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
    if outcome["second_chance_lead"] == "awaiting-transcript" and transcription is not None:
        outcome["transcription"] = transcription.advance(tenant_id, call_id)
    if abandoned_call:
        outcome["abandoned_call_lead"] = abandoned.capture(tenant_id, call_id)
    _settle(tenant_id, call_id, outcome)
    return outcome


def _settle(tenant_id: str, call_id: str, outcome: dict) -> None:
    """The call's EvaluationDue goes, or comes back later while its transcript may still come."""
    existing = store.get(EvaluationDue, tenant_id, f"DUE#{call_id}")
    if existing is None:
        return
    existing.delete()
    if outcome["second_chance_lead"] != "awaiting-transcript":
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
    for shard in range(SHARDS):
        overdue = EvaluationDue.by_parent.query(f"EVALDUE#{shard}", EvaluationDue.gsi1sk < now, limit=limit)
        for item in overdue:
            try:
                on_elapsed(item.tenant_id, item.call_id, analyser, transcription=transcription)
            except Exception:  # noqa: BLE001 - it stays due for the next sweep; the calls after it go on
                logger.exception("an overdue evaluation failed; it stays due", extra={"call_id": item.call_id})
                continue
            handled += 1
    return handled


__all__ = ["due_step", "on_elapsed", "sweep", "tenant_pk"]
