"""Conformance: every delivery in tests/data/vendors (each from its vendor's own documentation or a public capture of
a real delivery, named in that folder's README) posted the vendor's way through the local runtime (its content type,
its authentication, its URL shape), and the stored record read back field by field.

The fixtures are posted as they are, but for what names our company at the vendor: Twilio's `AccountSid` is the
company's account (the captures mask theirs). The company is set up the way its integrator would: the tracking
numbers the captures call are its campaigns' numbers, and the partners' credentials are its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from infra.local.seed_partners import new_credentials
from leadline.partners import integrations
from tests.support.webhooks import Partners

VENDORS = Path(__file__).resolve().parent.parent / "data" / "vendors"


def fixture(name: str) -> dict:
    return json.loads((VENDORS / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def company(runtime):
    from tests.support.api import new_tenant

    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    campaigns = {}
    for name, number in (("CallRail Website Pool", "+15125550122"), ("Google Paid", "+14045558514")):
        campaign = tenant.admin.post("/v1/campaigns", {"name": name, "dnis": number}).json()["campaign_id"]
        made = tenant.admin.post("/v1/tracking-numbers", {"number": number, "campaign_id": campaign})
        assert made.status_code == 201, made.text
        campaigns[number] = campaign
    creds = new_credentials()
    integrations.store_credentials(runtime.client("secretsmanager"), tenant.tenant_id, creds)
    return {"tenant": tenant, "campaigns": campaigns, "partners": Partners(runtime.api_url, tenant.tenant_id, creds)}


def _twilio(company, callback: str, name: str) -> requests.Response:
    vendors = company["tenant"].vendors
    params = fixture(name)["body"] | {"AccountSid": vendors.telephony["twilio"]["account_sid"]}
    url = vendors.twilio_url(callback)
    signature = RequestValidator(vendors.telephony["twilio"]["auth_token"]).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)


def _call(company, call_id: str) -> dict:
    response = company["tenant"].admin.get(f"/v1/calls/{call_id}")
    assert response.status_code == 200, response.text
    return response.json()


# --- Twilio ---------------------------------------------------------------------------------------------------


def test_twilio_voice_status_initiated_outbound(company):
    response = _twilio(company, "voice-status", "twilio/voice_status_initiated")
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CA1a82a67c48866944486ea46ff1dce023")
    assert (call["from_number"], call["to_number"], call["direction"]) == ("+15125550199", "+15125550100", "outbound")
    assert (call["status"], call["started_at"], call["attribution"]) == ("initiated", "2026-02-12T11:48:25Z", "direct")


def test_twilio_voice_status_busy_with_numbers_that_are_not_phone_numbers(company):
    response = _twilio(company, "voice-status", "twilio/voice_status_busy")
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CA83672458176256178325762457240000")
    assert (call["status"], call["duration_seconds"], call["answered"]) == ("busy", 0, False)
    assert call["started_at"] == call["ended_at"] == "2025-10-08T13:54:12Z"
    # numbers Twilio sent that are no phone numbers are kept as Twilio wrote them, never a reason to refuse
    assert (call["from_number"], call["to_number"]) == (None, None)
    assert call["vendor_details"] == {"from": "+11111111111", "to": "+441111111111"}


def test_twilio_voice_status_completed_answered_by_a_person(company):
    response = _twilio(company, "voice-status", "twilio/voice_status_completed")
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CAbe982f58915a2def4cf7aaa1f1766236")
    assert (call["from_number"], call["to_number"], call["direction"]) == ("+15125550188", "+15125550144", "outbound")
    assert (call["status"], call["duration_seconds"], call["answered"]) == ("completed", 49, True)
    assert call["ended_at"] == "2018-03-25T09:53:19Z"


def test_twilio_transcription_callback_brings_the_transcript_and_the_recording(company):
    response = _twilio(company, "transcription", "twilio/transcription_completed")
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CAbea03a48a7be37048368488684116087")
    assert call["transcript"] == "123123 test."
    assert call["recording_url"] == fixture("twilio/transcription_completed")["body"]["RecordingUrl"]


@pytest.mark.parametrize("order", [("in_progress", "completed"), ("completed", "in_progress")])
def test_twilio_recording_status_in_either_order(runtime, order):
    from tests.support.api import new_tenant

    company = {"tenant": new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))}
    for status in order:
        response = _twilio(company, "recording-status", f"twilio/recording_status_{status}")
        assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CAcfcd3db14f143b00141b45cd0ffa3d65")
    assert call["recording_status"] == "completed"
    assert call["recording_url"] == fixture("twilio/recording_status_completed")["body"]["RecordingUrl"]


# --- CallRail -------------------------------------------------------------------------------------------------


def _callrail(company, name: str, *, compact: bool = False) -> requests.Response:
    body = fixture(name)["body"]
    raw = json.dumps(body, separators=(",", ":")).encode() if compact else json.dumps(body).encode()
    return company["tenant"].vendors.callrail(raw, event="post-call")


def test_callrail_post_call_current_format_with_resource_id(company):
    response = _callrail(company, "callrail/post_call")
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CAL09c8a75d189149a482e881a9590ac1ba")
    assert (call["from_number"], call["to_number"], call["direction"]) == ("+15125550123", "+15125550122", "inbound")
    assert (call["status"], call["answered"], call["duration_seconds"]) == ("no-answer", False, 15)  # "15": a string
    assert (call["started_at"], call["ended_at"]) == ("2022-12-13T21:54:53Z", "2022-12-13T21:55:08Z")
    assert (call["attribution"], call["campaign_id"]) == ("attributed", company["campaigns"]["+15125550122"])
    assert (call["recording_url"], call["transcript"]) == (None, None)  # CallRail's "" for none
    assert call["vendor_details"] == {"source": "Unknown Source", "source_name": "Website Pool"}


def test_callrail_post_call_older_format_with_numeric_id_and_its_recording(company):
    response = _callrail(company, "callrail/post_call_legacy_id", compact=True)  # the bytes CallRail's docs signed
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "766970532")
    assert (call["from_number"], call["to_number"]) == ("+12148654559", "+14045558514")
    assert (call["status"], call["duration_seconds"], call["started_at"]) == ("no-answer", 13, "2018-02-19T18:41:00Z")
    assert call["recording_url"] == fixture("callrail/post_call_legacy_id")["body"]["recording"]
    assert (call["attribution"], call["campaign_id"]) == ("attributed", company["campaigns"]["+14045558514"])


def test_callrail_outbound_post_call_with_booleans_as_strings(company):
    response = _callrail(company, "callrail/outbound_post_call")
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    call = _call(company, "CALd093946bec9743b2a822cd4e4240a471")
    # outbound: the company's tracking number calls the customer
    assert (call["from_number"], call["to_number"], call["direction"]) == ("+15125550155", "+15125550144", "outbound")
    assert (call["answered"], call["attribution"]) == (False, "direct")


# --- Angi -----------------------------------------------------------------------------------------------------


def _booking(company, response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    got = company["tenant"].admin.get(f"/v1/bookings/{response.json()['booking_id']}")
    assert got.status_code == 200, got.text
    return got.json()


@pytest.mark.parametrize(
    ("name", "external_id", "customer", "phone", "category"),
    [
        ("angi/homeadvisor_lead", "135911130", "Fancy Nancy", "+15125550309", "Maid Service"),
        (
            "angi/angi_ads_lead",
            "61a7de56-dba3-4e59-8e2a-3fa827f84f7f",
            "Bob Builder",
            "+15125550646",
            "Indianapolis - House Cleaning",
        ),
    ],
)
def test_angi_leads_in_both_shapes_land_in_the_bookings_inbox_once(
    company, name, external_id, customer, phone, category
):
    body = fixture(name)["body"]
    first = company["partners"].angi(body)
    assert first.json()["status"] == "success" and first.json()["result"] == "created", first.text
    booking = _booking(company, first)
    assert (booking["external_id"], booking["customer_name"], booking["phone"]) == (external_id, customer, phone)
    assert (booking["partner"], booking["category"]) == ("angi", category)
    again = company["partners"].angi(body)  # Angi's retry
    assert again.json()["result"] == "duplicate" and again.json()["booking_id"] == booking["booking_id"]


# --- Thumbtack ------------------------------------------------------------------------------------------------


def test_thumbtack_pro_api_lead_its_message_and_its_update(company):
    partners = company["partners"]
    lead = partners.thumbtack(fixture("thumbtack/lead_legacy")["body"])
    booking = _booking(company, lead)
    assert (booking["external_id"], booking["customer_name"], booking["phone"]) == (
        "299614694480093245",
        "John Davis",
        "+15125550190",
    )
    assert (booking["partner"], booking["category"]) == ("thumbtack", "Interior Painting")
    assert {"question": "Number of rooms", "answer": "4 rooms"} in booking["details"]
    assert partners.thumbtack(fixture("thumbtack/lead_legacy")["body"]).json()["result"] == "duplicate"
    message = partners.thumbtack(fixture("thumbtack/message_legacy")["body"])
    assert message.status_code == 200 and message.json()["result"] == "attached", message.text
    notes = company["tenant"].admin.get(f"/v1/bookings/{booking['booking_id']}").json()["notes"]
    assert any("Do you offer fridge cleaning" in note["text"] for note in notes)
    update = partners.thumbtack(fixture("thumbtack/lead_update_legacy")["body"])
    assert update.status_code == 200 and update.json()["result"] == "ignored", update.text


def test_every_fixture_names_its_source():
    files = sorted(VENDORS.glob("*/*.json"))
    readme = (VENDORS / "README.md").read_text()
    assert files
    for path in files:
        data = json.loads(path.read_text())
        assert data["source"].strip() and data["source_note"].strip() and "body" in data, path
        assert f"{path.parent.name}/{path.name}" in readme, f"{path} is not in the README's table"
