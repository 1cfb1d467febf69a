"""Leads: one item per lead, listed by time, by status and by caller; and the company's own dismiss reasons."""

from __future__ import annotations

from pynamodb.expressions.condition import Condition

from leadline.data import keys, store
from leadline.data.models import DismissReason, Lead
from leadline.data.store import Page, TxStep


def key(lead_id: str) -> str:
    """The lead's sort key, for batch reads that fetch it with other items."""
    return keys.lead(lead_id)


def get(tenant_id: str, lead_id: str, *, consistent: bool = False) -> Lead | None:
    return store.get(Lead, tenant_id, keys.lead(lead_id), consistent=consistent)


def get_or_404(tenant_id: str, lead_id: str, *, consistent: bool = False) -> Lead:
    return store.get_or_404(Lead, tenant_id, keys.lead(lead_id), f"lead {lead_id}", consistent=consistent)


def new(tenant_id: str, lead_id: str, **attributes) -> Lead:
    """A new lead, indexed."""
    lead = store.new_item(Lead, tenant_id, keys.lead(lead_id), lead_id=lead_id, **attributes)
    index(lead)
    return lead


def index(lead: Lead) -> None:
    """The listings a lead appears in: all by time, by its status, by the customer's phone."""
    order = keys.in_order(lead.created_at, lead.lead_id)
    lead.gsi1pk, lead.gsi1sk = keys.leads_by_time(lead.tenant_id), order
    lead.gsi2pk, lead.gsi2sk = keys.leads_by_status(lead.tenant_id, lead.status), order
    if lead.customer_phone:
        lead.gsi3pk, lead.gsi3sk = keys.leads_by_caller(lead.tenant_id, lead.customer_phone), order


def create_step(lead: Lead) -> TxStep:
    """The put of a new lead, refused if it exists (a derived lead id makes a second capture fail here)."""
    return TxStep.put(lead, f"lead {lead.lead_id} already exists", condition=Lead.pk.does_not_exist())


def list_by_status(
    tenant_id: str,
    status: str | None,
    *,
    created_from: str | None = None,
    created_to: str | None = None,
    source: str | None = None,
    campaign_id: str | None = None,
    business_unit_id: str | None = None,
    phone: str | None = None,
    limit: int,
    next_token: str | None,
) -> Page:
    """Newest first, of one customer phone, else of one status or (None) all. The days narrow the index's key;
    source, campaign and business unit (and the status, with a phone) filter what the page reads."""
    if phone:
        index_, index_pk, sort_key = Lead.by_person, keys.leads_by_caller(tenant_id, phone), Lead.gsi3sk
    elif status:
        index_, index_pk, sort_key = Lead.by_time, keys.leads_by_status(tenant_id, status), Lead.gsi2sk
    else:
        index_, index_pk, sort_key = Lead.by_parent, keys.leads_by_time(tenant_id), Lead.gsi1sk
    key_range: Condition | None = None
    if created_from and created_to:
        key_range = sort_key.between(created_from, created_to + "~")
    elif created_from:
        key_range = sort_key >= created_from
    elif created_to:
        key_range = sort_key <= created_to + "~"
    return store.query_index(
        index_,
        index_pk,
        key_range,
        limit=limit,
        next_token=next_token,
        newest_first=True,
        filter_condition=_all_of(
            Lead.status == status if status and phone else None,
            Lead.source == source if source else None,
            Lead.campaign_id == campaign_id if campaign_id else None,
            Lead.business_unit_id == business_unit_id if business_unit_id else None,
        ),
    )


def list_by_caller(tenant_id: str, phone: str, *, status: str | None = None, limit: int) -> list[Lead]:
    """The newest leads with this customer phone, of one status or (None) all; one page."""
    page = store.query_index(
        Lead.by_person,
        keys.leads_by_caller(tenant_id, phone),
        None,
        limit=limit,
        next_token=None,
        newest_first=True,
        filter_condition=Lead.status == status if status else None,
    )
    return page.items


def all_of(tenant_id: str, *, consistent: bool = True) -> list[Lead]:
    """Every lead of the tenant, in key order: all of them, so for checks and maintenance, not for a request."""
    return list(Lead.query(keys.tenant(tenant_id), Lead.sk.startswith(keys.LEADS), consistent_read=consistent))


def _all_of(*conditions: Condition | None) -> Condition | None:
    combined = None
    for condition in conditions:
        if condition is not None:
            combined = condition if combined is None else combined & condition
    return combined


# --- the company's own dismiss reasons -------------------------------------------------------------


def dismiss_reason(tenant_id: str, code: str) -> DismissReason | None:
    return store.get(DismissReason, tenant_id, keys.dismiss_reason(code))


def dismiss_reasons(tenant_id: str) -> list[DismissReason]:
    page = store.query_page(
        DismissReason, tenant_id, sk_prefix=keys.DISMISS_REASONS, limit=store.MAX_PAGE, next_token=None
    )
    return page.items


def new_dismiss_reason(tenant_id: str, code: str, label: str) -> DismissReason:
    return store.new_item(DismissReason, tenant_id, keys.dismiss_reason(code), code=code, label=label)
