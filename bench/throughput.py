"""Throughput of the local runtime for a busy call-centre day, end to end, as a ratio to moto's own raw
conditional-write rate measured in the same run, on the same moto server, at the same concurrency.

    .venv/bin/python bench/throughput.py [--calls 500] [--concurrency 8] [--duplicates 0.1] [--raw-writes 2000]
    .venv/bin/python bench/throughput.py --calls 200 --profile     # where a webhook's time goes (cProfile)

The day is `bench/load.py`'s: every call with all of its vendor's webhooks (duplicated at random, out of order,
interleaved across calls), CSRs classifying some calls, partner leads delivered twice; end to end means from the
first request until the pipeline has settled (after-call work, evaluations, SCLs, notifications), and the run is
then recounted like the load test (nothing lost, nothing duplicated) so that a fast wrong run cannot pass.

The floor is what a webhook cannot do without: one conditional write to DynamoDB. moto's rate for it is measured
before and after the day (PutItem with `attribute_not_exists`, a 600-byte item like a kept delivery, into the same
Records table, from as many threads as the day's concurrency); the ratios are the day's requests per second, while
sending and end to end, over the mean of the two. Everything runs in one Python process (moto, the gateway, the
functions and the clients that call them), as `make run` does, so both sides share one interpreter lock.

The timers run 10 times faster by default (`--time-scale`): the after-call work of 5 minutes takes 30 s and the
scanner runs every 6 s (every second at the tests' 60). Each scanner run is 28 index queries, and moto answers an
index query by reading the whole table, under the lock that keeps its DynamoDB linearizable (1k items: 10 ms,
10k: 84 ms, 30k: 374 ms, so 10.5 s per scanner run), where DynamoDB reads only the index's partition. So the local
runtime slows down as the day's table grows: a day of 5,000 calls does not end in reasonable time (1,000 did not
within 25 minutes), and the default is 500.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from infra.local.runtime import LocalRuntime  # noqa: E402
from leadline import config  # noqa: E402


def raw_conditional_writes(runtime: LocalRuntime, *, writes: int, concurrency: int) -> float:
    """moto's conditional PutItem rate (per second) into the Records table, from `concurrency` threads."""
    import boto3

    table = load.RecordModel.Meta.table_name
    run = uuid.uuid4().hex[:8]
    local = threading.local()
    payload = "x" * 600

    def put(i: int) -> None:
        if not hasattr(local, "client"):
            local.client = boto3.client("dynamodb", endpoint_url=runtime.aws_endpoint, region_name="us-east-1")
        local.client.put_item(
            TableName=table,
            Item={"pk": {"S": f"bench-raw-{run}"}, "sk": {"S": f"{i:08d}"}, "raw": {"S": payload}},  # no tenant's
            ConditionExpression="attribute_not_exists(pk)",
        )

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(put, range(concurrency)))  # the threads' clients made before the clock starts
        began = time.monotonic()
        list(pool.map(put, range(concurrency, concurrency + writes)))
        return writes / (time.monotonic() - began)


