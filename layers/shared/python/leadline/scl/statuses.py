"""The statuses of a Second Chance Lead, the tab each sits in, and who may set them (domain.md's table)."""

from __future__ import annotations

from datetime import datetime, timedelta

NEW = "new"
CALL_BACK_ATTEMPTED = "lead_call_back_attempted"
NOT_ABLE_TO_SAVE = "lead_not_able_to_save"
NOT_FOLLOWING_UP = "lead_not_following_up"
NOT_A_LEAD = "reviewed_not_a_lead"
BOOKED_BY_SCL = "job_booked_by_scl"
BOOKED_ELSEWHERE = "job_booked_elsewhere"

LABELS = {
    NEW: "New",
    CALL_BACK_ATTEMPTED: "Lead - Call Back Attempted",
    NOT_ABLE_TO_SAVE: "Lead - Not able to save",
    NOT_FOLLOWING_UP: "Lead - Not following up",
    NOT_A_LEAD: "Reviewed - Not a Lead",
    BOOKED_BY_SCL: "Job booked by SCL",
    BOOKED_ELSEWHERE: "Job booked elsewhere",
}
OPEN_STATUSES = frozenset({NEW, CALL_BACK_ATTEMPTED})
AUTOMATIC = frozenset({BOOKED_BY_SCL, BOOKED_ELSEWHERE})  # never by hand; they end the SCL
MANUAL = frozenset(LABELS) - AUTOMATIC
DISMISS_REASONS = {"not_a_lead": NOT_A_LEAD, "lead_not_following_up": NOT_FOLLOWING_UP}
RECENT = timedelta(days=14)  # one SCL per caller number in this window; the banner looks this far back

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
