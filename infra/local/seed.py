"""The demo tenant `make run` starts with: a garage-door and HVAC company with campaigns, tracking numbers,
business units, job types, call reasons and three employees (an admin, a CSR, and a CSR lead who was
granted Second Chance Leads on top of her role). Notifications go from a sender verified in the embedded SES,
and texts from the Google Ads number, registered for text messaging."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from infra.local import tokens
from infra.local.seed_dni import seed_dni
from infra.local.seed_partners import seed_partners
from leadline import credentials
from leadline.bookings import online
from leadline.notifications import service as notifications
from leadline.permissions import Permission
from leadline.setup import service

if TYPE_CHECKING:
    from infra.local.runtime import LocalRuntime

DEMO_TENANT = "demo-acme"
SENDER = "leads@acme-home.example"  # verified in the embedded SES
COMPANY_NAME = "Acme Home Services"
TEXTED = {"admin", "csr_lead"}  # employees who also get texts (everyone gets email and in-app by default)

EMPLOYEES = {
    # key in demo.json: (employee_id, name, email, phone, role, grants)
    "admin": ("emp-admin", "Olivia Owens", "olivia@acme-home.example", "+15125550111", "admin", set()),
    "csr": ("emp-csr", "Carlos Ruiz", "carlos@acme-home.example", "+15125550112", "csr", set()),
    "csr_lead": (
        "emp-csr-lead",
        "Dana Lee",
        "dana@acme-home.example",
        "+15125550113",
        "csr",
        {Permission.VIEW_SECOND_CHANCE_LEADS.value},
    ),
}


def create_demo_records(tenant_id: str = DEMO_TENANT) -> dict:
    """The demo tenant's records, through the same domain operations the staff API uses."""
    service.create_tenant(tenant_id, name=COMPANY_NAME, time_zone="America/Chicago")
    service.update_settings(
        tenant_id,
        {
            "second_chance_leads": {"enabled": True},
            "sms_registered": True,
            "notifications": {"sender": f"{COMPANY_NAME} <{SENDER}>"},  # links: the runtime's staff app
        },
    )
    hvac = service.business_units.create(tenant_id, {"name": "HVAC", "active": True}, ident="bu-hvac")
    plumbing = service.business_units.create(tenant_id, {"name": "Plumbing", "active": True}, ident="bu-plumbing")
    for name, bu in (("AC Repair", hvac), ("Furnace Tune-Up", hvac), ("Drain Cleaning", plumbing)):
        service.job_types.create(
            tenant_id, {"name": name, "business_unit_ids": {bu["business_unit_id"]}, "active": True}
        )
    for name, is_lead in (
        ("New service request", True),
        ("Estimate request", True),
        ("Existing job status", False),
        ("Wrong number", False),
        ("Vendor / solicitor", False),
    ):
        service.call_reasons.create(tenant_id, {"name": name, "is_lead": is_lead, "active": True})

    google = service.create_campaign(
        tenant_id, {"name": "Google Ads - AC Repair", "category": "Paid search", "active": True, "dnis": "+15125550100"}
    )
    yard = service.create_campaign(
        tenant_id, {"name": "Yard Signs", "category": "Offline", "active": True, "dnis": "+15125550101"}
    )
    numbers = [
        {
            "number": "+15125550100",
            "number_type": "tracking",
            "label": "Google Ads",
            "forwarding_number": "+15125550199",
            "default_call_type": "lead",
            "sms_registered": True,
            "campaign_id": google["campaign_id"],
        },
        {
            "number": "+15125550101",
            "number_type": "tracking",
            "label": "Yard signs",
            "forwarding_number": "+15125550199",
            "default_call_type": "lead",
            "sms_registered": False,
            "campaign_id": yard["campaign_id"],
        },
        {
            "number": "+15125550102",
            "number_type": "direct_dial",
            "label": "Office line",
            "forwarding_number": None,
            "default_call_type": "not_lead",
            "sms_registered": False,
            "campaign_id": None,
        },
    ]
    for number in numbers:
        service.create_tracking_number(tenant_id, number)

    employees = {}
    for key, (employee_id, name, email, phone, role, grants) in EMPLOYEES.items():
        service.create_employee(
            tenant_id,
            {
                "name": name,
                "email": email,
                "phone": phone,
                "role_id": role,
                "granted_permissions": grants,
                "active": True,
            },
            employee_id=employee_id,
        )
        employees[key] = {"employee_id": employee_id, "role_id": role, "email": email}
        if key in TEXTED:
            notifications.put_preferences(tenant_id, employee_id, {"channels": {"sms": True}})
    return {
        "tenant_id": tenant_id,
        "employees": employees,
        "campaigns": {"google_ads": google["campaign_id"], "yard_signs": yard["campaign_id"]},
        "tracking_numbers": [n["number"] for n in numbers],
    }


