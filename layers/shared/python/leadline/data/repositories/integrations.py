"""Lead partners' integrations: one item per tenant and partner; the marker that a partner's booking was counted; and
a partner's messages that arrived before their lead, waiting for it."""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.expressions.update import Action

from leadline.data import keys, store
from leadline.data.models import Integration, PartnerLeadCounted, PartnerMessage
from leadline.data.store import Page, TxStep


def get(tenant_id: str, partner: str, *, consistent: bool = False) -> Integration | None:
    return store.get(Integration, tenant_id, keys.integration(partner), consistent=consistent)


def new(tenant_id: str, partner: str, **attributes) -> Integration:
    return store.new_item(Integration, tenant_id, keys.integration(partner), partner=partner, **attributes)


def list_page(tenant_id: str, *, limit: int) -> Page:
    """The tenant's integrations, by partner name (one Query, up to `limit`)."""
    return store.query_page(Integration, tenant_id, sk_prefix=keys.INTEGRATIONS, limit=limit, next_token=None)


def all_of(tenant_id: str) -> Iterator[Integration]:
    """Every integration of the tenant, page after page as the caller iterates."""
    return Integration.query(keys.tenant(tenant_id), Integration.sk.startswith(keys.INTEGRATIONS))


# --- counting a partner's bookings once --------------------------------------------------------------


def counted_step(tenant_id: str, partner: str, booking_id: str, message: str) -> TxStep:
    """The marker that the booking was counted; the step fails if it was counted before."""
    marker = store.new_item(
        PartnerLeadCounted,
        tenant_id,
        keys.partner_lead_counted(partner, booking_id),
        partner=partner,
        booking_id=booking_id,
    )
    return TxStep.put(marker, message, condition=PartnerLeadCounted.pk.does_not_exist())


def counters_step(tenant_id: str, partner: str, actions: list[Action]) -> TxStep:
    """An update of the existing integration's counters. Of kind "put", so that it is ordered after the puts of its
    transaction, as PynamoDB sends a transaction's updates after its puts."""
    counters = Integration(keys.tenant(tenant_id), keys.integration(partner))
    return TxStep(
        "put",
        lambda tx: tx.update(counters, actions, condition=Integration.pk.exists()),
        f"integration {partner} does not exist",
    )


# --- messages waiting for their lead -----------------------------------------------------------------


def new_message(tenant_id: str, partner: str, negotiation_id: str, message_id: str, **attributes) -> PartnerMessage:
    return store.new_item(
        PartnerMessage,
        tenant_id,
        keys.partner_message(partner, negotiation_id, message_id),
        partner=partner,
        negotiation_id=negotiation_id,
        message_id=message_id,
        **attributes,
    )


def waiting_for(tenant_id: str, partner: str, negotiation_id: str) -> list[PartnerMessage]:
    """The messages of one lead (negotiation) waiting for it, read consistently (one Query)."""
    prefix = keys.partner_messages(partner, negotiation_id)
    return list(
        PartnerMessage.query(keys.tenant(tenant_id), PartnerMessage.sk.startswith(prefix), consistent_read=True)
    )


def waiting_page(tenant_id: str, partner: str | None = None, *, limit: int) -> Page:
    """Messages waiting for their lead: a partner's, or (None) every partner's (one Query, up to `limit`)."""
    prefix = keys.partner_messages(partner) if partner else keys.PARTNER_MESSAGES
    return store.query_page(PartnerMessage, tenant_id, sk_prefix=prefix, limit=limit, next_token=None)
