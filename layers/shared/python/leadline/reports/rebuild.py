"""The report counters recomputed from the records, by brute force: the check that the counters kept as things
happen are exact, and the way to rebuild them (`python -m infra.admin rebuild-reports`).

It reads every record of the company (a Query per kind of record), so it is an operator's tool, never a
request path. Its rules are the changes' own: `projection.counts` of each record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from leadline.data.models import Aggregate, RecordModel
from leadline.data.repositories import aggregates as aggregate_items
from leadline.data.repositories import bookings, calls, jobs, leads, scl
from leadline.reports import aggregates as agg
from leadline.reports import projection

Counts = projection.Counts


def _records(tenant_id: str) -> Iterator[RecordModel]:
    """Every call, lead, job, SCL and booking of the company."""
    for kind in (calls, leads, jobs, scl, bookings):
        yield from kind.all_of(tenant_id)


def recount(tenant_id: str) -> Counts:
    """What every record of the company counts for, added up (the same projection the changes apply)."""
    counts: Counts = defaultdict(lambda: dict.fromkeys(agg.COUNTERS, 0))
    for record in _records(tenant_id):
        for key, counters in projection.counts(record).items():
            row = counts[key]
            for name, amount in counters.items():
                row[name] += amount
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
