"""Online bookings from the company's scheduler: the website key, the attribution of a booking to a campaign, and
the export of booking sessions with their attribution.

Attribution, in order (the first that decides wins):
1. `campaign`: the exact id or name (ignoring case and surrounding spaces) of one of the company's active
   campaigns;
2. the company's UTM rules, in their order: a rule matches when each of its `utm_source`, `utm_medium`,
   `utm_campaign` it sets equals the parameter (ignoring case). Google's auto-tagging (`gclid` without
   `utmSource`) counts as `utm_source=google`, `utm_medium=cpc`;
3. otherwise the Unknown campaign, with the reason (no tracking parameters, a campaign value that names no
   campaign, an inactive campaign, no rule for the source).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadline.bookings import service as bookings
from leadline.bookings.service import ONLINE, Incoming
from leadline.data import store
from leadline.data.models import Campaign, OnlineBookingConfig
from leadline.data.repositories import bookings as booking_records
from leadline.data.repositories import campaigns as campaign_records
from leadline.data.repositories import settings
from leadline.errors import InvalidInput, NotFound, Unauthorized
from leadline.phones import to_e164

KEY_PREFIX = "olb"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign")
# the scheduler's tracking parameters (its spelling) -> ours
TRACKING = {
    "campaign": "campaign",
    "utmSource": "utm_source",
    "utmMedium": "utm_medium",
    "utmCampaign": "utm_campaign",
    "utmTerm": "utm_term",
    "utmContent": "utm_content",
    "gclid": "gclid",
    "fbclid": "fbclid",
    "msclkid": "msclkid",
    "referrer": "referrer",
    "landingPage": "landing_page",
}


# --- the website key ----------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(tenant_id: str) -> dict[str, str]:
    """A new key for the company's website (the previous one stops working); shown once, only its hash is kept."""
    secret = secrets.token_urlsafe(24)
    config = _config(tenant_id) or booking_records.new_online_config(tenant_id)
    config.key_hash, config.key_hint = _hash(secret), secret[-4:]
    store.save(config, "the online-booking settings")
    return {"key": f"{KEY_PREFIX}.{tenant_id}.{secret}", "key_hint": config.key_hint}


def tenant_of_key(key: str | None) -> str:
    """The company whose website key this is; 401 otherwise (without telling which part was wrong)."""
    refused = Unauthorized("a valid X-Leadline-Key header (the company's online-booking key) is required")
    parts = (key or "").strip().split(".")
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        raise refused
    tenant_id, secret = parts[1], parts[2]
    try:
        config = _config(tenant_id)
    except NotFound:
        raise refused from None
    if config is None or not config.key_hash or not hmac.compare_digest(config.key_hash, _hash(secret)):
        raise refused
    return tenant_id


def _config(tenant_id: str) -> OnlineBookingConfig | None:
    if not tenant_id or len(tenant_id) > 64:
        raise NotFound("no such tenant")
    return booking_records.online_config(tenant_id)


def settings_view(tenant_id: str) -> dict[str, Any]:
    config = _config(tenant_id)
    return {
        "key_configured": bool(config and config.key_hash),
        "key_hint": config.key_hint if config else None,
        "rules": [dict(r) for r in (config.rules if config else [])],
    }


