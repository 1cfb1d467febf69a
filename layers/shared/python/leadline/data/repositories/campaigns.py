"""Campaigns, and their advertised numbers (DNIS): a claim per number, so that two campaigns never advertise one."""

from __future__ import annotations

from collections.abc import Iterable

from leadline.data import keys, store
from leadline.data.models import Campaign, DnisClaim
from leadline.data.store import Page, TxStep
from leadline.errors import Conflict, DomainError


def key(campaign_id: str) -> str:
    """The campaign's sort key, for batch reads that fetch it with other items."""
    return keys.campaign(campaign_id)


def get(tenant_id: str, campaign_id: str) -> Campaign | None:
    return store.get(Campaign, tenant_id, keys.campaign(campaign_id))


def get_or_404(tenant_id: str, campaign_id: str) -> Campaign:
    return store.get_or_404(Campaign, tenant_id, keys.campaign(campaign_id), "campaign")


def new(tenant_id: str, campaign_id: str, **attributes) -> Campaign:
    return store.new_item(Campaign, tenant_id, keys.campaign(campaign_id), campaign_id=campaign_id, **attributes)


def from_batch(found: dict[str, dict], campaign_id: str) -> Campaign | None:
    raw = found.get(keys.campaign(campaign_id))
    return Campaign.from_raw_data(raw) if raw else None


def batch_get(tenant_id: str, campaign_ids: Iterable[str]) -> dict[str, Campaign]:
    """The campaigns that exist among these ids, by id (one BatchGetItem)."""
    found = store.batch_get(Campaign, tenant_id, [keys.campaign(c) for c in campaign_ids])
    return {item.campaign_id: item for item in found.values()}


def list_page(tenant_id: str, *, limit: int, next_token: str | None) -> Page:
    return store.query_page(Campaign, tenant_id, sk_prefix=keys.CAMPAIGNS, limit=limit, next_token=next_token)


def exists_check(tenant_id: str, campaign_id: str, message: str, error: type[DomainError] = Conflict) -> TxStep:
    """A transaction step that holds only while the campaign exists."""
    return TxStep.check(Campaign, tenant_id, keys.campaign(campaign_id), Campaign.pk.exists(), message, error)


# --- advertised numbers (DNIS) --------------------------------------------------------------------


def dnis_key(number: str) -> str:
    """The claim's sort key, for batch reads that fetch it with other items."""
    return keys.dnis(number)


def dnis_from_batch(found: dict[str, dict], number: str) -> DnisClaim | None:
    raw = found.get(keys.dnis(number))
    return DnisClaim.from_raw_data(raw) if raw else None


def dnis_claim_step(tenant_id: str, number: str, campaign_id: str, message: str) -> TxStep:
    """Claim `number` as the campaign's advertised number; the step fails if any campaign claims it already."""
    claim = store.new_item(DnisClaim, tenant_id, keys.dnis(number), number=number, campaign_id=campaign_id)
    return TxStep.put(claim, message, condition=DnisClaim.pk.does_not_exist())


def dnis_release_step(tenant_id: str, number: str, campaign_id: str, message: str) -> TxStep:
    """Release the campaign's claim on `number`; the step fails if the claim is another campaign's."""
    return TxStep.delete(
        DnisClaim(keys.tenant(tenant_id), keys.dnis(number)), DnisClaim.campaign_id == campaign_id, message
    )


def dnis_free_check(
    tenant_id: str, number: str, campaign_id: str | None, message: str, error: type[DomainError] = Conflict
) -> TxStep:
    """A transaction step that holds while no campaign advertises `number` (or only `campaign_id` does)."""
    condition = DnisClaim.pk.does_not_exist()
    if campaign_id:
        condition = condition | (DnisClaim.campaign_id == campaign_id)
    return TxStep.check(DnisClaim, tenant_id, keys.dnis(number), condition, message, error)
