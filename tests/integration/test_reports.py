"""Reports on the local runtime: a generated month of traffic (calls, classifications, leads, conversions, jobs,
SCLs and their outcomes, online and partner bookings), with duplicate deliveries, gives counters equal to a
brute-force recount over the records; the reports read from those counters say what the recount says; the
rebuild agrees; the API answers JSON and CSV and needs `view_reports`."""

from __future__ import annotations

import csv
import io
import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from leadline.bookings import service as bookings
from leadline.calls.events import CallEvent, Recording, Transcript
from leadline.customers import service as customers
from leadline.data import store
from leadline.data.repositories import calls
from leadline.leads import service as leads
from leadline.reports import aggregates as agg
from leadline.reports import rebuild, service
from leadline.scl import service as scl
from leadline.scl.analysis.rules import RulesAnalyser
from leadline.setup import service as setup
from leadline.workflows import after_call_work
from leadline.workflows.classify_call import classify
from tests.integration.test_second_chance_leads import NOT_A_PROSPECT, PROSPECT

START = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)  # a month: October 2026, in the company's days (Denver)
DAYS = 31


class Clock:
    """The records' clock, moved through the month as the traffic is generated."""

    def __init__(self):
        self.now = START

    def __call__(self) -> str:
        return self.now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(scope="module")
