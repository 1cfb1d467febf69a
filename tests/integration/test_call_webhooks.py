"""Telephony webhooks through HTTP against the local runtime: signatures, convergence, attribution, after-call
work, and nothing stored for a request that could not be authenticated."""

import json
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from leadline.data import keys
from leadline.data.models import Delivery
from leadline.data.repositories import calls
from leadline.data.repositories import deliveries as delivery_records
from tests.support.probe import handler as probe
from tests.support.webhooks import twilio_sid

CALLER = "+15125550177"


def _stored_events(tenant) -> list:
    return list(Delivery.query(keys.tenant(tenant.tenant_id), Delivery.sk.startswith(keys.DELIVERIES)))


def _call(tenant, call_id):
    return calls.get(tenant.tenant_id, call_id)


def _setup_numbers(tenant) -> dict:
    """A tracking number attributed to a campaign, and every broken set-up from the seeds' troubleshooting."""
    admin = tenant.admin
    google = admin.post("/v1/campaigns", {"name": "Google", "dnis": "+15125550200"}).json()
    other = admin.post("/v1/campaigns", {"name": "Other", "dnis": "+15125550209"}).json()
    admin.post(
        "/v1/tracking-numbers",
        {"number": "+15125550200", "campaign_id": google["campaign_id"], "default_call_type": "lead"},
    )
    admin.post("/v1/tracking-numbers", {"number": "+15125550201", "campaign_id": other["campaign_id"]})
    admin.post("/v1/tracking-numbers", {"number": "+15125550202"})
    admin.post(
        "/v1/tracking-numbers",
        {"number": "+15125550203", "number_type": "direct_dial", "default_call_type": "not_lead"},
    )
    return {"google": google["campaign_id"], "other": other["campaign_id"]}


def _voice(tenant, call_sid, status, seq, *, to="+15125550200", direction="inbound", duration=None, at=0):
    params = {
        "CallSid": call_sid,
        "From": CALLER,
        "To": to,
        "Direction": direction,
        "CallStatus": status,
        "SequenceNumber": str(seq),
        "Timestamp": (datetime(2026, 11, 23, 15, 0, tzinfo=UTC) + timedelta(seconds=at)).strftime(
            "%a, %d %b %Y %H:%M:%S +0000"
        ),
    }
    if duration is not None:
        params["CallDuration"] = str(duration)
    return params


# --- Twilio ----------------------------------------------------------------------------------------


def test_a_twilio_call_is_recorded_attributed_and_converged(tenant):
    campaigns = _setup_numbers(tenant)
    sid = twilio_sid()
    vendors = tenant.vendors
    assert vendors.twilio("voice-status", _voice(tenant, sid, "ringing", 0)).json()["result"] == "applied"
    assert vendors.twilio("voice-status", _voice(tenant, sid, "completed", 2, duration=95, at=100)).status_code == 200
    rec = {
        "CallSid": sid,
        "RecordingSid": twilio_sid("RE"),
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/recordings/RE1",
        "RecordingDuration": "90",
    }
    assert vendors.twilio("recording-status", rec).status_code == 200
    text = {
        "CallSid": sid,
        "TranscriptionSid": twilio_sid("TR"),
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Hi, my AC stopped working, can someone come today?",
    }
    assert vendors.twilio("transcription", text).status_code == 200

    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    assert call["attribution"] == "attributed" and call["campaign_id"] == campaigns["google"]
    assert (call["status"], call["duration_seconds"], call["answered"]) == ("completed", 95, True)
    assert call["from_number"] == CALLER and call["call_type"] == "lead"
    assert call["recording_url"] == "https://api.twilio.com/recordings/RE1"
    assert call["transcript"].startswith("Hi, my AC")
    assert call["started_at"] == "2026-11-23T15:00:00Z" and call["ended_at"] == "2026-11-23T15:01:40Z"


def test_a_twilio_retry_is_one_event(tenant):
    sid = twilio_sid()
    first = tenant.vendors.twilio("voice-status", _voice(tenant, sid, "completed", 1, duration=30))
    again = tenant.vendors.twilio("voice-status", _voice(tenant, sid, "completed", 1, duration=30))
    assert (first.json()["result"], again.json()["result"]) == ("applied", "duplicate")
    assert len(_stored_events(tenant)) == 1


