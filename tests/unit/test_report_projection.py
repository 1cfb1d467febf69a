"""Report counting as one projection: a change adds what the record counts for after it minus before it, and the
recount adds up what each record counts for; so the counters kept as things happen equal the recount."""

from collections import Counter

from leadline.data import store
from leadline.data.models import Call, Job, Lead, SecondChanceLead
from leadline.reports import aggregates, projection
from leadline.scl_statuses import BOOKED_BY_SCL, CALL_BACK_ATTEMPTED

TENANT = "t-projection"
DAY = "2026-11-20"
aggregates.remember_zone(TENANT, "America/Denver")


def _added(steps) -> Counter:
    """What counter steps add, by (dimension, day, value, counter)."""
    added: Counter = Counter()
    for step in steps:
        for name, amount in step.counters.items():
            added[(step.sets["dimension"], step.sets["day"], step.sets["value"], name)] += amount
    return added


def _counted(record) -> Counter:
    return Counter(
        {(d, day, v, name): n for (d, day, v), row in projection.counts(record).items() for name, n in row.items()}
    )


def _made_on_the_day(model, **fields):
    item = store.new_item(model, TENANT, "-", **fields)
    item.created_at = f"{DAY}T18:00:00Z"  # in Denver, still that day
    return item


def _lead(**fields) -> Lead:
    return _made_on_the_day(Lead, lead_id="ld-1", **fields)


def test_a_new_lead_counts_once_by_campaign_and_source_and_its_conversion_only_adds_the_conversion():
    lead = _lead(source="call", campaign_id="cmp-1")
    assert _added(projection.change(lead)) == Counter(
        {("campaign", DAY, "cmp-1", "leads"): 1, ("source", DAY, "call", "leads"): 1}
    )
    before = projection.counts(lead)
    lead.status = "converted"
    assert _added(projection.change(lead, before)) == Counter(
        {("campaign", DAY, "cmp-1", "leads_converted"): 1, ("source", DAY, "call", "leads_converted"): 1}
    )
    lead.status = "dismissed"  # nothing a report counts changes: no step at all
    assert projection.change(lead, projection.counts(lead)) == []


def test_a_call_counts_from_its_attribution_and_is_handled_by_whoever_classified_it_last():
    call = store.new_item(Call, TENANT, "-", call_id="CA1", vendor="twilio")
    assert projection.counts(call) == {}  # not attributed yet: counted when it is
    call.attribution, call.campaign_id, call.report_day = "campaign", "cmp-1", DAY
    first = projection.change(call)
    assert _added(first) == Counter({("campaign", DAY, "cmp-1", "calls"): 1})
    before = projection.counts(call)
    call.classified_by, call.is_lead = "emp-a", True
    assert _added(projection.change(call, before)) == Counter(
        {("campaign", DAY, "cmp-1", "lead_calls"): 1, ("csr", DAY, "emp-a", "calls_handled"): 1}
    )
    before = projection.counts(call)
    call.classified_by, call.is_lead = "emp-b", False
    assert _added(projection.change(call, before)) == Counter(
        {
            ("campaign", DAY, "cmp-1", "lead_calls"): -1,
            ("csr", DAY, "emp-a", "calls_handled"): -1,
            ("csr", DAY, "emp-b", "calls_handled"): 1,
        }
    )


def test_an_scls_life_added_up_change_by_change_is_what_the_recount_finds_for_it():
    scl = _made_on_the_day(
        SecondChanceLead,
        scl_id="scl-1",
        call_id="CA1",
        phone="+15125550100",
        status="new",
        summary="asked for a quote",
        campaign_id=None,
        agent="emp-a",
    )
    kept = _added(projection.change(scl))
    for status, followed_up, saved_by in ((CALL_BACK_ATTEMPTED, True, None), (BOOKED_BY_SCL, True, "emp-b")):
        before = projection.counts(scl)
        scl.status = status
        scl.followed_up_at = scl.followed_up_at or (f"{DAY}T19:00:00Z" if followed_up else None)
        scl.saved_by = saved_by
        kept += _added(projection.change(scl, before))
    kept = Counter({key: n for key, n in kept.items() if n})
    assert kept == _counted(scl)
    assert kept[("scl_status", DAY, "new", "scls")] == 0 and kept[("scl_status", DAY, BOOKED_BY_SCL, "scls")] == 1
    assert kept[("campaign", DAY, "unknown", "scls_saved")] == 1 and kept[("csr", DAY, "emp-b", "scls_saved")] == 1


def test_a_job_counts_for_its_campaign_and_the_csr_who_booked_it():
    job = _made_on_the_day(
        Job, job_id="job-1", origin="lead", job_type_id="jt", business_unit_id="bu", campaign_id="cmp-1",
        booked_by="emp-a",
    )  # fmt: skip
    assert _added(projection.change(job)) == Counter(
        {("campaign", DAY, "cmp-1", "jobs"): 1, ("csr", DAY, "emp-a", "jobs"): 1}
    )
