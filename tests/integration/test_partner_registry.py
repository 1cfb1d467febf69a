"""A new lead partner is one module and one registry entry: a partner defined here, in its own format and with its
own authentication, registered for this test alone (the local runtime runs the webhook's handler in this process,
so it reads the same registry), set up by staff and the operator like any partner, reaches the Bookings inbox
through the one partner URL."""

from __future__ import annotations

import hmac
import secrets

import pytest

from infra import admin as admin_commands
from infra.local.seed_partners import new_credentials
from leadline.bookings.service import Incoming
from leadline.partners import registry
from leadline.partners.common import contact, ident, load_json, text
from leadline.partners.partner import NOT_VALID, Lead, Partner, Reading, Refused, Request
from tests.support.webhooks import Partners

_TEXT = {"type": ["string", "null"]}
SCHEMA = {
    "type": "object",
    "required": ["job"],
    "properties": {
        "job": {
            "type": "object",
            "required": ["ref"],
            "properties": {"ref": {"type": "string", "minLength": 1}, "service": _TEXT, "notes": _TEXT},
        },
        "homeowner": {"type": ["object", "null"], "properties": {"name": _TEXT, "mobile": _TEXT}},
    },
}


class Porchlight(Partner):
    """A made-up partner: one JSON job per POST, `Authorization: Bearer <token>`."""

    name, display_name = "porchlight", "Porchlight"
    credential_fields = ("token",)
    credentials_described = "a bearer token (Authorization: Bearer ...)"

    def authenticate(self, request: Request) -> bool:
        given = request.header("Authorization")
        if not given:
            raise Refused("the Authorization header is missing")
        token = request.credentials().get("token") or ""
        if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Refused(NOT_VALID)
        return True

    def read(self, raw: bytes) -> Reading:
        payload = load_json(raw, SCHEMA, "the lead is not in Porchlight's format")
        job, homeowner = payload["job"], payload.get("homeowner") or {}
        reach = contact(homeowner.get("mobile"))
        return Lead(
            Incoming(
                source="partner",
                partner=self.name,
                external_id=ident(job["ref"], "job.ref"),
                customer_name=text(homeowner.get("name"), 200),
                phone=reach.phone,
                category=text(job.get("service"), 200),
                description=text(job.get("notes")),
                details=reach.details,
                flags=list(reach.flags),
                raw=raw.decode("utf-8", errors="replace"),
            )
        )

    def new_credentials(self) -> dict:
        return {"token": secrets.token_urlsafe(24)}


@pytest.fixture
def porchlight():
    with registry.registration(Porchlight()) as partner:
        yield partner


LEAD = {
    "job": {"ref": "PL-1042", "service": "Cooling repair", "notes": "The upstairs unit blows warm air."},
    "homeowner": {"name": "Rosa Lind", "mobile": "(512) 555-0157"},
}


def test_a_new_partner_added_through_the_registry_alone_reaches_the_bookings_inbox(runtime, tenant, porchlight):
    admin, tenant_id = tenant.admin, tenant.tenant_id
    unit = admin.post("/v1/business-units", {"name": "HVAC"}).json()["business_unit_id"]
    job_type = admin.post("/v1/job-types", {"name": "AC Repair", "business_unit_ids": [unit]}).json()["job_type_id"]
    campaign = admin.post("/v1/campaigns", {"name": "Porchlight"}).json()["campaign_id"]
    set_up = admin.put(
        "/v1/integrations/porchlight",
        {
            "status": "active",
            "campaign_id": campaign,
            "category_map": {"Cooling repair": {"job_type_id": job_type, "business_unit_id": unit}},
        },
    )
    assert set_up.status_code == 200, set_up.text
    assert set_up.json()["webhook_path"] == f"/webhooks/partners/porchlight/{tenant_id}"
    creds = new_credentials()  # every registered partner's: this one's too
    admin_commands.set_partner_credentials(runtime.client("secretsmanager"), tenant_id, creds)
    partners = Partners(runtime.api_url, tenant_id, creds)
    bearer = {"Authorization": f"Bearer {creds['porchlight']['token']}"}

    refused = partners.post("porchlight", LEAD, {"Authorization": "Bearer guess"})
    assert (refused.status_code, refused.json()) == (
        401,
        {"code": "unauthenticated", "message": NOT_VALID, "errors": []},
    )
    malformed = partners.post("porchlight", {"homeowner": {"name": "Rosa Lind"}}, bearer)
    assert malformed.status_code == 400 and "missing required field(s): job" in malformed.json()["message"]
    created = partners.post("porchlight", LEAD, bearer)
    assert created.status_code == 200, created.text
    booking_id = created.json()["booking_id"]
    assert created.json() == {"result": "created", "booking_id": booking_id}
    assert partners.post("porchlight", LEAD, bearer).json() == {"result": "duplicate", "booking_id": booking_id}

    (booking,) = admin.get("/v1/bookings").json()["items"]
    assert (booking["booking_id"], booking["source"], booking["partner"], booking["external_id"]) == (
        booking_id,
        "partner",
        "porchlight",
        "PL-1042",
    )
    assert (booking["customer_name"], booking["phone"], booking["category"]) == (
        "Rosa Lind",
        "+15125550157",
        "Cooling repair",
    )
    assert (booking["campaign_id"], booking["job_type_id"], booking["business_unit_id"]) == (campaign, job_type, unit)
    assert booking["flags"] == []
    diagnostics = admin.get("/v1/integrations/porchlight/diagnostics").json()
    assert diagnostics["ok"] is True, diagnostics["problems"]
    assert diagnostics["credentials_configured"] is True and diagnostics["counters"]["leads_received"] == 1