@pytest.mark.parametrize(
    "tamper",
    ["altered_body", "wrong_url", "wrong_token", "missing_header", "empty_header", "other_tenant_url"],
)
def test_twilio_requests_that_are_not_authentic_are_refused_and_store_nothing(tenant, other_tenant, tamper):
    vendors = tenant.vendors
    sid = twilio_sid()
    params = {"AccountSid": vendors.telephony["twilio"]["account_sid"], **_voice(tenant, sid, "completed", 1)}
    good = vendors.twilio_signature(vendors.twilio_url("voice-status"), params)
    if tamper == "altered_body":
        response = vendors.twilio("voice-status", {**params, "CallDuration": "999"}, signature=good)
    elif tamper == "wrong_url":
        response = vendors.twilio("voice-status", params, url="https://evil.example/webhooks/twilio")
    elif tamper == "wrong_token":
        response = vendors.twilio(
            "voice-status",
            params,
            signature=vendors.twilio_signature(vendors.twilio_url("voice-status"), params, token="f" * 32),
        )
    elif tamper == "missing_header":
        response = vendors.session.post(vendors.twilio_url("voice-status"), data=params, timeout=30)
    elif tamper == "empty_header":
        response = vendors.twilio("voice-status", params, signature="")
    else:  # a request signed for this tenant, replayed at another tenant's URL
        response = other_tenant.vendors.twilio("voice-status", params, signature=good)
    assert response.status_code == 403, response.text
    assert response.json()["message"]
    assert _stored_events(tenant) == [] and _call(tenant, sid) is None
    assert _stored_events(other_tenant) == []


def test_twilio_bad_input_is_a_400_naming_the_field(tenant):
    sid = twilio_sid()
    cases = [
        ({**_voice(tenant, sid, "completed", 1), "CallStatus": "exploded"}, "CallStatus"),
        ({**_voice(tenant, sid, "completed", 1), "CallSid": "not-a-sid"}, "CallSid"),
        ({**_voice(tenant, sid, "completed", 1), "CallDuration": "-4"}, "CallDuration"),
        ({**_voice(tenant, sid, "completed", 1), "Timestamp": "yesterday"}, "Timestamp"),
        ({k: v for k, v in _voice(tenant, sid, "completed", 1).items() if k != "CallStatus"}, "CallStatus"),
        ({**_voice(tenant, sid, "completed", 1), "AccountSid": "AC" + "9" * 32}, "AccountSid"),
    ]
    for params, field in cases:
        response = tenant.vendors.twilio("voice-status", params)
        assert response.status_code == 400, (field, response.text)
        assert field in response.json()["message"]
    assert _call(tenant, sid) is None


def test_unknown_callbacks_and_unconfigured_tenants(runtime, tenant):
    response = tenant.vendors.session.post(f"{runtime.api_url}/webhooks/twilio/{tenant.tenant_id}/sms", data={})
    assert response.status_code == 403  # not a route: API Gateway's answer
    response = tenant.vendors.session.post(
        f"{runtime.api_url}/webhooks/twilio/no-such-tenant/voice-status",
        data={"CallSid": "x"},
        headers={"X-Twilio-Signature": "x"},
    )
    assert response.status_code == 401 and "not configured" in response.json()["message"]


def test_anonymous_and_client_numbers_are_kept_as_twilio_said(tenant):
    sid = twilio_sid()
    params = {**_voice(tenant, sid, "completed", 1, duration=5), "From": "client:agent42"}
    assert tenant.vendors.twilio("voice-status", params).status_code == 200
    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    assert call["from_number"] is None and call["vendor_details"]["from"] == "client:agent42"


# --- convergence under duplicated, concurrent, shuffled deliveries --------------------------------


REC_SID, TR_SID = twilio_sid("RE"), twilio_sid("TR")


def _twilio_deliveries(tenant, sid, rec_sid=REC_SID, tr_sid=TR_SID) -> list[tuple[str, dict]]:
    return [
        ("voice-status", _voice(tenant, sid, "queued", 0)),
        ("voice-status", _voice(tenant, sid, "ringing", 1, at=1)),
        ("voice-status", _voice(tenant, sid, "in-progress", 2, at=8)),
        ("voice-status", _voice(tenant, sid, "completed", 3, duration=140, at=150)),
        (
            "recording-status",
            {"CallSid": sid, "RecordingSid": rec_sid, "RecordingStatus": "in-progress", "RecordingUrl": ""},
        ),
        (
            "recording-status",
            {
                "CallSid": sid,
                "RecordingSid": rec_sid,
                "RecordingStatus": "completed",
                "RecordingUrl": f"https://api.twilio.com/recordings/{rec_sid}",
                "RecordingDuration": "139",
            },
        ),
        (
            "transcription",
            {
                "CallSid": sid,
                "TranscriptionSid": tr_sid,
                "TranscriptionStatus": "completed",
                "TranscriptionText": "I'd like a quote for a new water heater",
            },
        ),
    ]


