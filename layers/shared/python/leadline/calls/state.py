"""The call record and how an event folds into it.

`merge` is commutative and idempotent: whatever the order and number of deliveries, the same set of events
gives the same call. Each field has one rule: the earliest start, the latest end, the longest duration, the
highest-ranked status, the most complete recording and transcript, and for values every event should agree
on (numbers, direction), the smallest non-empty one so that even a disagreement resolves the same way."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from leadline.calls.events import (
    ARTIFACT_RANK,
    STATUS_RANK,
    TERMINAL,
    TRANSCRIPT_ONLY,
    CallEvent,
    Recording,
    Transcript,
)


@dataclass(frozen=True)
class CallState:
    call_id: str
    vendor: str = ""
    direction: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    status: str | None = None
    status_sequence: int = -1
    answered: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int = 0
    agent: str | None = None
    recording: Recording | None = None
    transcript: Transcript | None = None
    vendor_details: dict[str, str] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL


def _smallest(a, b):
    present = [v for v in (a, b) if v not in (None, "")]
    return min(present) if present else None


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    present = [v for v in (a, b) if v is not None]
    return min(present) if present else None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    present = [v for v in (a, b) if v is not None]
    return max(present) if present else None


def _status_key(status: str | None, sequence: int) -> tuple[int, int, str]:
    return (STATUS_RANK.get(status or "", -1), sequence, status or "")


def _best_recording(a: Recording | None, b: Recording | None) -> Recording | None:
    present = [r for r in (a, b) if r is not None]
    if not present:
        return None
    return max(present, key=lambda r: (ARTIFACT_RANK.get(r.status, 0), r.duration_seconds, r.url, r.sid))


def _best_transcript(a: Transcript | None, b: Transcript | None) -> Transcript | None:
    present = [t for t in (a, b) if t is not None]
    if not present:
        return None
    return max(present, key=lambda t: (ARTIFACT_RANK.get(t.status, 0), len(t.text), t.text, t.sid))


def _says_answered(event: CallEvent) -> bool:
    if event.answered is not None:
        return event.answered
    return event.status == "in-progress" or (event.status == "completed" and (event.duration_seconds or 0) > 0)


def merge(call: CallState, event: CallEvent) -> CallState:
    status, sequence = call.status, call.status_sequence
    if event.status is not None:
        incoming = (event.status, event.sequence if event.sequence is not None else -1)
        if _status_key(*incoming) > _status_key(status, sequence):
            status, sequence = incoming
    ended_at = call.ended_at
    if event.ended_at is not None or (event.status in TERMINAL and event.occurred_at is not None):
        ended_at = _latest(ended_at, event.ended_at or event.occurred_at)
    answered = call.answered or _says_answered(event)
    return replace(
        call,
        vendor=_smallest(call.vendor, None if event.kind == TRANSCRIPT_ONLY else event.vendor) or "",
        direction=_smallest(call.direction, event.direction),
        from_number=_smallest(call.from_number, event.from_number),
        to_number=_smallest(call.to_number, event.to_number),
        status=status,
        status_sequence=sequence,
        answered=answered,
        started_at=_earliest(call.started_at, _earliest(event.started_at, event.occurred_at)),
        ended_at=ended_at,
        duration_seconds=max(call.duration_seconds, event.duration_seconds or 0),
        agent=_smallest(call.agent, event.agent),
        recording=_best_recording(call.recording, event.recording),
        transcript=_best_transcript(call.transcript, event.transcript),
        vendor_details={
            key: _smallest(call.vendor_details.get(key), event.vendor_details.get(key))
            for key in call.vendor_details.keys() | event.vendor_details.keys()
        },
    )
