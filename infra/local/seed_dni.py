"""Dynamic number insertion for the demo tenant: three new tracking numbers on a "Website" campaign make the pool,
for the website acme-home.example, which shows the office line without DNI. Visitors from Google Ads (google / cpc)
belong to the Google Ads campaign; every other visitor to Website (the campaign of the number they are shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leadline.dni import service as dni
from leadline.setup import service

if TYPE_CHECKING:
    from infra.local.runtime import LocalRuntime

DOMAIN = "acme-home.example"
POOL = ("+15125550160", "+15125550161", "+15125550162")
DEFAULT_NUMBER = "+15125550102"  # the office line (direct dial): a page without DNI gives direct calls


def seed_dni(runtime: LocalRuntime, demo: dict) -> dict:
    """Set up DNI for the demo tenant; returns what `.local/demo.json` gains (under `dni`)."""
    tenant_id = demo["tenant_id"]
    website = service.create_campaign(
        tenant_id, {"name": "Website", "category": "Website (DNI)", "active": True, "dnis": None}
    )
    for index, number in enumerate(POOL, start=1):
        service.create_tracking_number(
            tenant_id,
            {
                "number": number,
                "number_type": "tracking",
                "label": f"Website DNI {index}",
                "forwarding_number": "+15125550199",
                "default_call_type": "lead",
                "sms_registered": False,
                "campaign_id": website["campaign_id"],
            },
        )
    rules = []
    if google := (demo.get("campaigns") or {}).get("google_ads"):
        rules.append({"utm_source": "google", "utm_medium": "cpc", "campaign_id": google})
    dni.put_config(
        tenant_id,
        {
            "pool": list(POOL),
            "domain": DOMAIN,
            "session_minutes": 30,
            "default_number": DEFAULT_NUMBER,
            "source_rules": rules,
        },
    )
    return {
        "dni": {
            "pool": list(POOL),
            "domain": DOMAIN,
            "default_number": DEFAULT_NUMBER,
            "website_campaign_id": website["campaign_id"],
            **{f"{name}_path": path for name, path in dni.paths(tenant_id).items()},
        }
    }
