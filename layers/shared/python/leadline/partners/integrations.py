"""Integrations: one per tenant and lead partner. Its status, its campaign and the mapping of the partner's
categories to a job type and business unit decide what a lead carries; a lead is never refused for them: an
unmapped category, or an integration in `error` or `disconnected`, is stored and flagged, counted, and explained
by the diagnostics in plain words (the seeds' troubleshooting)."""

from __future__ import annotations

from typing import Any

from leadline import credentials
from leadline.bookings.service import Incoming
from leadline.data import store
from leadline.data.models import Integration
from leadline.data.repositories import campaigns
from leadline.data.repositories import integrations as records
from leadline.data.repositories.operations import business_units, job_types
from leadline.errors import Conflict, InvalidInput, NotFound
from leadline.ids import utc_now
from leadline.leads import jobs
from leadline.partners import registry, webhook
from leadline.partners.common import CREDENTIALS_KIND

ACTIVE, ERROR, DISCONNECTED = "active", "error", "disconnected"
STATUSES = (ACTIVE, ERROR, DISCONNECTED)
STATUS_FLAGS = {ERROR: "integration_error", DISCONNECTED: "integration_disconnected"}
UNMAPPED = "unmapped_category"
UNVERIFIED = "unverified_sender"  # Thumbtack without credentials: nobody checked who sent it
NO_CATEGORY = "(no category)"
MAX_LISTED = 200


def webhook_path(tenant_id: str, partner: str) -> str:
    return webhook.path(tenant_id, partner)


def _key(category: str | None) -> str:
    """How categories are compared: case and spacing do not matter."""
    return " ".join((category or "").split()).casefold()


def _plain(value: Any) -> dict:
    return store.plain_map(value) or {}


# --- reading and writing the integration -------------------------------------------------------


def get_item(tenant_id: str, partner: str, *, consistent: bool = False) -> Integration | None:
    return records.get(tenant_id, partner, consistent=consistent)


def ensure(tenant_id: str, partner: str) -> Integration:
    """The integration, created `active` (no campaign, nothing mapped) by the first lead of a partner whose
    credentials the operator stored before anyone set it up: its leads are kept and flagged meanwhile."""
    found = get_item(tenant_id, partner)
    if found is not None:
        return found
    item = records.new(tenant_id, partner, status=ACTIVE)
    item.status_changed_at = item.created_at
    try:
        store.create(item, f"integration {partner}")
    except Conflict:  # created meanwhile, by a staff change or another delivery
        return get_item(tenant_id, partner, consistent=True) or item
    return item