def _final(tenant, sid) -> dict:
    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    return {k: v for k, v in call.items() if k not in ("call_id", "updated_at", "after_call_work_started_at")} | {
        "vendor_details": call["vendor_details"]
    }


def test_duplicated_concurrent_shuffled_deliveries_give_one_call_in_the_same_state(tenant):
    _setup_numbers(tenant)
    reference_sid = twilio_sid()
    for callback, params in _twilio_deliveries(tenant, reference_sid):
        assert tenant.vendors.twilio(callback, params).status_code == 200
    expected = _final(tenant, reference_sid)

    rng = random.Random(20261123)
    for _round in range(4):
        sid = twilio_sid()
        deliveries = _twilio_deliveries(tenant, sid)
        deliveries += [rng.choice(deliveries) for _ in range(5)]
        rng.shuffle(deliveries)
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(lambda d: tenant.vendors.twilio(*d).status_code, deliveries))
        assert set(statuses) == {200}
        assert _final(tenant, sid) == expected
        records = [r for r in _stored_events(tenant) if r.call_id == sid]
        assert len(records) == 7 and {r.state for r in records} == {"processed"}
    assert len(calls.all_of(tenant.tenant_id)) == 5


# --- attribution ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "direction", "attribution", "campaign", "call_type"),
    [
        ("+15125550200", "inbound", "attributed", "google", "lead"),
        ("+15125550201", "inbound", "unknown", None, "lead"),  # the campaign advertises another number
        ("+15125550202", "inbound", "unknown", None, "lead"),  # no campaign assigned
        ("+15125550204", "inbound", "unknown", None, None),  # not one of our numbers
        ("+15125550203", "inbound", "direct", None, "not_lead"),  # direct dial never attributes
        ("+15125550200", "outbound-api", "direct", None, None),  # our own outbound call
    ],
)
def test_attribution_by_dnis(tenant, to, direction, attribution, campaign, call_type):
    campaigns = _setup_numbers(tenant)
    sid = twilio_sid()
    assert tenant.vendors.twilio("voice-status", _voice(tenant, sid, "ringing", 0, to=to, direction=direction)).ok
    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    assert call["attribution"] == attribution
    assert call["campaign_id"] == (campaigns[campaign] if campaign else None)
    assert call["call_type"] == call_type
    bucket = campaigns[campaign] if campaign else attribution
    listed = tenant.admin.get("/v1/calls", params={"campaign_id": bucket}).json()["items"]
    assert [c["call_id"] for c in listed] == [sid]


def test_a_campaign_with_the_number_as_dnis_but_not_assigned_is_unknown(tenant):
    # the number advertises campaign A, but the number itself is assigned to nothing
    tenant.admin.post("/v1/campaigns", {"name": "A", "dnis": "+15125550210"})
    tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550210"})
    sid = twilio_sid()
    tenant.vendors.twilio("voice-status", _voice(tenant, sid, "ringing", 0, to="+15125550210"))
    assert tenant.admin.get(f"/v1/calls/{sid}").json()["attribution"] == "unknown"


# --- CallRail ------------------------------------------------------------------------------------


def _callrail_payload(**overrides) -> dict:
    return {
        "id": "CAL" + str(time.time_ns()),
        "tracking_phone_number": "+15125550200",
        "customer_phone_number": "(512) 555-0177",
        "business_phone_number": "+15125550199",
        "direction": "inbound",
        "duration": 185,
        "start_time": "2026-11-23T09:00:00.000-06:00",
        "answered": True,
        "recording": "https://app.callrail.com/calls/CAL1/recording",
        "transcription": "Caller: my garage door spring broke",
        "source": "Google Organic",
        "campaign": "Spring promo",
        "timestamp": datetime.now(UTC).isoformat(),
    } | overrides


