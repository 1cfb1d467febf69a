"""What one sweep of the scanner costs as the tables grow: DynamoDB requests, items read and read units, with 1,000
and with 100,000 calls, side by side in one run.

    .venv/bin/python bench/scanner_cost.py [--calls 1000 100000]

Each size gets its own company in one embedded DynamoDB (moto, in process) holding what that many calls leave
behind: the calls, 1% of them with a delivery rejected (kept with the reason, through
`deliveries.keep` with its reason), 1% of calls with their after-call work still running (evaluation due in
10 minutes, through the evaluations repository) and 1% of texts held until the end of quiet hours tomorrow. None of
that is due. Then the scanner's entry point (`functions/scanner/handler.py`) runs under the DynamoDB meter:
- idle: nothing due anywhere;
- with a backlog: 20 outbox events their request left unpublished (older than the grace period): the sweep
  publishes them, so its cost follows the work due, not the table.
The scanner reads only its sharded maintenance indexes (outbox, pending deliveries, due evaluations, held texts),
each with a key range up to now, so neither the records nor what is not yet due is read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.local.runtime import local_environment, table_definition  # noqa: E402
from leadline import config  # noqa: E402

for key, value in local_environment().items():
    os.environ.setdefault(key, value)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")  # the backlog sweep warns, as it should

BACKLOG = 20  # outbox events left unpublished, for the sweep with work to do
SHARE = 100  # 1 in SHARE calls: a rejected delivery, an evaluation not yet due, a held text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, nargs="+", default=[1000, 100000])
    args = parser.parse_args()

    from moto import mock_aws

    with mock_aws():
        import boto3

        from infra.topology import RECORDS_TABLE

        boto3.client("dynamodb").create_table(**table_definition(RECORDS_TABLE))
        boto3.client("events").create_event_bus(Name=os.environ[config.EVENT_BUS_NAME])
        rows = []
        for calls in args.calls:
            tenant_id = f"bench-{calls}"
            started = time.monotonic()
            items = fill(tenant_id, calls)
            print(f"{calls:,} calls written in {time.monotonic() - started:.0f} s", file=sys.stderr)
            rows.append({"calls": calls, "items": items, **measure(tenant_id)})
    print("\nOne sweep of the scanner (outbox, kept deliveries, overdue evaluations, held texts):\n")
    header = (
        "calls",
        "company items",
        "idle: requests",
        "idle: items read",
        "idle: read units",
        f"{BACKLOG} events due: requests",
        f"{BACKLOG} events due: items read",
        f"{BACKLOG} events due: read units",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for r in rows:
        print(
            f"| {r['calls']:,} | {r['items']:,} | {r['idle'].total_requests} | {r['idle_items']} "
            f"| {r['idle'].read_units:.1f} | {r['backlog'].total_requests} | {r['backlog_items']} "
            f"| {r['backlog'].read_units:.1f} |"
        )
    for r in rows:
        by_operation = {k: dict(r[k].requests) for k in ("idle", "backlog")}
        print(json.dumps({"calls": r["calls"], **by_operation}), file=sys.stderr)
    first, last = rows[0], rows[-1]
    print(
        f"\n{last['calls'] / first['calls']:.0f}x the calls: the idle sweep read "
        f"{last['idle'].read_units / first['idle'].read_units:.2f}x the units in "
        f"{last['idle'].total_requests / first['idle'].total_requests:.2f}x the requests"
    )
    return 0


def fill(tenant_id: str, calls: int) -> int:
    """The records `calls` calls leave behind, nothing of it due; how many items that is."""
    from leadline import deliveries
    from leadline.config import scaled_seconds
    from leadline.data import keys
    from leadline.data.models import Call, TenantSettings
    from leadline.data.repositories import evaluations, notifications

    pk = keys.tenant(tenant_id)
    TenantSettings(pk, keys.SETTINGS, tenant_id=tenant_id, name="Bench", time_zone="America/Chicago").save()
    now = datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    due_at = (now + timedelta(seconds=scaled_seconds(600))).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    with Call.batch_write() as batch:
        for i in range(calls):
            call_id = f"CA{calls}x{i}"
            started = (now - timedelta(seconds=i * 30)).isoformat(timespec="seconds").replace("+00:00", "Z")
            call = Call(pk, keys.call(call_id), tenant_id=tenant_id, call_id=call_id, vendor="twilio")
            call.direction, call.status, call.started_at = "inbound", "completed", started
            call.from_number, call.to_number, call.duration_seconds = "+15125550177", "+15125550100", 75
            call.gsi1pk, call.gsi1sk = keys.calls_by_time(tenant_id), keys.in_order(started, call_id)
            batch.save(call)
            if i % SHARE == 0:
                batch.save(evaluations.new(tenant_id, call_id, due_at))
                text = notifications.new(
                    tenant_id,
                    uuid.uuid4().hex,
                    "sms",
                    event_id=uuid.uuid4().hex,
                    event_type="SecondChanceLeadCreated",
                    employee_id="emp-admin",
                    status="held",
                    address="+15125550111",
                    text="Acme: new Second Chance Lead",
                )
                notifications.hold(text, tomorrow)
                batch.save(text)
    for i in range(0, calls, SHARE):
        key = f"callrail:CAL{calls}x{i}-broken"
        deliveries.keep(tenant_id, key, "callrail", '{"id": "broken"', error="the body is not JSON")
    return 1 + calls + 3 * len(range(0, calls, SHARE))  # the settings, the calls, and per SHARE calls 3 more


def sweep() -> dict:
    from functions.scanner.handler import handler
    from infra.local.gateway import LambdaContext

    event = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}, "id": str(uuid.uuid4())}
    return handler(event, LambdaContext("scanner", 60, 512))


def metered_sweep():
    """(reading, items the Queries returned, what the sweep did)."""
    from infra.local.ddb_meter import metering

    returned: list[int] = []
    with metering(exclude_threads=()) as reading, items_returned(returned):
        outcome = sweep()
    return reading, sum(returned), outcome


@contextmanager
def items_returned(into: list[int]):
    """The number of items each Query returns, into `into` (the meter counts requests and units, not items)."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        response = original(self, operation_name, api_params)
        if operation_name == "Query":
            into.append(response.get("Count", 0))
        return response

    BaseClient._make_api_call = counting
    try:
        yield
    finally:
        BaseClient._make_api_call = original


def measure(tenant_id: str) -> dict:
    from leadline.events import outbox

    idle, idle_items, outcome = metered_sweep()
    assert not any(outcome.values()), f"the idle sweep found work: {outcome}"
    old = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    for i in range(BACKLOG):
        event = outbox.DomainEvent("LeadCreated", tenant_id, {"lead_id": f"ld-{i}"}, f"backlog-{i}", old)
        outbox.record(event).save()
    backlog, backlog_items, outcome = metered_sweep()
    assert outcome["outbox_published"] == BACKLOG, outcome
    return {"idle": idle, "idle_items": idle_items, "backlog": backlog, "backlog_items": backlog_items}


if __name__ == "__main__":
    raise SystemExit(main())
