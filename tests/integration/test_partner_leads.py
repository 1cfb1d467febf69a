"""Partner leads on the local runtime: Thumbtack, Angi and a generic partner, each in its own format and
authentication, into the Bookings inbox; nothing stored for a request that could not be authenticated; malformed
payloads refused naming what is wrong; duplicates idempotent and counted once; unmapped categories and integrations
in error kept, flagged and explained by the diagnostics; Thumbtack messages that arrive before their lead."""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path

import pytest

from infra import admin as admin_commands
from infra.local.seed import create_demo_records
from infra.local.seed_partners import GENERIC_PARTNER, new_credentials, seed_partners
from leadline import credentials
from leadline.bookings import service as bookings
from leadline.data.models import Integration
from leadline.data.repositories import bookings as booking_records
from leadline.data.repositories import integrations as integration_records
from leadline.partners import generic, ingest, integrations, thumbtack
from leadline.partners.common import CREDENTIALS_KIND
from tests.support.webhooks import Partners

DATA = Path(__file__).resolve().parent.parent / "data" / "partners"


def sample(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def _set_up(runtime, tenant) -> dict:
    """Business units, job types, a campaign per partner, the integrations mapped, and partner credentials."""
    admin = tenant.admin
    hvac = admin.post("/v1/business-units", {"name": "HVAC"}).json()["business_unit_id"]
    plumbing = admin.post("/v1/business-units", {"name": "Plumbing"}).json()["business_unit_id"]
    job_types = {
        name: admin.post("/v1/job-types", {"name": name, "business_unit_ids": [unit]}).json()["job_type_id"]
        for name, unit in (("AC Repair", hvac), ("Furnace Tune-Up", hvac), ("Drain Cleaning", plumbing))
    }
    maps = {
        "thumbtack": {
            "Central Air Conditioning Repair or Maintenance": ("AC Repair", hvac),
            "Drain Cleaning": ("Drain Cleaning", plumbing),
        },
        "angi": {
            "Furnace / Forced Air Heating System - Repair or Service": ("Furnace Tune-Up", hvac),
            "Water Heater - Install or Replace": ("Drain Cleaning", plumbing),
        },
        GENERIC_PARTNER: {"ac repair": ("AC Repair", hvac)},  # case does not matter
    }
    campaigns = {}
    for partner, category_map in maps.items():
        campaigns[partner] = admin.post("/v1/campaigns", {"name": partner.title()}).json()["campaign_id"]
        body = {
            "status": "active",
            "campaign_id": campaigns[partner],
            "category_map": {
                c: {"job_type_id": job_types[j], "business_unit_id": u} for c, (j, u) in category_map.items()
            },
        }
        put = admin.put(f"/v1/integrations/{partner}", body)
        assert put.status_code == 200, put.text
    creds = new_credentials()
    integrations.store_credentials(runtime.client("secretsmanager"), tenant.tenant_id, creds)
    return {
        "partners": Partners(runtime.api_url, tenant.tenant_id, creds),
        "campaigns": campaigns,
        "hvac": hvac,
        "plumbing": plumbing,
        "job_types": job_types,
    }


@pytest.fixture
def shop(runtime, tenant):
    return _set_up(runtime, tenant)


@pytest.fixture
def other_shop(runtime, other_tenant):
    return _set_up(runtime, other_tenant)


def _inbox(tenant_id: str, **filters) -> list[dict]:
    query = {"status": None, "source": None, "partner": None, "flagged": None} | filters
    return bookings.list_bookings(tenant_id, limit=200, next_token=None, **query)["items"]


def _integration(tenant_id: str, partner: str) -> Integration | None:
    return integrations.get_item(tenant_id, partner, consistent=True)


def _waiting(tenant_id: str) -> list:
    return integration_records.waiting_page(tenant_id, limit=200).items


def _diagnostics(tenant, partner: str) -> dict:
    response = tenant.admin.get(f"/v1/integrations/{partner}/diagnostics")
    assert response.status_code == 200, response.text
    return response.json()


# --- each partner's samples ----------------------------------------------------------------------


def test_a_thumbtack_negotiation_is_a_booking_with_its_mapping_and_campaign(shop, tenant):
    response = shop["partners"].thumbtack(sample("thumbtack/negotiation_created.json"))
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "created"
    booking = bookings.get(tenant.tenant_id, response.json()["booking_id"])
    assert (booking["source"], booking["partner"], booking["external_id"]) == (
        "partner",
        "thumbtack",
        "590299344770662410",
    )
    assert (booking["customer_name"], booking["phone"]) == ("Dana Reyes", "+15125550143")
    assert booking["address"] == {
        "address1": "4108 Duval St",
        "address2": "Unit B",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78751",
    }
    assert booking["category"] == "Central Air Conditioning Repair or Maintenance"
    assert (booking["job_type_id"], booking["business_unit_id"]) == (shop["job_types"]["AC Repair"], shop["hvac"])
    assert booking["campaign_id"] == shop["campaigns"]["thumbtack"] and booking["flags"] == []
    assert booking["lead_price"] == "32.50" and booking["received_at"] == "2026-11-23T15:02:24.000Z"
    assert booking["requested_times"][0] == "2026-11-24T14:00:00Z/2026-11-24T16:00:00Z"
    assert {"question": "How old is the system?", "answer": "10 - 15 years"} in booking["details"]
    assert json.loads(_raw(tenant, booking))["data"]["negotiationID"] == "590299344770662410"

    message = shop["partners"].thumbtack(sample("thumbtack/message_created.json"))
    assert message.status_code == 200 and message.json()["result"] == "attached"
    notes = bookings.get(tenant.tenant_id, booking["booking_id"])["notes"]
    assert [(n["by"], n["id"]) for n in notes] == [("thumbtack", "590301882915233801")]
    assert notes[0]["text"].startswith("Customer (on Thumbtack): Also, the thermostat shows 84")
    diagnostics = _diagnostics(tenant, "thumbtack")
    assert diagnostics["ok"] is True, diagnostics["problems"]
    assert diagnostics["counters"]["leads_received"] == 1
    assert diagnostics["last_lead"]["booking_id"] == booking["booking_id"]


def _raw(tenant, booking: dict) -> str:
    return booking_records.get(tenant.tenant_id, booking["booking_id"]).raw


@pytest.mark.parametrize(
    ("name", "external_id", "details"),
    [
        ("angi/lead.json", "407735512", {"Request Stage": "Ready to Hire", "Secondary phone": "5125550188"}),
        ("angi/lead_legacy_interview.json", "407736090", {"Tank size": "50 gallons", "Property Owner": "Yes"}),
    ],
)
def test_an_angi_lead_is_a_booking_in_either_interview_form(shop, tenant, name, external_id, details):
    payload = sample(name)
    response = shop["partners"].angi(payload)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["status"], answer["result"], answer["external_id"]) == ("success", "created", external_id)
    booking = bookings.get(tenant.tenant_id, answer["booking_id"])
    assert booking["partner"] == "angi" and booking["customer_name"] == payload["name"]
    assert booking["phone"].startswith("+1512555") and booking["email"] == payload["email"]
    assert booking["category"] == payload["taskName"] and booking["description"] == payload["comments"]
    assert booking["address"]["state"] == "TX" and booking["address"]["postal_code"] == payload["postalCode"]
    assert booking["campaign_id"] == shop["campaigns"]["angi"] and booking["job_type_id"] and not booking["flags"]
    asked = {d["question"]: d["answer"] for d in booking["details"]}
    assert details.items() <= asked.items()
    assert booking["lead_price"] == f"{payload['fee']:.2f}"


