"""Tracking numbers: one item per number, listed under the campaign it is assigned to."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import TrackingNumber
from leadline.data.store import Page, TxStep


def key(number: str) -> str:
    """The number's sort key, for batch reads that fetch it with other items."""
    return keys.tracking_number(number)


def get(tenant_id: str, number: str) -> TrackingNumber | None:
    return store.get(TrackingNumber, tenant_id, keys.tracking_number(number))


def get_or_404(tenant_id: str, number: str) -> TrackingNumber:
    return store.get_or_404(TrackingNumber, tenant_id, keys.tracking_number(number), f"tracking number {number}")


def new(tenant_id: str, number: str, **attributes) -> TrackingNumber:
    return store.new_item(TrackingNumber, tenant_id, keys.tracking_number(number), number=number, **attributes)


def from_batch(found: dict[str, dict], number: str) -> TrackingNumber | None:
    raw = found.get(keys.tracking_number(number))
    return TrackingNumber.from_raw_data(raw) if raw else None


def index(item: TrackingNumber) -> None:
    """The listing a number appears in: its campaign's numbers (none while unassigned)."""
    if item.campaign_id:
        item.gsi1pk, item.gsi1sk = keys.campaign_numbers(item.tenant_id, item.campaign_id), item.number
    else:
        item.gsi1pk = item.gsi1sk = None


def list_page(tenant_id: str, *, limit: int, next_token: str | None) -> Page:
    return store.query_page(TrackingNumber, tenant_id, sk_prefix=keys.NUMBERS, limit=limit, next_token=next_token)


def of_campaign(tenant_id: str, campaign_id: str) -> list[TrackingNumber]:
    """The numbers assigned to a campaign (one Query, up to a page)."""
    page = store.query_index_page(
        TrackingNumber, keys.campaign_numbers(tenant_id, campaign_id), limit=store.MAX_PAGE, next_token=None
    )
    return page.items


def registered_for_texts(tenant_id: str) -> list[TrackingNumber]:
    """The numbers registered for text messaging (up to a page)."""
    page = store.query_page(
        TrackingNumber,
        tenant_id,
        sk_prefix=keys.NUMBERS,
        limit=store.MAX_PAGE,
        next_token=None,
        filter_condition=TrackingNumber.sms_registered == True,  # noqa: E712 - a DynamoDB condition
    )
    return page.items


def free_or_of_campaign_check(tenant_id: str, number: str, campaign_id: str, message: str) -> TxStep:
    """A transaction step that holds while `number` is no tracking number, or one unassigned or the campaign's."""
    return TxStep.check(
        TrackingNumber,
        tenant_id,
        keys.tracking_number(number),
        TrackingNumber.pk.does_not_exist()
        | TrackingNumber.campaign_id.does_not_exist()
        | (TrackingNumber.campaign_id == campaign_id),
        message,
    )
