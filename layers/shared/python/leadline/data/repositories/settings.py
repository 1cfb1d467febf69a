"""The tenant's settings (one item per tenant)."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import TenantSettings

KEY = keys.SETTINGS  # for batch reads that fetch the settings with other items


def get(tenant_id: str, *, consistent: bool = False) -> TenantSettings | None:
    return store.get(TenantSettings, tenant_id, KEY, consistent=consistent)


def get_or_404(tenant_id: str) -> TenantSettings:
    return store.get_or_404(TenantSettings, tenant_id, KEY, "tenant")


def new(tenant_id: str, **attributes) -> TenantSettings:
    return store.new_item(TenantSettings, tenant_id, KEY, **attributes)


def from_batch(found: dict[str, dict]) -> TenantSettings | None:
    """The settings among the raw items of a `store.batch_get_raw` that asked for KEY."""
    return TenantSettings.from_raw_data(found[KEY]) if KEY in found else None
