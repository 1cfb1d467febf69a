"""The business rules' numbers, in one place: code, messages and the API's descriptions all read them here."""

from datetime import timedelta

# Second Chance Leads
SCL_RECENT_DAYS = 14  # one SCL per caller number in this window; the job-booking banner looks this far back
SCL_RECENT = timedelta(days=SCL_RECENT_DAYS)
SCL_RECENT_TEXT = f"the last {SCL_RECENT_DAYS} days"

# After-call work: how long a CSR has to classify a call before it is looked at again
AFTER_CALL_WORK_MINUTES_DEFAULT = 5
AFTER_CALL_WORK_MINUTES_MIN = 1
AFTER_CALL_WORK_MINUTES_MAX = 120

# An Open SCL turns Cold this many hours after its call, unless the company sets its own threshold
COLD_LEAD_THRESHOLD_HOURS_DEFAULT = 48

# Abandoned-call leads: an inbound call longer than this that no CSR classified becomes a lead
ABANDONED_CALL_SECONDS = 60