def test_a_generic_partner_lead_is_a_booking(shop, tenant):
    response = shop["partners"].generic(sample("generic/lead.json"))
    assert response.status_code == 200, response.text
    booking = bookings.get(tenant.tenant_id, response.json()["booking_id"])
    assert (booking["partner"], booking["external_id"]) == (GENERIC_PARTNER, "nx-20261123-00417")
    assert (booking["customer_name"], booking["phone"]) == ("Hannah Osei", "+15125550134")
    assert booking["received_at"] == "2026-11-23T16:12:45.000Z"  # the partner's time, in UTC
    assert booking["job_type_id"] == shop["job_types"]["AC Repair"]  # "AC Repair" matched "ac repair"
    assert [n["text"] for n in booking["notes"]] == ["Prefers a text before the visit."]
    assert booking["lead_price"] == "27.00" and booking["flags"] == []


def test_other_thumbtack_events_are_acknowledged_and_ignored(shop, tenant):
    response = shop["partners"].thumbtack(sample("thumbtack/review_created.json"))
    assert response.status_code == 200 and response.json()["result"] == "ignored"
    assert _inbox(tenant.tenant_id) == [] and _waiting(tenant.tenant_id) == []


# --- duplicates -----------------------------------------------------------------------------------


def test_duplicate_deliveries_are_one_booking_counted_once(shop, tenant):
    partners = shop["partners"]
    sends = {
        "thumbtack": lambda: partners.thumbtack(sample("thumbtack/negotiation_created.json")),
        "angi": lambda: partners.angi(sample("angi/lead.json")),
        GENERIC_PARTNER: lambda: partners.generic(sample("generic/lead.json")),
    }
    for partner, send in sends.items():
        answers = [send() for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200], answers[-1].text
        assert [a.json()["result"] for a in answers] == ["created", "duplicate", "duplicate"]
        assert len({a.json()["booking_id"] for a in answers}) == 1
        counters = integrations.view(_integration(tenant.tenant_id, partner))["counters"]
        assert counters["leads_received"] == 1, partner
    assert len(_inbox(tenant.tenant_id)) == 3


