"""Report counters: items of one dimension, day, value and shard, in the tenant's partition, read by a range of
days. A busy day's value is spread over SHARDS items, so that the transactions counting into it rarely meet."""

from __future__ import annotations

from collections.abc import Iterable

from leadline.data import keys
from leadline.data.models import Aggregate

SHARDS = 4


def shard_of(record_key: str) -> int:
    """The shard a counted record's changes go to: always the same one for the same record."""
    return keys.shard_of(record_key, SHARDS)


def item(tenant_id: str, dimension: str, day: str, value: str, shard: int) -> Aggregate:
    """An aggregate as a key to add to or to write (made if missing), with nothing read."""
    return Aggregate(keys.tenant(tenant_id), keys.aggregate(dimension, day, value, shard), tenant_id=tenant_id)


def of_days(tenant_id: str, dimension: str, day_from: str, day_to: str) -> list[Aggregate]:
    """Every aggregate of one dimension over the days, both included (one Query of a sort-key range)."""
    low, high = keys.aggregate_days(dimension, day_from, day_to)
    return list(Aggregate.query(keys.tenant(tenant_id), Aggregate.sk.between(low, high)))


def all_of(tenant_id: str, *, consistent: bool = False) -> Iterable[Aggregate]:
    """Every aggregate of the tenant (for the recount and the rebuild, not for a request)."""
    return Aggregate.query(keys.tenant(tenant_id), Aggregate.sk.startswith(keys.AGGREGATES), consistent_read=consistent)
