"""The demo tenant's lead partners: Thumbtack and Angi (each with its campaign and its categories mapped to the
demo's job types and business units) and one generic partner (Networx, on our signed JSON format), with
credentials new on every start in the embedded Secrets Manager.

`seed_partners(runtime, demo)` returns what `.local/demo.json` gains: `partners` (the credentials, as each partner
would be given them) and `partner_campaigns` (new keys), and `webhooks` entries to merge into `demo["webhooks"]`."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from leadline.partners import integrations
from leadline.partners.common import ANGI, THUMBTACK
from leadline.setup import service

if TYPE_CHECKING:
    from infra.local.runtime import LocalRuntime

GENERIC_PARTNER = "networx"

# Each partner's own names for the demo's services (what its leads carry) -> the demo's job type, by name.
CATEGORIES = {
    THUMBTACK: {
        "Central Air Conditioning Repair or Maintenance": "AC Repair",
        "Heating System Repair or Maintenance": "Furnace Tune-Up",
        "Drain Cleaning": "Drain Cleaning",
    },
    ANGI: {
        "Air Conditioning - Repair or Service": "AC Repair",
        "Furnace / Forced Air Heating System - Repair or Service": "Furnace Tune-Up",
        "Drain Cleaning - Clear Blockage": "Drain Cleaning",
    },
    GENERIC_PARTNER: {
        "AC Repair": "AC Repair",
        "Drain Cleaning": "Drain Cleaning",
    },
}
CAMPAIGNS = {THUMBTACK: "Thumbtack", ANGI: "Angi", GENERIC_PARTNER: "Networx"}


def _job_types(tenant_id: str) -> dict[str, dict]:
    listed = service.job_types.list(tenant_id, limit=200, next_token=None)["items"]
    return {j["name"]: j for j in listed}


def new_credentials() -> dict:
    return {
        THUMBTACK: {"username": "thumbtack-" + secrets.token_hex(4), "password": secrets.token_urlsafe(24)},
        ANGI: {"api_key": secrets.token_urlsafe(32)},
        "generic": {GENERIC_PARTNER: {"signing_secret": secrets.token_hex(24)}},
    }


def seed_partners(runtime: LocalRuntime, demo: dict) -> dict:
    tenant_id = demo["tenant_id"]
    job_types = _job_types(tenant_id)
    campaigns = {}
    for partner, name in CAMPAIGNS.items():
        campaign = service.create_campaign(
            tenant_id, {"name": name, "category": "Lead partners", "active": True, "dnis": None}
        )
        campaigns[partner] = campaign["campaign_id"]
        category_map = {}
        for category, job_type_name in CATEGORIES[partner].items():
            job_type = job_types[job_type_name]
            category_map[category] = {
                "job_type_id": job_type["job_type_id"],
                "business_unit_id": job_type["business_unit_ids"][0],
            }
        integrations.put(
            tenant_id,
            partner,
            {"status": "active", "campaign_id": campaign["campaign_id"], "category_map": category_map},
            by=None,
        )
    partners = new_credentials()
    integrations.store_credentials(runtime.client("secretsmanager"), tenant_id, partners)
    return {
        "partners": partners,
        "partner_campaigns": campaigns,
        "webhooks": {
            "thumbtack": integrations.webhook_path(tenant_id, THUMBTACK),
            "angi": integrations.webhook_path(tenant_id, ANGI),
            GENERIC_PARTNER: integrations.webhook_path(tenant_id, GENERIC_PARTNER),
        },
    }