def create_demo_credentials(secrets_client, tenant_id: str = DEMO_TENANT) -> dict:
    """Vendor credentials for the demo tenant, new on every start, in the embedded Secrets Manager."""
    telephony = {
        "twilio": {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16)},
        "callrail": {"signing_key": secrets.token_hex(20)},
        "native": {"signing_secret": secrets.token_hex(24)},
    }
    credentials.write(secrets_client, tenant_id, credentials.TELEPHONY, telephony)
    return telephony


def seed_demo_tenant(runtime: LocalRuntime) -> dict:
    demo = create_demo_records()
    telephony = create_demo_credentials(runtime.client("secretsmanager"))
    runtime.client("ses").verify_email_identity(EmailAddress=SENDER)
    partners = seed_partners(runtime, demo)
    partner_webhooks = partners.pop("webhooks")
    demo.update(partners)  # partners (their credentials) and partner_campaigns
    demo.update(seed_dni(runtime, demo))  # dni: the pool, the domain, the snippet and test page
    demo["online_booking_key"] = online.new_key(demo["tenant_id"])["key"]
    online.put_rules(
        demo["tenant_id"],
        [{"utm_source": "google", "utm_medium": "cpc", "campaign_id": demo["campaigns"]["google_ads"]}],
    )
    demo.update(telephony)
    demo["tracking_number"] = "+15125550100"  # Google Ads: attributed
    demo["direct_dial_number"] = "+15125550102"
    demo["webhooks"] = {
        "twilio_voice_status": f"/webhooks/twilio/{demo['tenant_id']}/voice-status",
        "twilio_recording_status": f"/webhooks/twilio/{demo['tenant_id']}/recording-status",
        "twilio_transcription": f"/webhooks/twilio/{demo['tenant_id']}/transcription",
        "callrail": f"/webhooks/callrail/{demo['tenant_id']}",
        "calls": f"/webhooks/calls/{demo['tenant_id']}",
        **partner_webhooks,
    }
    key = tokens.signing_key(runtime.state_dir)
    for who, employee in demo["employees"].items():
        demo[f"{who}_token"] = tokens.issue(
            key,
            tenant_id=demo["tenant_id"],
            employee_id=employee["employee_id"],
            role_id=employee["role_id"],
            email=employee["email"],
        )
    return demo


def sign_in_choices(demo: dict) -> list[dict]:
    """Who may sign in to the local staff app: the demo company's employees, with their roles."""
    if not demo:
        return []
    roles = {"admin": "Administrator", "csr": "CSR"}
    return [
        {
            "employee_id": employee_id,
            "name": name,
            "role": roles[role] + (" with Second Chance Leads" if grants else ""),
        }
        for employee_id, name, _email, _phone, role, grants in EMPLOYEES.values()
    ]


def sign_in(demo: dict, key: str, employee_id: str) -> str | None:
    """A token for one of the demo company's employees, as the local runtime issues them; None for anyone else."""
    for employee in demo.get("employees", {}).values():
        if employee["employee_id"] == employee_id:
            return tokens.issue(
                key,
                tenant_id=demo["tenant_id"],
                employee_id=employee_id,
                role_id=employee["role_id"],
                email=employee["email"],
            )
    return None
