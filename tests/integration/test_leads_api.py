"""Leads through the API against the local runtime: every source, convert, dismiss, reopen, jobs, customers,
the events on the bus, and the outbox when publishing fails."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from leadline.data.repositories import jobs as job_records
from leadline.data.repositories import leads as lead_records
from leadline.data.repositories import outbox as outbox_records
from tests.support.api import Api
from tests.support.webhooks import twilio_sid

WINDOW = {"appointment_start": "2026-11-25T08:00:00-06:00", "appointment_end": "2026-11-25T10:00:00-06:00"}


def _setup(tenant) -> dict:
    admin = tenant.admin
    bu = admin.post("/v1/business-units", {"name": "HVAC"}).json()["business_unit_id"]
    jt = admin.post("/v1/job-types", {"name": "AC Repair", "business_unit_ids": [bu]}).json()["job_type_id"]
    campaign = admin.post("/v1/campaigns", {"name": "Google", "dnis": "+15125550400"}).json()["campaign_id"]
    admin.post("/v1/tracking-numbers", {"number": "+15125550400", "campaign_id": campaign})
    customer = admin.post("/v1/customers", {"name": "Pat Doe", "phones": ["512-555-0477"]}).json()
    location = admin.post(
        f"/v1/customers/{customer['customer_id']}/locations",
        {"address": {"street": "1 Main St", "city": "Austin", "state": "TX", "zip": "78701"}},
    ).json()
    lead_reason = admin.post("/v1/call-reasons", {"name": "New service", "is_lead": True}).json()["call_reason_id"]
    return {
        "bu": bu,
        "jt": jt,
        "campaign": campaign,
        "customer": customer["customer_id"],
        "location": location["location_id"],
        "lead_reason": lead_reason,
    }


def _manual_lead(tenant, s, **extra) -> dict:
    response = tenant.admin.post(
        "/v1/leads",
        {
            "customer_id": s["customer"],
            "location_id": s["location"],
            "campaign_id": s["campaign"],
            "business_unit_id": s["bu"],
            "job_type_id": s["jt"],
            "notes": "Wants a quote",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def _convert(api, lead_id, s):
    return api.post(f"/v1/leads/{lead_id}/convert", {"job_type_id": s["jt"], "business_unit_id": s["bu"], **WINDOW})


def _jobs(tenant) -> list:
    return job_records.all_of(tenant.tenant_id)


def _wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.2)
    return predicate()


# --- customers -----------------------------------------------------------------------------------


def test_customers_and_locations_with_lookup_by_phone(tenant):
    s = _setup(tenant)
    found = tenant.admin.get("/v1/customers", params={"phone": "(512) 555-0477"}).json()["items"]
    assert [c["customer_id"] for c in found] == [s["customer"]] and found[0]["phones"] == ["+15125550477"]
    customer = tenant.admin.get(f"/v1/customers/{s['customer']}").json()
    assert customer["locations"][0]["address"]["city"] == "Austin"
    tenant.admin.patch(f"/v1/customers/{s['customer']}", {"phones": ["+15125550478"]})
    assert tenant.admin.get("/v1/customers", params={"phone": "+15125550477"}).json()["items"] == []
    assert len(tenant.admin.get("/v1/customers", params={"phone": "+15125550478"}).json()["items"]) == 1
    assert tenant.admin.post("/v1/customers", {"name": "X", "phones": ["123"]}).status_code == 422
    assert tenant.admin.post(f"/v1/customers/{s['customer']}/locations", {"address": {"city": "A"}}).status_code == 422


# --- manual leads, listing -----------------------------------------------------------------------


def test_a_manual_lead_is_created_announced_and_listed(tenant, bus):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s, tags=["vip"], follow_up_date="2026-11-30", priority="high")
    assert (lead["source"], lead["status"], lead["customer_phone"]) == ("manual", "open", "+15125550477")
    assert lead["notes"][0]["text"] == "Wants a quote" and lead["history"][0]["to"] == "open"
    assert tenant.admin.get(f"/v1/leads/{lead['lead_id']}").json()["follow_up_date"] == "2026-11-30"
    bus.drain(wait=1)
    assert len(bus.of("LeadCreated", lead_id=lead["lead_id"])) == 1

    other = tenant.admin.post("/v1/business-units", {"name": "Plumbing"}).json()["business_unit_id"]
    bare = tenant.admin.post("/v1/leads", {"customer_id": s["customer"], "business_unit_id": other})
    assert bare.status_code == 201 and bare.json()["notes"] == [], bare.text
    listed = tenant.admin.get("/v1/leads").json()["items"]
    assert len(listed) == 2 and listed[0]["created_at"] >= listed[1]["created_at"]
    customer_name = tenant.admin.get(f"/v1/customers/{s['customer']}").json()["name"]
    assert [lead["customer_name"] for lead in listed] == [customer_name, customer_name]
    for params, expected in [
        ({"status": "open"}, 2),
        ({"status": "converted"}, 0),
        ({"source": "manual"}, 2),
        ({"source": "call"}, 0),
        ({"business_unit_id": s["bu"]}, 1),
        ({"campaign_id": s["campaign"]}, 1),
        ({"created_from": "2000-01-01"}, 2),
        ({"created_to": "2000-01-01"}, 0),
    ]:
        assert len(tenant.admin.get("/v1/leads", params=params).json()["items"]) == expected, params
    first = tenant.admin.get("/v1/leads", params={"limit": 1}).json()
    second = tenant.admin.get("/v1/leads", params={"limit": 1, "next_token": first["next_token"]}).json()
    assert {first["items"][0]["lead_id"], second["items"][0]["lead_id"]} == {i["lead_id"] for i in listed}


def test_lead_bad_input(tenant):
    s = _setup(tenant)
    cases = [
        ({}, "customer_id"),
        ({"customer_id": "cus_missing"}, "customer"),
        ({"customer_id": s["customer"], "campaign_id": "cmp_missing"}, "campaign"),
        ({"customer_id": s["customer"], "priority": "whenever"}, "priority"),
        ({"customer_id": s["customer"], "follow_up_date": "next week"}, "follow_up_date"),
    ]
    for body, words in cases:
        response = tenant.admin.post("/v1/leads", body)
        assert response.status_code == 422, (body, response.text)
        assert words in response.text
    other_customer = tenant.admin.post("/v1/customers", {"name": "Other"}).json()["customer_id"]
    response = tenant.admin.post("/v1/leads", {"customer_id": other_customer, "location_id": s["location"]})
    assert response.status_code == 422 and "another customer" in response.json()["message"]
    assert tenant.admin.get("/v1/leads", params={"status": "lost"}).status_code == 422
    assert tenant.admin.get("/v1/leads/ld_missing").status_code == 404


# --- convert ---------------------------------------------------------------------------------------


def test_convert_books_the_job_and_converts_the_lead_once(tenant, bus):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    response = _convert(tenant.csr, lead["lead_id"], s)
    assert response.status_code == 200, response.text
    job, converted = response.json()["job"], response.json()["lead"]
    assert (converted["status"], converted["job_id"]) == ("converted", job["job_id"])
    assert (job["origin"], job["lead_id"], job["campaign_id"]) == ("lead", lead["lead_id"], s["campaign"])
    assert tenant.admin.get(f"/v1/jobs/{job['job_id']}").json()["customer_id"] == s["customer"]
    again = _convert(tenant.csr, lead["lead_id"], s)
    assert again.status_code == 409 and job["job_id"] in again.json()["message"]
    bus.drain(wait=1)
    assert len(bus.of("LeadConverted", lead_id=lead["lead_id"])) == 1
    assert len(bus.of("JobBooked", job_id=job["job_id"])) == 1
    assert len(_jobs(tenant)) == 1


def test_twenty_concurrent_converts_make_exactly_one_job(tenant):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: _convert(tenant.csr, lead["lead_id"], s).status_code, range(20)))
    assert sorted(statuses) == [200] + [409] * 19
    assert len(_jobs(tenant)) == 1


def test_twenty_concurrent_converts_in_the_domain_make_exactly_one_job(tenant):
    """The gateway runs one request of a function at a time; these race for real in DynamoDB."""
    from leadline.errors import Conflict
    from leadline.leads import service

    s = _setup(tenant)
    lead = _manual_lead(tenant, s)

    def convert(_):
        try:
            service.convert(
                tenant.tenant_id,
                lead["lead_id"],
                {"job_type_id": s["jt"], "business_unit_id": s["bu"], **WINDOW},
                by="x",
            )
            return "job"
        except Conflict:
            return "refused"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(convert, range(20)))
    assert outcomes.count("job") == 1 and len(_jobs(tenant)) == 1


def test_convert_refusals(tenant):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/dismiss", {"reason": "price_too_high"}).status_code == 200
    response = _convert(tenant.csr, lead["lead_id"], s)
    assert response.status_code == 409 and "reopen" in response.json()["message"]
    bad_window = {
        "job_type_id": s["jt"],
        "business_unit_id": s["bu"],
        "appointment_start": WINDOW["appointment_end"],
        "appointment_end": WINDOW["appointment_start"],
    }
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/convert", bad_window).status_code == 422
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/convert", {"job_type_id": s["jt"]}).status_code == 422
    assert _convert(tenant.csr, "ld_missing", s).status_code == 404
    assert _jobs(tenant) == []


def test_a_job_type_the_business_unit_does_not_offer_is_refused_on_every_path(tenant):
    """The pairing rule the integrations' category map holds, held by every operation that names both."""
    s = _setup(tenant)
    plumbing = tenant.admin.post("/v1/business-units", {"name": "Plumbing"}).json()["business_unit_id"]
    anywhere = tenant.admin.post("/v1/job-types", {"name": "Estimate"}).json()["job_type_id"]  # names no unit
    lead = _manual_lead(tenant, s)
    mismatched = {"job_type_id": s["jt"], "business_unit_id": plumbing}
    refusals = {
        "convert a lead": tenant.csr.post(f"/v1/leads/{lead['lead_id']}/convert", {**mismatched, **WINDOW}),
        "book a job": tenant.csr.post("/v1/jobs", {"customer_id": s["customer"], **mismatched, **WINDOW}),
        "create a lead": tenant.admin.post("/v1/leads", {"customer_id": s["customer"], **mismatched}),
        "change a lead": tenant.admin.patch(f"/v1/leads/{lead['lead_id']}", mismatched),
    }
    for path, response in refusals.items():
        assert response.status_code == 422, (path, response.text)
        body = response.json()
        assert body["message"].startswith("job type AC Repair is not offered by business unit Plumbing"), path
        assert body["errors"][0]["field"] == "job_type_id", path
    assert _jobs(tenant) == []
    assert tenant.csr.get(f"/v1/leads/{lead['lead_id']}").json()["status"] == "open"
    # a job type that names no unit is offered by every unit
    offered = {"job_type_id": anywhere, "business_unit_id": plumbing, **WINDOW}
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/convert", offered).status_code == 200


