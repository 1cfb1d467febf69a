"""The counters reports read, added to inside the transaction of the change they count.

Each counted change is a write that happens once (a call's first attribution, a lead's creation, a conversion,
an SCL's status change, ...), so the counter it carries is exact: a duplicate delivery is refused with its
write, and a lost one loses nothing because nothing was written. Counters live on `Aggregate` items keyed by
dimension, day (the company's time zone), value and a shard (a busy day's campaign would otherwise be one hot
item that every call's transaction contends for).

What is counted for what is `projection.py`'s table: one projection, used by every change and by the recount.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from leadline.data.repositories import aggregates as aggregate_items
from leadline.data.repositories import settings
from leadline.data.store import TxStep

SHARDS = aggregate_items.SHARDS
CAMPAIGN, SOURCE, CSR, SCL_STATUS = "campaign", "source", "csr", "scl_status"
DIMENSIONS = (CAMPAIGN, SOURCE, CSR, SCL_STATUS)
COUNTERS = (
    "calls",
    "lead_calls",
    "leads",
    "leads_converted",
    "jobs",
    "scls",
    "scls_followed_up",
    "scls_saved",
    "calls_handled",
)
UNKNOWN = "unknown"
_ZONE_CACHE_SECONDS = 300
_zones: dict[str, tuple[float, ZoneInfo]] = {}


def zone(tenant_id: str) -> ZoneInfo:
    """The company's time zone, kept for a few minutes per process (one read, not one per counted change)."""
    cached = _zones.get(tenant_id)
    if cached and time.monotonic() - cached[0] < _ZONE_CACHE_SECONDS:
        return cached[1]
    kept = settings.get(tenant_id)
    found = ZoneInfo(kept.time_zone if kept else "UTC")
    _zones[tenant_id] = (time.monotonic(), found)
    return found


def remember_zone(tenant_id: str, time_zone: str) -> None:
    """For callers that have read the settings anyway."""
    _zones[tenant_id] = (time.monotonic(), ZoneInfo(time_zone))


def day_of(tenant_id: str, moment: str | None) -> str:
    """The company's day of an ISO time (now if None)."""
    at = datetime.fromisoformat(moment.replace("Z", "+00:00")) if moment else datetime.now(UTC)
    return at.astimezone(zone(tenant_id)).date().isoformat()


def add(tenant_id: str, dimension: str, day: str, value: str | None, counters: dict[str, int], key: str) -> TxStep:
    """A step adding `counters` to one aggregate (made if missing). `key` (the counted record's id) picks the
    shard, so the same record always lands in the same one."""
    value = value or UNKNOWN
    unknown = set(counters) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters {sorted(unknown)}")
    item = aggregate_items.item(tenant_id, dimension, day, value, aggregate_items.shard_of(key))
    sets = {"tenant_id": tenant_id, "dimension": dimension, "day": day, "value": value}
    return TxStep.add(item, counters, sets, "the report counters could not be written")
