"""The report counters recomputed from the records, by brute force: the check that the counters kept as things
happen are exact, and the way to rebuild them (`python -m infra.admin rebuild-reports`).

It reads every record of the company (a Query per kind of record), so it is an operator's tool, never a
request path. The rules mirror `aggregates.py`'s table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from leadline import scl_statuses
from leadline.data.models import Aggregate, Booking, Call, Job, Lead, RecordModel, SecondChanceLead
from leadline.data.repositories import aggregates as aggregate_items
from leadline.data.repositories import bookings, calls, jobs, leads, scl
from leadline.reports import aggregates as agg

Key = tuple[str, str, str]  # dimension, day, value
Counts = dict[Key, dict[str, int]]


def _records(tenant_id: str) -> Iterator[RecordModel]:
    """Every call, lead, job, SCL and booking of the company."""
    for kind in (calls, leads, jobs, scl, bookings):
        yield from kind.all_of(tenant_id)


def recount(tenant_id: str) -> Counts:
    counts: Counts = defaultdict(lambda: dict.fromkeys(agg.COUNTERS, 0))

    def add(dimension: str, day: str, value: str | None, **counters: int) -> None:
        if dimension == agg.CSR and not value:
            return
        row = counts[(dimension, day, value or agg.UNKNOWN)]
        for name, amount in counters.items():
            row[name] += amount

    for record in _records(tenant_id):
        if isinstance(record, Call):
            if not record.attribution or not record.report_day:
                continue
            campaign = record.campaign_id or record.attribution
            add(agg.CAMPAIGN, record.report_day, campaign, calls=1, lead_calls=int(bool(record.is_lead)))
            add(agg.CSR, record.report_day, record.classified_by, calls_handled=1)
        elif isinstance(record, (Lead, Booking)):
            day = agg.day_of(tenant_id, record.created_at)
            converted = int(record.status == "converted")
            add(agg.CAMPAIGN, day, record.campaign_id, leads=1, leads_converted=converted)
            add(agg.SOURCE, day, record.source, leads=1, leads_converted=converted)
        elif isinstance(record, Job):
            day = agg.day_of(tenant_id, record.created_at)
            add(agg.CAMPAIGN, day, record.campaign_id, jobs=1)
            add(agg.CSR, day, record.booked_by, jobs=1)
        elif isinstance(record, SecondChanceLead):
            day = agg.day_of(tenant_id, record.created_at)
            saved = int(record.status == scl_statuses.BOOKED_BY_SCL)
            add(agg.CAMPAIGN, day, record.campaign_id, scls=1, scls_followed_up=int(bool(record.followed_up_at)),
                scls_saved=saved)  # fmt: skip
            add(agg.CSR, day, record.agent, scls=1)
            if saved:
                add(agg.CSR, day, record.saved_by, scls_saved=1)
            add(agg.SCL_STATUS, day, record.status, scls=1)
    return _nonzero(counts)


def current(tenant_id: str) -> Counts:
    """The counters as kept, summed over their shards."""
    counts: Counts = defaultdict(lambda: dict.fromkeys(agg.COUNTERS, 0))
    for item in aggregate_items.all_of(tenant_id, consistent=True):
        row = counts[(item.dimension, item.day, item.value)]
        for name in agg.COUNTERS:
            row[name] += int(getattr(item, name) or 0)
    return _nonzero(counts)


def _nonzero(counts: Counts) -> Counts:
    kept = {}
    for key, row in counts.items():
        row = {k: v for k, v in row.items() if v}
        if row:
            kept[key] = row
    return kept


def differences(tenant_id: str) -> list[dict[str, Any]]:
    """Where the kept counters and the recount disagree (empty when they agree)."""
    kept, counted = current(tenant_id), recount(tenant_id)
    found = []
    for key in sorted(set(kept) | set(counted)):
        a, b = kept.get(key, {}), counted.get(key, {})
        for name in sorted(set(a) | set(b)):
            if a.get(name, 0) != b.get(name, 0):
                dimension, day, value = key
                found.append({"dimension": dimension, "day": day, "value": value, "counter": name,
                              "kept": a.get(name, 0), "recounted": b.get(name, 0)})  # fmt: skip
    return found


def rebuild(tenant_id: str) -> int:
    """Replace the company's counters with the recount (run it while no traffic comes in). Aggregates written."""
    for item in aggregate_items.all_of(tenant_id):
        item.delete()
    written = 0
    with Aggregate.batch_write() as batch:
        for (dimension, day, value), row in recount(tenant_id).items():
            item = aggregate_items.item(tenant_id, dimension, day, value, 0)
            item.dimension, item.day, item.value = dimension, day, value
            for name, amount in row.items():
                setattr(item, name, amount)
            batch.save(item)
            written += 1
    return written
