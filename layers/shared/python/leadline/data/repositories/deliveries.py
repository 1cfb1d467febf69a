"""Deliveries: one item per delivery a vendor or partner sent, keyed by its dedupe key; listed for the scanner while
received (across tenants, sharded) and for staff, by sender and state, until processed."""

from __future__ import annotations

from collections.abc import Iterator

from leadline.data import keys, store
from leadline.data.models import Delivery
from leadline.data.store import Page

RECEIVED, PROCESSED, REJECTED = "received", "processed", "rejected"  # a delivery's states
PENDING_SHARDS = 8


def get(tenant_id: str, dedupe_key: str, *, consistent: bool = False) -> Delivery | None:
    return store.get(Delivery, tenant_id, keys.delivery(dedupe_key), consistent=consistent)


def new(tenant_id: str, dedupe_key: str, **attributes) -> Delivery:
    """A new delivery, indexed for its state (give `state` and `received_at`)."""
    item = store.new_item(Delivery, tenant_id, keys.delivery(dedupe_key), dedupe_key=dedupe_key, **attributes)
    index(item)
    return item


def pending_partition(tenant_id: str, dedupe_key: str) -> str:
    """The scanner's index partition (across tenants) a received delivery is in."""
    return keys.deliveries_pending(keys.shard_of(f"{tenant_id}|{dedupe_key}", PENDING_SHARDS))


def index(item: Delivery) -> None:
    """The listings a delivery is in for its state: the scanner's while received, the staff's until processed."""
    item.gsi1pk = item.gsi1sk = item.gsi2pk = item.gsi2sk = None
    if item.state == RECEIVED:
        item.gsi1pk = pending_partition(item.tenant_id, item.dedupe_key)
        item.gsi1sk = keys.in_order(item.received_at, item.tenant_id)
    if item.state != PROCESSED:
        item.gsi2pk = keys.deliveries_by_state(item.tenant_id, item.vendor, item.state)
        item.gsi2sk = keys.in_order(item.received_at, item.dedupe_key)


def save(item: Delivery) -> None:
    """Write a delivery read earlier, indexed for its (changed) state."""
    index(item)
    store.touch(item)
    item.save()


def pending_before(cutoff: str, *, limit_per_shard: int) -> Iterator[Delivery]:
    """Deliveries of every tenant kept `received` before `cutoff` (an ISO instant), shard by shard."""
    for shard in range(PENDING_SHARDS):
        yield from Delivery.by_parent.query(
            keys.deliveries_pending(shard), Delivery.gsi1sk < cutoff, limit=limit_per_shard
        )


def list_by_state(tenant_id: str, vendor: str, state: str, *, limit: int, next_token: str | None) -> Page:
    """A sender's deliveries in one state (not processed), newest first."""
    return store.query_index(
        Delivery.by_time,
        keys.deliveries_by_state(tenant_id, vendor, state),
        None,
        limit=limit,
        next_token=next_token,
        newest_first=True,
    )