def test_a_lead_stored_but_not_counted_is_counted_by_the_retry(shop, tenant, monkeypatch):
    """The counters and the booking are two writes: a failure between them is answered 5xx, and the partner's
    retry (a duplicate for the inbox) counts it, once."""
    calls = {"n": 0}
    real_count = integrations.count

    def failing_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("DynamoDB throttled")
        return real_count(*args, **kwargs)

    monkeypatch.setattr(integrations, "count", failing_once)
    first = shop["partners"].angi(sample("angi/lead.json"))
    assert first.status_code >= 500
    retry = shop["partners"].angi(sample("angi/lead.json"))
    assert retry.status_code == 200 and retry.json()["result"] == "duplicate"
    shop["partners"].angi(sample("angi/lead.json"))
    assert integrations.view(_integration(tenant.tenant_id, "angi"))["counters"]["leads_received"] == 1


def _deliveries(tenant, partner: str, state: str) -> list[dict]:
    return tenant.admin.get(f"/v1/integrations/{partner}/deliveries", params={"state": state}).json()["items"]


def _until(condition, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
    return found


def test_a_lead_we_fail_to_store_is_kept_and_applied_by_the_scanner(shop, tenant, monkeypatch):
    def down(*args, **kwargs):
        raise RuntimeError("DynamoDB is having a bad day")

    monkeypatch.setattr(ingest, "receive_lead", down)
    payload = sample("angi/lead.json") | {"leadOid": 90001}
    assert shop["partners"].angi(payload).status_code >= 500  # Angi retries a delivery not answered 200
    (kept,) = _deliveries(tenant, "angi", "received")
    monkeypatch.undo()
    path = f"/v1/integrations/angi/deliveries/{kept['delivery_id']}"
    # the scanner books the lead, then marks the delivery processed: wait for the second
    got = _until(lambda: (d := tenant.admin.get(path).json())["state"] == "processed" and d, "the kept lead applied")
    assert json.loads(got["body"])["leadOid"] == 90001
    assert len([b for b in _inbox(tenant.tenant_id) if b["external_id"] == "90001"]) == 1


def test_a_lead_we_cannot_read_is_listed_with_its_reason_and_stays_rejected_when_reprocessed_unchanged(shop, tenant):
    response = shop["partners"].angi({"FirstName": "Pat", "PhoneNumber": "5125550142"})  # Angi Ads, no CorrelationId
    assert response.status_code == 400 and "CorrelationId" in response.json()["message"]
    (rejected,) = _deliveries(tenant, "angi", "rejected")
    assert "CorrelationId" in rejected["reason"] and rejected["vendor"] == "angi"
    path = f"/v1/integrations/angi/deliveries/{rejected['delivery_id']}"
    assert tenant.admin.post(f"{path}/reprocess").status_code == 202
    again = _until(
        lambda: (d := tenant.admin.get(path).json())["state"] == "rejected" and d["attempts"] == 1 and d,
        "the reprocessed delivery to be refused again",
    )
    assert "CorrelationId" in again["reason"] and _inbox(tenant.tenant_id) == []


# --- authentication: refused, and nothing stored ------------------------------------------------------


def _nothing_stored(*tenants) -> None:
    for t in tenants:
        assert _inbox(t.tenant_id) == [] and _waiting(t.tenant_id) == []
        for partner in ("thumbtack", "angi", GENERIC_PARTNER):
            item = _integration(t.tenant_id, partner)
            assert item is None or (int(item.leads_received) == 0 and item.last_error is None)


def _refusals(shop, other_shop, tenant) -> dict:
    """Each way a request can fail to authenticate, by partner: (case, a function that sends it)."""
    partners, other = shop["partners"], other_shop["partners"]
    unknown = f"t-{uuid.uuid4().hex[:10]}"
    negotiation, lead, generic_lead = (
        sample("thumbtack/negotiation_created.json"),
        sample("angi/lead.json"),
        sample("generic/lead.json"),
    )
    user, password = partners.creds["thumbtack"]["username"], partners.creds["thumbtack"]["password"]
    body = json.dumps(generic_lead).encode()
    good = generic.sign(partners.creds["generic"][GENERIC_PARTNER]["signing_secret"], body, int(time.time()))
    return {
        "thumbtack": {
            "missing": lambda: partners.thumbtack(negotiation, authorization=None),
            "wrong_password": lambda: partners.thumbtack(
                negotiation, authorization=thumbtack.basic_authorization(user, "guess")
            ),
            "not_basic": lambda: partners.thumbtack(negotiation, authorization="Bearer " + password),
            "other_tenants_credentials": lambda: other.thumbtack(negotiation, tenant_id=tenant.tenant_id),
            "unknown_tenant": lambda: partners.thumbtack(negotiation, tenant_id=unknown),
            "message_without_credentials": lambda: partners.thumbtack(
                sample("thumbtack/message_before_negotiation.json"), authorization=None
            ),
        },
        "angi": {
            "missing": lambda: partners.angi(lead, api_key=None),
            "wrong": lambda: partners.angi(lead, api_key="k" * 40),
            "other_tenants_key": lambda: other.angi(lead, tenant_id=tenant.tenant_id),
            "unknown_tenant": lambda: partners.angi(lead, tenant_id=unknown),
        },
        "generic": {
            "missing": lambda: partners.generic(generic_lead, signature=None),
            "wrong_secret": lambda: partners.generic(generic_lead, secret="s" * 48),
            "altered_body": lambda: partners.generic(body.replace(b"Hannah", b"Hanna"), signature=good),
            "replayed": lambda: partners.generic(generic_lead, t=int(time.time()) - generic.TOLERANCE_SECONDS - 60),
            "other_tenants_secret": lambda: other.generic(generic_lead, tenant_id=tenant.tenant_id),
            "unknown_tenant": lambda: partners.generic(generic_lead, tenant_id=unknown),
            "other_partners_url": lambda: partners.generic(generic_lead, partner="homeyou"),
        },
    }


@pytest.mark.parametrize("partner", ["thumbtack", "angi", "generic"])
def test_requests_that_are_not_authentic_are_refused_and_store_nothing(shop, other_shop, tenant, other_tenant, partner):
    """Missing or wrong credentials, another tenant's credentials on this tenant's URL, an unknown tenant: 401
    with {code, message, errors} (no field at fault), and nothing stored for either tenant (no booking, no waiting
    message, no count, no error kept)."""
    for case, send in _refusals(shop, other_shop, tenant)[partner].items():
        response = send()
        assert response.status_code == 401, (case, response.text)
        body = response.json()
        assert set(body) == {"code", "message", "errors"} and body["errors"] == [], case
        assert body["code"] == "unauthenticated", case
        _nothing_stored(tenant, other_tenant)


def test_an_unknown_tenant_answers_exactly_as_wrong_credentials(shop, tenant):
    partners, unknown = shop["partners"], f"t-{uuid.uuid4().hex[:10]}"
    wrong_basic = thumbtack.basic_authorization("someone", "something")
    pairs = [
        (
            partners.thumbtack(sample("thumbtack/negotiation_created.json"), authorization=wrong_basic),
            partners.thumbtack(
                sample("thumbtack/negotiation_created.json"), authorization=wrong_basic, tenant_id=unknown
            ),
        ),
        (
            partners.angi(sample("angi/lead.json"), api_key="nope"),
            partners.angi(sample("angi/lead.json"), api_key="nope", tenant_id=unknown),
        ),
        (
            partners.generic(sample("generic/lead.json"), secret="x" * 32),
            partners.generic(sample("generic/lead.json"), secret="x" * 32, tenant_id=unknown),
        ),
    ]
    for known, not_known in pairs:
        assert (known.status_code, known.json()) == (not_known.status_code, not_known.json()) == (401, known.json())


def test_thumbtack_without_credentials_is_accepted_flagged_and_diagnosed(runtime, tenant):
    """A company that set Thumbtack up but registered no credentials: its leads are kept (flagged), and the
    diagnostics say anyone could post them. A company that did neither refuses them."""
    partners = Partners(runtime.api_url, tenant.tenant_id, {"thumbtack": {"username": "u", "password": "p"}})
    refused = partners.thumbtack(sample("thumbtack/negotiation_created.json"), authorization=None)
    assert refused.status_code == 401 and _inbox(tenant.tenant_id) == []
    assert tenant.admin.put("/v1/integrations/thumbtack", {"status": "active"}).status_code == 200
    accepted = partners.thumbtack(sample("thumbtack/negotiation_created.json"), authorization=None)
    assert accepted.status_code == 200, accepted.text
    booking = bookings.get(tenant.tenant_id, accepted.json()["booking_id"])
    assert set(booking["flags"]) == {"unverified_sender", "unmapped_category"}
    diagnostics = _diagnostics(tenant, "thumbtack")
    assert diagnostics["credentials_configured"] is False
    assert "no Thumbtack credentials are configured" in _messages(diagnostics, "credentials_not_configured")[0]


def _messages(diagnostics: dict, code: str) -> list[str]:
    return [p["message"] for p in diagnostics["problems"] if p["code"] == code]


# --- malformed payloads ------------------------------------------------------------------------------


MALFORMED = {
    "thumbtack": [
        (lambda p: b"{not json", "the body is not JSON", None),
        (lambda p: {"data": p["data"]}, "missing required field(s): event", "event"),
        (lambda p: _without(p, "data", "negotiationID"), "data.negotiationID", "data.negotiationID"),
        (lambda p: _set(p, ("data", "request", "details"), "none"), "data.request.details must be", None),
        (lambda p: _set(p, ("data", "customer"), "Dana"), "data.customer must be object or null", "data.customer"),
        (lambda p: _set(p, ("data", "negotiationID"), "  "), "data.negotiationID is empty", None),
    ],
    "angi": [
        (lambda p: _without(p, "leadOid"), "missing required field(s): leadOid", "leadOid"),
        (lambda p: _set(p, ("interview",), 42), "interview must be", "interview"),
        (lambda p: [p], "the body must be object", None),
    ],
    "generic": [
        (lambda p: {**p, "phone_number": "5125550101"}, "unknown field(s): phone_number", None),
        (lambda p: _set(p, ("customer", "mobile"), "1"), "unknown field(s): customer.mobile", "customer"),
        (lambda p: _set(p, ("customer",), {"name": "X"}), "customer.phone or customer.email", None),
        (lambda p: _without(p, "lead_id"), "missing required field(s): lead_id", "lead_id"),
        (lambda p: _set(p, ("created_at",), "last tuesday"), "created_at 'last tuesday'", "created_at"),
        (lambda p: _set(p, ("lead_price",), -3), "lead_price must be bigger than or equal to 0", None),
    ],
}
SAMPLES = {"thumbtack": "thumbtack/negotiation_created.json", "angi": "angi/lead.json", "generic": "generic/lead.json"}


@pytest.mark.parametrize("partner", ["thumbtack", "angi", "generic"])
def test_malformed_payloads_are_refused_naming_what_is_wrong(shop, tenant, partner):
    """400 with a message (and the field, where there is one) saying what is wrong; nothing stored; the refusal
    kept as the integration's last error for the diagnostics."""
    name = GENERIC_PARTNER if partner == "generic" else partner
    for mutate, expected, field in MALFORMED[partner]:
        response = getattr(shop["partners"], partner)(mutate(copy.deepcopy(sample(SAMPLES[partner]))))
        assert response.status_code == 400, (expected, response.text)
        body = response.json()
        assert body["code"] == "invalid_input" and expected in body["message"], body
        if field:
            assert body["errors"][0]["field"] == field, body
        assert _inbox(tenant.tenant_id) == []
        last_error = integrations.view(_integration(tenant.tenant_id, name))["last_error"]
        assert last_error and expected in last_error["message"]
    diagnostics = _diagnostics(tenant, name)
    assert _messages(diagnostics, "last_delivery_failed") and diagnostics["ok"] is False


def _without(payload: dict, *path: str) -> dict:
    target = payload
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return payload


def _set(payload: dict, path: tuple, value) -> dict:
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


def test_what_cannot_be_read_in_a_lead_is_kept_for_a_person_and_flagged_never_refused(shop, tenant):
    payload = sample("angi/lead.json") | {"leadOid": 1, "primaryPhone": "call me"}
    response = shop["partners"].angi(payload)
    assert response.status_code == 200, response.text
    booking = bookings.get(tenant.tenant_id, response.json()["booking_id"])
    assert booking["phone"] is None and booking["flags"] == ["invalid_phone"]
    assert {"question": "Primary phone as given", "answer": "call me"} in booking["details"]
    negotiation = _set(sample("thumbtack/negotiation_created.json"), ("data", "createdAt"), "yesterday")
    negotiation["data"]["customer"]["phone"] = "12345"
    response = shop["partners"].thumbtack(negotiation)
    assert response.status_code == 200, response.text
    booking = bookings.get(tenant.tenant_id, response.json()["booking_id"])
    assert booking["received_at"] == booking["created_at"] and booking["flags"] == ["invalid_phone"]  # when we got it


# --- never lost: unmapped categories, integrations in error ----------------------------------------------


def _negotiation(negotiation_id: str, category: str) -> dict:
    payload = sample("thumbtack/negotiation_created.json")
    payload["data"]["negotiationID"] = negotiation_id
    payload["data"]["request"]["category"] = {"categoryID": "1", "name": category}
    return payload


def test_unmapped_categories_are_kept_flagged_counted_and_diagnosed(shop, tenant):
    partners = shop["partners"]
    for n in ("1", "2"):
        assert partners.thumbtack(_negotiation(f"gd-{n}", "Garage Door Repair")).status_code == 200
    partners.thumbtack(_negotiation("gd-2", "Garage Door Repair"))  # a duplicate: not counted again
    partners.thumbtack(_negotiation("ac-1", "Central Air Conditioning Repair or Maintenance"))

    flagged = tenant.admin.get("/v1/bookings", params={"flagged": "true"}).json()["items"]
    assert sorted(b["external_id"] for b in flagged) == ["gd-1", "gd-2"]
    assert all(b["flags"] == ["unmapped_category"] and b["job_type_id"] is None for b in flagged)
    assert all(b["campaign_id"] == shop["campaigns"]["thumbtack"] for b in flagged)
    assert [b["external_id"] for b in _inbox(tenant.tenant_id, flagged=False)] == ["ac-1"]

    diagnostics = _diagnostics(tenant, "thumbtack")
    assert diagnostics["ok"] is False
    assert diagnostics["unmapped_categories"] == [{"category": "Garage Door Repair", "leads": 2}]
    assert diagnostics["counters"] == {
        "leads_received": 3,
        "leads_unmapped": 2,
        "leads_while_error": 0,
        "leads_while_disconnected": 0,
    }
    assert _messages(diagnostics, "unmapped_category") == [
        "2 leads have no mapping for category 'Garage Door Repair': they are in the Bookings inbox, flagged "
        "unmapped_category; map 'Garage Door Repair' to a job type and business unit"
    ]

    current = tenant.admin.get("/v1/integrations/thumbtack").json()["category_map"]
    current["garage door repair"] = {"job_type_id": shop["job_types"]["AC Repair"], "business_unit_id": shop["hvac"]}
    assert tenant.admin.put("/v1/integrations/thumbtack", {"category_map": current}).status_code == 200
    assert _diagnostics(tenant, "thumbtack")["unmapped_categories"] == []
    later = partners.thumbtack(_negotiation("gd-3", "Garage Door Repair")).json()
    assert bookings.get(tenant.tenant_id, later["booking_id"])["flags"] == []


def test_an_integration_in_error_or_disconnected_still_stores_its_leads(shop, tenant):
    for lead_id, status, flag, counter in [
        (11, "error", "integration_error", "leads_while_error"),
        (12, "disconnected", "integration_disconnected", "leads_while_disconnected"),
    ]:
        assert tenant.admin.put("/v1/integrations/angi", {"status": status}).status_code == 200
        response = shop["partners"].angi(sample("angi/lead.json") | {"leadOid": lead_id})
        assert response.status_code == 200, response.text
        booking = bookings.get(tenant.tenant_id, response.json()["booking_id"])
        assert booking["flags"] == [flag] and booking["job_type_id"]  # still mapped, still carries its campaign
        assert booking["campaign_id"] == shop["campaigns"]["angi"]
        assert booking["booking_id"] in [b["booking_id"] for b in _inbox(tenant.tenant_id, flagged=True)]
        diagnostics = _diagnostics(tenant, "angi")
        assert diagnostics["status"] == status and diagnostics["counters"][counter] == 1
        assert any(f"status is {status}" in m for m in _messages(diagnostics, f"status_{status}"))
    assert tenant.admin.put("/v1/integrations/angi", {"status": "active"}).status_code == 200
    assert _diagnostics(tenant, "angi")["ok"] is True


# --- Thumbtack messages before their negotiation ---------------------------------------------------------


def test_a_message_before_its_negotiation_waits_and_is_attached_when_it_arrives(shop, tenant):
    partners = shop["partners"]
    early = partners.thumbtack(sample("thumbtack/message_before_negotiation.json"))
    assert early.status_code == 200 and early.json()["result"] == "waiting"
    assert partners.thumbtack(sample("thumbtack/message_before_negotiation.json")).json()["result"] == "waiting"
    assert _inbox(tenant.tenant_id) == [] and len(_waiting(tenant.tenant_id)) == 1
    assert _diagnostics(tenant, "thumbtack")["messages_waiting"] == 1

    lead = partners.thumbtack(sample("thumbtack/negotiation_after_message.json"))
    assert lead.status_code == 200 and lead.json()["messages_attached"] == 1
    booking = bookings.get(tenant.tenant_id, lead.json()["booking_id"])
    assert [n["id"] for n in booking["notes"]] == ["590310775120734219"]
    assert "Kitchen sink and the dishwasher" in booking["notes"][0]["text"]
    assert booking["phone"] == "+15125550168" and booking["job_type_id"] == shop["job_types"]["Drain Cleaning"]
    assert _waiting(tenant.tenant_id) == [] and _diagnostics(tenant, "thumbtack")["messages_waiting"] == 0
    again = partners.thumbtack(sample("thumbtack/message_before_negotiation.json"))  # Thumbtack's retry
    assert again.json()["result"] == "attached"
    assert len(bookings.get(tenant.tenant_id, booking["booking_id"])["notes"]) == 1


def test_a_negotiation_received_while_its_message_is_being_kept_still_gets_it(shop, tenant, monkeypatch):
    """The race: the message finds no booking; the negotiation arrives and looks for waiting messages before the
    message is kept; the message, once kept, looks again and attaches itself."""
    raw_message = json.dumps(sample("thumbtack/message_before_negotiation.json")).encode()
    raw_lead = json.dumps(sample("thumbtack/negotiation_after_message.json")).encode()
    real_keep = ingest._keep

    def negotiation_first(tenant_id, partner, message):
        _, data = thumbtack.load(raw_lead)
        ingest.receive_lead(tenant_id, partner, thumbtack.parse_negotiation(data, raw_lead))
        assert ingest.attach_waiting(tenant_id, partner, message.negotiation_id) == 0  # nothing kept yet
        real_keep(tenant_id, partner, message)

    monkeypatch.setattr(ingest, "_keep", negotiation_first)
    _, data = thumbtack.load(raw_message)
    outcome = ingest.receive_message(tenant.tenant_id, "thumbtack", thumbtack.parse_message(data, raw_message))
    assert outcome["result"] == "attached"
    assert [n["id"] for n in bookings.get(tenant.tenant_id, outcome["booking_id"])["notes"]] == ["590310775120734219"]
    assert _waiting(tenant.tenant_id) == []


# --- the staff API ----------------------------------------------------------------------------------------


def test_integrations_are_listed_and_validated_and_need_the_permission(shop, tenant, other_tenant):
    admin = tenant.admin
    listed = admin.get("/v1/integrations").json()["items"]
    assert sorted(i["partner"] for i in listed) == ["angi", GENERIC_PARTNER, "thumbtack"]
    assert all(i["webhook_path"] == f"/webhooks/partners/{i['partner']}/{tenant.tenant_id}" for i in listed)
    cases = [
        ({"campaign_id": "cmp_nope"}, "campaign cmp_nope does not exist", "campaign_id"),
        ({"status": "paused"}, "status", "status"),
        (
            {
                "category_map": {
                    "X": {"job_type_id": shop["job_types"]["AC Repair"], "business_unit_id": shop["plumbing"]}
                }
            },
            "is not offered by business unit Plumbing",
            "category_map.X",
        ),
        (
            {"category_map": {"X": {"job_type_id": "jt_nope", "business_unit_id": shop["hvac"]}}},
            "job type jt_nope does not exist",
            None,
        ),
        (
            {
                "category_map": {
                    "Drain Cleaning": {
                        "job_type_id": shop["job_types"]["Drain Cleaning"],
                        "business_unit_id": shop["plumbing"],
                    },
                    "drain  cleaning": {
                        "job_type_id": shop["job_types"]["Drain Cleaning"],
                        "business_unit_id": shop["plumbing"],
                    },
                }
            },
            "are the same category",
            None,
        ),
        ({"campain_id": "x"}, "campain_id", None),
    ]
    for body, message, field in cases:
        response = admin.put("/v1/integrations/thumbtack", body)
        assert response.status_code == 422, (body, response.text)
        assert message in response.text
        if field:
            assert response.json()["errors"][0]["field"] == field
    assert admin.get("/v1/integrations/Thumb Tack").status_code == 404
    assert admin.get("/v1/integrations/homeyou").status_code == 404
    assert tenant.csr.get("/v1/integrations").status_code == 403
    assert tenant.csr.put("/v1/integrations/angi", {"status": "error"}).status_code == 403
    assert other_tenant.admin.get("/v1/integrations").json()["items"] == []
    assert other_tenant.admin.get("/v1/integrations/thumbtack").status_code == 404


def test_a_staff_change_does_not_lose_counters_moving_at_the_same_time(shop, tenant):
    shop["partners"].angi(sample("angi/lead.json"))
    stale = _integration(tenant.tenant_id, "angi")
    shop["partners"].angi(sample("angi/lead.json") | {"leadOid": 2})
    integrations.put(tenant.tenant_id, "angi", {"status": "error"}, by="emp-x")  # after reading `stale`
    assert int(stale.leads_received) == 1
    after = integrations.view(_integration(tenant.tenant_id, "angi"))
    assert after["counters"]["leads_received"] == 2 and after["status"] == "error"


# --- the operator's command and the demo ------------------------------------------------------------------


def test_set_partner_credentials_checks_the_shape_then_stores(runtime, tenant):
    client = runtime.client("secretsmanager")
    good = new_credentials()
    admin_commands.set_partner_credentials(client, tenant.tenant_id, good)
    stored = client.get_secret_value(SecretId=credentials.secret_name(tenant.tenant_id, CREDENTIALS_KIND))
    assert json.loads(stored["SecretString"]) == good
    for bad, message in [
        ({"thumbtak": {}}, "unknown partner"),
        ({"thumbtack": {"username": "u"}}, "password"),
        ({"angi": {"api_key": "k" * 161}}, "160"),
        ({"angi": {"apikey": "k"}}, "unknown field"),
        ({"generic": {"angi": {"signing_secret": "s" * 32}}}, "its own webhook"),
        ({"generic": {"Net Worx": {"signing_secret": "s" * 32}}}, "lowercase"),
        ({"generic": {"networx": {"signing_secret": "short"}}}, "at least 16"),
    ]:
        with pytest.raises(SystemExit, match=message):
            admin_commands.set_partner_credentials(client, tenant.tenant_id, bad)


def test_the_demo_partners_are_set_up_and_their_samples_arrive_mapped(runtime):
    demo = create_demo_records(f"demo-{uuid.uuid4().hex[:8]}")
    extra = seed_partners(runtime, demo)
    assert set(extra) == {"partners", "partner_campaigns", "webhooks"}
    tenant_id = demo["tenant_id"]
    partners = Partners(runtime.api_url, tenant_id, extra["partners"])
    assert extra["webhooks"]["thumbtack"] == f"/webhooks/partners/thumbtack/{tenant_id}"
    sent = [
        partners.thumbtack(sample("thumbtack/negotiation_created.json")),
        partners.thumbtack(sample("thumbtack/negotiation_after_message.json")),
        partners.angi(sample("angi/lead.json")),
        partners.generic(sample("generic/lead.json")),
    ]
    assert [s.status_code for s in sent] == [200] * 4, [s.text for s in sent]
    inbox = _inbox(tenant_id)
    assert len(inbox) == 4 and all(b["flags"] == [] and b["job_type_id"] for b in inbox)
    assert {b["campaign_id"] for b in inbox} == set(extra["partner_campaigns"].values())
    for partner in ("thumbtack", "angi", GENERIC_PARTNER):
        assert integrations.diagnose(tenant_id, partner)["ok"] is True
