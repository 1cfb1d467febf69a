"""Our own JSON call-event webhook, for any vendor that is not Twilio or CallRail (schema: docs/webhooks.md).

Signed like Stripe's and most others: `Leadline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
with the tenant's signing secret; a `t` outside the tolerance window is a replay. Idempotent on `event_id`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from leadline.calls.events import CallEvent, Recording, Transcript
from leadline.errors import InvalidInput
from leadline.json_schema import check
from leadline.phones import to_e164

VENDOR = "native"
SIGNATURE_HEADER = "leadline-signature"
TOLERANCE_SECONDS = 300

EVENT_TYPES = ("call.started", "call.answered", "call.ended", "recording.ready", "transcript.ready")
OUTCOMES = ("completed", "no-answer", "busy", "failed", "canceled")

SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["event_id", "type", "call_id", "occurred_at"],
    "additionalProperties": False,
    "properties": {
        "event_id": {"type": "string", "minLength": 1, "maxLength": 128},
        "type": {"enum": list(EVENT_TYPES)},
        "call_id": {"type": "string", "minLength": 1, "maxLength": 128},
        "occurred_at": {"type": "string", "minLength": 10, "maxLength": 40},
        "direction": {"enum": ["inbound", "outbound"]},
        "from": {"type": "string", "maxLength": 40},
        "to": {"type": "string", "maxLength": 40},
        "agent": {"type": "string", "maxLength": 200},
        "outcome": {"enum": list(OUTCOMES)},
        "duration_seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
        "recording_url": {"type": "string", "minLength": 8, "maxLength": 2048},
        "recording_duration_seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
        "transcript": {"type": "string", "maxLength": 200000},
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": "call.ended"}}}, "then": {"required": ["outcome"]}},
        {"if": {"properties": {"type": {"const": "recording.ready"}}}, "then": {"required": ["recording_url"]}},
        {"if": {"properties": {"type": {"const": "transcript.ready"}}}, "then": {"required": ["transcript"]}},
    ],
}

_STATUS_OF_TYPE = {"call.started": "ringing", "call.answered": "in-progress"}


def sign(secret: str, raw_body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_is_valid(secret: str, raw_body: bytes, header: str | None, now: float) -> bool:
    if not header or not secret:
        return False
    parts = [p.strip().partition("=") for p in header.split(",")]
    timestamps = [v for k, _, v in parts if k == "t"]
    candidates = [v for k, _, v in parts if k == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not candidates:
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, raw_body, timestamp).partition("v1=")[2]
    return any(hmac.compare_digest(expected, c) for c in candidates)


def load(raw_body: bytes) -> dict:
    try:
        payload = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not JSON") from None
    except RecursionError:
        raise InvalidInput("the body is JSON nested too deeply") from None
    return check(payload, SCHEMA, "the event")


def _time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)  # year 1 or 9999 with an offset has no UTC time to store
    except (ValueError, OverflowError):
        raise InvalidInput(f"occurred_at '{value}' is not an ISO 8601 date and time", field="occurred_at") from None
    return moment


def parse(payload: dict) -> CallEvent:
    kind = payload["type"]
    occurred = _time(payload["occurred_at"])
    status = payload.get("outcome") if kind == "call.ended" else _STATUS_OF_TYPE.get(kind)
    return CallEvent(
        vendor=VENDOR,
        call_id=payload["call_id"],
        dedupe_key=f"native:{payload['call_id']}:{payload['event_id']}",
        kind=kind,
        occurred_at=occurred,
        direction=payload.get("direction"),
        from_number=to_e164(payload["from"], field="from") if payload.get("from") else None,
        to_number=to_e164(payload["to"], field="to") if payload.get("to") else None,
        status=status,
        answered=True if kind == "call.answered" else None,
        ended_at=occurred if kind == "call.ended" else None,
        duration_seconds=payload.get("duration_seconds"),
        agent=payload.get("agent"),
        recording=Recording(url=payload["recording_url"], duration_seconds=payload.get("recording_duration_seconds", 0))
        if kind == "recording.ready"
        else None,
        transcript=Transcript(text=payload["transcript"]) if kind == "transcript.ready" else None,
    )
