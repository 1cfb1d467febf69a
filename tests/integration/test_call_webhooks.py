"""Telephony webhooks through HTTP against the local runtime: signatures, convergence, attribution, after-call
work, and nothing stored for a request that could not be authenticated."""

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from leadline.data import store
from leadline.data.models import Call, CallEventRecord
from tests.support.probe import handler as probe
from tests.support.webhooks import twilio_sid

CALLER = "+15125550177"


def _stored_events(tenant) -> list:
    return list(CallEventRecord.query(f"T#{tenant.tenant_id}", CallEventRecord.sk.startswith("CALLEVENT#")))


def _call(tenant, call_id):
    return store.get(Call, tenant.tenant_id, f"CALL#{call_id}")


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
    calls = list(Call.query(f"T#{tenant.tenant_id}", Call.sk.startswith("CALL#")))
    assert len(calls) == 5


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


@pytest.mark.parametrize("tamper", ["bad_signature", "missing_signature", "altered_body", "replayed"])
def test_callrail_requests_that_are_not_authentic_are_refused_and_store_nothing(tenant, tamper):
    payload = _callrail_payload()
    body = json.dumps(payload).encode()
    if tamper == "bad_signature":
        response = tenant.vendors.callrail(body, signature="AAAA")
    elif tamper == "missing_signature":
        response = tenant.vendors.callrail(body, signature="")
    elif tamper == "altered_body":
        response = tenant.vendors.callrail(body + b" ", signature=tenant.vendors.callrail_signature(body))
    else:
        old = payload | {"timestamp": (datetime.now(UTC) - timedelta(hours=2)).isoformat()}
        response = tenant.vendors.callrail(old)
    assert response.status_code == 401, response.text
    assert _stored_events(tenant) == [] and _call(tenant, payload["id"]) is None


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
    assert kept.gsi1pk.startswith("CALLEVENTS#PENDING#")
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
    from leadline.calls import service
    from leadline.calls.vendors import twilio

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
        outcomes = list(pool.map(lambda e: service.ingest(tenant.tenant_id, e, raw="x").result, deliveries))
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
