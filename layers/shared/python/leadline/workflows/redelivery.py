"""Applying kept deliveries again: the scanner's sweep of those we failed to apply (our failure, never the
sender's) or that staff asked to apply again once the cause is fixed (a set-up or mapping change, or a new version
of the code that reads it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from leadline import credentials, deliveries
from leadline.calls import vendors as call_vendors
from leadline.config import scaled_seconds
from leadline.data.models import Delivery
from leadline.errors import Conflict, InvalidInput
from leadline.observability import logger
from leadline.partners import ingest, registry
from leadline.workflows import after_call_work

GRACE = timedelta(minutes=2)  # a delivery this young may still be in the hands of its own request
_TWILIO_CALLBACKS = {"recording": "recording-status", "transcript": "transcription"}  # kinds of earlier records


def _kind(record: Delivery) -> str:
    """The sender's webhook the delivery came to; records kept before `kind` existed say it in their key."""
    if record.kind:
        return record.kind
    if record.vendor == call_vendors.twilio.VENDOR:
        callback = record.dedupe_key.split(":")[2]  # twilio:<CallSid>:<callback>:...
        return _TWILIO_CALLBACKS.get(callback, callback)
    return call_vendors.callrail.POST_CALL


def apply(record: Delivery) -> dict[str, Any]:
    """Apply a kept delivery as its webhook would have. InvalidInput if it still cannot be read or applied."""
    raw = (record.raw or "").encode("utf-8")
    if record.vendor not in call_vendors.VENDORS:
        partner = registry.find(record.vendor)
        outcome = ingest.apply(record.tenant_id, partner, raw, verified=record.verified is not False)
        deliveries.mark_processed(record)
        return outcome
    telephony = credentials.read(record.tenant_id, credentials.TELEPHONY, fresh=True).get(record.vendor) or {}
    event = call_vendors.read(record.vendor, _kind(record), raw, telephony)
    same_key = event.dedupe_key == record.dedupe_key
    # Kept under its own key, the record is the one the call's transaction turns `processed`; kept under its body's
    # key (it could not be read then), the event's own record is written now, and this one marked done.
    outcome = after_call_work.ingest(record.tenant_id, event, raw=record.raw, already_kept=same_key)
    if not same_key:
        record.call_id = event.call_id
        deliveries.mark_processed(record)
    return {"result": outcome.result, "call_id": outcome.call_id}


def reprocess(tenant_id: str, vendor: str, delivery_id: str) -> dict[str, Any]:
    """Staff's "apply again" once the cause is fixed: the delivery goes back to the scanner's queue, which applies
    it within a minute or keeps it `rejected` with the reason it still cannot be applied."""
    record = deliveries.get_or_404(tenant_id, vendor, delivery_id)
    if record.state == deliveries.PROCESSED:
        raise Conflict(f"delivery {delivery_id} was applied already")
    deliveries.requeue(record)
    return deliveries.view(record)


def sweep(*, limit: int = 200) -> int:
    """Apply the deliveries kept `received` (not the rejected: nothing changes for them until someone fixes the
    cause and reprocesses them). One that still cannot be read is kept `rejected` with the reason."""
    cutoff = (
        (datetime.now(UTC) - timedelta(seconds=scaled_seconds(GRACE.total_seconds())))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    applied = 0
    for record in deliveries.pending(cutoff, limit_per_shard=limit):
        try:
            apply(record)
        except (InvalidInput, KeyError, ValueError) as exc:
            deliveries.mark_rejected(record.tenant_id, record.dedupe_key, getattr(exc, "message", str(exc)))
            continue
        except Exception:  # noqa: BLE001 - stays kept; the next sweep tries again
            logger.exception("a kept delivery could not be applied yet", extra={"vendor": record.vendor})
            continue
        applied += 1
    return applied
