"""Online bookings and the Bookings inbox on the local runtime: the website key, attribution rules case by case,
idempotency, conversion into a job carrying the campaign, dismissal, the CSV export, tenant isolation."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
import requests

from leadline.bookings.online import attribute
from leadline.data.models import Campaign
from leadline.data.repositories import bookings as booking_records
from leadline.data.repositories import campaigns as campaign_records

TRACKING_PARAMS = {"campaign", "utm_source", "utm_medium", "utm_campaign", "gclid", "referrer", "landing_page"}


def _campaign(campaign_id, name, active=True) -> Campaign:
    return campaign_records.new("x", campaign_id, name=name, active=active)


CAMPAIGNS = [
    _campaign("cmp-google", "Google Ads - AC Repair"),
    _campaign("cmp-fb", "Facebook Spring Promo"),
    _campaign("cmp-old", "Yellow Pages", active=False),
    _campaign("cmp-news", "Newsletter"),
]
RULES = [
    {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": None, "campaign_id": "cmp-google"},
    {"utm_source": "facebook", "utm_medium": None, "utm_campaign": None, "campaign_id": "cmp-fb"},
    {"utm_source": None, "utm_medium": "email", "utm_campaign": None, "campaign_id": "cmp-news"},
    {"utm_source": "yp", "utm_medium": None, "utm_campaign": None, "campaign_id": "cmp-old"},
    {"utm_source": "google", "utm_medium": None, "utm_campaign": None, "campaign_id": "cmp-news"},
]


@pytest.mark.parametrize(
    ("tracking", "campaign_id", "matched_by", "reason"),
    [
        ({"campaign": "cmp-fb"}, "cmp-fb", "campaign", None),
        ({"campaign": "  google ads - ac repair "}, "cmp-google", "campaign", None),  # the name, any case
        ({"campaign": "cmp-fb", "utm_source": "google", "utm_medium": "cpc"}, "cmp-fb", "campaign", None),
        ({"campaign": "Yellow Pages"}, None, None, "campaign 'Yellow Pages' is inactive"),
        ({"campaign": "spring-sale", "utm_source": "facebook"}, "cmp-fb", "utm_rule", None),  # falls to the rules
        ({"campaign": "spring-sale"}, None, None, "campaign 'spring-sale' is not one of the company's campaigns"),
        ({"utm_source": "Google", "utm_medium": "CPC"}, "cmp-google", "utm_rule", None),
        ({"utm_source": "google", "utm_medium": "organic"}, "cmp-news", "utm_rule", None),  # rule 5, not rule 1
        ({"utm_source": "facebook", "utm_medium": "paid", "utm_campaign": "x"}, "cmp-fb", "utm_rule", None),
        ({"utm_medium": "email", "utm_source": "mailchimp"}, "cmp-news", "utm_rule", None),
        ({"gclid": "EAIaIQobChMI"}, "cmp-google", "utm_rule", None),  # Google auto-tagging: google / cpc
        ({"utm_source": "yp"}, None, None, "UTM rule 4 matches, but its campaign is inactive or gone"),
        (
            {"utm_source": "bing", "utm_medium": "cpc"},
            None,
            None,
            "no UTM rule matches utm_source=bing, utm_medium=cpc",
        ),
        ({}, None, None, "no tracking parameters"),
        ({"utm_source": "  "}, None, None, "no tracking parameters"),
        ({"referrer": "https://www.yelp.com/"}, None, None, "no campaign or UTM parameters (only referrer)"),
    ],
)
def test_attribution_rules_case_by_case(tracking, campaign_id, matched_by, reason):
    result = attribute(tracking, CAMPAIGNS, RULES)
    assert (result["campaign_id"], result["matched_by"]) == (campaign_id, matched_by)
    if reason is None:
        assert result["reason"] is None
    else:
        assert reason in result["reason"]


def test_the_first_matching_rule_wins():
    assert attribute({"utm_source": "google", "utm_medium": "cpc"}, CAMPAIGNS, RULES)["rule"] == 1
    assert attribute({"utm_source": "google", "utm_medium": "cpc"}, CAMPAIGNS, RULES[::-1])["rule"] == 1  # news


# --- end to end ------------------------------------------------------------------------------------


@pytest.fixture
def shop(runtime, tenant):
    """The tenant with campaigns, a UTM rule, a job type and business unit, and a website key."""
    admin = tenant.admin
    google = admin.post("/v1/campaigns", {"name": "Google Ads"}).json()["campaign_id"]
    spring = admin.post("/v1/campaigns", {"name": "Spring Mailer"}).json()["campaign_id"]
    unit = admin.post("/v1/business-units", {"name": "HVAC"}).json()["business_unit_id"]
    job_type = admin.post("/v1/job-types", {"name": "AC Repair", "business_unit_ids": [unit]}).json()["job_type_id"]
    rules = admin.put(
        "/v1/settings/online-bookings",
        {"rules": [{"utm_source": "google", "utm_medium": "cpc", "campaign_id": google}]},
    )
    assert rules.status_code == 200, rules.text
    key = admin.post("/v1/settings/online-bookings/key").json()["key"]
    return {"key": key, "google": google, "spring": spring, "unit": unit, "job_type": job_type, "url": runtime.api_url}


def _book(shop, body=None, *, key=None, **extra) -> requests.Response:
    body = body or {
        "booking_id": f"sched-{uuid.uuid4().hex[:10]}",
        "customer": {"name": "Pat Doe", "phone": "(512) 555-0142", "email": "pat@example.com"},
        "address": {"address1": "12 Elm St", "city": "Austin", "state": "TX", "postal_code": "78701"},
        "service": "AC not cooling",
        "requested_times": [{"start": "2026-11-25T15:00:00Z", "end": "2026-11-25T17:00:00Z"}],
        "tracking": {"utmSource": "google", "utmMedium": "cpc", "utmCampaign": "ac-repair", "gclid": "abc"},
        **extra,
    }
    headers = {"X-Leadline-Key": key if key is not None else shop["key"], "Origin": "https://www.acme.example"}
    return requests.post(f"{shop['url']}/v1/online-bookings", json=body, headers=headers, timeout=30)


def test_an_online_booking_lands_in_the_inbox_with_its_campaign_once(shop, tenant):
    first = _book(shop)
    assert first.status_code == 201, first.text
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    answer = first.json()
    assert answer["campaign_id"] == shop["google"] and answer["attribution"]["matched_by"] == "utm_rule"
    body = {
        "booking_id": "sched-dup",
        "customer": {"phone": "5125550143"},
        "tracking": {"campaign": "Spring Mailer"},
    }
    assert _book(shop, body).status_code == 201
    again = _book(shop, body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    inbox = tenant.admin.get("/v1/bookings", params={"source": "online"}).json()["items"]
    assert sorted(b["campaign_id"] for b in inbox) == sorted([shop["google"], shop["spring"]])
    booking = tenant.admin.get(f"/v1/bookings/{answer['booking_id']}").json()
    assert booking["phone"] == "+15125550142" and booking["status"] == "pending"
    assert booking["attribution"]["parameters"]["utm_campaign"] == "ac-repair"


def test_an_unattributed_booking_goes_to_unknown_with_its_reason_and_is_flagged(shop, tenant):
    response = _book(shop, {"booking_id": "b-unknown", "customer": {"email": "x@example.com"}, "tracking": {}})
    assert response.status_code == 201
    assert response.json()["campaign_id"] is None
    assert response.json()["attribution"]["reason"] == "no tracking parameters"
    flagged = tenant.admin.get("/v1/bookings", params={"flagged": "true"}).json()["items"]
    assert [b["flags"] for b in flagged] == [["unknown_campaign"]]


@pytest.mark.parametrize(
    ("key", "status"),
    [("", 401), ("olb.nobody.secret", 401), ("not-a-key", 401), (None, 401)],
)
def test_a_wrong_key_is_refused_and_nothing_is_stored(shop, tenant, key, status):
    if key is None:  # the right tenant, the wrong secret
        key = shop["key"].rsplit(".", 1)[0] + ".wrong"
    response = _book(shop, key=key)
    assert response.status_code == status and "X-Leadline-Key" in response.json()["message"]
    assert booking_records.all_of(tenant.tenant_id) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"customer": {"phone": "5125550142"}}, "booking_id"),
        ({"booking_id": "x", "customer": {"name": "No contact"}}, "not valid"),
        ({"booking_id": "x", "customer": {"phone": "123"}}, "customer.phone"),
        ({"booking_id": "x", "customer": {"phone": "5125550142"}, "tracking": {"utm_source": "g"}}, "not valid"),
        ({"booking_id": "x", "customer": {"phone": "5125550142"}, "extra": 1}, "not valid"),
    ],
)
def test_a_malformed_booking_is_refused_with_a_clear_message(shop, tenant, body, message):
    response = _book(shop, body)
    assert response.status_code == 400 and message in response.json()["message"], response.text
    assert booking_records.all_of(tenant.tenant_id) == []


def test_the_preflight_is_answered(shop):
    response = requests.options(
        f"{shop['url']}/v1/online-bookings",
        headers={"Origin": "https://www.acme.example", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert response.status_code == 204
    assert "X-Leadline-Key" in response.headers["Access-Control-Allow-Headers"]


def test_convert_books_a_job_with_the_bookings_campaign_once(shop, tenant):
    booking_id = _book(shop).json()["booking_id"]
    window = {"appointment_start": "2026-11-25T15:00:00Z", "appointment_end": "2026-11-25T17:00:00Z"}
    missing = tenant.admin.post(f"/v1/bookings/{booking_id}/convert", window)
    assert missing.status_code == 422 and "job_type_id" in missing.text  # no mapping: it must be given
    plumbing = tenant.admin.post("/v1/business-units", {"name": "Plumbing"}).json()["business_unit_id"]
    mismatched = {**window, "job_type_id": shop["job_type"], "business_unit_id": plumbing}
    refused = tenant.admin.post(f"/v1/bookings/{booking_id}/convert", mismatched)
    assert refused.status_code == 422 and "not offered by business unit Plumbing" in refused.json()["message"]
    body = {**window, "job_type_id": shop["job_type"], "business_unit_id": shop["unit"]}
    converted = tenant.admin.post(f"/v1/bookings/{booking_id}/convert", body)
    assert converted.status_code == 200, converted.text
    job = converted.json()["job"]
    assert job["campaign_id"] == shop["google"] and job["origin"] == "booking"
    assert job["customer_phone"] == "+15125550142" and job["customer_id"]
    assert converted.json()["booking"]["status"] == "converted"
    assert converted.json()["booking"]["job_id"] == job["job_id"]
    again = tenant.admin.post(f"/v1/bookings/{booking_id}/convert", body)
    assert again.status_code == 409 and "converted" in again.json()["message"]
    assert tenant.admin.post(f"/v1/bookings/{booking_id}/dismiss", {"reason": "price_too_high"}).status_code == 409


def test_dismiss_with_a_reason_and_notes(shop, tenant):
    booking_id = _book(shop).json()["booking_id"]
    assert tenant.admin.post(f"/v1/bookings/{booking_id}/notes", {"text": "Left a voicemail"}).status_code == 200
    bad = tenant.admin.post(f"/v1/bookings/{booking_id}/dismiss", {"reason": "bored"})
    assert bad.status_code == 422 and "dismiss reason" in bad.text
    dismissed = tenant.admin.post(f"/v1/bookings/{booking_id}/dismiss", {"reason": "out_of_service_area"})
    assert dismissed.status_code == 200, dismissed.text
    view = dismissed.json()
    assert view["status"] == "dismissed" and view["dismiss_reason"] == "out_of_service_area"
    assert [n["text"] for n in view["notes"]] == ["Left a voicemail"]
    assert [h["to"] for h in view["history"]] == ["pending", "dismissed"]


def test_the_export_lists_online_booking_sessions_with_their_attribution(shop, tenant):
    _book(shop)
    _book(shop, {"booking_id": "b-2", "customer": {"phone": "5125550144", "name": "=HYPERLINK(1)"}, "tracking": {}})
    from datetime import date, timedelta

    today = date.today()
    response = tenant.admin.get(
        "/v1/bookings/export", params={"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_source = {r["utm_source"]: r for r in rows}
    assert by_source["google"]["campaign_name"] == "Google Ads" and by_source["google"]["matched_by"] == "utm_rule"
    assert by_source[""]["campaign_name"] == "Unknown"
    assert by_source[""]["unknown_reason"] == "no tracking parameters"
    assert by_source[""]["customer_name"] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet
    assert tenant.csr.get("/v1/bookings/export", params={"from": "2026-01-01", "to": "2026-01-02"}).status_code == 403


def test_another_tenant_sees_none_of_it(shop, tenant, other_tenant):
    booking_id = _book(shop).json()["booking_id"]
    assert other_tenant.admin.get(f"/v1/bookings/{booking_id}").status_code == 404
    assert other_tenant.admin.get("/v1/bookings").json()["items"] == []
    window = {"appointment_start": "2026-11-25T15:00:00Z", "appointment_end": "2026-11-25T17:00:00Z"}
    assert other_tenant.admin.post(f"/v1/bookings/{booking_id}/convert", window).status_code in (404, 422)
    assert tenant.admin.get(f"/v1/bookings/{booking_id}").status_code == 200
