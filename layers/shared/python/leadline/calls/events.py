"""The vendor-neutral call event every adapter produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The kind of an event that only brings a transcript made by us (Amazon Transcribe): it names no telephony vendor,
# so it never changes the call's.
TRANSCRIPT_ONLY = "transcript"

# Status order for convergence: a later delivery never moves a call backwards (ringing after completed), and
# among terminal statuses a fixed order keeps the outcome independent of arrival order.
STATUS_RANK = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "canceled": 4,
    "failed": 5,
    "no-answer": 6,
    "busy": 7,
    "completed": 8,
}
TERMINAL = frozenset({"canceled", "failed", "no-answer", "busy", "completed"})

# Recording and transcript readiness, in the order they progress.
ARTIFACT_RANK = {"absent": 0, "failed": 1, "in-progress": 2, "processing": 2, "completed": 3}

INBOUND = "inbound"
OUTBOUND = "outbound"


@dataclass(frozen=True)
class Recording:
    url: str
    status: str = "completed"
    sid: str = ""
    duration_seconds: int = 0


@dataclass(frozen=True)
class Transcript:
    text: str
    status: str = "completed"
    sid: str = ""


@dataclass(frozen=True)
class CallEvent:
    """What one delivery says about one call. Fields a delivery does not carry are None."""

    vendor: str
    call_id: str
    dedupe_key: str  # the same delivery twice has the same key; a new fact has a new one
    kind: str  # e.g. "voice-status", "recording", "transcript", "post-call", "call.ended"
    occurred_at: datetime | None = None
    direction: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    status: str | None = None
    sequence: int | None = None
    answered: bool | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    agent: str | None = None
    recording: Recording | None = None
    transcript: Transcript | None = None
    vendor_details: dict[str, str] = field(default_factory=dict)  # e.g. CallRail's own source and campaign names
