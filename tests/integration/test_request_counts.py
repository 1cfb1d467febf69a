"""DynamoDB requests per operation on the local runtime, counted by infra/local/ddb_meter.py over the operations
bench/ddb_requests.py measures (each once here): no Scan on any request path, every staff GET measured, and the
request counts of the hot paths held. The call webhooks' counts are held in test_call_webhooks.py."""

from __future__ import annotations

import pytest

from bench.ddb_requests import Measured, Traffic, measure, run_all, seed_company
from leadline.data import keys
from leadline.data.models import Delivery, Lead
from leadline.data.repositories import deliveries, evaluations, notifications, outbox
from leadline.data.repositories import leads as lead_records

# Every staff request begins with one BatchGetItem: the caller's employee record and role (permissions are read
# fresh on every request). Then a read is one key lookup or one Query, with a few named exceptions.
LOOKUP = {"BatchGetItem": 1, "GetItem": 1}
LISTING = {"BatchGetItem": 1, "Query": 1}
SCL_QUEUE = {"BatchGetItem": 1, "GetItem": 1, "Query": 1}  # + the company's settings (its cold-lead threshold)
WITH_CUSTOMERS = {"BatchGetItem": 2, "Query": 1}  # a page of leads with customers: + their names (none: no read)

STAFF_READS = {
    "Staff GET /v1/bookings": LISTING,
    "Staff GET /v1/bookings?status=pending": LISTING,
    "Staff GET /v1/bookings?source=partner": LISTING,
    "Staff GET /v1/bookings?flagged=true": LISTING,
    "Staff GET /v1/bookings/export?from=<from>&to=<to>": {"BatchGetItem": 1, "GetItem": 1, "Query": 2},
    "Staff GET /v1/bookings/{booking_id}": LOOKUP,
    "Staff GET /v1/business-units": LISTING,
    "Staff GET /v1/business-units/{business_unit_id}": LOOKUP,
    "Staff GET /v1/call-reasons": LISTING,
    "Staff GET /v1/call-reasons/{call_reason_id}": LOOKUP,
    "Staff GET /v1/calls": {"BatchGetItem": 1, "GetItem": 2, "Query": 1},  # the settings, read twice for today
    "Staff GET /v1/calls?day=<day>": {"BatchGetItem": 1, "GetItem": 1, "Query": 1},
    "Staff GET /v1/calls?campaign_id=<campaign_id>": LISTING,
    "Staff GET /v1/calls?caller=<caller>": LISTING,
    "Staff GET /v1/calls/{call_id}": LOOKUP,
    "Staff GET /v1/campaigns": LISTING,
    "Staff GET /v1/campaigns/{campaign_id}": {"BatchGetItem": 1, "GetItem": 1, "Query": 1},
    "Staff GET /v1/customers?phone=<phone>": {"BatchGetItem": 2, "Query": 1},
    "Staff GET /v1/customers/{customer_id}": {"BatchGetItem": 1, "GetItem": 1, "Query": 1},
    "Staff GET /v1/dni": LOOKUP,
    "Staff GET /v1/employees": LISTING,
    "Staff GET /v1/employees/{employee_id}": LOOKUP,
    "Staff GET /v1/integrations": LISTING,
    "Staff GET /v1/integrations/{partner}": LOOKUP,
    "Staff GET /v1/integrations/{partner}/diagnostics": {"BatchGetItem": 3, "GetItem": 3, "Query": 1},
    "Staff GET /v1/integrations/{partner}/deliveries": LISTING,
    "Staff GET /v1/integrations/{partner}/deliveries/{delivery_id}": LOOKUP,
    "Staff GET /v1/job-types": LISTING,
    "Staff GET /v1/job-types/{job_type_id}": LOOKUP,
    "Staff GET /v1/jobs/{job_id}": LOOKUP,
    "Staff GET /v1/lead-dismiss-reasons": LISTING,
    "Staff GET /v1/leads": WITH_CUSTOMERS,
    "Staff GET /v1/leads?status=open": LISTING,
    "Staff GET /v1/leads?source=abandoned_call": LISTING,
    "Staff GET /v1/leads?campaign_id=<campaign_id>": LISTING,
    "Staff GET /v1/leads?business_unit_id=<business_unit_id>": WITH_CUSTOMERS,
    "Staff GET /v1/leads?created_from=<created_from>&created_to=<created_to>": WITH_CUSTOMERS,
    "Staff GET /v1/leads/{lead_id}": LOOKUP,
    "Staff GET /v1/me": LOOKUP,
    "Staff GET /v1/me/notification-preferences": {"BatchGetItem": 1, "GetItem": 2},
    "Staff GET /v1/notifications": LISTING,
    "Staff GET /v1/notifications?unread=true": LISTING,
    "Staff GET /v1/permissions": {"BatchGetItem": 1},
    "Staff GET /v1/reports/campaign-summary?from=<from>&to=<to>": {"BatchGetItem": 1, "Query": 2},
    "Staff GET /v1/reports/csr-performance?from=<from>&to=<to>": {"BatchGetItem": 2, "Query": 1},
    "Staff GET /v1/reports/lead-volume?from=<from>&to=<to>": LISTING,
    "Staff GET /v1/reports/scl-recovery?from=<from>&to=<to>": {"BatchGetItem": 1, "Query": 2},
    "Staff GET /v1/roles": LISTING,
    "Staff GET /v1/roles/{role_id}": LOOKUP,
    "Staff GET /v1/second-chance-leads?tab=open": SCL_QUEUE,
    "Staff GET /v1/second-chance-leads?tab=cold": SCL_QUEUE,
    "Staff GET /v1/second-chance-leads?tab=done": SCL_QUEUE,
    "Staff GET /v1/second-chance-leads?tab=open&status=new": SCL_QUEUE,
    "Staff GET /v1/second-chance-leads?tab=open&search=technician": SCL_QUEUE,
    "Staff GET /v1/second-chance-leads/banner?phone=<phone>": SCL_QUEUE,
    # one count-only Query per tab
    "Staff GET /v1/second-chance-leads/counts": {"BatchGetItem": 1, "GetItem": 1, "Query": 3},
    "Staff GET /v1/second-chance-leads/{scl_id}": {"BatchGetItem": 1, "GetItem": 2},
    "Staff GET /v1/settings": LOOKUP,
    "Staff GET /v1/settings/online-bookings": LOOKUP,
    # one BatchGetItem per employee for their permissions (3 in the seeded company): grows with the staff
    "Staff GET /v1/settings/second-chance-leads": {"BatchGetItem": 4, "GetItem": 1, "Query": 1},
    "Staff GET /v1/tracking-numbers": LISTING,
    "Staff GET /v1/tracking-numbers/{number}": LOOKUP,
    "Staff GET /v1/tracking-numbers/{number}/diagnostics": {"BatchGetItem": 1, "GetItem": 2},
}

