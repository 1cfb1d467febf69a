"""Twilio voice status, recording status and transcription callbacks, exactly as Twilio sends them.

The signature (X-Twilio-Signature) is HMAC-SHA1, keyed by the account's auth token, of the full URL Twilio
called followed by every POST parameter's name and value, sorted by name. It is checked over the public URL
(not the host or port a proxy rewrote), with and without the port as Twilio's own validator does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit, urlunsplit

from leadline.calls.events import INBOUND, OUTBOUND, STATUS_RANK, CallEvent, Recording, Transcript
from leadline.errors import InvalidInput
from leadline.phones import to_e164

VENDOR = "twilio"
_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
_HASHES = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}
MAX_INT = 10**9


def form_params(body: str) -> list[tuple[str, str]]:
    return parse_qsl(body or "", keep_blank_values=True)


def url_variants(url: str) -> list[str]:
    """The URL as given, and with the default port added or removed."""
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    with_port = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default_port}"))
    without_port = urlunsplit(parts._replace(netloc=host))
    return list(dict.fromkeys([url, without_port, with_port]))


# RFC 3986 lets these stand unescaped in a query value; Twilio signs the URL as it was configured, escaped or not.
_QUERY_SAFE = "!$'()*,;:@/?"
_QUERY_ENCODINGS = (
    lambda text: quote_plus(text, safe=""),  # form-encoded (spaces as +)
    lambda text: quote(text, safe=""),  # percent-encoded (spaces as %20)
    lambda text: quote(text, safe=_QUERY_SAFE + "+"),  # reserved characters and a literal + left as typed
    lambda text: quote_plus(text, safe=_QUERY_SAFE),
    lambda text: quote(text, safe="!*'()"),  # JavaScript's encodeURIComponent
)


def signed_urls(base_url: str, raw_query: str | None, pairs: list[tuple[str, str]]) -> list[str]:
    """The URL exactly as requested when the raw query string is known. API Gateway's REST proxy event gives the
    query's parameters decoded instead, so then each way the configured URL may have written them, as Twilio's
    own validators try (twilio/twilio-node#621, #1061): form or percent encoding, reserved characters escaped or
    not, in the order given or sorted. A query that escapes some reserved characters and leaves others as typed
    may match none of them: docs/webhooks.md asks for query values written one way."""
    if raw_query is not None or not pairs:
        return [base_url + (f"?{raw_query}" if raw_query else "")]
    queries = (
        "&".join(f"{encode(name)}={encode(value)}" for name, value in ordered)
        for ordered in (pairs, sorted(pairs))
        for encode in _QUERY_ENCODINGS
    )
    return list(dict.fromkeys(f"{base_url}?{query}" for query in queries))


def expected_signature(auth_token: str, url: str, params: list[tuple[str, str]], algorithm: str = "HMAC_SHA1") -> str:
    payload = url
    names = sorted({name for name, _ in params})
    for name in names:
        for value in sorted({v for n, v in params if n == name}):
            payload += name + value
    digest = hmac.new(auth_token.encode(), payload.encode(), _HASHES[algorithm]).digest()
    return base64.b64encode(digest).decode()


def signature_algorithm(settings_header: str | None) -> str:
    for part in (settings_header or "").split(","):
        name, _, value = part.partition("=")
        if name.strip() == "algorithm" and value.strip().upper() in _HASHES:
            return value.strip().upper()
    return "HMAC_SHA1"


def signature_is_valid(
    auth_token: str, url: str, params: list[tuple[str, str]], signature: str | None, settings_header: str | None = None
) -> bool:
    if not signature or not auth_token:
        return False
    algorithm = signature_algorithm(settings_header)
    return any(
        hmac.compare_digest(expected_signature(auth_token, candidate, params, algorithm), signature)
        for candidate in url_variants(url)
    )


def _one(params: list[tuple[str, str]], name: str, *, required: bool = False) -> str | None:
    values = [v for n, v in params if n == name]
    if not values or values[0] == "":
        if required:
            raise InvalidInput(f"{name} is missing", field=name)
        return None
    return values[0]


def _sid(params, name: str, *, required: bool = True) -> str | None:
    value = _one(params, name, required=required)
    if value is not None and not _SID.match(value):
        raise InvalidInput(f"{name} '{value[:40]}' is not a Twilio SID", field=name)
    return value


def _int(params, name: str) -> int | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not '{value[:20]}'", field=name) from None
    if number < 0:
        raise InvalidInput(f"{name} must not be negative", field=name)
    if number > MAX_INT:  # nothing Twilio counts comes near; DynamoDB would refuse a number of 39 digits or more
        raise InvalidInput(f"{name} must be at most {MAX_INT}", field=name)
    return number


def _time(params, name: str):
    value = _one(params, name)
    if value is None:
        return None
    try:
        moment = parsedate_to_datetime(value)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # "-0000": UTC (RFC 5322 3.3)
        moment.astimezone(UTC)  # year 1 or 9999 with an offset has no UTC time to store
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{name} '{value[:40]}' is not an RFC 2822 date", field=name) from None
    return moment


def _number(params, name: str, details: dict[str, str]) -> str | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        return to_e164(value, field=name)
    except InvalidInput:
        details[name.lower()] = value  # client:agent, sip:..., anonymous callers: kept as Twilio said
        return None


def check_account(params, account_sid: str) -> None:
    if _sid(params, "AccountSid") != account_sid:
        raise InvalidInput("AccountSid is not this company's Twilio account", field="AccountSid")


def voice_status_event(params: list[tuple[str, str]]) -> CallEvent:
    call_id = _sid(params, "CallSid")
    status = _one(params, "CallStatus", required=True)
    if status not in STATUS_RANK:
        raise InvalidInput(f"CallStatus '{status[:30]}' is not one Twilio sends", field="CallStatus")
    direction = _one(params, "Direction")
    details: dict[str, str] = {}
    sequence = _int(params, "SequenceNumber")
    return CallEvent(
        vendor=VENDOR,
        call_id=call_id,
        dedupe_key=f"twilio:{call_id}:voice-status:{status}:{sequence if sequence is not None else '-'}",
        kind="voice-status",
        occurred_at=_time(params, "Timestamp"),
        direction=None if direction is None else (INBOUND if direction == "inbound" else OUTBOUND),
        from_number=_number(params, "From", details),
        to_number=_number(params, "To", details),
        status=status,
        sequence=sequence,
        duration_seconds=_int(params, "CallDuration"),
        vendor_details=details,
    )


def recording_event(params: list[tuple[str, str]]) -> CallEvent:
    call_id = _sid(params, "CallSid")
    recording_sid = _sid(params, "RecordingSid")
    status = _one(params, "RecordingStatus", required=True)
    url = _one(params, "RecordingUrl") or ""
    if status == "completed" and not url:
        raise InvalidInput("RecordingUrl is missing for a completed recording", field="RecordingUrl")
    return CallEvent(
        vendor=VENDOR,
        call_id=call_id,
        dedupe_key=f"twilio:{call_id}:recording:{recording_sid}:{status}",
        kind="recording-status",
        recording=Recording(
            url=url, status=status, sid=recording_sid, duration_seconds=_int(params, "RecordingDuration") or 0
        ),
    )


def transcription_event(params: list[tuple[str, str]]) -> CallEvent:
    call_id = _sid(params, "CallSid")
    transcription_sid = _sid(params, "TranscriptionSid")
    status = _one(params, "TranscriptionStatus", required=True)
    recording_url = _one(params, "RecordingUrl")
    recording_sid = _sid(params, "RecordingSid", required=False)
    return CallEvent(
        vendor=VENDOR,
        call_id=call_id,
        dedupe_key=f"twilio:{call_id}:transcription:{transcription_sid}:{status}",
        kind="transcription",
        transcript=Transcript(text=_one(params, "TranscriptionText") or "", status=status, sid=transcription_sid),
        recording=Recording(url=recording_url, sid=recording_sid or "", status="completed") if recording_url else None,
    )


PARSERS = {
    "voice-status": voice_status_event,
    "recording-status": recording_event,
    "transcription": transcription_event,
}


def parse(callback: str, raw_body: bytes, account_sid: str) -> CallEvent:
    """A callback's form body as the event it tells, if it is from the company's own account."""
    params = form_params(raw_body.decode("utf-8", errors="replace"))
    check_account(params, account_sid)
    return PARSERS[callback](params)
