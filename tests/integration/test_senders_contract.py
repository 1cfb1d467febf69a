"""The senders' document (docs/openapi-senders.json) against the local runtime: every operation it documents is
routed (API Gateway does not answer it `Missing Authentication Token`, nor the edge `no_such_route`), and what a
sender is really answered (a request without credentials, a duplicate delivery, a wrong signature or key, a body
that cannot be read) has a status the operation documents, with the documented body."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import requests

from infra.local.seed_partners import new_credentials
from leadline.partners import integrations
from tests.support.api import new_tenant
from tests.support.webhooks import Partners, Vendors, twilio_sid

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "docs/openapi-senders.json").read_text(encoding="utf-8"))
BY_ID = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
}
JSON = "application/json"
DOMAIN = "acme-home.example"
THUMBTACK_LEAD = ROOT / "tests/data/partners/thumbtack/negotiation_created.json"


def answered(operation_id: str, response: requests.Response, status: int) -> dict | None:
    """The answer's JSON body, once its status is `status` and the operation documents it, with its body."""
    _method, path, operation = BY_ID[operation_id]
    assert response.status_code == status, f"{operation_id}: {response.status_code} {response.text[:500]}"
    documented = operation["responses"].get(str(status))
    assert documented, f"{operation_id} ({path}) answers {status}, which it does not document"
    content = documented.get("content")
    if not content:
        assert not response.content, f"{operation_id} answers {status} with a body it does not document"
        return None
    media = response.headers.get("Content-Type", "").split(";", 1)[0].strip()
    assert media in content, f"{operation_id} answers {status} as {media!r}, documented as {sorted(content)}"
    if media != JSON:
        return None
    body = response.json()
    schema = {**content[JSON]["schema"], "components": DOCUMENT["components"]}
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(body))
    assert error is None, f"{operation_id} answers {status} with {body}, refused at {error.json_path}: {error.message}"
    return body


@dataclass(frozen=True)
class Company:
    tenant_id: str
    vendors: Vendors
    partners: Partners
    website_key: str


@pytest.fixture(scope="module")
def company(runtime) -> Company:
    """A company with its telephony and partner credentials, a website key, and DNI on one pool number."""
    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    creds = new_credentials()
    integrations.store_credentials(runtime.client("secretsmanager"), tenant.tenant_id, creds)
    website = tenant.admin.post("/v1/campaigns", {"name": "Website"}).json()["campaign_id"]
    assert tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550310", "campaign_id": website}).ok
    dni = tenant.admin.put("/v1/dni", {"pool": ["+15125550310"], "domain": DOMAIN, "default_number": "+15125550300"})
    assert dni.status_code == 200, dni.text
    return Company(
        tenant_id=tenant.tenant_id,
        vendors=tenant.vendors,
        partners=Partners(runtime.api_url, tenant.tenant_id, creds),
        website_key=tenant.admin.post("/v1/settings/online-bookings/key").json()["key"],
    )


# --- every documented operation is routed ---------------------------------------------------------------------

# What each operation answers a request without credentials: its own refusal, or, where it takes none, its answer.
WITHOUT_CREDENTIALS = {
    "twilioVoiceStatus": 403,
    "twilioRecordingStatus": 403,
    "twilioTranscription": 403,
    "callrailPostCall": 401,
    "callrailEvent": 401,
    "nativeCallEvent": 401,
    "thumbtackDelivery": 401,
    "angiLead": 401,
    "partnerLead": 401,
    "createOnlineBooking": 401,
    "preflightOnlineBooking": 204,
    "getDniSnippet": 200,
    "getDniTestPage": 200,
    "openDniSession": 200,
    "preflightDniSession": 204,
}


def test_every_operation_is_tried():
    assert set(WITHOUT_CREDENTIALS) == set(BY_ID)


@pytest.mark.parametrize("operation_id", sorted(BY_ID))
def test_every_documented_operation_is_routed_and_answers_as_documented(runtime, company, operation_id):
    method, path, _operation = BY_ID[operation_id]
    url = runtime.api_url + path.format(tenant_id=company.tenant_id, partner="networx", event="post-call")
    options = {"data": "CallSid=CA0"} if "/twilio/" in path else ({"json": {}} if method == "POST" else {})
    response = requests.request(method, url, timeout=30, **options)
    assert not (response.status_code == 403 and "Missing Authentication Token" in response.text), operation_id
    assert not (response.status_code == 404 and "no_such_route" in response.text), operation_id
    answered(operation_id, response, WITHOUT_CREDENTIALS[operation_id])


# --- real answers ---------------------------------------------------------------------------------------------


def _native_event(call_id: str, **more) -> dict:
    event = {"event_id": f"e-{uuid.uuid4().hex[:8]}", "type": "call.started", "call_id": call_id}
    return event | {"occurred_at": "2026-11-23T15:04:00Z", "from": "+15125550177", "to": "+15125550310", **more}


def _booking(booking_id: str) -> dict:
    customer = {"name": "Pat Doe", "phone": "(512) 555-0142"}
    return {"booking_id": booking_id, "customer": customer, "tracking": {"utmSource": "google", "utmMedium": "cpc"}}


