"""The outbox: an event written in the transaction of the change it announces, listed (across tenants, sharded) until
it is on the bus, for the scanner to publish what a request could not."""

from __future__ import annotations

from collections.abc import Iterable

from leadline.data import keys, store
from leadline.data.models import OutboxEvent

SHARDS = 8
PREFIX = keys.OUTBOX_EVENTS  # of the tenant's events waiting for the bus


def new(tenant_id: str, event_id: str, occurred_at: str, **attributes) -> OutboxEvent:
    """An event, listed under its shard by time."""
    item = store.new_item(
        OutboxEvent, tenant_id, keys.outbox_event(event_id), event_id=event_id, occurred_at=occurred_at, **attributes
    )
    item.gsi1pk = keys.outbox_shard(keys.shard_of(event_id, SHARDS))
    item.gsi1sk = keys.in_order(occurred_at, event_id)
    return item


def older_than(shard: int, moment: str, *, limit: int) -> Iterable[OutboxEvent]:
    """The events of one shard that occurred before `moment`, oldest first, across tenants."""
    return OutboxEvent.by_parent.query(keys.outbox_shard(shard), OutboxEvent.gsi1sk < moment, limit=limit)


def waiting(tenant_id: str) -> list[OutboxEvent]:
    """The tenant's events not yet on the bus (tests and diagnostics)."""
    return list(OutboxEvent.query(keys.tenant(tenant_id), OutboxEvent.sk.startswith(PREFIX)))