def month(runtime, tmp_path_factory):
    from tests.support.api import new_tenant

    tenant = new_tenant(runtime.api_url, runtime.signing_key)
    tid = tenant.tenant_id
    setup.update_settings(tid, {"second_chance_leads": {"enabled": True, "after_call_work_minutes": 60}})
    google = setup.create_campaign(tid, {"name": "Google", "active": True, "dnis": "+17205550100"})["campaign_id"]
    mailer = setup.create_campaign(tid, {"name": "Mailer", "active": True, "dnis": "+17205550101"})["campaign_id"]
    for number, campaign in (("+17205550100", google), ("+17205550101", mailer), ("+17205550102", None)):
        setup.create_tracking_number(
            tid,
            {"number": number, "number_type": "tracking" if campaign else "direct_dial", "label": None,
             "forwarding_number": None, "default_call_type": "lead", "sms_registered": False, "campaign_id": campaign},
        )  # fmt: skip
    unit = setup.business_units.create(tid, {"name": "HVAC", "active": True})["business_unit_id"]
    job_type = setup.job_types.create(tid, {"name": "Repair", "business_unit_ids": {unit}, "active": True})[
        "job_type_id"
    ]
    lead_reason = setup.call_reasons.create(tid, {"name": "Service", "is_lead": True, "active": True})["call_reason_id"]
    other_reason = setup.call_reasons.create(tid, {"name": "Status", "is_lead": False, "active": True})[
        "call_reason_id"
    ]
    csrs = [
        setup.create_employee(
            tid,
            {"name": f"CSR {i}", "email": f"csr{i}@{tid}.example", "phone": None, "role_id": "csr",
             "granted_permissions": set(), "active": True},
        )["employee_id"]
        for i in range(3)
    ]  # fmt: skip
    window = {"appointment_start": "2026-11-25T15:00:00Z", "appointment_end": "2026-11-25T17:00:00Z"}
    job_fields = {"job_type_id": job_type, "business_unit_id": unit, **window}

    clock = Clock()
    patch = pytest.MonkeyPatch()
    patch.setattr(store, "utc_now", clock)
    rng = random.Random(7)
    numbers = ["+17205550100", "+17205550101", "+17205550102", "+17205550199"]  # the last: no such number
    try:
        for day in range(DAYS):
            for call_index in range(rng.randint(1, 3)):
                clock.now = START + timedelta(days=day, minutes=7 * call_index)
                sid = f"CA{tid[-6:]}{day:02d}{call_index}"
                caller = f"+1720555{day:02d}{call_index}{rng.randint(0, 9)}"
                to = rng.choice(numbers)
                prospect = rng.random() < 0.4
                events = [
                    CallEvent(
                        "twilio",
                        sid,
                        f"{sid}:ringing",
                        "voice-status",
                        started_at=clock.now,
                        direction="inbound",
                        from_number=caller,
                        to_number=to,
                        status="ringing",
                        sequence=0,
                    ),
                    CallEvent(
                        "twilio",
                        sid,
                        f"{sid}:rec",
                        "recording",
                        recording=Recording(url=f"https://api.twilio.com/rec/{sid}"),
                    ),
                    CallEvent(
                        "twilio",
                        sid,
                        f"{sid}:tr",
                        "transcript",
                        transcript=Transcript(text=PROSPECT if prospect else NOT_A_PROSPECT),
                    ),
                ]  # fmt: skip  (not ended: no after-call-work timer runs in the background while the test reads)
                for event in events + events[:2]:  # the vendor retries: duplicates
                    after_call_work.ingest(tid, event)
                roll = rng.random()
                csr = rng.choice(csrs)
                if roll < 0.5:
                    classify(tid, sid, employee_id=csr, call_reason_id=lead_reason, notes=None, booked=None,
                             job_id=None)  # fmt: skip
                    if rng.random() < 0.3:  # classified again, by someone else, as not a lead
                        classify(tid, sid, employee_id=rng.choice(csrs), call_reason_id=other_reason,
                                 notes=None, booked=None, job_id=None)  # fmt: skip
                elif roll < 0.7:
                    classify(tid, sid, employee_id=csr, call_reason_id=other_reason, notes=None, booked=None,
                             job_id=None)  # fmt: skip
                call = calls.get(tid, sid)
                if call.lead_id and rng.random() < 0.5:
                    leads.convert(tid, call.lead_id, dict(job_fields), by=csr)
                clock.now += timedelta(minutes=10)
                if prospect:
                    scl.evaluate(tid, sid, RulesAnalyser())
                    scl.evaluate(tid, sid, RulesAnalyser())  # the event delivered twice
                    made = calls.get(tid, sid).scl_id
                    if made:
                        outcome = rng.random()
                        clock.now += timedelta(hours=2)
                        if outcome < 0.4:
                            scl.call_back(tid, made, by=csr)
                        if outcome < 0.25:
                            for _ in range(2):  # JobBooked delivered twice
                                scl.on_job_booked(tid, job_id=f"job-{sid}", phone=caller, booked_at=clock(),
                                                  booked_by=csr)  # fmt: skip
                        elif outcome < 0.5:
                            scl.dismiss(tid, made, reason="not_a_lead", by=csr)
            clock.now = START + timedelta(days=day, hours=5)
            customer = customers.create_customer(tid, {"name": "Walk-in", "phones": []})["customer_id"]
            if rng.random() < 0.5:
                leads.book_job(tid, {**job_fields, "customer_id": customer, "campaign_id": google}, by=rng.choice(csrs))
            for source, partner in (("online", None), ("partner", "thumbtack")):
                incoming = bookings.Incoming(
                    source=source, partner=partner, external_id=f"{source}-{day}", customer_name="B",
                    phone="+17205559999", campaign_id=rng.choice([google, mailer, None]),
                )  # fmt: skip
                booking, _ = bookings.receive(tid, incoming)
                bookings.receive(tid, incoming)  # delivered twice
                if rng.random() < 0.4:
                    bookings.convert(tid, booking["booking_id"], dict(job_fields), by=rng.choice(csrs))
    finally:
        patch.undo()
    return {"tenant": tenant, "google": google, "mailer": mailer, "csrs": csrs}


def _settled(tenant_id: str, timeout: float = 30.0) -> list:
    """The counters against the recount, once whatever the generated traffic set off in the background is done."""
    deadline = time.monotonic() + timeout
    while True:
        found = rebuild.differences(tenant_id)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(1)


def test_the_counters_equal_a_brute_force_recount_of_the_records(month):
    tid = month["tenant"].tenant_id
    assert _settled(tid) == []
    counted = rebuild.recount(tid)
    assert sum(r.get("calls", 0) for (d, _, _), r in counted.items() if d == agg.CAMPAIGN) > 30
    assert sum(r.get("scls", 0) for (d, _, _), r in counted.items() if d == agg.CAMPAIGN) > 5
    assert sum(r.get("leads_converted", 0) for (d, _, _), r in counted.items() if d == agg.SOURCE) > 5


def _still(tid: str, read, timeout: float = 30.0):
    """The recount and what `read` gives, at a moment when nothing changed between the two."""
    deadline = time.monotonic() + timeout
    while True:
        counted = rebuild.recount(tid)
        value = read()
        if rebuild.recount(tid) == counted or time.monotonic() > deadline:
            return counted, value
        time.sleep(1)