def test_a_callrail_post_call_is_stored_then_applied(tenant):
    campaigns = _setup_numbers(tenant)
    payload = _callrail_payload()
    response = tenant.vendors.callrail(payload)
    assert response.status_code == 200 and response.json()["result"] == "applied"
    call = tenant.admin.get(f"/v1/calls/{payload['id']}").json()
    assert call["attribution"] == "attributed" and call["campaign_id"] == campaigns["google"]
    assert (call["status"], call["duration_seconds"], call["from_number"]) == ("completed", 185, CALLER)
    assert call["started_at"] == "2026-11-23T15:00:00Z" and call["ended_at"] == "2026-11-23T15:03:05Z"
    assert call["transcript"].startswith("Caller:") and call["vendor_details"]["source"] == "Google Organic"
    assert tenant.vendors.callrail(payload).json()["result"] == "duplicate"
    # a Call Modified with new content is new information about the same call
    modified = payload | {"transcription": "Caller: my garage door spring broke, need it today"}
    assert tenant.vendors.callrail(modified).json()["result"] == "applied"
    assert len([r for r in _stored_events(tenant) if r.call_id == payload["id"]]) == 2


@pytest.mark.parametrize("tamper", ["bad_signature", "missing_signature", "altered_body"])
def test_callrail_requests_that_are_not_authentic_are_refused_and_store_nothing(tenant, tamper):
    payload = _callrail_payload()
    body = json.dumps(payload).encode()
    if tamper == "bad_signature":
        response = tenant.vendors.callrail(body, signature="AAAA")
    elif tamper == "missing_signature":
        response = tenant.vendors.callrail(body, signature="")
    else:
        response = tenant.vendors.callrail(body + b" ", signature=tenant.vendors.callrail_signature(body))
    assert response.status_code == 401, response.text
    assert _stored_events(tenant) == [] and _call(tenant, payload["id"]) is None


def test_a_long_callrail_call_a_late_post_call_and_a_call_modified_hours_later_are_applied_and_replays_change_nothing(
    tenant,
):
    """CallRail's `timestamp` is the call's start: a two-hour call's Post-Call, and its Call Modified the next day,
    carry a timestamp hours old. Its signature covers no send time, so a replay is stopped by deduplication."""
    _setup_numbers(tenant)
    started = datetime.now(UTC) - timedelta(hours=26)
    call_id = "CAL" + uuid.uuid4().hex
    post_call = _callrail_payload(
        id=None,
        resource_id=call_id,
        duration="7200",
        answered="true",
        transcription="",
        recording="",
        start_time=started.isoformat(),
        timestamp=started.isoformat(),
    )
    post_call.pop("id")
    response = tenant.vendors.callrail(post_call)
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    modified = post_call | {
        "transcription": "Caller: the whole basement is flooding",
        "recording": "https://app.callrail.com/calls/x/recording",
    }
    response = tenant.vendors.callrail(modified, event="call-modified")
    assert response.json()["result"] == "applied", response.text
    call = tenant.admin.get(f"/v1/calls/{call_id}").json()
    assert (call["status"], call["duration_seconds"], call["answered"]) == ("completed", 7200, True)
    assert call["transcript"] == "Caller: the whole basement is flooding" and call["recording_url"]
    before = [(r.dedupe_key, r.state) for r in _stored_events(tenant)]
    for replay, event in ((post_call, "post-call"), (modified, "call-modified")):
        assert tenant.vendors.callrail(replay, event=event).json()["result"] == "duplicate"
    assert [(r.dedupe_key, r.state) for r in _stored_events(tenant)] == before
    assert tenant.admin.get(f"/v1/calls/{call_id}").json() == call


def test_a_callrail_body_we_cannot_read_is_kept_and_told(tenant):
    response = tenant.vendors.callrail(b'{"id": "CAL-broken", "duration": "a lot"')
    assert response.status_code == 400 and "JSON" in response.json()["message"]
    response = tenant.vendors.callrail(_callrail_payload(id="CAL-dur", duration="a lot"))
    assert response.status_code == 400 and "duration" in response.json()["message"]
    kept = _stored_events(tenant)
    assert len(kept) == 2 and {r.state for r in kept} == {"rejected"} and all(r.raw for r in kept)


