"""What a 90-day Campaign Summary costs as the call volume grows: DynamoDB requests, items read and read units,
with 1,000 and with 100,000 calls over the same 90 days and 8 campaigns, side by side in one run.

    .venv/bin/python bench/report_cost.py [--calls 1000 100000] [--days 90] [--campaigns 8]

Each size gets its own company in one embedded DynamoDB (moto, in process). Its calls are written as records,
and the counters they would have added as they arrived (by `leadline.reports.aggregates`, the same keys and
shards the ingest writes; tests/integration/test_reports.py checks on real traffic that those counters equal a
recount of the records) are written beside them. Then the report is read through `leadline.reports.service`
under the DynamoDB meter. For contrast, the brute-force recount over the records (what a report would cost
without the counters) is metered too.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.local.runtime import local_environment, table_definition  # noqa: E402

for key, value in local_environment().items():
    os.environ.setdefault(key, value)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--campaigns", type=int, default=8)
    args = parser.parse_args()

    from moto import mock_aws

    with mock_aws():
        import boto3

        from infra.topology import RECORDS_TABLE

        boto3.client("dynamodb").create_table(**table_definition(RECORDS_TABLE))
        rows = [measure(calls, args.days, args.campaigns) for calls in args.calls]
    print(
        f"\n90-day Campaign Summary, {args.campaigns} campaigns + unknown + direct, "
        f"{agg_shards()} shards per counter item:\n"
    )
    header = ("calls", "counter items", "report requests", "items read", "read units", "recount read units")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(
            f"| {r['calls']:,} | {r['aggregates']:,} | {r['requests']} | {r['items_read']:,} | {r['read_units']:.1f} "
            f"| {r['recount_units']:.0f} |"
        )
    first, last = rows[0], rows[-1]
    calls_ratio = last["calls"] / first["calls"]
    report_ratio = last["read_units"] / first["read_units"]
    recount_ratio = last["recount_units"] / first["recount_units"]
    print(
        f"\n{calls_ratio:.0f}x the calls: the report read {report_ratio:.2f}x the units"
        f" (the recount: {recount_ratio:.0f}x)"
    )
    return 0


def agg_shards() -> int:
    from leadline.data.repositories import aggregates

    return aggregates.SHARDS


def measure(calls: int, days: int, campaigns: int) -> dict:
    from infra.local.ddb_meter import metering
    from leadline.data import keys
    from leadline.data.models import Aggregate, Call, TenantSettings
    from leadline.data.repositories import aggregates as aggregate_items
    from leadline.reports import aggregates as agg
    from leadline.reports import rebuild, service

    tenant_id = f"bench-{calls}"
    pk = keys.tenant(tenant_id)
    TenantSettings(pk, keys.SETTINGS, tenant_id=tenant_id, name="Bench", time_zone="America/Chicago").save()
    rng = random.Random(calls)
    first = date(2026, 8, 1)
    values = [f"cmp-{i}" for i in range(campaigns)] + ["unknown", "direct"]
    counters: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    started = time.monotonic()
    with Call.batch_write() as batch:
        for i in range(calls):
            call_id = f"CA{calls}x{i}"
            day = (first + timedelta(days=rng.randrange(days))).isoformat()
            campaign = rng.choice(values)
            lead = rng.random() < 0.35
            call = Call(pk, keys.call(call_id), tenant_id=tenant_id, call_id=call_id, vendor="bench")
            call.attribution = "attributed" if campaign.startswith("cmp-") else campaign
            call.campaign_id = campaign if campaign.startswith("cmp-") else None
            call.report_day, call.is_lead = day, lead
            batch.save(call)
            key = (agg.CAMPAIGN, day, campaign, aggregate_items.shard_of(call_id))
            counters[key]["calls"] += 1
            counters[key]["lead_calls"] += int(lead)
    with Aggregate.batch_write() as batch:
        for (dimension, day, value, shard), row in counters.items():
            item = aggregate_items.item(tenant_id, dimension, day, value, shard)
            item.dimension, item.day, item.value = dimension, day, value
            for name, amount in row.items():
                setattr(item, name, amount)
            batch.save(item)
    print(f"{calls:,} calls and {len(counters):,} counter items written in {time.monotonic() - started:.0f} s")

    last = (first + timedelta(days=days - 1)).isoformat()
    with metering(exclude_threads=()) as report:
        summary = service.campaign_summary(tenant_id, first.isoformat(), last)
    assert summary["totals"]["calls"] == calls, summary["totals"]
    items_read = len(service.read(tenant_id, agg.CAMPAIGN, first.isoformat(), last))
    with metering(exclude_threads=()) as brute:
        recounted = rebuild.recount(tenant_id)
    assert sum(r.get("calls", 0) for r in recounted.values()) == calls
    return {
        "calls": calls,
        "aggregates": len(counters),
        "requests": report.total_requests,
        "items_read": items_read,
        "read_units": report.read_units,
        "recount_units": brute.read_units,
    }


if __name__ == "__main__":
    raise SystemExit(main())