def view(item: Integration) -> dict[str, Any]:
    return {
        "partner": item.partner,
        "status": item.status,
        "status_changed_at": item.status_changed_at,
        "campaign_id": item.campaign_id,
        "category_map": _plain(item.category_map),
        "webhook_path": webhook_path(item.tenant_id, item.partner),
        "counters": {
            "leads_received": int(item.leads_received or 0),
            "leads_unmapped": int(item.leads_unmapped or 0),
            "leads_while_error": int(item.leads_while_error or 0),
            "leads_while_disconnected": int(item.leads_while_disconnected or 0),
        },
        "last_lead": {"at": item.last_lead_at, "booking_id": item.last_booking_id} if item.last_lead_at else None,
        "last_error": {"at": item.last_error_at, "message": item.last_error} if item.last_error_at else None,
        "updated_by": item.updated_by,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def get(tenant_id: str, partner: str) -> dict[str, Any]:
    registry.find(partner)
    item = get_item(tenant_id, partner)
    if item is None:
        raise NotFound(f"no {partner} integration: set it up with PUT /v1/integrations/{partner}")
    return view(item)


def list_integrations(tenant_id: str) -> dict[str, Any]:
    return {"items": [view(i) for i in records.list_page(tenant_id, limit=MAX_LISTED).items]}


def _check_references(tenant_id: str, campaign_id: str | None, category_map: dict[str, dict] | None) -> None:
    """The campaign, job types and business units named exist and are active, and each job type is offered by
    its business unit; two categories that differ only in case or spacing are one category."""
    if campaign_id:
        campaign = campaigns.get(tenant_id, campaign_id)
        if campaign is None:
            raise InvalidInput(f"campaign {campaign_id} does not exist", field="campaign_id")
        if not campaign.active:
            raise InvalidInput(
                f"campaign {campaign_id} is inactive: its leads would not be attributed", field="campaign_id"
            )
    if not category_map:
        return
    seen: dict[str, str] = {}
    for category in category_map:
        if _key(category) in seen:
            raise InvalidInput(
                f"categories '{seen[_key(category)]}' and '{category}' are the same category (case and spacing do "
                "not matter): map it once",
                field="category_map",
            )
        seen[_key(category)] = category
    found_types, units = _targets(tenant_id, category_map)
    for category, target in category_map.items():
        where = f"category_map.{category}"
        job_type, unit = found_types.get(target["job_type_id"]), units.get(target["business_unit_id"])
        if job_type is None:
            raise InvalidInput(f"'{category}': job type {target['job_type_id']} does not exist", field=where)
        if unit is None:
            raise InvalidInput(f"'{category}': business unit {target['business_unit_id']} does not exist", field=where)
        if not job_type.active:
            raise InvalidInput(f"'{category}': job type {job_type.name} is inactive", field=where)
        if not unit.active:
            raise InvalidInput(f"'{category}': business unit {unit.name} is inactive", field=where)
        if not jobs.offers(unit, job_type):
            raise InvalidInput(
                f"'{category}': job type {job_type.name} is not offered by business unit {unit.name}", field=where
            )


def _targets(tenant_id: str, category_map: dict[str, dict]) -> tuple[dict, dict]:
    """The job types and business units a category map names that exist, each by id (one BatchGetItem each)."""
    return (
        job_types.batch_get(tenant_id, [t["job_type_id"] for t in category_map.values()]),
        business_units.batch_get(tenant_id, [t["business_unit_id"] for t in category_map.values()]),
    )


def put(tenant_id: str, partner: str, changes: dict[str, Any], *, by: str | None) -> dict[str, Any]:
    """Set up or change the integration: status, campaign_id, category_map (the whole map); a field left out is
    unchanged. Only these attributes are written, so counters moving at the same time are not overwritten."""
    registry.find(partner)
    category_map = changes.get("category_map")
    _check_references(tenant_id, changes.get("campaign_id"), category_map)
    current = ensure(tenant_id, partner)
    now = utc_now()
    actions = [
        Integration.updated_at.set(now),
        Integration.updated_by.set(by) if by else Integration.updated_by.remove(),
    ]
    if "status" in changes and changes["status"] != current.status:
        actions += [Integration.status.set(changes["status"]), Integration.status_changed_at.set(now)]
    if "campaign_id" in changes:
        campaign_id = changes["campaign_id"]
        actions.append(Integration.campaign_id.set(campaign_id) if campaign_id else Integration.campaign_id.remove())
    if category_map is not None:
        actions.append(Integration.category_map.set({c: dict(t) for c, t in category_map.items()}))
    current.update(actions=actions, condition=Integration.pk.exists())
    return view(current)


# --- what a lead carries --------------------------------------------------------------------------


def mapping_for(item: Integration, category: str | None) -> dict[str, str] | None:
    wanted = _key(category)
    if not wanted:
        return None
    for name, target in _plain(item.category_map).items():
        if _key(name) == wanted:
            return dict(target)
    return None


def prepare(tenant_id: str, partner: str, incoming: Incoming, *, verified: bool = True) -> Incoming:
    """The lead with what the integration says: its campaign, the job type and business unit of its category,
    and a flag for each reason to look twice (never a reason to drop it)."""
    item = ensure(tenant_id, partner)
    flags = list(incoming.flags)
    target = mapping_for(item, incoming.category)
    if target:
        incoming.job_type_id, incoming.business_unit_id = target["job_type_id"], target["business_unit_id"]
    else:
        flags.append(UNMAPPED)
    if item.status in STATUS_FLAGS:
        flags.append(STATUS_FLAGS[item.status])
    if not verified:
        flags.append(UNVERIFIED)
    incoming.campaign_id = item.campaign_id
    incoming.flags = list(dict.fromkeys(flags))
    return incoming


class _AlreadyCounted(Conflict):
    pass


def count(tenant_id: str, partner: str, booking: dict[str, Any]) -> bool:
    """Add the booking to the integration's counters, once: the marker item and the counters are one transaction,
    so a duplicate delivery adds nothing, and a retry after a failure to count still counts. True if counted."""
    booking_id = booking["booking_id"]
    flags = set(booking.get("flags") or [])
    category = " ".join((booking.get("category") or "").split()) or NO_CATEGORY
    now = utc_now()
    actions = [
        Integration.leads_received.add(1),
        Integration.last_lead_at.set(now),
        Integration.last_booking_id.set(booking_id),
        Integration.category_leads[category].set((Integration.category_leads[category] | 0) + 1),
    ]
    if UNMAPPED in flags:
        actions += [
            Integration.leads_unmapped.add(1),
            Integration.unmapped_leads[category].set((Integration.unmapped_leads[category] | 0) + 1),
        ]
    if STATUS_FLAGS[ERROR] in flags:
        actions.append(Integration.leads_while_error.add(1))
    if STATUS_FLAGS[DISCONNECTED] in flags:
        actions.append(Integration.leads_while_disconnected.add(1))
    counted = records.counted_step(tenant_id, partner, booking_id, "already counted")
    counted.error = _AlreadyCounted
    try:
        store.transact([counted, records.counters_step(tenant_id, partner, actions)])
    except _AlreadyCounted:
        return False
    return True


def record_error(tenant_id: str, partner: str, message: str) -> None:
    """The last delivery we refused (after authenticating it) or failed to store, for the diagnostics."""
    item = ensure(tenant_id, partner)
    item.update(
        actions=[Integration.last_error.set(message[:1000]), Integration.last_error_at.set(utc_now())],
        condition=Integration.pk.exists(),
    )


# --- diagnostics ---------------------------------------------------------------------------------


def store_credentials(secrets_client: Any, tenant_id: str, value: dict, *, kms_key_id: str | None = None) -> None:
    """Replace the company's partner credentials (Secrets Manager), and note on each integration whether it has
    some: the staff API, which may not read tenants' secrets, reports that from the note."""
    credentials.write(secrets_client, tenant_id, CREDENTIALS_KIND, value, kms_key_id=kms_key_id)
    configured = [p.name for p in registry.registered() if value.get(p.name)] + sorted(value.get("generic") or {})
    known = {i.partner for i in records.all_of(tenant_id)}
    now = utc_now()
    for partner in set(configured) | known:
        ensure(tenant_id, partner).update(
            actions=[Integration.credentials_set_at.set(now if partner in configured else None)]
        )


def stored_credentials(tenant_id: str) -> dict:
    """The company's partner credentials, as the operator stored them; {} if none (or no such company)."""
    try:
        return credentials.read(tenant_id, CREDENTIALS_KIND)
    except NotFound:  # not even the shape of a tenant id
        return {}


def credentials_configured(tenant_id: str, partner: str) -> bool:
    item = get_item(tenant_id, partner, consistent=True)
    return bool(item and item.credentials_set_at)


def _problem(code: str, severity: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "message": message}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def diagnose(tenant_id: str, partner: str) -> dict[str, Any]:
    """Will this partner's leads arrive, and arrive ready to book? Each problem by name, in plain words."""
    credentials_problem = registry.find(partner).credentials_problem()
    item = get_item(tenant_id, partner, consistent=True)
    has_credentials = credentials_configured(tenant_id, partner)
    problems: list[dict[str, str]] = []
    if item is None:
        problems.append(
            _problem(
                "not_set_up",
                "error",
                f"{partner} is not set up: PUT /v1/integrations/{partner} with its campaign and category mapping",
            )
        )
        if not has_credentials:
            problems.append(credentials_problem)
        return {
            "partner": partner,
            "status": None,
            "ok": False,
            "credentials_configured": has_credentials,
            "webhook_path": webhook_path(tenant_id, partner),
            "problems": problems,
        }
    info = view(item)
    counters = info["counters"]
    if item.status == ERROR:
        problems.append(
            _problem(
                "status_error",
                "error",
                f"status is error: {partner} leads are still stored, flagged integration_error "
                f"({_plural(counters['leads_while_error'], 'lead')} so far); fix the problem, then set the status "
                "back to active",
            )
        )
    elif item.status == DISCONNECTED:
        problems.append(
            _problem(
                "status_disconnected",
                "warning",
                f"status is disconnected: leads {partner} still sends are stored, flagged integration_disconnected "
                f"({_plural(counters['leads_while_disconnected'], 'lead')} so far)",
            )
        )
    if not has_credentials:
        problems.append(credentials_problem)
    problems += _campaign_problems(tenant_id, item)
    problems += _mapping_problems(tenant_id, item)
    mapped = {_key(c) for c in _plain(item.category_map)}
    seen = {c: int(n) for c, n in _plain(item.category_leads).items()}
    unmapped_seen = {c: int(n) for c, n in _plain(item.unmapped_leads).items()}
    unmapped = sorted(
        ({"category": c, "leads": n} for c, n in unmapped_seen.items() if _key(c) not in mapped or c == NO_CATEGORY),
        key=lambda u: (-u["leads"], u["category"]),
    )
    for entry in unmapped:
        leads = f"{_plural(entry['leads'], 'lead')} {'has' if entry['leads'] == 1 else 'have'}"
        if entry["category"] == NO_CATEGORY:
            message = f"{leads} no category: they are in the Bookings inbox, flagged unmapped_category"
        else:
            message = (
                f"{leads} no mapping for category '{entry['category']}': they are in the Bookings inbox, flagged "
                f"unmapped_category; map '{entry['category']}' to a job type and business unit"
            )
        problems.append(_problem("unmapped_category", "warning", message))
    if item.last_error_at and (not item.last_lead_at or item.last_error_at >= item.last_lead_at):
        problems.append(
            _problem(
                "last_delivery_failed",
                "warning",
                f"the last delivery from {partner} was refused or failed at {item.last_error_at}: {item.last_error}",
            )
        )
    waiting = _waiting_messages(tenant_id, partner)
    if waiting:
        problems.append(
            _problem(
                "messages_waiting",
                "info",
                f"{_plural(waiting, 'message')} arrived before their lead and wait for it; they are added to the "
                "lead's booking as notes when it arrives",
            )
        )
    if not counters["leads_received"]:
        problems.append(_problem("no_leads_yet", "info", f"no lead has been received from {partner} yet"))
    return {
        **info,
        "ok": not any(p["severity"] in ("error", "warning") for p in problems),
        "credentials_configured": has_credentials,
        "categories": sorted(
            (
                {
                    "category": c,
                    "leads": n,
                    "unmapped_leads": unmapped_seen.get(c, 0),
                    "mapped": c != NO_CATEGORY and _key(c) in mapped,
                }
                for c, n in seen.items()
            ),
            key=lambda c: (-c["leads"], c["category"]),
        ),
        "unmapped_categories": unmapped,
        "messages_waiting": waiting,
        "problems": problems,
    }


def _campaign_problems(tenant_id: str, item: Integration) -> list[dict[str, str]]:
    if not item.campaign_id:
        return [
            _problem(
                "no_campaign",
                "warning",
                f"no campaign is set: {item.partner} leads carry no campaign, so reports count them as Unknown",
            )
        ]
    campaign = campaigns.get(tenant_id, item.campaign_id)
    if campaign is None:
        return [_problem("campaign_not_found", "error", f"campaign {item.campaign_id} does not exist")]
    if not campaign.active:
        return [
            _problem(
                "campaign_inactive",
                "warning",
                f"campaign {campaign.name} is inactive, yet {item.partner} leads carry it",
            )
        ]
    return []


def _mapping_problems(tenant_id: str, item: Integration) -> list[dict[str, str]]:
    category_map = {c: dict(t) for c, t in _plain(item.category_map).items()}
    if not category_map:
        return [
            _problem(
                "nothing_mapped",
                "warning",
                f"no {item.partner} category is mapped: every lead arrives without job type and business unit",
            )
        ]
    found_types, units = _targets(tenant_id, category_map)
    problems = []
    for category, target in sorted(category_map.items()):
        job_type, unit = found_types.get(target["job_type_id"]), units.get(target["business_unit_id"])
        if job_type is None or not job_type.active:
            state = "does not exist" if job_type is None else "is inactive"
            problems.append(
                _problem(
                    "mapping_job_type_unusable",
                    "error",
                    f"category '{category}' maps to job type {target['job_type_id']}, which {state}",
                )
            )
        if unit is None or not unit.active:
            state = "does not exist" if unit is None else "is inactive"
            problems.append(
                _problem(
                    "mapping_business_unit_unusable",
                    "error",
                    f"category '{category}' maps to business unit {target['business_unit_id']}, which {state}",
                )
            )
    return problems


def _waiting_messages(tenant_id: str, partner: str) -> int:
    return len(records.waiting_page(tenant_id, partner, limit=MAX_LISTED).items)
