"""Reading, listing and classifying calls through the staff API."""

from datetime import UTC, datetime, timedelta

from leadline.data.repositories import leads as lead_records
from tests.support.api import Api
from tests.support.webhooks import twilio_sid


def _call(tenant, *, caller="+15125550177", to="+15125550300", at: datetime | None = None, status="completed"):
    at = at or datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    sid = twilio_sid()
    response = tenant.vendors.twilio(
        "voice-status",
        {
            "CallSid": sid,
            "From": caller,
            "To": to,
            "Direction": "inbound",
            "CallStatus": status,
            "SequenceNumber": "1",
            "CallDuration": "42",
            "Timestamp": at.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        },
    )
    assert response.status_code == 200, response.text
    return sid


def test_classifying_with_a_lead_reason_captures_one_lead(tenant):
    tenant.admin.post("/v1/campaigns", {"name": "Google", "dnis": "+15125550300"})
    campaign = tenant.admin.get("/v1/campaigns").json()["items"][0]["campaign_id"]
    tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550300", "campaign_id": campaign})
    sid = _call(tenant)
    lead_reason = tenant.admin.post("/v1/call-reasons", {"name": "New service", "is_lead": True}).json()
    other = tenant.admin.post("/v1/call-reasons", {"name": "Job status", "is_lead": False}).json()

    classified = tenant.csr.put(
        f"/v1/calls/{sid}/classification", {"call_reason_id": lead_reason["call_reason_id"], "notes": "wants a quote"}
    )
    assert classified.status_code == 200, classified.text
    body = classified.json()["classification"]
    assert body["is_lead"] is True and body["notes"] == "wants a quote" and body["lead_id"]
    again = tenant.csr.put(
        f"/v1/calls/{sid}/classification",
        {"call_reason_id": lead_reason["call_reason_id"], "booked": True, "job_id": "job-77"},
    )
    assert again.json()["classification"]["lead_id"] == body["lead_id"]
    assert again.json()["classification"]["job_id"] == "job-77"
    leads = lead_records.all_of(tenant.tenant_id)
    assert len(leads) == 1
    assert (leads[0].campaign_id, leads[0].customer_phone, leads[0].source) == (campaign, "+15125550177", "call")
    # a reason that is not a lead does not capture one
    sid2 = _call(tenant)
    plain = tenant.csr.put(f"/v1/calls/{sid2}/classification", {"call_reason_id": other["call_reason_id"]})
    assert plain.json()["classification"]["lead_id"] is None
    assert len(lead_records.all_of(tenant.tenant_id)) == 1


def test_classification_refusals(runtime, tenant, other_tenant):
    sid = _call(tenant)
    reason = tenant.admin.post("/v1/call-reasons", {"name": "New", "is_lead": True}).json()["call_reason_id"]
    assert tenant.csr.put(f"/v1/calls/{sid}/classification", {"call_reason_id": "cr_missing"}).status_code == 422
    assert tenant.csr.put(f"/v1/calls/{sid}/classification", {}).status_code == 422
    assert (
        tenant.csr.put(f"/v1/calls/{sid}/classification", {"call_reason_id": reason, "booked": "maybe"}).status_code
        == 422
    )
    assert tenant.csr.put("/v1/calls/CAnope/classification", {"call_reason_id": reason}).status_code == 404
    # another tenant sees nothing of this call
    assert other_tenant.admin.get(f"/v1/calls/{sid}").status_code == 404
    assert other_tenant.admin.put(f"/v1/calls/{sid}/classification", {"call_reason_id": reason}).status_code == 404
    # an employee without manage_leads cannot classify
    tech = tenant.admin.post("/v1/employees", {"name": "Tech", "email": "tech@x.example", "role_id": "technician"})
    from infra.local import tokens

    tech_api = Api(
        tenant.admin.base_url,
        tokens.issue(
            runtime.signing_key,
            tenant_id=tenant.tenant_id,
            employee_id=tech.json()["employee_id"],
            role_id="technician",
        ),
    )
    response = tech_api.put(f"/v1/calls/{sid}/classification", {"call_reason_id": reason})
    assert response.status_code == 403 and "manage_leads" in response.json()["message"]


def test_listing_by_day_campaign_and_caller(tenant):
    tz_evening = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 2026-11-23 21:30 in Denver (the tenant's zone)
    late = _call(tenant, at=tz_evening, caller="+15125550188")
    early = _call(tenant, at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    next_day = _call(tenant, at=tz_evening + timedelta(days=1))
    day = tenant.admin.get("/v1/calls", params={"day": "2026-11-23"}).json()["items"]
    assert [c["call_id"] for c in day] == [late, early]  # newest first, in the company's day
    assert [c["call_id"] for c in tenant.admin.get("/v1/calls", params={"day": "2026-11-24"}).json()["items"]] == [
        next_day
    ]
    by_caller = tenant.admin.get("/v1/calls", params={"caller": "(512) 555-0188"}).json()["items"]
    assert [c["call_id"] for c in by_caller] == [late]
    unknown = tenant.admin.get("/v1/calls", params={"campaign_id": "unknown", "day": "2026-11-23"}).json()["items"]
    assert {c["call_id"] for c in unknown} == {late, early}
    page = tenant.admin.get("/v1/calls", params={"day": "2026-11-23", "limit": 1}).json()
    rest = tenant.admin.get("/v1/calls", params={"day": "2026-11-23", "next_token": page["next_token"]}).json()
    assert [c["call_id"] for c in page["items"] + rest["items"]] == [late, early]
    assert tenant.admin.get("/v1/calls", params={"day": "23/11/2026"}).status_code == 422
    assert tenant.admin.get("/v1/calls", params={"caller": "12"}).status_code == 422
    assert tenant.admin.get("/v1/calls", params={"caller": "+15125550188", "campaign_id": "x"}).status_code == 422
