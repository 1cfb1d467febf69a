"""The statuses of a Second Chance Lead and their labels (domain.md's table): the names SCLs are stored, counted and
reported under. They sit below `leadline.scl`, whose `statuses` holds the rules that move an SCL between them, and
`leadline.reports`, which reports SCLs by status, so that neither package imports the other for them."""

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
OPEN_STATUSES = frozenset({NEW, CALL_BACK_ATTEMPTED})  # still to be worked on: the Open and Cold tabs