def test_a_callrail_call_we_fail_to_apply_is_kept_and_answered_200(tenant, monkeypatch):
    from leadline.calls import service

    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB is having a bad day")

    monkeypatch.setattr(service, "ingest", broken)
    payload = _callrail_payload()
    response = tenant.vendors.callrail(payload)
    assert response.status_code == 200 and response.json()["result"] == "kept"
    (kept,) = _stored_events(tenant)
    assert kept.state == "received" and json.loads(kept.raw)["id"] == payload["id"]
    assert kept.gsi1pk in {keys.deliveries_pending(shard) for shard in range(delivery_records.PENDING_SHARDS)}
    # once applying works again, the scanner applies what was kept
    monkeypatch.undo()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _call(tenant, payload["id"]) is None:
        time.sleep(0.2)
    assert tenant.admin.get(f"/v1/calls/{payload['id']}").json()["duration_seconds"] == 185
    (applied,) = _stored_events(tenant)
    assert applied.state == "processed"


def test_a_twilio_event_we_fail_to_apply_is_kept_and_answered_200(tenant, monkeypatch):
    from leadline.calls import service

    monkeypatch.setattr(service, "ingest", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    sid = twilio_sid()
    response = tenant.vendors.twilio("voice-status", _voice(tenant, sid, "completed", 3, duration=10))
    assert response.status_code == 200 and response.json()["result"] == "kept"
    (kept,) = _stored_events(tenant)
    assert kept.state == "received" and sid in kept.raw


# --- native --------------------------------------------------------------------------------------


def _native(call_id, event_id, kind, **fields) -> dict:
    return {"event_id": event_id, "type": kind, "call_id": call_id, "occurred_at": "2026-11-23T15:00:00Z"} | fields


def test_native_events_make_a_call(tenant):
    campaigns = _setup_numbers(tenant)
    call_id = f"v-{time.time_ns()}"
    events = [
        _native(call_id, "e1", "call.started", direction="inbound", to="+15125550200", **{"from": CALLER}),
        _native(call_id, "e2", "call.answered", agent="Carlos", occurred_at="2026-11-23T15:00:05Z"),
        _native(
            call_id, "e3", "call.ended", outcome="completed", duration_seconds=61, occurred_at="2026-11-23T15:01:06Z"
        ),
        _native(call_id, "e4", "recording.ready", recording_url="https://vendor.example/rec/1"),
        _native(call_id, "e5", "transcript.ready", transcript="Do you service Round Rock?"),
    ]
    for event in reversed(events):
        assert tenant.vendors.native(event).status_code == 200
    assert tenant.vendors.native(events[0]).json()["result"] == "duplicate"
    call = tenant.admin.get(f"/v1/calls/{call_id}").json()
    assert (call["status"], call["agent"], call["duration_seconds"]) == ("completed", "Carlos", 61)
    assert call["campaign_id"] == campaigns["google"] and call["answered"] is True
    assert call["recording_url"] == "https://vendor.example/rec/1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_native("c", "e", "call.ended"), "outcome"),
        (_native("c", "e", "call.exploded"), "type"),
        ({"type": "call.started"}, "event_id"),
        (_native("c", "e", "recording.ready"), "recording_url"),
        (_native("c", "e", "call.started", to="12"), "to"),
        (_native("c", "e", "call.started", extra=1), "extra"),
    ],
)
def test_native_bad_events_are_400_with_the_reason(tenant, body, field):
    response = tenant.vendors.native(body)
    assert response.status_code == 400, response.text
    assert field in response.json()["message"]


def test_native_unsigned_or_stale_events_are_refused(tenant):
    event = _native("c-stale", "e1", "call.started")
    assert tenant.vendors.native(event, at=int(time.time()) - 3600).status_code == 401
    assert tenant.vendors.native(event, header="").status_code == 401
    assert tenant.vendors.native(event, secret="not-the-secret").status_code == 401
    assert _stored_events(tenant) == []


# --- after-call work -------------------------------------------------------------------------------


def _enable_scl(tenant, minutes=1):
    response = tenant.admin.patch(
        "/v1/settings", {"second_chance_leads": {"enabled": True, "after_call_work_minutes": minutes}}
    )
    assert response.status_code == 200


def _elapsed_for(call_id):
    return [
        e
        for e in probe.received
        if e.get("detail-type") == "AfterCallWorkElapsed" and e["detail"].get("call_id") == call_id
    ]


