"""CallRail's call webhooks: Pre-Call, Call Routing Complete, Post-Call and Call Modified, JSON, signed with the
company's signing key.

`Signature` is the base64 HMAC-SHA1 of the raw body: it covers no send time, and CallRail's `timestamp` is the
call's start, not when it was sent (Post-Call waits up to 20 minutes for the recording; Call Modified comes hours
later), so replays are stopped by deduplication, never by a time window. CallRail never retries, so the caller of
`parse` has already stored the raw body. The call's id is `resource_id` (`CAL` + 32 hex) since CallRail's
"Webhooks Integration Updates"; older deliveries carry the numeric `id`. Numbers and booleans may come as strings
("duration": "15", "answered": "true").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from leadline.calls.events import INBOUND, OUTBOUND, CallEvent, Recording, Transcript
from leadline.errors import InvalidInput
from leadline.phones import to_e164

VENDOR = "callrail"
PRE_CALL, ROUTING_COMPLETE, POST_CALL, CALL_MODIFIED = "pre-call", "call-routing-complete", "post-call", "call-modified"
EVENTS = (PRE_CALL, ROUTING_COMPLETE, POST_CALL, CALL_MODIFIED)
ENDED_EVENTS = (POST_CALL, CALL_MODIFIED)  # sent once the call is over: duration and answered are final


def signature_is_valid(signing_key: str, raw_body: bytes, signature: str | None) -> bool:
    if not signature or not signing_key:
        return False
    expected = base64.b64encode(hmac.new(signing_key.encode(), raw_body, hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


def _time(value, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(value, UTC)
        else:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)  # year 1 or 9999 with an offset has no UTC time to store
    except (ValueError, OverflowError, OSError):
        raise InvalidInput(f"{field} '{str(value)[:40]}' is not a date and time", field=field) from None
    return moment


def load(raw_body: bytes) -> dict:
    try:
        payload = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not JSON") from None
    except RecursionError:
        raise InvalidInput("the body is JSON nested too deeply") from None
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object")
    return payload


def _number(payload: dict, name: str, details: dict[str, str]) -> str | None:
    value = payload.get(name)
    if value in (None, ""):
        return None
    try:
        return to_e164(str(value), field=name)
    except InvalidInput:
        details[name] = str(value)[:40]
        return None


def _call_id(payload: dict) -> str:
    for name in ("resource_id", "id"):
        value = payload.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip() and len(value) <= 64:
            return value.strip()
    raise InvalidInput("resource_id (the CallRail call's id; `id` in older deliveries) is missing", field="resource_id")


def _duration(value) -> int:
    if value in (None, ""):
        return 0
    try:
        duration = int(value) if not isinstance(value, str) else int(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity
        raise InvalidInput("duration must be a whole number of seconds", field="duration") from None
    if not 0 <= duration <= 86400:
        raise InvalidInput("duration must be from 0 to 86400 seconds", field="duration")
    return duration


def _flag(value) -> bool | None:
    """CallRail's booleans, which some deliveries write as "true" / "false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def dedupe_key(call_id: str, event: str, raw_body: bytes) -> str:
    """The call, the webhook, and the body: a replay is the same body, while a Call Modified with new content is
    new information about the same call."""
    return f"callrail:{call_id}:{event}:{hashlib.sha256(raw_body).hexdigest()[:32]}"


def parse(payload: dict, raw_body: bytes, event: str = POST_CALL) -> CallEvent:
    if event not in EVENTS:
        raise InvalidInput(f"no CallRail webhook '{event}' ({', '.join(EVENTS)})", field="event")
    call_id = _call_id(payload)
    ended = event in ENDED_EVENTS
    started = _time(payload.get("start_time"), "start_time")
    duration = _duration(payload.get("duration")) if ended else None
    try:
        ended_at = started + timedelta(seconds=duration) if started and duration is not None else None
    except OverflowError:
        raise InvalidInput("start_time plus duration is past the year 9999", field="start_time") from None
    answered = _flag(payload.get("answered")) if ended else None
    if ended and answered is None:
        answered = bool(duration)
    details = {k: str(payload[k])[:200] for k in ("source", "source_name", "campaign") if payload.get(k)}
    direction = payload.get("direction")
    outbound = direction is not None and direction != "inbound"
    recording = payload.get("recording")
    transcript = payload.get("transcription") or None
    return CallEvent(
        vendor=VENDOR,
        call_id=call_id,
        dedupe_key=dedupe_key(call_id, event, raw_body),
        kind=event,
        occurred_at=started,
        direction=None if direction is None else (OUTBOUND if outbound else INBOUND),
        # the customer is the caller of an inbound call and the one called by an outbound one
        from_number=_number(payload, "tracking_phone_number" if outbound else "customer_phone_number", details),
        to_number=_number(payload, "customer_phone_number" if outbound else "tracking_phone_number", details),
        status=("completed" if answered else "no-answer") if ended else "ringing",
        answered=answered,
        started_at=started,
        ended_at=ended_at,
        duration_seconds=duration,
        recording=Recording(url=recording, duration_seconds=_duration(payload.get("recording_duration")))
        if isinstance(recording, str) and recording
        else None,
        transcript=Transcript(text=str(transcript)) if isinstance(transcript, str) and transcript.strip() else None,
        vendor_details=details,
    )