HOT_PATHS = {
    "Partner: Thumbtack NegotiationCreatedV4 (a new lead)": {
        "GetItem": 1,  # the integration
        "TransactWriteItems": 2,  # the booking with its outbox event and counters; the integration's counters
        "BatchWriteItem": 1,  # the outbox cleared once BookingReceived is on the bus
        "Query": 1,  # messages that arrived before their lead
    },
    "Partner: Thumbtack MessageCreatedV4 (a note on its lead's booking)": {"GetItem": 1, "TransactWriteItems": 1},
    "Partner: Angi lead": {"GetItem": 1, "TransactWriteItems": 2, "BatchWriteItem": 1},
    "Partner: Angi lead, a duplicate delivery": {"GetItem": 2, "TransactWriteItems": 2},
    "Partner: generic signed JSON lead (Networx)": {"GetItem": 1, "TransactWriteItems": 2, "BatchWriteItem": 1},
    "Website: POST /v1/online-bookings (attributed by a UTM rule)": {
        "GetItem": 2,
        "Query": 1,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Website: POST /v1/online-bookings, a duplicate": {"GetItem": 3, "Query": 1, "TransactWriteItems": 1},
    "Website: POST /dni/{tenant}/sessions (a new visitor)": {"GetItem": 1, "Query": 1, "TransactWriteItems": 1},
    "Website: POST /dni/{tenant}/sessions (a returning visitor)": {"GetItem": 2, "Query": 1, "TransactWriteItems": 1},
    "call_evaluator AfterCallWorkElapsed: a prospect (SCL + abandoned-call lead)": {
        "BatchGetItem": 1,  # the call and the settings, consistent
        "Query": 1,  # a job booked for the caller since the call
        "TransactWriteItems": 2,  # call + number claim + SCL + outbox + counters; abandoned-call lead + call
        "BatchWriteItem": 2,  # each outbox cleared
        "GetItem": 2,  # the call again (consistent) for the abandoned-call lead; its EvaluationDue
        "DeleteItem": 1,  # the EvaluationDue
    },
    "call_evaluator AfterCallWorkElapsed: not a prospect (abandoned-call lead)": {
        "BatchGetItem": 1,
        "Query": 1,
        "TransactWriteItems": 2,
        "BatchWriteItem": 1,
        "GetItem": 2,
        "DeleteItem": 1,
    },
    "call_evaluator AfterCallWorkElapsed, a repeated delivery": {"BatchGetItem": 1, "GetItem": 2},
    "call_evaluator SecondChanceLeadEvaluationDue (late transcript), already evaluated": {
        "BatchGetItem": 1,
        "GetItem": 1,
    },
    "call_evaluator JobBooked, no SCL for the number (most jobs)": {"Query": 1},
    "call_evaluator JobBooked, the caller's open SCL (job booked by SCL)": {
        "Query": 1,
        "GetItem": 2,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Staff POST /v1/leads (manual lead, LeadCreated published)": {
        "BatchGetItem": 2,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Staff POST /v1/leads/{id}/convert (job + lead + 2 events)": {
        "BatchGetItem": 2,
        "GetItem": 1,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Staff POST /v1/leads/{id}/dismiss (standard reason)": {
        "BatchGetItem": 1,
        "GetItem": 1,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Staff POST /v1/jobs (booked on its own, open leads listed)": {
        "BatchGetItem": 2,
        "Query": 1,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Staff PUT /v1/calls/{id}/classification (a lead reason: the call's lead made)": {
        "BatchGetItem": 2,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
    "Staff POST /v1/second-chance-leads/{id}/callback": {
        "BatchGetItem": 1,
        "GetItem": 2,
        "TransactWriteItems": 1,
        "BatchWriteItem": 1,
    },
}


@pytest.fixture(scope="module")
def traffic(runtime) -> Traffic:
    return Traffic(runtime, seed_company(runtime))


@pytest.fixture(scope="module")
def measured(traffic) -> dict[str, Measured]:
    """Every operation once, in the bench's order."""
    return {m.operation.name: m for m in run_all(traffic, 1)}


def test_no_operation_makes_a_scan(measured):
    scans = {name: m.reading.requests["Scan"] for name, m in measured.items() if m.reading.requests["Scan"]}
    assert scans == {}
    silent = [name for name, m in measured.items() if m.reading.total_requests == 0]
    assert silent == [], "operations the meter saw no DynamoDB request of"


def test_every_staff_get_of_the_api_is_measured(traffic, measured):
    documented = traffic.staff_get_routes()
    assert len(documented) > 40 and all(path.startswith("/v1/") for path in documented)
    assert {m.operation.route[1] for m in measured.values() if m.operation.route} == documented


def test_each_staff_read_makes_its_fixed_requests(measured):
    reads = {name: dict(m.reading.requests) for name, m in measured.items() if m.operation.route}
    assert reads == STAFF_READS


def test_the_hot_paths_make_their_fixed_requests(measured):
    counts = {name: dict(measured[name].reading.requests) for name in HOT_PATHS}
    assert counts == HOT_PATHS


def test_an_idle_sweep_of_the_scanner_is_one_query_per_shard_of_its_four_indexes(traffic):
    shards = outbox.SHARDS + deliveries.PENDING_SHARDS + evaluations.SHARDS + notifications.HELD_SHARDS
    for _attempt in range(3):  # other tests' work may come due in the session; the sweep after it is idle
        sweep = measure(traffic.scanner(), 1)
        if not any(sweep.outcomes[0].values()):
            break
    else:
        pytest.fail(f"the scanner found work due on every sweep: {sweep.outcomes}")
    assert dict(sweep.reading.requests) == {"Query": shards}


def test_a_rejected_delivery_is_not_left_in_the_scanners_pending_index(tenant):
    response = tenant.vendors.callrail(b'{"id": "CAL-broken", "duration": "a lot"')
    assert response.status_code == 400
    (kept,) = Delivery.query(keys.tenant(tenant.tenant_id), Delivery.sk.startswith(keys.DELIVERIES))
    assert kept.state == deliveries.REJECTED and kept.raw
    pending = Delivery.by_parent.query(deliveries.pending_partition(tenant.tenant_id, kept.dedupe_key))
    assert kept.dedupe_key not in {r.dedupe_key for r in pending if r.tenant_id == tenant.tenant_id}


def test_a_filtered_list_reads_at_most_five_pages_and_goes_on_by_its_next_token(tenant):
    """A filter that few items pass would otherwise read the whole partition in one request."""
    from infra.local.ddb_meter import metering

    # Given 3 leads from the website, older than 600 manual leads
    with Lead.batch_write() as batch:
        for i in range(603):
            lead = Lead(
                keys.tenant(tenant.tenant_id),
                keys.lead(f"ld-{i:04d}"),
                tenant_id=tenant.tenant_id,
                lead_id=f"ld-{i:04d}",
                source="online" if i < 3 else "manual",
                created_at=f"2026-11-01T00:{i // 60:02d}:{i % 60:02d}.000Z",
                updated_at=f"2026-11-01T00:{i // 60:02d}:{i % 60:02d}.000Z",
            )
            lead_records.index(lead)
            batch.save(lead)
    # When the staff list the leads from the website, 50 a page, following next_token
    pages, token = [], None
    while True:
        with metering() as reading:
            response = tenant.admin.get("/v1/leads", params={"source": "online", "limit": 50, "next_token": token})
        assert response.status_code == 200, response.text
        pages.append((len(response.json()["items"]), reading.requests["Query"]))
        found = response.json()
        token = found["next_token"]
        if not token:
            break
    # Then no page read more than 5 pages of 50, and the 3 were found, on the last
    assert pages == [(0, 5), (0, 5), (3, 3)]
    assert [i["lead_id"] for i in found["items"]] == ["ld-0002", "ld-0001", "ld-0000"]
