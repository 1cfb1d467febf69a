"""The demo tenant's lead partners: every registered partner (Thumbtack and Angi), each with its campaign and the
categories it calls common services mapped to the demo's job types and business units, and one generic partner
(Networx, on our signed JSON format), with credentials new on every start in the embedded Secrets Manager.

`seed_partners(runtime, demo)` returns what `.local/demo.json` gains: `partners` (the credentials, as each partner
would be given them) and `partner_campaigns` (new keys), and `webhooks` entries to merge into `demo["webhooks"]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadline.partners import integrations, registry
from leadline.setup import service

if TYPE_CHECKING:
    from infra.local.runtime import LocalRuntime

GENERIC_PARTNER = "networx"
GENERIC_DISPLAY_NAME = "Networx"
# What the generic partner calls the demo's services (what its leads carry) -> the demo's job type, by name.
GENERIC_CATEGORIES = {"AC Repair": "AC Repair", "Drain Cleaning": "Drain Cleaning"}


def _job_types(tenant_id: str) -> dict[str, dict]:
    listed = service.job_types.list(tenant_id, limit=200, next_token=None)["items"]
    return {j["name"]: j for j in listed}


def new_credentials() -> dict:
    """New credentials of every registered partner and of the generic demo partner, as the operator stores them."""
    return {
        **{p.name: p.new_credentials() for p in registry.registered()},
        "generic": {GENERIC_PARTNER: registry.generic(GENERIC_PARTNER).new_credentials()},
    }


def seed_partners(runtime: LocalRuntime, demo: dict) -> dict:
    tenant_id = demo["tenant_id"]
    job_types = _job_types(tenant_id)
    demo_partners = [(p.name, p.display_name, p.common_categories) for p in registry.registered()]
    demo_partners.append((GENERIC_PARTNER, GENERIC_DISPLAY_NAME, GENERIC_CATEGORIES))
    campaigns = {}
    for partner, display_name, categories in demo_partners:
        campaign = service.create_campaign(
            tenant_id, {"name": display_name, "category": "Lead partners", "active": True, "dnis": None}
        )
        campaigns[partner] = campaign["campaign_id"]
        category_map = {}
        for category, job_type_name in categories.items():
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
        "webhooks": {partner: integrations.webhook_path(tenant_id, partner) for partner, _, _ in demo_partners},
    }
