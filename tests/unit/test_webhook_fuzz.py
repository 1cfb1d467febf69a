"""The webhook parsers fuzzed with Hypothesis: random bytes, random JSON, bodies nested too deep, valid bodies cut
short, and valid bodies with fields dropped or given values of the wrong type. Each parser is driven as its webhook
handler drives it (after the signature check) and must either return what the handler expects, usable as it is
(datetimes with a time zone that convert to UTC, phone numbers in E.164, numbers DynamoDB can store), or raise
`InvalidInput`, which the handler answers with a 400 saying what is wrong. Any other exception would be a 5xx; a
result the store cannot take would be a delivery kept and never applied.

Derandomized and bounded for `make test`; LEADLINE_FUZZ_EXAMPLES=2000 (examples per test) makes a longer run, and
LEADLINE_FUZZ_SEED=<n> a random one, repeatable with that seed.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from leadline.bookings.service import Incoming
from leadline.calls import vendors
from leadline.calls.events import STATUS_RANK, CallEvent
from leadline.calls.vendors import callrail, native, twilio
from leadline.errors import InvalidInput
from leadline.partners import angi, generic, thumbtack

EXAMPLES = int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "60"))
SEED = os.environ.get("LEADLINE_FUZZ_SEED")
PARTNER_SAMPLES = Path(__file__).parent.parent / "data" / "partners"

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ACCOUNT_SID = "AC" + "1" * 32
CALL_SID = "CA" + "a" * 32
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def fuzz(test: Callable) -> Callable:
    configured = settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)
    return seed(int(SEED))(configured) if SEED is not None else configured


# --- each parser as its handler drives it -------------------------------------------------------------


def _twilio(callback: str) -> Callable[[bytes], Any]:
    return lambda raw: vendors.read(twilio.VENDOR, callback, raw, {"account_sid": ACCOUNT_SID})


def _callrail(raw: bytes) -> CallEvent:
    return vendors.read(callrail.VENDOR, callrail.POST_CALL, raw, {})


def _native(raw: bytes) -> CallEvent:
    return vendors.read(native.VENDOR, "call-event", raw, {})


def _thumbtack(raw: bytes) -> Incoming | thumbtack.Message | None:
    event_type, data = thumbtack.load(raw)
    if thumbtack.is_lead(event_type):
        return thumbtack.parse_negotiation(data, raw)
    if thumbtack.is_message(event_type):
        return thumbtack.parse_message(data, raw)
    return None  # acknowledged and ignored


def _angi(raw: bytes) -> Incoming:
    return angi.parse(angi.load(raw), raw)


def _generic(raw: bytes) -> Incoming:
    return generic.parse("nextdoor", generic.load(raw), raw)


# --- what a parsed result must be ------------------------------------------------------------------------


def _usable_moment(value: datetime | None, name: str) -> None:
    if value is None:
        return
    assert value.tzinfo is not None and value.utcoffset() is not None, f"{name} {value!r} has no time zone"
    value.astimezone(UTC)  # what the store does; raises if the moment cannot be written as UTC


def _check_call_event(event: CallEvent) -> None:
    assert isinstance(event, CallEvent)
    assert isinstance(event.call_id, str) and event.call_id
    assert isinstance(event.dedupe_key, str) and event.dedupe_key
    for name in ("from_number", "to_number"):
        number = getattr(event, name)
        assert number is None or E164.match(number), f"{name} {number!r} is not E.164"
    assert event.status is None or event.status in STATUS_RANK
    for name in ("occurred_at", "started_at", "ended_at"):
        _usable_moment(getattr(event, name), name)
    numbers = {"duration_seconds": event.duration_seconds, "sequence": event.sequence}
    if event.recording is not None:
        numbers["recording.duration_seconds"] = event.recording.duration_seconds
    for name, value in numbers.items():
        assert value is None or (type(value) is int and abs(value) < 10**38), f"{name} {value!r} cannot be stored"


def _check_incoming(incoming: Incoming) -> None:
    assert isinstance(incoming, Incoming)
    assert isinstance(incoming.external_id, str) and incoming.external_id
    assert incoming.phone is None or E164.match(incoming.phone)
    if incoming.received_at is not None:
        assert incoming.received_at.endswith("Z")
        _usable_moment(datetime.fromisoformat(incoming.received_at.replace("Z", "+00:00")), "received_at")
    assert all(isinstance(d["question"], str) and isinstance(d["answer"], str) for d in incoming.details)


def _check_message(message: thumbtack.Message) -> None:
    assert message.negotiation_id and message.message_id and isinstance(message.note(), str)
    if message.sent_at is not None:
        datetime.fromisoformat(message.sent_at.replace("Z", "+00:00"))


def _check_result(parse: Callable[[bytes], Any], result: Any) -> None:
    if isinstance(result, CallEvent):
        _check_call_event(result)
    elif isinstance(result, Incoming):
        _check_incoming(result)
    elif isinstance(result, thumbtack.Message):
        _check_message(result)
    else:
        assert result is None and parse is _thumbtack, f"unexpected result {result!r}"


def parses_or_refuses(parse: Callable[[bytes], Any], raw: bytes) -> None:
    """The parser's whole contract: a usable result, or InvalidInput with a message (the handler's 400)."""
    try:
        result = parse(raw)
    except InvalidInput as refused:
        assert isinstance(refused.message, str) and refused.message.strip()
        return
    _check_result(parse, result)


# --- valid bodies ----------------------------------------------------------------------------------------


def _partner(name: str) -> dict:
    return json.loads((PARTNER_SAMPLES / name).read_text())


TWILIO_SAMPLES = {
    "voice-status": {
        "AccountSid": ACCOUNT_SID,
        "CallSid": CALL_SID,
        "From": "+15125550177",
        "To": "+15125550100",
        "Direction": "inbound",
        "CallStatus": "completed",
        "CallDuration": "42",
        "SequenceNumber": "2",
        "Timestamp": "Mon, 23 Nov 2026 15:00:00 +0000",
    },
    "recording-status": {
        "AccountSid": ACCOUNT_SID,
        "CallSid": CALL_SID,
        "RecordingSid": "RE" + "b" * 32,
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        "RecordingDuration": "40",
    },
    "transcription": {
        "AccountSid": ACCOUNT_SID,
        "CallSid": CALL_SID,
        "TranscriptionSid": "TR" + "c" * 32,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Hi, my AC stopped cooling, can you call me back?",
        "RecordingSid": "RE" + "b" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
    },
}

JSON_SAMPLES: dict[str, tuple[Callable[[bytes], Any], dict]] = {
    "callrail": (
        _callrail,
        {
            "id": "CAL8154748ae6bd4e278a7cddd38a662f4f",
            "tracking_phone_number": "+15125550200",
            "customer_phone_number": "(512) 555-0177",
            "direction": "inbound",
            "duration": 185,
            "start_time": "2026-11-23T09:00:00.000-06:00",
            "answered": True,
            "recording": "https://app.callrail.com/calls/CAL1/recording",
            "transcription": "Caller: my garage door spring broke",
            "source": "Google Organic",
            "campaign": "Spring promo",
            "timestamp": NOW.isoformat(),
        },
    ),
    "native call.ended": (
        _native,
        {
            "event_id": "evt-1",
            "type": "call.ended",
            "call_id": "call-1",
            "occurred_at": "2026-11-23T15:00:00Z",
            "direction": "inbound",
            "from": "+15125550177",
            "to": "+15125550100",
            "agent": "Carlos",
            "outcome": "completed",
            "duration_seconds": 42,
        },
    ),
    "native recording.ready": (
        _native,
        {
            "event_id": "evt-2",
            "type": "recording.ready",
            "call_id": "call-1",
            "occurred_at": "2026-11-23T15:00:05Z",
            "recording_url": "https://recordings.example/call-1.mp3",
            "recording_duration_seconds": 40,
        },
    ),
    "thumbtack negotiation": (_thumbtack, _partner("thumbtack/negotiation_created.json")),
    "thumbtack message": (_thumbtack, _partner("thumbtack/message_created.json")),
    "angi": (_angi, _partner("angi/lead.json")),
    "angi legacy interview": (_angi, _partner("angi/lead_legacy_interview.json")),
    "generic": (_generic, _partner("generic/lead.json")),
}

PARSERS: dict[str, Callable[[bytes], Any]] = {
    **{f"twilio {callback}": _twilio(callback) for callback in twilio.PARSERS},
    "callrail": _callrail,
    "native": _native,
    "thumbtack": _thumbtack,
    "angi": _angi,
    "generic": _generic,
}


@pytest.mark.parametrize("name", sorted(JSON_SAMPLES))
def test_the_valid_samples_parse(name):
    parse, sample = JSON_SAMPLES[name]
    result = parse(_encode(sample))
    assert result is not None
    _check_result(parse, result)


@pytest.mark.parametrize("callback", sorted(TWILIO_SAMPLES))
def test_the_valid_twilio_samples_parse(callback):
    _check_call_event(_twilio(callback)(urlencode(TWILIO_SAMPLES[callback]).encode()))


# --- strategies -------------------------------------------------------------------------------------------

# Values a sender gets wrong: wrong types, empty, huge, far-off or time-zone-less dates, numbers as text.
NASTY = [
    None, True, False, 0, -1, 2**63, -(2**70), 1e308, -0.5, float("inf"), float("nan"), "", " ", "0", "-5", "NaN",
    "x" * 300, "\x00", "😀", [], {}, [None], {"": None}, "2026-02-30T00:00:00Z", "2026-11-23T15:00:00",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.999999-23:59",
    "Mon, 23 Nov 2026 15:00:00 -0000", "Mon, 01 Jan 0001 00:00:00 +0100", "Fri, 31 Dec 9999 23:59:59 -2359",
    "+1", "+999999999999999999", "(512) 555-01", "anonymous", "client:agent", 10**130, "9" * 130,
]  # fmt: skip

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(NASTY)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()  # NaN and Infinity included: Python's json reads them back


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found: list[tuple] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found.append((*prefix, key))
        found.extend(_paths(inner, (*prefix, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, sample: dict) -> bytes:
    """The sample with one to three fields dropped, or given another (often wrong) value, anywhere in it."""
    body = copy.deepcopy(sample)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(body)
        if not paths:
            break
        *parents, key = draw(st.sampled_from(paths))
        container = body
        for step in parents:
            container = container[step]
        if isinstance(container, dict) and draw(st.booleans()):
            del container[key]
        else:
            container[key] = copy.deepcopy(draw(json_values))  # NASTY's lists and dicts are shared
    return _encode(body)


@st.composite
def truncated(draw: st.DrawFn, raw: bytes) -> bytes:
    return raw[: draw(st.integers(min_value=0, max_value=len(raw) - 1))]


@st.composite
def twilio_mutated(draw: st.DrawFn, sample: dict[str, str]) -> bytes:
    params = dict(sample)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(params) or ["CallSid"]))
        action = draw(st.sampled_from(["drop", "replace", "repeat"]))
        if action == "drop":
            params.pop(name, None)
        else:
            value = draw(st.text(max_size=40) | st.sampled_from([str(v) for v in NASTY]))
            params[name] = [params.get(name, ""), value] if action == "repeat" else value
    return urlencode(params, doseq=True).encode()


too_deep = st.builds(
    lambda depth, kind: (b"[" * depth + b"]" * depth) if kind == "array" else (b'{"a":' * depth + b"1" + b"}" * depth),
    st.integers(min_value=1_000, max_value=20_000),
    st.sampled_from(["array", "object"]),
)


# --- the tests ------------------------------------------------------------------------------------------


def _each_single_change(sample: dict):
    """(where, what) and the body with that one field dropped or set to each NASTY value, anywhere in the sample."""
    for path in _paths(sample):
        for value in ["<dropped>", *NASTY]:
            body = copy.deepcopy(sample)
            *parents, key = path
            container = body
            for step in parents:
                container = container[step]
            if value == "<dropped>" and isinstance(container, dict):
                del container[key]
            else:
                container[key] = copy.deepcopy(value)
            yield f"{'.'.join(map(str, path))} = {value!r}", body


@pytest.mark.parametrize("name", sorted(JSON_SAMPLES))
def test_every_field_of_a_valid_json_body_dropped_or_wrong_is_parsed_or_refused(name):
    parse, sample = JSON_SAMPLES[name]
    for change, body in _each_single_change(sample):
        try:
            parses_or_refuses(parse, _encode(body))
        except Exception as exc:
            raise AssertionError(f"{name} with {change}: {exc!r}") from exc


@pytest.mark.parametrize("callback", sorted(TWILIO_SAMPLES))
def test_every_twilio_parameter_dropped_or_wrong_is_parsed_or_refused(callback):
    for change, params in _each_single_change(TWILIO_SAMPLES[callback]):
        raw = urlencode({k: "" if v is None else str(v) for k, v in params.items()}).encode()
        try:
            parses_or_refuses(_twilio(callback), raw)
        except Exception as exc:
            raise AssertionError(f"{callback} with {change}: {exc!r}") from exc


@pytest.mark.parametrize("name", sorted(PARSERS))
@fuzz
@given(raw=st.binary(max_size=2_000) | st.text(max_size=500).map(str.encode))
def test_random_bytes_are_parsed_or_refused(name, raw):
    parses_or_refuses(PARSERS[name], raw)


@pytest.mark.parametrize("name", sorted(PARSERS))
@fuzz
@given(raw=json_values.map(_encode) | too_deep)
def test_random_json_is_parsed_or_refused(name, raw):
    parses_or_refuses(PARSERS[name], raw)


@pytest.mark.parametrize("name", sorted(JSON_SAMPLES))
@fuzz
@given(data=st.data())
def test_valid_json_bodies_cut_short_or_with_fields_wrong_are_parsed_or_refused(name, data):
    parse, sample = JSON_SAMPLES[name]
    raw = data.draw(truncated(_encode(sample)) | mutated(sample))
    parses_or_refuses(parse, raw)


@pytest.mark.parametrize("callback", sorted(TWILIO_SAMPLES))
@fuzz
@given(data=st.data())
def test_valid_twilio_callbacks_cut_short_or_with_fields_wrong_are_parsed_or_refused(callback, data):
    sample = TWILIO_SAMPLES[callback]
    raw = data.draw(truncated(urlencode(sample).encode()) | twilio_mutated(sample))
    parses_or_refuses(_twilio(callback), raw)
