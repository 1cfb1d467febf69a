"""Second Chance Leads: one item per SCL, listed open or done (the queue's tabs), by status and by caller; and the
claim on a caller's number that keeps to one SCL per number in a window."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import PhoneSclClaim, SecondChanceLead
from leadline.data.store import Page, TxStep

OPEN, DONE = "OPEN", "DONE"  # the two listings of the queue; Cold is the older part of the open one


def key(scl_id: str) -> str:
    return keys.scl(scl_id)


def get(tenant_id: str, scl_id: str, *, consistent: bool = False) -> SecondChanceLead | None:
    return store.get(SecondChanceLead, tenant_id, keys.scl(scl_id), consistent=consistent)


def get_or_404(tenant_id: str, scl_id: str, *, consistent: bool = False) -> SecondChanceLead:
    return store.get_or_404(
        SecondChanceLead, tenant_id, keys.scl(scl_id), f"second chance lead {scl_id}", consistent=consistent
    )


def new(tenant_id: str, scl_id: str, **attributes) -> SecondChanceLead:
    """A new SCL, not yet indexed (`index` once its status is set)."""
    return store.new_item(SecondChanceLead, tenant_id, keys.scl(scl_id), scl_id=scl_id, **attributes)


def index(scl: SecondChanceLead, *, is_open: bool) -> None:
    """The listings an SCL appears in: open or done, by its status, by the caller's number; `is_open`: whether its
    status leaves it to be worked on."""
    order = keys.in_order(scl.created_at, scl.scl_id)
    scl.gsi1pk, scl.gsi1sk = keys.scls_by_bucket(scl.tenant_id, OPEN if is_open else DONE), order
    scl.gsi2pk, scl.gsi2sk = keys.scls_by_status(scl.tenant_id, scl.status), order
    scl.gsi3pk, scl.gsi3sk = keys.scls_by_caller(scl.tenant_id, scl.phone), order


def create_step(scl: SecondChanceLead) -> TxStep:
    return TxStep.put(scl, "this call's SCL exists already", condition=SecondChanceLead.pk.does_not_exist())


def phone_claim_step(scl: SecondChanceLead, *, unless_since: str, message: str) -> TxStep:
    """Claim the SCL's caller number for it; the step fails if another SCL claimed it at or after `unless_since`."""
    claim = store.new_item(
        PhoneSclClaim,
        scl.tenant_id,
        keys.scl_phone_claim(scl.phone),
        phone=scl.phone,
        scl_id=scl.scl_id,
        claimed_at=scl.created_at,
    )
    condition = PhoneSclClaim.pk.does_not_exist() | (PhoneSclClaim.claimed_at < unless_since)
    return TxStep.put(claim, message, condition=condition)


def queue_page(
    tenant_id: str,
    *,
    status: str | None,
    is_open: bool,
    created_from: str | None = None,
    created_before: str | None = None,
    search: str | None = None,
    limit: int,
    next_token: str | None,
) -> Page:
    """Newest first: the SCLs of one status, or (None) the open or the done ones; created at or after
    `created_from`, before `created_before`; whose transcript or summary has `search` (lower case)."""
    if status:
        index_, index_pk = SecondChanceLead.by_time, keys.scls_by_status(tenant_id, status)
        sort_key = SecondChanceLead.gsi2sk
    else:
        index_, index_pk = SecondChanceLead.by_parent, keys.scls_by_bucket(tenant_id, OPEN if is_open else DONE)
        sort_key = SecondChanceLead.gsi1sk
    key_range = None
    if created_from:
        key_range = sort_key >= created_from
    elif created_before:
        key_range = sort_key < created_before
    search_filter = SecondChanceLead.search_text.contains(search) if search else None
    return store.query_index(
        index_,
        index_pk,
        key_range,
        limit=limit,
        next_token=next_token,
        newest_first=True,
        filter_condition=search_filter,
    )


def count_queue(
    tenant_id: str, *, is_open: bool, created_from: str | None = None, created_before: str | None = None
) -> int:
    """How many SCLs are open (or done), created at or after `created_from`, before `created_before`."""
    sort_key = SecondChanceLead.gsi1sk
    key_range = sort_key >= created_from if created_from else (sort_key < created_before if created_before else None)
    return store.count_index(
        SecondChanceLead.by_parent, keys.scls_by_bucket(tenant_id, OPEN if is_open else DONE), key_range
    )


def of_caller(tenant_id: str, phone: str, *, since: str | None = None, limit: int) -> list[SecondChanceLead]:
    """The caller's newest SCLs (created at or after `since`, if given); one page."""
    key_range = SecondChanceLead.gsi3sk >= since if since else None
    page = store.query_index(
        SecondChanceLead.by_person,
        keys.scls_by_caller(tenant_id, phone),
        key_range,
        limit=limit,
        next_token=None,
        newest_first=True,
    )
    return page.items


def all_of(tenant_id: str) -> list[SecondChanceLead]:
    """Every SCL of the tenant, in key order: all of them, so for checks and maintenance, not for a request."""
    query = SecondChanceLead.query(
        keys.tenant(tenant_id), SecondChanceLead.sk.startswith(keys.SCLS), consistent_read=True
    )
    return list(query)