def test_an_inbound_call_that_ends_starts_after_call_work_once(tenant):
    _enable_scl(tenant, minutes=1)  # one minute at LEADLINE_TIME_SCALE=60: a second
    sid = twilio_sid()
    for _ in range(3):
        tenant.vendors.twilio("voice-status", _voice(tenant, sid, "completed", 3, duration=80))
    tenant.vendors.twilio("voice-status", _voice(tenant, sid, "no-answer", 4))
    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    assert call["after_call_work_started_at"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _elapsed_for(sid):
        time.sleep(0.2)
    time.sleep(1.5)
    (event,) = _elapsed_for(sid)
    assert event["detail"]["tenant_id"] == tenant.tenant_id


def test_after_call_work_runs_for_inbound_calls_even_with_scl_off_and_never_for_outbound(tenant):
    # abandoned-call leads are decided when after-call work elapses, whether Second Chance Leads is on or not
    off = twilio_sid()
    tenant.vendors.twilio("voice-status", _voice(tenant, off, "completed", 3, duration=80))
    assert tenant.admin.get(f"/v1/calls/{off}").json()["after_call_work_started_at"]
    _enable_scl(tenant)
    outbound = twilio_sid()
    tenant.vendors.twilio(
        "voice-status", _voice(tenant, outbound, "completed", 3, duration=80, direction="outbound-dial")
    )
    assert tenant.admin.get(f"/v1/calls/{outbound}").json()["after_call_work_started_at"] is None


def test_truly_concurrent_ingests_of_one_call_converge(tenant):
    """The local gateway runs one invocation per function at a time (like reserved concurrency 1), so this
    drives the domain directly from threads: real races on the call's version and the events' keys."""
    from leadline.calls.vendors import twilio
    from leadline.workflows import after_call_work

    _setup_numbers(tenant)
    reference = twilio_sid()
    for callback, params in _twilio_deliveries(tenant, reference):
        tenant.vendors.twilio(callback, params)
    expected = _final(tenant, reference)

    sid = twilio_sid()
    events = [twilio.PARSERS[cb](list(p.items())) for cb, p in _twilio_deliveries(tenant, sid)]
    deliveries = events * 3
    random.Random(7).shuffle(deliveries)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda e: after_call_work.ingest(tenant.tenant_id, e, raw="x").result, deliveries))
    assert outcomes.count("applied") == len(events)
    assert outcomes.count("duplicate") == len(deliveries) - len(events)
    assert _final(tenant, sid) == expected


# --- cost of the hot path ------------------------------------------------------------------------------


