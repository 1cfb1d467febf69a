"""Report counting as one projection: what a record counts for in the reports is a function of its state alone
(`counts`). A change adds to the counters the difference between what the record counts for after it and before
it (`change`), in the transaction that writes the record; the recount (`rebuild.py`) adds up `counts` over every
record. One set of rules, so the counters kept as things happen and the recount cannot drift apart.

What a record counts for, by dimension / value, on a day of the company's time zone:
    Call (once attributed, on its report_day)
        campaign/<id | unknown | direct>   calls, lead_calls (classified with a lead reason)
        csr/<who classified it last>       calls_handled
    Lead, Booking (on the day it was made)
        campaign/<id | unknown>, source/<lead source>   leads, leads_converted (once converted)
    Job (on the day it was booked)
        campaign/<id | unknown>            jobs
        csr/<who booked it>                jobs
    SecondChanceLead (on the day it was made)
        campaign/<id | unknown>            scls, scls_followed_up (called back or saved), scls_saved (booked by SCL)
        csr/<the call's agent>             scls
        csr/<who booked the job that saved it>   scls_saved
        scl_status/<its status>            scls
"""

from __future__ import annotations

from leadline import scl_statuses
from leadline.data.models import Booking, Call, Job, Lead, SecondChanceLead
from leadline.data.store import TxStep
from leadline.reports import aggregates

Counted = Call | Lead | Booking | Job | SecondChanceLead
Key = tuple[str, str, str]  # dimension, day, value
Counts = dict[Key, dict[str, int]]


def counts(record: Counted) -> Counts:
    """What the record, as it is now, counts for."""
    found: Counts = {}

    def add(dimension: str, day: str, value: str | None, **counters: int) -> None:
        if dimension == aggregates.CSR and not value:
            return
        row = found.setdefault((dimension, day, value or aggregates.UNKNOWN), {})
        for name, amount in counters.items():
            if amount:
                row[name] = row.get(name, 0) + amount

    tenant_id = record.tenant_id
    if isinstance(record, Call):
        if record.attribution and record.report_day:
            day = record.report_day
            add(aggregates.CAMPAIGN, day, record.campaign_id or record.attribution, calls=1,
                lead_calls=int(bool(record.is_lead)))  # fmt: skip
            add(aggregates.CSR, day, record.classified_by, calls_handled=1)
    elif isinstance(record, Lead | Booking):
        day = aggregates.day_of(tenant_id, record.created_at)
        converted = int(record.status == "converted")
        add(aggregates.CAMPAIGN, day, record.campaign_id, leads=1, leads_converted=converted)
        add(aggregates.SOURCE, day, record.source, leads=1, leads_converted=converted)
    elif isinstance(record, Job):
        day = aggregates.day_of(tenant_id, record.created_at)
        add(aggregates.CAMPAIGN, day, record.campaign_id, jobs=1)
        add(aggregates.CSR, day, record.booked_by, jobs=1)
    elif isinstance(record, SecondChanceLead):
        day = aggregates.day_of(tenant_id, record.created_at)
        saved = int(record.status == scl_statuses.BOOKED_BY_SCL)
        add(aggregates.CAMPAIGN, day, record.campaign_id, scls=1, scls_followed_up=int(bool(record.followed_up_at)),
            scls_saved=saved)  # fmt: skip
        add(aggregates.CSR, day, record.agent, scls=1)
        if saved:
            add(aggregates.CSR, day, record.saved_by, scls_saved=1)
        add(aggregates.SCL_STATUS, day, record.status, scls=1)
    else:
        raise TypeError(f"{type(record).__name__} is not counted in the reports")
    return {key: row for key, row in found.items() if row}


def change(record: Counted, before: Counts | None = None) -> list[TxStep]:
    """The counter steps of a change that leaves `record` as it is now; `before`: what it counted for before the
    change (`counts` of it then), None for a record the change creates. Nothing to add, no step."""
    before, after = before or {}, counts(record)
    steps = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key, {}), after.get(key, {})
        delta = {name: now.get(name, 0) - was.get(name, 0) for name in was.keys() | now.keys()}
        delta = {name: amount for name, amount in sorted(delta.items()) if amount}
        if delta:
            dimension, day, value = key
            steps.append(aggregates.add(record.tenant_id, dimension, day, value, delta, _id(record)))
    return steps


def _id(record: Counted) -> str:
    """The record's id: it picks the counters' shard, so a record always lands in the same one."""
    if isinstance(record, Call):
        return record.call_id
    if isinstance(record, Lead):
        return record.lead_id
    if isinstance(record, Booking):
        return record.booking_id
    if isinstance(record, Job):
        return record.job_id
    return record.scl_id