def test_the_reports_say_what_the_recount_says(month):
    tid = month["tenant"].tenant_id
    assert _settled(tid) == []
    counted, summary = _still(tid, lambda: service.campaign_summary(tid, "2026-10-01", "2026-10-31"))
    by_campaign = {row["campaign_id"]: row for row in summary["rows"]}
    for campaign in {v for (d, _, v) in counted if d == agg.CAMPAIGN}:
        expected = {name: sum(r.get(name, 0) for (d, _, v), r in counted.items() if d == agg.CAMPAIGN and v == campaign)
                    for name in agg.COUNTERS}  # fmt: skip
        row = by_campaign[campaign]
        assert (row["calls"], row["lead_calls"], row["leads"], row["booked_jobs"], row["scls_created"],
                row["scls_saved"], row["leads_converted"]) == (
            expected["calls"], expected["lead_calls"], expected["leads"], expected["jobs"], expected["scls"],
            expected["scls_saved"], expected["leads_converted"])  # fmt: skip
    assert {"unknown", "direct", month["google"], month["mailer"]} <= set(by_campaign)
    calls_total = summary["totals"]["calls"]
    assert summary["attribution_rate"] == round((calls_total - by_campaign["unknown"]["calls"]) / calls_total, 4)

    volume = service.lead_volume(tid, "2026-10-01", "2026-10-31")
    assert len(volume["days"]) == 31
    assert sum(d["leads"] for d in volume["days"]) == sum(
        r.get("leads", 0) for (d, _, _), r in counted.items() if d == agg.SOURCE
    )
    assert set(volume["sources"]) >= {"call", "online", "partner"}

    recovery = service.scl_recovery(tid, "2026-10-01", "2026-10-31")
    scls = [r for (d, _, _), r in counted.items() if d == agg.CAMPAIGN]
    assert recovery["scls_created"] == sum(r.get("scls", 0) for r in scls)
    assert recovery["scls_saved"] == sum(r.get("scls_saved", 0) for r in scls)
    assert sum(o["scls"] for o in recovery["outcome_mix"]) == recovery["scls_created"]

    performance = {r["employee_id"]: r for r in service.csr_performance(tid, "2026-10-01", "2026-10-31")["rows"]}
    for csr in month["csrs"]:
        handled = sum(r.get("calls_handled", 0) for (d, _, v), r in counted.items() if d == agg.CSR and v == csr)
        assert performance.get(csr, {}).get("calls_handled", 0) == handled


def test_a_90_day_report_reads_days_times_values_not_calls(month):
    """The summary's Query reads only aggregates: their number is bounded by days x campaigns x shards."""
    tid = month["tenant"].tenant_id
    items = service.read(tid, agg.CAMPAIGN, "2026-09-01", "2026-11-29")
    assert 0 < len(items) <= 90 * 4 * agg.SHARDS


def test_the_rebuild_agrees(month):
    tid = month["tenant"].tenant_id
    assert _settled(tid) == []
    before = service.campaign_summary(tid, "2026-10-01", "2026-10-31")
    assert rebuild.rebuild(tid) > 0
    assert rebuild.differences(tid) == []
    assert service.campaign_summary(tid, "2026-10-01", "2026-10-31") == before


def test_the_api_gives_json_and_csv_and_needs_view_reports(month):
    tenant = month["tenant"]
    response = tenant.admin.get("/v1/reports/campaign-summary", params={"from": "2026-10-01", "to": "2026-10-31"})
    assert response.status_code == 200, response.text
    assert response.json()["rows"][-1]["campaign"] == "Unknown"
    as_csv = tenant.admin.get(
        "/v1/reports/campaign-summary", params={"from": "2026-10-01", "to": "2026-10-31", "format": "csv"}
    )
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows[-1]["campaign"] == "Total" and int(rows[-1]["calls"]) == response.json()["totals"]["calls"]
    for name in ("lead-volume", "scl-recovery", "csr-performance"):
        ok = tenant.admin.get(f"/v1/reports/{name}", params={"from": "2026-10-01", "to": "2026-10-31"})
        assert ok.status_code == 200, (name, ok.text)
        assert (
            tenant.csr.get(f"/v1/reports/{name}", params={"from": "2026-10-01", "to": "2026-10-02"}).status_code == 403
        )
    bad = tenant.admin.get("/v1/reports/lead-volume", params={"from": "2026-10-31", "to": "2026-10-01"})
    assert bad.status_code == 422 and "before" in bad.text