def put_rules(tenant_id: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    campaigns = campaign_records.batch_get(tenant_id, {r["campaign_id"] for r in rules})
    for index, rule in enumerate(rules):
        if rule["campaign_id"] not in campaigns:
            raise InvalidInput(f"rules[{index}]: campaign {rule['campaign_id']} does not exist", field="rules")
        if not any(rule.get(f) for f in UTM_FIELDS):
            raise InvalidInput(f"rules[{index}]: a rule needs at least one of {', '.join(UTM_FIELDS)}", field="rules")
    config = _config(tenant_id) or booking_records.new_online_config(tenant_id)
    config.rules = [
        {f: (rule.get(f) or None) for f in UTM_FIELDS} | {"campaign_id": rule["campaign_id"]} for rule in rules
    ]
    store.save(config, "the online-booking settings")
    return settings_view(tenant_id)


# --- attribution ----------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().lower() == b.strip().lower()


def attribute(tracking: dict[str, str], campaigns: list[Campaign], rules: list[dict[str, Any]]) -> dict[str, Any]:
    """{campaign_id (None: Unknown), matched_by: campaign | utm_rule | None, rule, reason, parameters}."""
    params = {k: v.strip() for k, v in tracking.items() if isinstance(v, str) and v.strip()}
    utm = {f: params.get(f) for f in UTM_FIELDS}
    if params.get("gclid") and not utm["utm_source"]:
        utm |= {"utm_source": "google", "utm_medium": utm["utm_medium"] or "cpc"}
    result: dict[str, Any] = {"campaign_id": None, "matched_by": None, "rule": None, "parameters": params}
    reasons = []
    if params.get("campaign"):
        named = [c for c in campaigns if _same(c.campaign_id, params["campaign"]) or _same(c.name, params["campaign"])]
        active = [c for c in named if c.active]
        if len(active) == 1:
            return result | {"campaign_id": active[0].campaign_id, "matched_by": "campaign", "reason": None}
        if len(active) > 1:
            reasons.append(f"campaign '{params['campaign']}' names {len(active)} campaigns")
        elif named:
            reasons.append(f"campaign '{params['campaign']}' is inactive")
        else:
            reasons.append(f"campaign '{params['campaign']}' is not one of the company's campaigns")
    active_ids = {c.campaign_id for c in campaigns if c.active}
    if any(utm.values()):
        for index, rule in enumerate(rules):
            set_fields = [f for f in UTM_FIELDS if rule.get(f)]
            if set_fields and all(_same(rule[f], utm[f]) for f in set_fields):
                if rule["campaign_id"] not in active_ids:
                    reasons.append(f"UTM rule {index + 1} matches, but its campaign is inactive or gone")
                    continue
                return result | {"campaign_id": rule["campaign_id"], "matched_by": "utm_rule", "rule": index + 1,
                                 "reason": None}  # fmt: skip
        shown = ", ".join(f"{f}={v}" for f, v in utm.items() if v)
        reasons.append(f"no UTM rule matches {shown}")
    if not params:
        reasons.append("no tracking parameters")
    elif not reasons:
        reasons.append("no campaign or UTM parameters (only " + ", ".join(sorted(params)) + ")")
    return result | {"reason": "; ".join(reasons)}


# --- a booking from the website -------------------------------------------------------------------


def submit(tenant_id: str, body: dict[str, Any], raw: str) -> tuple[dict[str, Any], bool]:
    """The booking (idempotent on the scheduler's `booking_id`) with its attribution."""
    customer = body["customer"]
    phone = to_e164(customer["phone"], field="customer.phone") if customer.get("phone") else None
    tracking = {ours: body.get("tracking", {}).get(theirs) for theirs, ours in TRACKING.items()}
    campaigns = campaign_records.list_page(tenant_id, limit=store.MAX_PAGE, next_token=None)
    config = _config(tenant_id)
    attribution = attribute(tracking, campaigns.items, [dict(r) for r in (config.rules if config else [])])
    times = [w for w in body.get("requested_times") or []]
    address = body.get("address")
    return bookings.receive(
        tenant_id,
        Incoming(
            source=ONLINE,
            external_id=body["booking_id"],
            customer_name=customer.get("name"),
            phone=phone,
            email=customer.get("email"),
            address=address,
            category=body.get("service"),
            description=body.get("notes"),
            requested_times=[f"{w['start']}/{w['end']}" for w in times],
            job_type_id=body.get("job_type_id"),
            business_unit_id=body.get("business_unit_id"),
            campaign_id=attribution["campaign_id"],
            attribution=attribution,
            flags=[] if attribution["campaign_id"] else ["unknown_campaign"],
            raw=raw,
        ),
    )


# --- the export ----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "booking_id", "external_id", "received_at", "received_local", "status", "customer_name", "phone", "service",
    "campaign_id", "campaign_name", "matched_by", "rule", "unknown_reason", "campaign", "utm_source", "utm_medium",
    "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "msclkid", "referrer", "landing_page", "job_id",
)  # fmt: skip


def export_csv(tenant_id: str, day_from: str, day_to: str) -> str:
    """Online booking sessions received from `day_from` to `day_to` (inclusive, the company's days), as CSV."""
    zone = ZoneInfo(settings.get_or_404(tenant_id).time_zone)
    try:
        start = datetime.fromisoformat(day_from).replace(tzinfo=zone)
        end = datetime.fromisoformat(day_to).replace(tzinfo=zone) + timedelta(days=1)
    except ValueError:
        raise InvalidInput("from and to are dates, YYYY-MM-DD", field="from") from None
    if end <= start:
        raise InvalidInput("to is before from", field="to")
    if end - start > timedelta(days=366):
        raise InvalidInput("at most a year at a time", field="to")
    iso = lambda m: m.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")  # noqa: E731
    campaigns = campaign_records.list_page(tenant_id, limit=store.MAX_PAGE, next_token=None)
    names = {c.campaign_id: c.name for c in campaigns.items}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for b in booking_records.received_between(tenant_id, iso(start), iso(end), source=ONLINE):
        attribution = store.plain_map(b.attribution) or {}
        params = attribution.get("parameters") or {}
        received = datetime.fromisoformat(b.received_at.replace("Z", "+00:00"))
        writer.writerow(
            {
                **{k: _cell(params.get(k)) for k in TRACKING.values()},
                "booking_id": b.booking_id,
                "external_id": b.external_id,
                "received_at": b.received_at,
                "received_local": received.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "status": b.status,
                "customer_name": _cell(b.customer_name),
                "phone": b.phone,
                "service": _cell(b.category),
                "campaign_id": b.campaign_id or "unknown",
                "campaign_name": names.get(b.campaign_id, "Unknown") if b.campaign_id else "Unknown",
                "matched_by": attribution.get("matched_by"),
                "rule": attribution.get("rule"),
                "unknown_reason": attribution.get("reason"),
                "job_id": b.job_id,
            }
        )
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Free text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
