"""Deliveries: what vendors and partners sent us, kept as received.

Once a sender is authenticated, nothing refuses its delivery without keeping it first: a delivery we cannot read
or apply is kept `rejected` with its reason, one we failed to apply is kept `received` (the scanner applies it), and
staff list both and apply them again after a fix (`leadline.workflows.redelivery`). A delivery applied at once is kept
`processed` by the same transaction that applies it (calls), or lives on in what it made (a booking keeps the
partner's raw lead), so the hot paths pay no extra request. The dedupe key is the item's key: a second delivery
of the same thing is refused by the write itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline.data import store
from leadline.data.models import Delivery
from leadline.data.repositories import deliveries as records
from leadline.data.repositories.deliveries import PROCESSED, RECEIVED, REJECTED
from leadline.errors import Conflict, InvalidInput, NotFound
from leadline.ids import utc_now

LISTED_STATES = (REJECTED, RECEIVED)
RETENTION = timedelta(days=180)


def unreadable_key(vendor: str, kind: str, raw: bytes | str) -> str:
    """The key of a delivery whose own id cannot be read: the body itself identifies it (a replay is the same)."""
    body = raw.encode("utf-8") if isinstance(raw, str) else raw
    return f"{vendor}:{kind}:body:{hashlib.sha256(body).hexdigest()[:40]}"


def new_record(
    tenant_id: str,
    dedupe_key: str,
    vendor: str,
    *,
    raw: str | None,
    state: str,
    kind: str | None = None,
    error: str | None = None,
    verified: bool | None = None,
    call_id: str | None = None,
) -> Delivery:
    return records.new(
        tenant_id,
        dedupe_key,
        vendor=vendor,
        kind=kind,
        verified=verified,
        call_id=call_id,
        state=state,
        received_at=utc_now(),
        raw=raw,
        error=error[:500] if error else None,
        expires_at=datetime.now(UTC) + RETENTION,
    )


def keep(
    tenant_id: str,
    dedupe_key: str,
    vendor: str,
    raw: str,
    *,
    kind: str | None = None,
    error: str | None = None,
    verified: bool | None = None,
) -> bool:
    """Store a delivery, `rejected` with its reason when `error` is given, else `received` for the scanner. False
    when this delivery was stored before (a duplicate)."""
    state = REJECTED if error else RECEIVED
    record = new_record(tenant_id, dedupe_key, vendor, raw=raw, state=state, kind=kind, error=error, verified=verified)
    try:
        store.create(record, "delivery")
    except Conflict:
        return False
    return True


def _set_state(record: Delivery, state: str, error: str | None) -> None:
    record.state, record.error = state, (error[:500] if error else None)
    records.save(record)


def mark_rejected(tenant_id: str, dedupe_key: str, error: str) -> None:
    """Out of the scanner's pending index (there is nothing it could apply), into the staff's rejected list."""
    record = records.get(tenant_id, dedupe_key, consistent=True)
    if record is not None and record.state != PROCESSED:
        _set_state(record, REJECTED, error)


def mark_processed(record: Delivery) -> None:
    _set_state(record, PROCESSED, None)


def requeue(record: Delivery) -> None:
    """Back into the scanner's queue, keeping the reason it was refused until it is applied."""
    record.attempts = int(record.attempts or 0) + 1
    _set_state(record, RECEIVED, record.error)


def pending(before: str, *, limit_per_shard: int) -> Iterator[Delivery]:
    """The deliveries of every tenant kept `received` before `before` (an ISO instant), for the scanner."""
    return (r for r in records.pending_before(before, limit_per_shard=limit_per_shard) if r.state == RECEIVED)


def view(record: Delivery, *, full: bool = False) -> dict[str, Any]:
    shown = {
        "delivery_id": record.dedupe_key,
        "vendor": record.vendor,
        "kind": record.kind,
        "state": record.state,
        "reason": record.error,
        "call_id": record.call_id,
        "received_at": record.received_at,
        "updated_at": record.updated_at,
        "attempts": int(record.attempts or 0),
    }
    if full:
        shown["body"] = record.raw
    return shown


def list_deliveries(tenant_id: str, vendor: str, *, state: str, limit: int, next_token: str | None) -> dict[str, Any]:
    """A vendor's deliveries not applied (rejected or waiting), newest first."""
    if state not in LISTED_STATES:
        raise InvalidInput(f"state must be one of {', '.join(LISTED_STATES)}", field="state")
    page = records.list_by_state(tenant_id, vendor, state, limit=limit, next_token=next_token)
    return {"items": [view(r) for r in page.items], "next_token": page.next_token}


def get_or_404(tenant_id: str, vendor: str, dedupe_key: str) -> Delivery:
    record = records.get(tenant_id, dedupe_key, consistent=True)
    if record is None or record.vendor != vendor:
        raise NotFound(f"delivery {dedupe_key} of {vendor} not found")
    return record