class HandlerProfile:
    """cProfile around every invocation of one function (the runtime runs one invocation of it at a time)."""

    def __init__(self, runtime: LocalRuntime, function: str):
        self.profile, self.calls = cProfile.Profile(), 0
        handlers = runtime.functions._handlers
        original = handlers[function]

        def profiled(event, context):
            self.calls += 1
            self.profile.enable()
            try:
                return original(event, context)
            finally:
                self.profile.disable()

        handlers[function] = profiled

    def breakdown(self) -> str:
        stats = pstats.Stats(self.profile)
        cumulative = {}
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            cumulative[(Path(filename).name, name)] = cumulative.get((Path(filename).name, name), 0.0) + ct
        total = cumulative.get(("handler.py", "handler"), 0.0)
        aws = cumulative.get(("client.py", "_make_api_call"), 0.0)
        connect = cumulative.get(("~", "<method 'connect' of '_socket.socket' objects>"), 0.0)
        connect += cumulative.get(("~", "<built-in method _socket.getaddrinfo>"), 0.0)
        parts = [
            ("the whole handler", total),
            ("  calls.service.ingest (read, merge, write)", cumulative.get(("service.py", "ingest"), 0.0)),
            ("  every AWS request (botocore), moto's time included", aws),
            ("    DynamoDB transaction (store.transact)", cumulative.get(("store.py", "transact"), 0.0)),
            ("    DynamoDB BatchGetItem (store.batch_get_raw)", cumulative.get(("store.py", "batch_get_raw"), 0.0)),
            ("    StartExecution of the after-call work", cumulative.get(("service.py", "start"), 0.0)),
            ("    new TCP connections to moto (getaddrinfo, connect)", connect),
            ("  boto3 client creation (Session.create_client)", cumulative.get(("session.py", "create_client"), 0.0)),
            ("  everything but AWS requests (parsing, signatures, merge, PynamoDB, Powertools)", total - aws),
        ]
        n = max(self.calls, 1)
        lines = [f"{self.calls} invocations; ms per invocation (wall time: waits for the GIL included):"]
        for label, seconds in parts:
            lines.append(f"  {seconds / n * 1000:7.1f}  {label}")
        out = io.StringIO()
        pstats.Stats(self.profile, stream=out).sort_stats("tottime").print_stats(15)
        lines.append("Top functions by own time:\n" + out.getvalue())
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500, help="5,000 does not end in reasonable time locally")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--raw-writes", type=int, default=2000)
    parser.add_argument("--acw-minutes", type=int, default=5, help="the company's after-call work (scaled)")
    parser.add_argument("--window", type=int, default=None, help="calls in flight at once (default: the concurrency)")
    parser.add_argument("--settle-timeout", type=float, default=1800.0)
    parser.add_argument("--profile", action="store_true", help="profile the call webhooks' handler and say where")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--time-scale",
        default="10",
        help="LEADLINE_TIME_SCALE: the timers and the scanner's schedule run this much faster (10: after-call work "
        "of 5 minutes takes 30 s, the scanner runs every 6 s)",
    )
    args = parser.parse_args(argv)
    os.environ[config.LEADLINE_TIME_SCALE] = args.time_scale
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("leadline-local").setLevel(logging.WARNING)
    runtime = load.start_runtime()
    try:
        profile = HandlerProfile(runtime, "call_webhooks") if args.profile else None
        raw_before = raw_conditional_writes(runtime, writes=args.raw_writes, concurrency=args.concurrency)
        report = load.run(
            runtime,
            calls=args.calls,
            concurrency=args.concurrency,
            duplicates=args.duplicates,
            acw_minutes=args.acw_minutes,
            window=args.window,
            settle_timeout=args.settle_timeout,
            seed_value=args.seed,
            progress=60.0,
        )
        raw_after = raw_conditional_writes(runtime, writes=args.raw_writes, concurrency=args.concurrency)
    finally:
        runtime.stop()
    print(report.summary(), file=sys.stderr)
    sent = report.sent
    end_to_end = sent.wall_seconds + report.settle_seconds
    raw = (raw_before + raw_after) / 2
    webhooks_per_second = sent.requests / end_to_end
    recounted = "exact" if not report.problems else f"{len(report.problems)} problems"
    print(
        "| calls | requests | concurrency | time scale | send s | settle s | requests/s (send) "
        "| requests/s (end to end) | calls/s (end to end) | moto cond. writes/s (before, after) "
        "| ratio (send) | ratio (end to end) | recount |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print(
        f"| {len(report.plan.calls):,} | {sent.requests:,} | {args.concurrency} | {args.time_scale} "
        f"| {sent.wall_seconds:.0f} "
        f"| {report.settle_seconds:.0f} | {sent.per_second:.1f} | {webhooks_per_second:.1f} "
        f"| {len(report.plan.calls) / end_to_end:.2f} | {raw:.0f} ({raw_before:.0f}, {raw_after:.0f}) "
        f"| {sent.per_second / raw:.3f} | {webhooks_per_second / raw:.3f} | {recounted} |"
    )
    if profile is not None:
        print("\ncall_webhooks, where the time goes:\n" + profile.breakdown())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