def _book(runtime, key: str, **options) -> requests.Response:
    """A booking posted with the website key: `json=` or `data=`, and `headers=` beside the key."""
    headers = {"X-Leadline-Key": key, **options.pop("headers", {})}
    return requests.post(f"{runtime.api_url}/v1/online-bookings", headers=headers, timeout=30, **options)


def test_a_delivery_again_is_answered_a_duplicate_as_documented(runtime, company):
    event = _native_event(f"c-{uuid.uuid4().hex[:8]}")
    assert answered("nativeCallEvent", company.vendors.native(event), 200)["result"] == "applied"
    assert answered("nativeCallEvent", company.vendors.native(event), 200)["result"] == "duplicate"

    lead = {"lead_id": f"nx-{uuid.uuid4().hex[:8]}", "customer": {"name": "Hannah Osei", "phone": "+1 512 555 0134"}}
    assert answered("partnerLead", company.partners.generic(lead), 200)["result"] == "created"
    assert answered("partnerLead", company.partners.generic(lead), 200)["result"] == "duplicate"

    negotiation = json.loads(THUMBTACK_LEAD.read_text(encoding="utf-8"))
    negotiation["data"]["negotiationID"] = uuid.uuid4().hex[:18]
    first = answered("thumbtackDelivery", company.partners.thumbtack(negotiation), 200)
    again = answered("thumbtackDelivery", company.partners.thumbtack(negotiation), 200)
    assert (first["result"], again["result"], again["booking_id"]) == ("created", "duplicate", first["booking_id"])

    booking = _booking(f"sched-{uuid.uuid4().hex[:8]}")
    created = answered("createOnlineBooking", _book(runtime, company.website_key, json=booking), 201)
    repeated = answered("createOnlineBooking", _book(runtime, company.website_key, json=booking), 200)
    assert (created["duplicate"], repeated["duplicate"]) == (False, True)
    assert repeated["booking_id"] == created["booking_id"]


def test_a_sender_that_does_not_authenticate_is_refused_as_documented(runtime, company):
    params = {"CallSid": twilio_sid(), "CallStatus": "ringing", "From": "+15125550177", "To": "+15125550310"}
    twilio = answered("twilioVoiceStatus", company.vendors.twilio("voice-status", params, signature="bm9wZQ=="), 403)
    assert "X-Twilio-Signature" in twilio["message"]
    callrail = company.vendors.callrail({"resource_id": "CAL" + "0" * 32}, signature="bm9wZQ==", event="pre-call")
    assert answered("callrailEvent", callrail, 401)["code"] == "unauthenticated"
    angi = answered("angiLead", company.partners.angi({"leadOid": "1"}, api_key="not-the-key"), 401)
    assert "x-api-key" in angi["message"]
    stale = company.partners.generic({"lead_id": "x", "customer": {"phone": "5125550100"}}, t=1)
    assert answered("partnerLead", stale, 401)["code"] == "unauthenticated"
    booking = answered("createOnlineBooking", _book(runtime, "llk.nope.nope", json=_booking("b-1")), 401)
    assert "X-Leadline-Key" in booking["message"]
    foreign = {"Origin": "https://elsewhere.example"}
    url = f"{runtime.api_url}/dni/{company.tenant_id}/sessions"
    refused = answered("openDniSession", requests.post(url, json={}, headers=foreign, timeout=30), 403)
    assert refused["code"] == "origin_not_allowed" and DOMAIN in refused["message"]
    answered("preflightDniSession", requests.options(url, headers=foreign, timeout=30), 403)


def test_a_body_that_cannot_be_read_is_answered_as_documented(runtime, company):
    misspelt = answered("nativeCallEvent", company.vendors.native(_native_event("c-x", colour="red")), 400)
    assert [e["field"] for e in misspelt["errors"]] == ["colour"]
    params = {"CallSid": twilio_sid(), "CallStatus": "ringing-ish"}
    status = answered("twilioVoiceStatus", company.vendors.twilio("voice-status", params), 400)
    assert status["errors"][0]["field"] == "CallStatus"
    unreachable = answered("partnerLead", company.partners.generic({"lead_id": "x", "customer": {"name": "A"}}), 400)
    assert "customer.phone or customer.email" in unreachable["message"]
    no_such_webhook = company.vendors.callrail({"resource_id": "CAL" + "0" * 32}, event="call-ended")
    assert "no CallRail webhook" in answered("callrailEvent", no_such_webhook, 404)["message"]
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    form = _book(runtime, company.website_key, data="booking_id=b-1", headers=form_type)
    assert answered("createOnlineBooking", form, 415)["code"] == "unsupported_media_type"
    bad = answered("createOnlineBooking", _book(runtime, company.website_key, json={"booking_id": "b-2"}), 400)
    assert bad["errors"][0]["field"] == "customer"
    url = f"{runtime.api_url}/dni/{company.tenant_id}/sessions"
    not_an_object = requests.post(url, data="[1]", headers={"Origin": f"https://{DOMAIN}"}, timeout=30)
    assert answered("openDniSession", not_an_object, 400)["message"] == "the body is not a JSON object"