# --- dismiss and reopen ----------------------------------------------------------------------------


def test_dismiss_with_a_reason_and_reopen(tenant, bus):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    reasons = {r["code"] for r in tenant.csr.get("/v1/lead-dismiss-reasons").json()["items"]}
    assert {"price_too_high", "no_availability", "out_of_service_area", "competitor_won"} <= reasons
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/dismiss", {"reason": "bored"}).status_code == 422
    assert (
        tenant.admin.post("/v1/lead-dismiss-reasons", {"code": "bored", "label": "Customer got bored"}).status_code
        == 201
    )
    assert tenant.csr.post("/v1/lead-dismiss-reasons", {"code": "x", "label": "X"}).status_code == 403
    dismissed = tenant.csr.post(f"/v1/leads/{lead['lead_id']}/dismiss", {"reason": "bored", "note": "called twice"})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/dismiss", {"reason": "bored"}).status_code == 409
    reopened = tenant.csr.post(f"/v1/leads/{lead['lead_id']}/reopen", {"why": "customer called back"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    history = [(h["from"], h["to"]) for h in reopened.json()["history"]]
    assert history == [(None, "open"), ("open", "dismissed"), ("dismissed", "open")]
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/reopen", {}).status_code == 409
    _convert(tenant.csr, lead["lead_id"], s)
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/dismiss", {"reason": "bored"}).status_code == 409
    bus.drain(wait=1)
    assert len(bus.of("LeadDismissed", lead_id=lead["lead_id"])) == 1
    assert len(bus.of("LeadReopened", lead_id=lead["lead_id"])) == 1


def test_notes_and_follow_up(tenant):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    assert tenant.csr.post(f"/v1/leads/{lead['lead_id']}/notes", {"text": "Left a voicemail"}).status_code == 201
    patched = tenant.csr.patch(f"/v1/leads/{lead['lead_id']}", {"follow_up_date": "2026-12-01", "tags": ["callback"]})
    assert patched.status_code == 200
    body = tenant.csr.get(f"/v1/leads/{lead['lead_id']}").json()
    assert [n["text"] for n in body["notes"]] == ["Wants a quote", "Left a voicemail"]
    assert (body["follow_up_date"], body["tags"]) == ("2026-12-01", ["callback"])


# --- jobs booked on their own, job-generated leads -----------------------------------------------


def test_a_job_booked_separately_leaves_the_lead_open_and_points_to_it(tenant):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    response = tenant.csr.post(
        "/v1/jobs", {"customer_id": s["customer"], "job_type_id": s["jt"], "business_unit_id": s["bu"], **WINDOW}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["job"]["origin"] == "direct" and body["job"]["lead_id"] is None
    assert [o["lead_id"] for o in body["open_leads_for_customer"]] == [lead["lead_id"]]
    assert tenant.csr.get(f"/v1/leads/{lead['lead_id']}").json()["status"] == "open"


def test_a_job_generated_lead(tenant, runtime):
    s = _setup(tenant)
    job = tenant.csr.post(
        "/v1/jobs",
        {
            "customer_id": s["customer"],
            "location_id": s["location"],
            "job_type_id": s["jt"],
            "business_unit_id": s["bu"],
            "campaign_id": s["campaign"],
            **WINDOW,
        },
    ).json()["job"]
    tech = tenant.admin.post("/v1/employees", {"name": "Tia Tech", "email": "tia@x.example", "role_id": "technician"})
    body = {
        "business_unit_id": s["bu"],
        "job_type_id": s["jt"],
        "priority": "normal",
        "start": "2026-12-02T09:00:00-06:00",
        "lead_setting_employee_id": tech.json()["employee_id"],
        "summary": "Customer wants a quote for a new furnace",
        "tags": ["upsell"],
    }
    response = tenant.csr.post(f"/v1/jobs/{job['job_id']}/leads", body)
    assert response.status_code == 201, response.text
    lead = response.json()
    assert (lead["source"], lead["origin_job_id"], lead["campaign_id"]) == ("job", job["job_id"], s["campaign"])
    assert (lead["customer_id"], lead["location_id"]) == (s["customer"], s["location"])
    missing = tenant.csr.post(f"/v1/jobs/{job['job_id']}/leads", {**body, "lead_setting_employee_id": "emp_nobody"})
    assert missing.status_code == 422
    assert tenant.csr.post("/v1/jobs/job_missing/leads", body).status_code == 404


# --- from calls: classified and abandoned; attribution end to end ---------------------------------


def _inbound_call(tenant, duration: int, sid: str | None = None) -> str:
    sid = sid or twilio_sid()
    response = tenant.vendors.twilio(
        "voice-status",
        {
            "CallSid": sid,
            "From": "+15125550477",
            "To": "+15125550400",
            "Direction": "inbound",
            "CallStatus": "completed",
            "SequenceNumber": "3",
            "CallDuration": str(duration),
        },
    )
    assert response.status_code == 200, response.text
    return sid


def test_attribution_survives_call_to_lead_to_job(tenant):
    s = _setup(tenant)
    sid = _inbound_call(tenant, 30)
    call = tenant.csr.put(f"/v1/calls/{sid}/classification", {"call_reason_id": s["lead_reason"]}).json()
    assert call["campaign_id"] == s["campaign"]
    lead = tenant.csr.get(f"/v1/leads/{call['classification']['lead_id']}").json()
    assert (lead["source"], lead["campaign_id"], lead["call_id"]) == ("call", s["campaign"], sid)
    job = _convert(tenant.csr, lead["lead_id"], s).json()["job"]
    assert job["campaign_id"] == s["campaign"] == call["campaign_id"]


def _leads_of_call(tenant, sid) -> list:
    return [lead for lead in lead_records.all_of(tenant.tenant_id) if lead.call_id == sid]


def test_an_unclassified_long_inbound_call_becomes_an_abandoned_call_lead(tenant, bus):
    s = _setup(tenant)  # Second Chance Leads stays off: abandoned-call leads do not depend on it
    tenant.admin.patch("/v1/settings", {"second_chance_leads": {"after_call_work_minutes": 1}})
    long_call, short_call, classified = _inbound_call(tenant, 95), _inbound_call(tenant, 40), _inbound_call(tenant, 200)
    tenant.csr.put(f"/v1/calls/{classified}/classification", {"call_reason_id": s["lead_reason"]})
    leads = _wait(lambda: _leads_of_call(tenant, long_call))
    (lead,) = leads
    assert (lead.source, lead.campaign_id, lead.customer_phone) == ("abandoned_call", s["campaign"], "+15125550477")
    assert tenant.csr.get(f"/v1/calls/{long_call}").json()["classification"]["lead_id"] == lead.lead_id
    time.sleep(2)
    assert _leads_of_call(tenant, short_call) == []
    assert [x.source for x in _leads_of_call(tenant, classified)] == ["call"]
    bus.drain(wait=1)
    assert len(bus.of("LeadCreated", lead_id=lead.lead_id)) == 1


def test_a_redelivered_after_call_work_event_makes_one_abandoned_call_lead(tenant, runtime):
    from leadline.workflows import abandoned_calls as abandoned

    sid = _inbound_call(tenant, 120)
    outcomes = [abandoned.capture(tenant.tenant_id, sid) for _ in range(3)]
    assert set(outcomes) <= {"captured", "not-abandoned"} and len(_leads_of_call(tenant, sid)) == 1


# --- events are never lost: the outbox ------------------------------------------------------------


def test_an_event_whose_publish_fails_after_the_write_is_published_once_by_the_scanner(tenant, bus, monkeypatch):
    from leadline.events import outbox

    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    original = outbox.Publisher.publish
    failures = {"left": 1}

    def publish_failing_once(self, items):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("EventBridge unreachable")
        return original(self, items)

    monkeypatch.setattr(outbox.Publisher, "publish", publish_failing_once)
    response = _convert(tenant.csr, lead["lead_id"], s)
    assert response.status_code == 200, response.text  # the change is committed; its events wait in the outbox
    job_id = response.json()["job"]["job_id"]
    pending = outbox_records.waiting(tenant.tenant_id)
    assert {p.detail_type for p in pending} == {"LeadConverted", "JobBooked"}
    # the scanner (every second at LEADLINE_TIME_SCALE=60) publishes them once they are 10 s old
    assert _wait(lambda: bus.drain(wait=0.2) and bus.of("JobBooked", job_id=job_id), timeout=40)
    time.sleep(2.5)
    bus.drain(wait=0.5)
    assert len(bus.of("LeadConverted", lead_id=lead["lead_id"])) == 1
    assert len(bus.of("JobBooked", job_id=job_id)) == 1
    assert outbox_records.waiting(tenant.tenant_id) == []


# --- isolation and permissions -------------------------------------------------------------------


def test_another_tenant_sees_and_changes_none_of_it(tenant, other_tenant):
    s = _setup(tenant)
    lead = _manual_lead(tenant, s)
    job = _convert(tenant.csr, _manual_lead(tenant, s)["lead_id"], s).json()["job"]
    intruder = other_tenant.admin
    assert intruder.get(f"/v1/leads/{lead['lead_id']}").status_code == 404
    assert intruder.post(f"/v1/leads/{lead['lead_id']}/dismiss", {"reason": "price_too_high"}).status_code == 404
    assert intruder.post(f"/v1/leads/{lead['lead_id']}/reopen", {}).status_code == 404
    assert intruder.post(f"/v1/leads/{lead['lead_id']}/notes", {"text": "hi"}).status_code == 404
    assert intruder.get(f"/v1/jobs/{job['job_id']}").status_code == 404
    assert intruder.post(f"/v1/jobs/{job['job_id']}/leads", {}).status_code in (404, 422)
    assert intruder.get(f"/v1/customers/{s['customer']}").status_code == 404
    assert intruder.get("/v1/customers", params={"phone": "+15125550477"}).json()["items"] == []
    assert intruder.get("/v1/leads").json()["items"] == []
    # the other tenant cannot name this tenant's records in its own writes either
    response = intruder.post("/v1/leads", {"customer_id": s["customer"]})
    assert response.status_code == 422
    assert tenant.csr.get(f"/v1/leads/{lead['lead_id']}").json()["status"] == "open"


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("POST", "/v1/leads", "manage_leads"),
        ("POST", "/v1/leads/x/convert", "book_jobs"),
        ("POST", "/v1/leads/x/dismiss", "manage_leads"),
        ("POST", "/v1/jobs", "book_jobs"),
        ("POST", "/v1/customers", "book_jobs"),
    ],
)
def test_a_technician_cannot(runtime, tenant, method, path, permission):
    from infra.local import tokens

    tech = tenant.admin.post(
        "/v1/employees", {"name": "T", "email": f"t{time.time_ns()}@x.example", "role_id": "technician"}
    ).json()
    api = Api(
        runtime.api_url,
        tokens.issue(
            runtime.signing_key, tenant_id=tenant.tenant_id, employee_id=tech["employee_id"], role_id="technician"
        ),
    )
    body = {
        "customer_id": "c",
        "job_type_id": "j",
        "business_unit_id": "b",
        "reason": "price_too_high",
        "name": "N",
        **WINDOW,
    }
    fields = {"/v1/leads": ["customer_id"], "/v1/customers": ["name"], "/v1/leads/x/dismiss": ["reason"]}
    payload = {k: body[k] for k in fields.get(path, body)} if path in fields else body
    if path == "/v1/jobs":
        payload = {k: body[k] for k in ("customer_id", "job_type_id", "business_unit_id")} | WINDOW
    if path == "/v1/leads/x/convert":
        payload = {k: body[k] for k in ("job_type_id", "business_unit_id")} | WINDOW
    response = api.request(method, path, json=payload)
    assert response.status_code == 403 and permission in response.json()["message"]
