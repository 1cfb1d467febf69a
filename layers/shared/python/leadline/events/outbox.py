"""The outbox: a state change and the event announcing it are written in one DynamoDB transaction, so an
event can never be lost; the request then puts it on the bus and deletes it from the outbox. If the request
dies in between, the scanner finds it through the outbox index and publishes it. Every event carries a
stable `event_id`: in the one window where a publish succeeded but its outbox delete did not, the scanner
publishes it again and consumers recognise it by that id."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline.config import event_bus_name, scaled_seconds
from leadline.data.models import OutboxEvent
from leadline.data.repositories import outbox as outbox_items
from leadline.data.store import TxStep
from leadline.ids import utc_now
from leadline.observability import logger

SOURCE = "leadline"
BATCH = 10  # PutEvents' limit
# A request publishes its own events right after its commit; the sweep leaves them that long (a minute, and never
# under 10 s even when LEADLINE_TIME_SCALE speeds timers up), or a slow request and the sweep would both publish.
MIN_GRACE_SECONDS = 10


@dataclass(frozen=True)
class DomainEvent:
    detail_type: str
    tenant_id: str
    detail: dict[str, Any]
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: str = field(default_factory=utc_now)

    def body(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "tenant_id": self.tenant_id, "occurred_at": self.occurred_at, **self.detail}


def record(event: DomainEvent) -> OutboxEvent:
    return outbox_items.new(
        event.tenant_id,
        event.event_id,
        event.occurred_at,
        detail_type=event.detail_type,
        detail=json.dumps(event.body()),
    )


def step(event: DomainEvent) -> TxStep:
    """The outbox write to put in the change's transaction."""
    return TxStep.put(record(event), "event already recorded", condition=OutboxEvent.pk.does_not_exist())


class Publisher:
    def __init__(self, client: Any = None, bus_name: str | None = None):
        self._client = client
        self._bus_name = bus_name

    def _events_client(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("events")
        return self._client

    def publish(self, items: list[OutboxEvent]) -> None:
        """Put the events on the bus (10 at a time), then clear them from the outbox. Entries EventBridge refuses
        stay there (and the call raises): only they are published again."""
        bus = self._bus_name or event_bus_name()
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            response = self._events_client().put_events(
                Entries=[
                    {"EventBusName": bus, "Source": SOURCE, "DetailType": i.detail_type, "Detail": i.detail}
                    for i in batch
                ]
            )
            refused = response.get("FailedEntryCount") or 0
            results = response.get("Entries") or []
            if refused and len(results) != len(batch):
                raise RuntimeError(f"EventBridge refused {refused} of {len(batch)} events")
            # Entries answer the events in the order they were put
            published = [i for i, r in zip(batch, results, strict=True) if not r.get("ErrorCode")] if refused else batch
            with OutboxEvent.batch_write() as writer:
                for item in published:
                    writer.delete(item)
            if refused:
                raise RuntimeError(f"EventBridge refused {refused} of {len(batch)} events")


_default_publisher = Publisher()


def publish_after_commit(events: list[DomainEvent], publisher: Publisher | None = None) -> None:
    """Publish what a committed transaction recorded. A failure here loses nothing: the scanner sweeps it."""
    try:
        (publisher or _default_publisher).publish([record(e) for e in events])
    except Exception:  # noqa: BLE001 - the outbox keeps it; the scanner publishes it
        logger.exception("publishing after commit failed; the outbox keeps the events for the scanner")


def sweep(*, publisher: Publisher | None = None, grace_seconds: float | None = None, limit: int = 500) -> int:
    """Publish outbox events older than the grace period (younger ones are still being published by their request)."""
    grace = max(scaled_seconds(60), MIN_GRACE_SECONDS) if grace_seconds is None else grace_seconds
    cutoff = (datetime.now(UTC) - timedelta(seconds=grace)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    published = 0
    for shard in range(outbox_items.SHARDS):
        items = list(outbox_items.older_than(shard, cutoff, limit=limit))
        if items:
            (publisher or _default_publisher).publish(items)
            published += len(items)
    return published


__all__ = ["DomainEvent", "Publisher", "publish_after_commit", "step", "sweep"]
