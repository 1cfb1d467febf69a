"""CallRail's Post-Call and Call Modified webhooks: JSON, signed with the company's signing key.

`Signature` is the base64 HMAC-SHA1 of the raw body. CallRail never retries, so the caller of `parse` has
already stored the raw body; a replay (a `timestamp` outside the window) is refused, and an identical body
delivered twice is one event.
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
REPLAY_WINDOW = timedelta(minutes=15)


def signature_is_valid(signing_key: str, raw_body: bytes, signature: str | None) -> bool:
    if not signature or not signing_key:
        return False
    expected = base64.b64encode(hmac.new(signing_key.encode(), raw_body, hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


def dedupe_key(raw_body: bytes) -> str:
    return "callrail:" + hashlib.sha256(raw_body).hexdigest()[:40]


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


def check_replay(payload: dict, now: datetime) -> None:
    sent = _time(payload.get("timestamp"), "timestamp")
    if sent is not None and abs(now - sent) > REPLAY_WINDOW:
        raise InvalidInput(
            "timestamp is outside the accepted window: a replayed or delayed delivery", field="timestamp"
        )


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


def parse(payload: dict, raw_body: bytes) -> CallEvent:
    call_id = payload.get("id")
    if not isinstance(call_id, str) or not call_id or len(call_id) > 64:
        raise InvalidInput("id (the CallRail call id) is missing", field="id")
    try:
        duration = int(payload.get("duration") or 0)
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity
        raise InvalidInput("duration must be a whole number of seconds", field="duration") from None
    if not 0 <= duration <= 86400:
        raise InvalidInput("duration must be from 0 to 86400 seconds", field="duration")
    started = _time(payload.get("start_time"), "start_time")
    try:
        ended = started + timedelta(seconds=duration) if started else None
    except OverflowError:
        raise InvalidInput("start_time plus duration is past the year 9999", field="start_time") from None
    answered = payload.get("answered")
    if not isinstance(answered, bool):
        answered = duration > 0
    details = {k: str(payload[k])[:200] for k in ("source", "campaign") if payload.get(k)}
    direction = payload.get("direction")
    recording = payload.get("recording")
    transcript = payload.get("transcription") or None
    return CallEvent(
        vendor=VENDOR,
        call_id=call_id,
        dedupe_key=dedupe_key(raw_body),
        kind="post-call",
        occurred_at=started,
        direction=None if direction is None else (INBOUND if direction == "inbound" else OUTBOUND),
        from_number=_number(payload, "customer_phone_number", details),
        to_number=_number(payload, "tracking_phone_number", details),
        status="completed" if answered else "no-answer",
        answered=answered,
        started_at=started,
        ended_at=ended,
        duration_seconds=duration,
        recording=Recording(url=recording) if isinstance(recording, str) and recording else None,
        transcript=Transcript(text=str(transcript)) if transcript else None,
        vendor_details=details,
    )
