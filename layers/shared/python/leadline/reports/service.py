"""The reports, read from the aggregates (never from the calls, leads or jobs themselves): a report over D days
reads about D x values x shards small items, however many calls those days had. Days are the company's."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from leadline import scl_statuses
from leadline.data import store
from leadline.data.models import Aggregate
from leadline.data.repositories import aggregates as aggregate_items
from leadline.data.repositories import campaigns
from leadline.data.repositories.people import employees
from leadline.errors import InvalidInput
from leadline.reports import aggregates as agg
from leadline.setup.attribution import DIRECT

MAX_DAYS = 366


def _days(day_from: str, day_to: str) -> tuple[str, str]:
    try:
        start, end = date.fromisoformat(day_from), date.fromisoformat(day_to)
    except ValueError:
        raise InvalidInput("from and to are dates, YYYY-MM-DD", field="from") from None
    if end < start:
        raise InvalidInput("to is before from", field="to")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at a time", field="to")
    return start.isoformat(), end.isoformat()


def read(tenant_id: str, dimension: str, day_from: str, day_to: str) -> list[Aggregate]:
    """Every aggregate of one dimension over the days (a Query on the tenant's partition, sort-key range)."""
    return aggregate_items.of_days(tenant_id, dimension, day_from, day_to)


def _sum(items: list[Aggregate], key) -> dict[Any, dict[str, int]]:
    totals: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(agg.COUNTERS, 0))
    for item in items:
        row = totals[key(item)]
        for name in agg.COUNTERS:
            row[name] += int(getattr(item, name) or 0)
    return totals


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def campaign_summary(tenant_id: str, day_from: str, day_to: str) -> dict[str, Any]:
    day_from, day_to = _days(day_from, day_to)
    by_campaign = _sum(read(tenant_id, agg.CAMPAIGN, day_from, day_to), lambda a: a.value)
    page = campaigns.list_page(tenant_id, limit=store.MAX_PAGE, next_token=None)
    names = {c.campaign_id: c.name for c in page.items}
    names |= {agg.UNKNOWN: "Unknown", DIRECT: "Direct"}
    by_campaign.setdefault(agg.UNKNOWN, dict.fromkeys(agg.COUNTERS, 0))  # the Unknown row is always there
    rows = []
    for campaign_id, c in sorted(by_campaign.items(), key=lambda kv: (kv[0] == agg.UNKNOWN, names.get(kv[0], kv[0]))):
        rows.append(_summary_row(campaign_id, names.get(campaign_id, campaign_id), c))
    totals = {name: sum(r[name] for r in rows) for name in ("calls", "lead_calls", "leads", "leads_converted",
                                                              "booked_jobs", "scls_created", "scls_saved")}  # fmt: skip
    totals["lead_to_booking_rate"] = _rate(totals["leads_converted"], totals["leads"])
    unknown_calls = by_campaign[agg.UNKNOWN]["calls"]
    return {
        "from": day_from,
        "to": day_to,
        "rows": rows,
        "totals": totals,
        "attribution_rate": _rate(totals["calls"] - unknown_calls, totals["calls"]),
    }


def _summary_row(campaign_id: str, name: str, c: dict[str, int]) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "campaign": name,
        "calls": c["calls"],
        "lead_calls": c["lead_calls"],
        "leads": c["leads"],
        "leads_converted": c["leads_converted"],
        "booked_jobs": c["jobs"],
        "lead_to_booking_rate": _rate(c["leads_converted"], c["leads"]),
        "scls_created": c["scls"],
        "scls_saved": c["scls_saved"],
    }


