"""Second Chance Leads end to end on the local runtime: Twilio-signed callbacks, the after-call-work timer at
LEADLINE_TIME_SCALE=60, the evaluation, the review queue, every status transition, permissions."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from leadline.data.repositories import calls, evaluations
from leadline.data.repositories import scl as scl_records
from tests.support.bus import BusTap
from tests.support.webhooks import twilio_sid

PROSPECT = (
    "Agent: Thanks for calling Acme, this is Carlos. Caller: Hi, yeah, my AC stopped cooling last night and it's "
    "like 85 in the house. How much is it for someone to come out and look at it? Could you send a technician "
    "today or tomorrow? Agent: Let me check the schedule. Caller: Actually I have to go, can you call me back?"
)
NOT_A_PROSPECT = (
    "Caller: Hi, this is Jenna from BrightPath Marketing, I'm calling about your business listing on Google. "
    "We help contractors get more reviews. Is the owner available? Agent: We're not interested, thanks."
)
CALLER = "+15125550555"
TRACKING = "+15125550500"


def _setup(tenant, *, enabled=True, minutes=2):
    admin = tenant.admin
    campaign = admin.post("/v1/campaigns", {"name": "Google", "dnis": TRACKING}).json()["campaign_id"]
    admin.post("/v1/tracking-numbers", {"number": TRACKING, "campaign_id": campaign})
    response = admin.put("/v1/settings/second-chance-leads", {"enabled": enabled, "after_call_work_minutes": minutes})
    assert response.status_code == 200, response.text
    return campaign


def _call(tenant, *, transcript=PROSPECT, recording=True, caller=CALLER, duration=75, end=True, dated=False) -> str:
    """A Twilio call: the recording and the transcript arrive first, the completed status last (the timer starts).
    `dated`: its status callbacks carry their Timestamp (now), so that the call is listed by time."""
    sid, vendors = twilio_sid(), tenant.vendors
    base = {"CallSid": sid, "From": caller, "To": TRACKING, "Direction": "inbound"}
    if dated:
        base["Timestamp"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    assert vendors.twilio("voice-status", {**base, "CallStatus": "in-progress", "SequenceNumber": "1"}).ok
    if recording:
        assert vendors.twilio(
            "recording-status",
            {
                "CallSid": sid,
                "RecordingSid": twilio_sid("RE"),
                "RecordingStatus": "completed",
                "RecordingDuration": str(duration),
                "RecordingUrl": f"https://api.twilio.com/rec/{sid}",
            },
        ).ok
    if transcript:
        assert vendors.twilio(
            "transcription",
            {
                "CallSid": sid,
                "TranscriptionSid": twilio_sid("TR"),
                "TranscriptionStatus": "completed",
                "TranscriptionText": transcript,
            },
        ).ok
    if end:
        assert vendors.twilio(
            "voice-status", {**base, "CallStatus": "completed", "SequenceNumber": "2", "CallDuration": str(duration)}
        ).ok
    return sid


def _evaluation(tenant, sid, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        call = calls.get(tenant.tenant_id, sid, consistent=True)
        if call.scl_evaluation and call.scl_evaluation != "transcript-arrived":
            return call.scl_evaluation
        time.sleep(0.2)
    return None


def _scls(tenant) -> list:
    return scl_records.all_of(tenant.tenant_id)


def _reviewer(tenant):
    return tenant.admin  # the admin role holds view_second_chance_leads


# --- the evaluation ------------------------------------------------------------------------------


def test_a_lead_like_unbooked_call_becomes_one_new_scl_after_the_after_call_work(tenant, runtime):
    campaign = _setup(tenant, minutes=3)  # three minutes at LEADLINE_TIME_SCALE=60: three seconds
    tap = BusTap(runtime, ["SecondChanceLeadCreated"])
    sid = _call(tenant)
    time.sleep(1)
    assert _scls(tenant) == [], "an SCL before the after-call work elapsed"
    assert _evaluation(tenant, sid) == "created"
    (scl,) = _scls(tenant)
    body = _reviewer(tenant).get(f"/v1/second-chance-leads/{scl.scl_id}").json()
    assert (body["call_id"], body["phone"], body["status"], body["tab"]) == (sid, CALLER, "new", "open")
    assert body["summary"] and body["transcript"] == PROSPECT and body["campaign_id"] == campaign
    assert body["recording_url"] == f"https://api.twilio.com/rec/{sid}" and body["call_type"] == "lead"
    listed = _reviewer(tenant).get("/v1/second-chance-leads", params={"tab": "open"}).json()["items"]
    assert [i["scl_id"] for i in listed] == [scl.scl_id]
    assert set(listed[0]) >= {"scl_id", "call_id", "phone", "status", "tab", "summary", "created_at"}
    tap.drain(wait=1)
    tap.close()
    assert len(tap.of("SecondChanceLeadCreated", scl_id=scl.scl_id)) == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("booked", "booked"),
        ("no_recording", "no-recording"),
        ("not_a_prospect", "not-a-prospect"),
        ("scl_off", "disabled"),
    ],
)
def test_calls_that_make_no_scl(tenant, case, expected):
    _setup(tenant, enabled=case != "scl_off", minutes=2)
    sid = _call(
        tenant, recording=case != "no_recording", transcript=NOT_A_PROSPECT if case == "not_a_prospect" else PROSPECT
    )
    if case == "booked":
        reason = tenant.admin.post("/v1/call-reasons", {"name": "Booked", "is_lead": False}).json()["call_reason_id"]
        tenant.csr.put(f"/v1/calls/{sid}/classification", {"call_reason_id": reason, "booked": True, "job_id": "job-1"})
    assert _evaluation(tenant, sid) == expected
    assert _scls(tenant) == []


def test_a_call_judged_not_a_prospect_shows_why_and_is_listed_for_review(tenant, other_tenant):
    _setup(tenant, minutes=1)
    judged = _call(tenant, transcript=NOT_A_PROSPECT, dated=True)
    prospect = _call(tenant, caller="+15125550178", dated=True)
    assert _evaluation(tenant, judged) == "not-a-prospect" and _evaluation(tenant, prospect) == "created"
    call = tenant.csr.get(f"/v1/calls/{judged}").json()
    assert call["scl_evaluation"] == "not-a-prospect"
    analysis = call["analysis"]
    assert analysis["is_prospect"] is False and 0.5 <= analysis["confidence"] <= 1
    assert analysis["reasons"] and all(isinstance(r, str) and r for r in analysis["reasons"]) and analysis["summary"]
    assert tenant.csr.get(f"/v1/calls/{prospect}").json()["analysis"]["is_prospect"] is True
    listed = tenant.csr.get("/v1/calls", params={"scl": "not_prospect"}).json()["items"]
    assert [c["call_id"] for c in listed] == [judged]
    assert listed[0]["analysis"]["reasons"] == analysis["reasons"]
    assert other_tenant.admin.get("/v1/calls", params={"scl": "not_prospect"}).json()["items"] == []
    assert other_tenant.admin.get(f"/v1/calls/{judged}").status_code == 404
    refused = tenant.csr.get("/v1/calls", params={"scl": "prospect"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "scl"


def test_a_second_call_from_the_number_within_14_days_makes_none(tenant):
    _setup(tenant, minutes=1)
    first = _call(tenant)
    assert _evaluation(tenant, first) == "created"
    second = _call(tenant)
    assert _evaluation(tenant, second) == "recent-scl-for-number"
    assert len(_scls(tenant)) == 1


def test_concurrent_evaluations_of_calls_from_one_number_make_one_scl(tenant):
    from leadline.scl import service
    from leadline.scl.analysis.rules import RulesAnalyser

    _setup(tenant, minutes=60)  # the timer stays out of the way: the test evaluates itself
    sids = [_call(tenant) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda s: service.evaluate(tenant.tenant_id, s, RulesAnalyser()), sids))
    assert sorted(outcomes) == ["created"] + ["recent-scl-for-number"] * 5
    assert len(_scls(tenant)) == 1


def test_a_call_whose_timer_event_was_lost_is_evaluated_by_the_scanner(tenant):
    _setup(tenant, minutes=60)  # the timer would fire in a minute (at LEADLINE_TIME_SCALE=60): too late for us
    sid = _call(tenant)
    assert evaluations.get(tenant.tenant_id, sid) is not None
    # as if the after-call-work event had been lost and the grace period had passed
    evaluations.new(tenant.tenant_id, sid, "2000-01-01T00:00:00.000Z").save()
    assert _evaluation(tenant, sid) == "created"
    assert len(_scls(tenant)) == 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and evaluations.get(tenant.tenant_id, sid) is not None:
        time.sleep(0.2)
    assert evaluations.get(tenant.tenant_id, sid) is None


def test_a_call_whose_transcript_comes_late_is_evaluated_when_it_arrives(tenant):
    _setup(tenant, minutes=1)
    sid = _call(tenant, transcript=None)
    assert _evaluation(tenant, sid) == "awaiting-transcript"
    assert _scls(tenant) == []
    assert tenant.vendors.twilio(
        "transcription",
        {
            "CallSid": sid,
            "TranscriptionSid": twilio_sid("TR"),
            "TranscriptionStatus": "completed",
            "TranscriptionText": PROSPECT,
        },
    ).ok
    assert _evaluation(tenant, sid) == "created"
    assert len(_scls(tenant)) == 1


# --- the review queue, statuses, automatic statuses ---------------------------------------------------


@pytest.fixture
def scl_id(tenant):
    _setup(tenant, minutes=1)
    sid = _call(tenant)
    assert _evaluation(tenant, sid) == "created"
    return _scls(tenant)[0].scl_id


def test_call_back_then_manual_statuses_then_done(tenant, scl_id):
    api = _reviewer(tenant)
    path = f"/v1/second-chance-leads/{scl_id}"
    called = api.post(f"{path}/callback")
    assert (called.json()["status"], called.json()["tab"]) == ("lead_call_back_attempted", "open")
    for status, tab in [
        ("lead_not_able_to_save", "done"),
        ("new", "open"),
        ("lead_not_following_up", "done"),
        ("reviewed_not_a_lead", "done"),
    ]:
        response = api.put(f"{path}/status", {"status": status, "why": "tested"})
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["tab"]) == (status, tab)
    history = api.get(path).json()["history"]
    assert [h["to"] for h in history] == [
        "new",
        "lead_call_back_attempted",
        "lead_not_able_to_save",
        "new",
        "lead_not_following_up",
        "reviewed_not_a_lead",
    ]
    assert all(h["at"] and "from" in h for h in history) and history[-1]["why"] == "tested"
    done = api.get("/v1/second-chance-leads", params={"tab": "done", "status": "reviewed_not_a_lead"}).json()
    assert [i["scl_id"] for i in done["items"]] == [scl_id]


def test_the_tabs_counts_follow_the_scl_from_open_to_cold_to_done(tenant, other_tenant, scl_id):
    api = _reviewer(tenant)
    assert api.get("/v1/second-chance-leads/counts").json() == {"open": 1, "cold": 0, "done": 0}
    assert other_tenant.admin.get("/v1/second-chance-leads/counts").json() == {"open": 0, "cold": 0, "done": 0}
    # older than the cold-lead threshold (two hours against one), it counts in Cold
    api.put("/v1/settings/second-chance-leads", {"cold_lead_threshold_hours": 1})
    scl = scl_records.get(tenant.tenant_id, scl_id)
    scl.created_at = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    scl_records.index(scl, is_open=True)
    scl.save()
    assert api.get("/v1/second-chance-leads/counts").json() == {"open": 0, "cold": 1, "done": 0}
    api.post(f"/v1/second-chance-leads/{scl_id}/dismiss", {"reason": "not_a_lead"})
    assert api.get("/v1/second-chance-leads/counts").json() == {"open": 0, "cold": 0, "done": 1}


@pytest.mark.parametrize(
    ("reason", "status"), [("not_a_lead", "reviewed_not_a_lead"), ("lead_not_following_up", "lead_not_following_up")]
)
def test_dismiss_with_its_two_reasons(tenant, scl_id, reason, status):
    response = _reviewer(tenant).post(f"/v1/second-chance-leads/{scl_id}/dismiss", {"reason": reason})
    assert (response.json()["status"], response.json()["tab"]) == (status, "done")
    bad = _reviewer(tenant).post(f"/v1/second-chance-leads/{scl_id}/dismiss", {"reason": "meh"})
    assert bad.status_code == 422


@pytest.mark.parametrize("status", ["job_booked_by_scl", "job_booked_elsewhere"])
def test_the_automatic_statuses_can_never_be_set_by_hand(tenant, scl_id, status):
    response = _reviewer(tenant).put(f"/v1/second-chance-leads/{scl_id}/status", {"status": status})
    assert response.status_code == 409 and "automatically" in response.json()["message"]
    unknown = _reviewer(tenant).put(f"/v1/second-chance-leads/{scl_id}/status", {"status": "lost"})
    assert unknown.status_code == 422


def test_a_job_booked_for_the_caller_after_the_scl_ends_it_as_booked_by_scl(tenant, scl_id, runtime):
    tap = BusTap(runtime, ["SecondChanceLeadCreated", "SecondChanceLeadStatusChanged"])
    try:
        bu = tenant.admin.post("/v1/business-units", {"name": "HVAC"}).json()["business_unit_id"]
        jt = tenant.admin.post("/v1/job-types", {"name": "AC", "business_unit_ids": [bu]}).json()["job_type_id"]
        customer = tenant.admin.post("/v1/customers", {"name": "Caller", "phones": [CALLER]}).json()["customer_id"]
        banner = _reviewer(tenant).get("/v1/second-chance-leads/banner", params={"phone": CALLER}).json()
        assert banner["second_chance_lead"]["scl_id"] == scl_id
        job = tenant.csr.post(
            "/v1/jobs",
            {
                "customer_id": customer,
                "job_type_id": jt,
                "business_unit_id": bu,
                "appointment_start": "2026-11-25T08:00:00Z",
                "appointment_end": "2026-11-25T10:00:00Z",
            },
        ).json()["job"]
        path = f"/v1/second-chance-leads/{scl_id}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _reviewer(tenant).get(path).json()["status"] == "new":
            time.sleep(0.2)
        body = _reviewer(tenant).get(path).json()
        assert (body["status"], body["tab"], body["job_id"]) == ("job_booked_by_scl", "done", job["job_id"])
        for attempt in ({"status": "new"}, {"status": "lead_not_able_to_save"}):
            refused = _reviewer(tenant).put(f"{path}/status", attempt)
            assert refused.status_code == 409 and "no later change" in refused.json()["message"]
        assert _reviewer(tenant).post(f"{path}/callback").status_code == 409
        assert _reviewer(tenant).post(f"{path}/dismiss", {"reason": "not_a_lead"}).status_code == 409
        after = _reviewer(tenant).get("/v1/second-chance-leads/banner", params={"phone": CALLER}).json()
        assert after["second_chance_lead"] is None
        tap.drain(wait=1)
        assert len(tap.of("SecondChanceLeadStatusChanged", scl_id=scl_id, status="job_booked_by_scl")) == 1
    finally:
        tap.close()


def test_a_job_for_a_customer_whose_second_number_called_ends_the_scl_too(tenant, scl_id):
    bu = tenant.admin.post("/v1/business-units", {"name": "HVAC"}).json()["business_unit_id"]
    jt = tenant.admin.post("/v1/job-types", {"name": "AC", "business_unit_ids": [bu]}).json()["job_type_id"]
    phones = ["+15125550999", CALLER]  # the SCL's caller is the customer's second number
    customer = tenant.admin.post("/v1/customers", {"name": "Two Phones", "phones": phones}).json()["customer_id"]
    window = {"appointment_start": "2026-11-25T08:00:00Z", "appointment_end": "2026-11-25T10:00:00Z"}
    booked = tenant.csr.post("/v1/jobs", {"customer_id": customer, "job_type_id": jt, "business_unit_id": bu, **window})
    assert booked.status_code == 201 and booked.json()["job"]["customer_phone"] == phones[0]
    path = f"/v1/second-chance-leads/{scl_id}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _reviewer(tenant).get(path).json()["status"] == "new":
        time.sleep(0.2)
    assert _reviewer(tenant).get(path).json()["status"] == "job_booked_by_scl"


def test_a_job_booked_before_the_scl_existed_ends_it_as_booked_elsewhere(tenant, scl_id):
    from leadline.scl import service

    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    assert service.on_job_booked(tenant.tenant_id, job_id="job-early", phone=CALLER, booked_at=earlier) == [scl_id]
    assert _reviewer(tenant).get(f"/v1/second-chance-leads/{scl_id}").json()["status"] == "job_booked_elsewhere"


def test_notes_copied_to_the_customer_and_search_in_the_transcript(tenant, scl_id):
    customer = tenant.admin.post("/v1/customers", {"name": "Caller", "phones": [CALLER]}).json()["customer_id"]
    response = _reviewer(tenant).post(
        f"/v1/second-chance-leads/{scl_id}/notes", {"text": "Left a voicemail", "copy_to_customer_id": customer}
    )
    assert response.status_code == 201 and response.json()["notes"][0]["text"] == "Left a voicemail"
    assert "Left a voicemail" in tenant.admin.get(f"/v1/customers/{customer}").json()["notes"]
    found = _reviewer(tenant).get("/v1/second-chance-leads", params={"tab": "open", "search": "Cooling"}).json()
    assert [i["scl_id"] for i in found["items"]] == [scl_id]
    assert _reviewer(tenant).get("/v1/second-chance-leads", params={"search": "plumbing"}).json()["items"] == []


def test_an_old_open_scl_sits_in_the_cold_tab(tenant, scl_id):
    scl = scl_records.get(tenant.tenant_id, scl_id)
    scl.created_at = (datetime.now(UTC) - timedelta(hours=72)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    scl_records.index(scl, is_open=True)
    scl.save()  # a test's shortcut to age it: the threshold is 48 hours
    assert _reviewer(tenant).get("/v1/second-chance-leads", params={"tab": "open"}).json()["items"] == []
    cold = _reviewer(tenant).get("/v1/second-chance-leads", params={"tab": "cold"}).json()["items"]
    assert [(i["scl_id"], i["tab"]) for i in cold] == [(scl_id, "cold")]


# --- settings and permissions --------------------------------------------------------------------


def test_settings_and_who_has_access(tenant):
    _setup(tenant)
    body = tenant.admin.get("/v1/settings/second-chance-leads").json()
    assert (body["enabled"], body["after_call_work_minutes"]) == (True, 2)
    assert [e["access_by"] for e in body["employees_with_access"]] == ["role"]
    for minutes in (0, 121):
        assert (
            tenant.admin.put("/v1/settings/second-chance-leads", {"after_call_work_minutes": minutes}).status_code
            == 422
        )
    assert tenant.csr.put("/v1/settings/second-chance-leads", {"enabled": False}).status_code == 403


def test_every_scl_path_needs_view_second_chance_leads(tenant, scl_id):
    paths = [
        ("GET", "/v1/second-chance-leads", None),
        ("GET", "/v1/second-chance-leads/counts", None),
        ("GET", f"/v1/second-chance-leads/{scl_id}", None),
        ("POST", f"/v1/second-chance-leads/{scl_id}/callback", None),
        ("POST", f"/v1/second-chance-leads/{scl_id}/dismiss", {"reason": "not_a_lead"}),
        ("PUT", f"/v1/second-chance-leads/{scl_id}/status", {"status": "new"}),
        ("POST", f"/v1/second-chance-leads/{scl_id}/notes", {"text": "hi"}),
        ("GET", f"/v1/second-chance-leads/banner?phone={CALLER}", None),
        ("GET", "/v1/settings/second-chance-leads", None),
    ]
    for method, path, body in paths:
        response = tenant.csr.request(method, path, json=body)
        assert response.status_code == 403, (path, response.text)
        assert "view_second_chance_leads" in response.json()["message"]
    tenant.admin.patch(f"/v1/employees/{tenant.csr_employee_id}", {"granted_permissions": ["view_second_chance_leads"]})
    assert tenant.csr.get(f"/v1/second-chance-leads/{scl_id}").status_code == 200


def test_another_tenant_sees_none_of_it(tenant, other_tenant, scl_id):
    intruder = other_tenant.admin
    assert intruder.get(f"/v1/second-chance-leads/{scl_id}").status_code == 404
    assert intruder.post(f"/v1/second-chance-leads/{scl_id}/callback").status_code == 404
    assert intruder.get("/v1/second-chance-leads", params={"tab": "open"}).json()["items"] == []
    banner = intruder.get("/v1/second-chance-leads/banner", params={"phone": CALLER}).json()
    assert banner["second_chance_lead"] is None
    assert _reviewer(tenant).get(f"/v1/second-chance-leads/{scl_id}").status_code == 200
