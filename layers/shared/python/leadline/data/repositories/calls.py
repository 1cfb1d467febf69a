"""Calls: one item per call, listed by time, by campaign (unknown and direct too) and by caller."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import Call
from leadline.data.store import Page


def key(call_id: str) -> str:
    """The call's sort key, for batch reads that fetch it with other items."""
    return keys.call(call_id)


def get(tenant_id: str, call_id: str, *, consistent: bool = False) -> Call | None:
    return store.get(Call, tenant_id, keys.call(call_id), consistent=consistent)


def get_or_404(tenant_id: str, call_id: str) -> Call:
    return store.get_or_404(Call, tenant_id, keys.call(call_id), f"call {call_id}")


def new(tenant_id: str, call_id: str, **attributes) -> Call:
    return store.new_item(Call, tenant_id, keys.call(call_id), call_id=call_id, **attributes)


def from_batch(found: dict[str, dict], call_id: str) -> Call | None:
    raw = found.get(keys.call(call_id))
    return Call.from_raw_data(raw) if raw else None


def index(item: Call) -> None:
    """The listings a call appears in: by time, by campaign (unknown and direct included), by caller."""
    if not item.started_at:
        return
    order = keys.in_order(item.started_at, item.call_id)
    item.gsi1pk, item.gsi1sk = keys.calls_by_time(item.tenant_id), order
    if item.attribution:
        item.gsi2pk, item.gsi2sk = keys.calls_by_campaign(item.tenant_id, item.campaign_id or item.attribution), order
    if item.from_number:
        item.gsi3pk, item.gsi3sk = keys.calls_by_caller(item.tenant_id, item.from_number), order


def list_started(
    tenant_id: str,
    *,
    campaign: str | None = None,
    caller: str | None = None,
    between: tuple[str, str] | None = None,
    evaluated: str | None = None,
    limit: int,
    next_token: str | None,
) -> Page:
    """Newest first: a campaign's calls (its id, or unknown / direct), a caller's, or all of them; those started
    `between` two UTC times if given; only those whose SCL evaluation ended `evaluated`, if given."""
    if campaign:
        index_, index_pk, sort_key = Call.by_time, keys.calls_by_campaign(tenant_id, campaign), Call.gsi2sk
    elif caller:
        index_, index_pk, sort_key = Call.by_person, keys.calls_by_caller(tenant_id, caller), Call.gsi3sk
    else:
        index_, index_pk, sort_key = Call.by_parent, keys.calls_by_time(tenant_id), Call.gsi1sk
    key_range = sort_key.between(*between) if between else None
    only = Call.scl_evaluation == evaluated if evaluated else None
    return store.query_index(
        index_, index_pk, key_range, limit=limit, next_token=next_token, newest_first=True, filter_condition=only
    )


def all_of(tenant_id: str) -> list[Call]:
    """Every call of the tenant, in key order: all of them, so for checks and maintenance, not for a request."""
    return list(Call.query(keys.tenant(tenant_id), Call.sk.startswith(keys.CALLS), consistent_read=True))
