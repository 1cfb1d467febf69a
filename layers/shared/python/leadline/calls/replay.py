"""Deliveries that were kept but not applied (our failure, never the sender's) are applied by the scanner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadline.calls import service
from leadline.calls.events import CallEvent
from leadline.calls.vendors import callrail, native, twilio
from leadline.config import scaled_seconds
from leadline.data.models import CallEventRecord
from leadline.errors import InvalidInput
from leadline.observability import logger

GRACE = timedelta(minutes=2)  # a delivery this young may still be in the hands of its own request
_TWILIO_KINDS = {
    "voice-status": twilio.voice_status_event,
    "recording": twilio.recording_event,
    "transcription": twilio.transcription_event,
}


def parse(record: CallEventRecord) -> CallEvent:
    raw = record.raw or ""
    if record.vendor == twilio.VENDOR:
        kind = record.dedupe_key.split(":")[2]  # twilio:<CallSid>:<callback>:...
        return _TWILIO_KINDS[kind](twilio.form_params(raw))
    if record.vendor == callrail.VENDOR:
        return callrail.parse(callrail.load(raw.encode()), raw.encode())
    return native.parse(native.load(raw.encode()))


def sweep(*, limit: int = 200) -> int:
    cutoff = (
        (datetime.now(UTC) - timedelta(seconds=scaled_seconds(GRACE.total_seconds())))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    applied = 0
    for shard in range(service.PENDING_SHARDS):
        for record in CallEventRecord.by_parent.query(
            f"CALLEVENTS#PENDING#{shard}", CallEventRecord.gsi1sk < cutoff, limit=limit
        ):
            if record.state != service.RECEIVED:
                continue
            try:
                event = parse(record)
            except (InvalidInput, KeyError, ValueError) as exc:
                service.mark_rejected(record.tenant_id, record.dedupe_key, getattr(exc, "message", str(exc)))
                continue
            try:
                service.ingest(record.tenant_id, event, raw=record.raw, already_kept=True)
            except Exception:  # noqa: BLE001 - stays kept; the next sweep tries again
                logger.exception("a kept call event could not be applied yet", extra={"vendor": record.vendor})
                continue
            applied += 1
    return applied