def test_each_webhook_is_one_read_and_one_write_request_and_never_a_scan(tenant):
    from infra.local.ddb_meter import metering

    _setup_numbers(tenant)
    sid = twilio_sid()
    with metering() as first:
        tenant.vendors.twilio("voice-status", _voice(tenant, sid, "ringing", 0))
    with metering() as later:
        tenant.vendors.twilio("voice-status", _voice(tenant, sid, "completed", 3, duration=20))
        tenant.vendors.twilio(
            "recording-status",
            {
                "CallSid": sid,
                "RecordingSid": twilio_sid("RE"),
                "RecordingStatus": "completed",
                "RecordingUrl": "https://r/1",
            },
        )
    with metering() as callrail:
        tenant.vendors.callrail(_callrail_payload())
    assert dict(first.requests) == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert dict(later.requests) == {"BatchGetItem": 2, "TransactWriteItems": 2}
    assert dict(callrail.requests) == {"PutItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}


# --- what Twilio really sends, and what cannot be applied ----------------------------------------------------

TWILIO_STATUSES = (
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "no-answer",
    "failed",
    "canceled",
)


def test_every_call_status_twilio_documents_for_a_status_callback_is_accepted(tenant):
    _setup_numbers(tenant)
    for status in TWILIO_STATUSES:
        sid = twilio_sid()
        response = tenant.vendors.twilio("voice-status", _voice(tenant, sid, status, 0))
        assert response.status_code == 200 and response.json()["result"] == "applied", (status, response.text)
        assert tenant.admin.get(f"/v1/calls/{sid}").json()["status"] == status


@pytest.mark.parametrize(
    "query",
    [
        "campaign=Spring%20Sale",  # Twilio error 57012's case: an encoded space
        "campaign=Spring+Sale&src=sip:front@desk",  # form encoding, reserved characters left as typed
        "name=O'Hara&tags=a%2Cb",  # as JavaScript's encodeURIComponent writes it
        "b=2&a=1",  # not in order
    ],
)
def test_twilio_callbacks_to_urls_with_encoded_or_reserved_characters_verify_and_apply(tenant, query):
    """Twilio signs the callback URL exactly as configured; API Gateway hands the function its query decoded."""
    _setup_numbers(tenant)
    vendors, sid = tenant.vendors, twilio_sid()
    url = f"{vendors.twilio_url('voice-status')}?{query}"
    params = {"AccountSid": vendors.telephony["twilio"]["account_sid"], **_voice(tenant, sid, "completed", 1)}
    forged = vendors.twilio_signature(url, params, token="not-the-auth-token")
    refused = requests.post(url, data=params, headers={"X-Twilio-Signature": forged}, timeout=30)
    assert refused.status_code == 403 and _call(tenant, sid) is None
    signed = requests.post(url, data=params, headers={"X-Twilio-Signature": vendors.twilio_signature(url, params)})
    assert signed.status_code == 200 and signed.json()["result"] == "applied", signed.text


def _delivery(tenant, vendor: str, delivery_id: str) -> dict:
    return tenant.admin.get(f"/v1/integrations/{vendor}/deliveries/{delivery_id}").json()


def test_a_twilio_callback_of_another_account_is_kept_listed_and_applied_by_reprocess_once_set_up_is_fixed(
    tenant, runtime
):
    """Signed with the company's auth token but from a sub-account the company's set-up does not name: kept with
    the reason and listed; reprocessed before the fix, it is refused again; after the fix, it is applied."""
    from leadline import credentials

    _setup_numbers(tenant)
    sid, sub_account = twilio_sid(), twilio_sid("AC")
    response = tenant.vendors.twilio(
        "voice-status", {**_voice(tenant, sid, "completed", 1, duration=42), "AccountSid": sub_account}
    )
    assert response.status_code == 400 and "AccountSid" in response.json()["message"], response.text
    assert (
        tenant.vendors.twilio(
            "voice-status", {**_voice(tenant, sid, "completed", 1, duration=42), "AccountSid": sub_account}
        ).status_code
        == 400
    )  # the same delivery again: one kept delivery
    listed = tenant.admin.get("/v1/integrations/twilio/deliveries", params={"state": "rejected"}).json()["items"]
    (kept,) = listed
    assert kept["kind"] == "voice-status" and "AccountSid" in kept["reason"]
    assert sid in _delivery(tenant, "twilio", kept["delivery_id"])["body"]
    assert tenant.csr.get("/v1/integrations/twilio/deliveries").status_code == 403

    reprocess = f"/v1/integrations/twilio/deliveries/{kept['delivery_id']}/reprocess"
    queued = tenant.admin.post(reprocess)
    assert queued.status_code == 202 and queued.json()["state"] == "received", queued.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _delivery(tenant, "twilio", kept["delivery_id"])["state"] != "rejected":
        time.sleep(0.3)
    again = _delivery(tenant, "twilio", kept["delivery_id"])
    assert again["state"] == "rejected" and again["attempts"] == 1 and _call(tenant, sid) is None

    telephony = tenant.vendors.telephony | {"twilio": tenant.vendors.telephony["twilio"] | {"account_sid": sub_account}}
    credentials.write(runtime.client("secretsmanager"), tenant.tenant_id, credentials.TELEPHONY, telephony)
    assert tenant.admin.post(reprocess).status_code == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _delivery(tenant, "twilio", kept["delivery_id"])["state"] != "processed":
        time.sleep(0.3)
    call = tenant.admin.get(f"/v1/calls/{sid}").json()
    assert (call["status"], call["duration_seconds"], call["attribution"]) == ("completed", 42, "attributed")
    assert _delivery(tenant, "twilio", kept["delivery_id"])["state"] == "processed"
    assert tenant.admin.get("/v1/integrations/twilio/deliveries").json()["items"] == []
    assert tenant.admin.post(reprocess).status_code == 409


def test_deliveries_are_listed_only_to_their_own_company(tenant, other_tenant):
    tenant.vendors.callrail(b'{"resource_id": "CAL1", "duration": "a lot"}')
    (kept,) = tenant.admin.get("/v1/integrations/callrail/deliveries").json()["items"]
    assert "duration" in kept["reason"]
    assert other_tenant.admin.get("/v1/integrations/callrail/deliveries").json()["items"] == []
    assert other_tenant.admin.get(f"/v1/integrations/callrail/deliveries/{kept['delivery_id']}").status_code == 404
    assert (
        other_tenant.admin.post(f"/v1/integrations/callrail/deliveries/{kept['delivery_id']}/reprocess").status_code
        == 404
    )
