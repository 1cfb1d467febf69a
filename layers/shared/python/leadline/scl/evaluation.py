"""The rules that make a call a Second Chance Lead, as a pure function of what was read.

An SCL is made when all hold: SCL is on for the company; the call was inbound, has a recording and a transcript;
nothing was booked from it (nor for the caller since the call ended); the analysis says the caller was a prospect;
and no SCL was made for the caller's number in the recent window (`rules.SCL_RECENT_DAYS`). What costs a request
or an analysis is asked for only once the cheaper rules have passed: `decide` answers a `Need` until it has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from leadline import rules
from leadline.calls.events import OUTBOUND
from leadline.data import store
from leadline.data.models import Call, TenantSettings
from leadline.scl.analysis import Analysis

# The outcomes, kept on the call as `scl_evaluation`
CREATED = "created"
DISABLED = "disabled"
OUTBOUND_CALL = "outbound"
NO_RECORDING = "no-recording"
BOOKED = "booked"
NO_CALLER_NUMBER = "no-caller-number"
AWAITING_TRANSCRIPT = "awaiting-transcript"  # evaluated again when the transcript arrives
TRANSCRIPT_ARRIVED = "transcript-arrived"  # ... which it did: the evaluation is due again
NOT_A_PROSPECT = "not-a-prospect"
RECENT_SCL = "recent-scl-for-number"
FINAL = frozenset({CREATED, NOT_A_PROSPECT, RECENT_SCL})  # a call evaluated to one of these is not evaluated again


class Need(Enum):
    """What the rules ask for before they can go on."""

    CALLER_JOBS = "whether a job was booked for the caller since the call ended"
    ANALYSIS = "the analysis of the transcript"


@dataclass(frozen=True)
class Facts:
    """What was read for the evaluation besides the call and the settings; None: not read (yet)."""

    job_booked_since_call: bool | None = None
    analysis: Analysis | None = None
    number_claimed: bool = False  # the caller's number has an SCL from the recent window (its claim refused ours)


@dataclass(frozen=True)
class Decision:
    outcome: str
    reason: str  # for a new SCL, the analysis' reasons: the first line of its history

    @property
    def creates_scl(self) -> bool:
        return self.outcome == CREATED


def transcript_text(call: Call) -> str:
    return ((store.plain_map(call.transcript) or {}).get("text") or "").strip()


def decide(call: Call, settings: TenantSettings, facts: Facts) -> Decision | Need:
    recording = store.plain_map(call.recording) or {}
    if not settings.scl_enabled:
        return Decision(DISABLED, "Second Chance Leads is off for the company")
    if call.direction == OUTBOUND:
        return Decision(OUTBOUND_CALL, "an outbound call")
    if not recording.get("url") or recording.get("status") not in (None, "completed"):
        return Decision(NO_RECORDING, "the call has no completed recording")
    if call.booked or call.job_id:
        return Decision(BOOKED, "a job was booked from the call")
    if not call.from_number:
        return Decision(NO_CALLER_NUMBER, "the caller's number is not known")
    if facts.job_booked_since_call is None:
        return Need.CALLER_JOBS
    if facts.job_booked_since_call:
        return Decision(BOOKED, "a job was booked for the caller since the call")
    if not transcript_text(call):
        return Decision(AWAITING_TRANSCRIPT, "the call has no transcript yet")
    if facts.analysis is None:
        return Need.ANALYSIS
    reasons = "; ".join(facts.analysis.reasons)
    if not facts.analysis.is_prospect:
        return Decision(NOT_A_PROSPECT, reasons or facts.analysis.summary)
    if facts.number_claimed:
        return Decision(RECENT_SCL, f"an SCL was made for this number in {rules.SCL_RECENT_TEXT}")
    return Decision(CREATED, reasons)