def _each_day(day_from: str, day_to: str) -> list[str]:
    start, end = date.fromisoformat(day_from), date.fromisoformat(day_to)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def lead_volume(tenant_id: str, day_from: str, day_to: str) -> dict[str, Any]:
    """Leads by day and source, and the lead-to-booking rate over time (leads converted of the day's leads)."""
    day_from, day_to = _days(day_from, day_to)
    cells = _sum(read(tenant_id, agg.SOURCE, day_from, day_to), lambda a: (a.day, a.value))
    sources = sorted({source for _, source in cells})
    days = []
    for day in _each_day(day_from, day_to):
        by_source = {s: cells[(day, s)]["leads"] for s in sources if (day, s) in cells}
        leads = sum(cells[(day, s)]["leads"] for s in sources if (day, s) in cells)
        converted = sum(cells[(day, s)]["leads_converted"] for s in sources if (day, s) in cells)
        days.append(
            {
                "day": day,
                "leads": leads,
                "by_source": by_source,
                "leads_converted": converted,
                "lead_to_booking_rate": _rate(converted, leads),
            }
        )
    return {"from": day_from, "to": day_to, "sources": sources, "days": days}


def scl_recovery(tenant_id: str, day_from: str, day_to: str) -> dict[str, Any]:
    """Of the SCLs created each day: followed up (called back or saved), saved; the outcome mix by status."""
    day_from, day_to = _days(day_from, day_to)
    by_day = _sum(read(tenant_id, agg.CAMPAIGN, day_from, day_to), lambda a: a.day)
    mix = _sum(read(tenant_id, agg.SCL_STATUS, day_from, day_to), lambda a: a.value)
    days = [
        {
            "day": day,
            "scls_created": by_day[day]["scls"] if day in by_day else 0,
            "scls_followed_up": by_day[day]["scls_followed_up"] if day in by_day else 0,
            "scls_saved": by_day[day]["scls_saved"] if day in by_day else 0,
        }
        for day in _each_day(day_from, day_to)
    ]
    created = sum(d["scls_created"] for d in days)
    followed = sum(d["scls_followed_up"] for d in days)
    saved = sum(d["scls_saved"] for d in days)
    labels = scl_statuses.LABELS
    outcomes = {status: mix[status]["scls"] for status in labels if status in mix and mix[status]["scls"]}
    return {
        "from": day_from,
        "to": day_to,
        "scls_created": created,
        "scls_followed_up": followed,
        "scls_saved": saved,
        "follow_up_rate": _rate(followed, created),
        "save_rate": _rate(saved, created),
        "outcome_mix": [{"status": s, "label": labels[s], "scls": n} for s, n in outcomes.items()],
        "days": days,
    }


def csr_performance(tenant_id: str, day_from: str, day_to: str) -> dict[str, Any]:
    day_from, day_to = _days(day_from, day_to)
    by_csr = _sum(read(tenant_id, agg.CSR, day_from, day_to), lambda a: a.value)
    found = employees.batch_get(tenant_id, by_csr) if by_csr else {}
    rows = []
    for employee_id, c in sorted(by_csr.items()):
        employee = found.get(employee_id)
        rows.append(
            {
                "employee_id": employee_id,
                "name": employee.name if employee else employee_id,
                "calls_handled": c["calls_handled"],
                "booked_jobs": c["jobs"],
                "booking_rate": _rate(c["jobs"], c["calls_handled"]),
                "scls_raised": c["scls"],
                "scls_saved": c["scls_saved"],
            }
        )
    return {"from": day_from, "to": day_to, "rows": rows}


def to_csv(report: str, data: dict[str, Any]) -> str:
    """The report's rows as CSV (one line per row; a totals line for the campaign summary)."""
    out = io.StringIO()
    if report == "campaign-summary":
        rows = [*data["rows"], {"campaign_id": "", "campaign": "Total", **data["totals"]}]
    elif report == "lead-volume":
        rows = [
            {"day": d["day"], "leads": d["leads"], **{f"leads_{s}": d["by_source"].get(s, 0) for s in data["sources"]},
             "leads_converted": d["leads_converted"], "lead_to_booking_rate": d["lead_to_booking_rate"]}
            for d in data["days"]
        ]  # fmt: skip
    elif report == "scl-recovery":
        rows = data["days"]
    else:
        rows = data["rows"]
    fields = list(dict.fromkeys(k for row in rows for k in row)) or ["empty"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Empty for None; text a spreadsheet would run as a formula (=, +, -, @ first) gets a quote before it."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
