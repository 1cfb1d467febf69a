"""Who may set which status of a Second Chance Lead, and the tab each sits in (domain.md's table); the statuses'
names and labels are `leadline.scl_statuses`."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadline import rules
from leadline.scl_statuses import (
    BOOKED_BY_SCL,
    BOOKED_ELSEWHERE,
    CALL_BACK_ATTEMPTED,
    LABELS,
    NEW,
    NOT_A_LEAD,
    NOT_ABLE_TO_SAVE,
    NOT_FOLLOWING_UP,
    OPEN_STATUSES,
)

AUTOMATIC = frozenset({BOOKED_BY_SCL, BOOKED_ELSEWHERE})  # never by hand; they end the SCL
MANUAL = frozenset(LABELS) - AUTOMATIC
DISMISS_REASONS = {"not_a_lead": NOT_A_LEAD, "lead_not_following_up": NOT_FOLLOWING_UP}
RECENT = rules.SCL_RECENT  # one SCL per caller number in this window; the banner looks this far back

OPEN, COLD, DONE = "open", "cold", "done"


def tab(status: str, created_at: datetime, now: datetime, cold_after: timedelta) -> str:
    if status not in OPEN_STATUSES:
        return DONE
    return COLD if now - created_at >= cold_after else OPEN


class Refused(Exception):
    """A status change the rules do not allow; the message says why."""


def check_manual_change(current: str, target: str) -> None:
    if target not in LABELS:
        raise ValueError(f"'{target}' is not a status; one of {', '.join(sorted(LABELS))}")
    if current in AUTOMATIC:
        raise Refused(f"this Second Chance Lead ended as '{LABELS[current]}'; no later change is accepted")
    if target in AUTOMATIC:
        raise Refused(f"'{LABELS[target]}' is set automatically when a job is booked; it can never be set by hand")


def automatic_status(job_booked_at: datetime, scl_created_at: datetime) -> str:
    """A job booked for the caller after the SCL existed was saved by it; one booked before, elsewhere."""
    return BOOKED_BY_SCL if job_booked_at >= scl_created_at else BOOKED_ELSEWHERE


__all__ = [
    "AUTOMATIC",
    "BOOKED_BY_SCL",
    "BOOKED_ELSEWHERE",
    "CALL_BACK_ATTEMPTED",
    "COLD",
    "DISMISS_REASONS",
    "DONE",
    "LABELS",
    "MANUAL",
    "NEW",
    "NOT_ABLE_TO_SAVE",
    "NOT_A_LEAD",
    "NOT_FOLLOWING_UP",
    "OPEN",
    "OPEN_STATUSES",
    "RECENT",
    "Refused",
    "automatic_status",
    "check_manual_change",
    "tab",
]
