"""Business units, job types and call reasons: set-up records keyed by their id (see `by_id.RecordsById`)."""

from __future__ import annotations

from leadline.data import keys
from leadline.data.models import BusinessUnit, CallReason, JobType
from leadline.data.repositories.by_id import RecordsById

business_units = RecordsById(BusinessUnit, keys.business_unit, keys.BUSINESS_UNITS, "business_unit_id", "business unit")
job_types = RecordsById(JobType, keys.job_type, keys.JOB_TYPES, "job_type_id", "job type")
call_reasons = RecordsById(CallReason, keys.call_reason, keys.CALL_REASONS, "call_reason_id", "call reason")
