"""Cold start: whole-process time to import each function's handler module, against a minimal handler of the same
class (`bench/bare_handler.py`: boto3, Powertools' Logger and a DynamoDB client made at init), measured side by
side (interleaved) in one run, reported as a ratio. The process ends right after the import, without the
interpreter's teardown, as a Lambda environment is frozen, not torn down.

Then the staff API's first requests, which pay for what its init leaves to them (a route area's code and schemas,
pydantic and Powertools' validation, the DynamoDB client): a process that imports the handler and answers a first
GET and a first POST of one area, for two areas, on an embedded DynamoDB (moto's server, in this process, with the
demo company), against the minimal handler's process that makes a GetItem and a PutItem with the client it made at
init.

    .venv/bin/python bench/cold_start.py [--runs 15] [--no-requests]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.capabilities import basic_environment  # noqa: E402
from infra.local.gateway import proxy_event  # noqa: E402
from infra.local.runtime import AWS_ENDPOINT_URL, SECRETS_PREFIX, free_port, local_environment  # noqa: E402
from infra.topology import STAFF_API, TOPOLOGY  # noqa: E402

BASELINE = "bench.bare_handler"

# A process that answers `events` (BENCH_EVENTS, JSON) with a handler and prints when each step ended. The baseline's
# two requests are its client's GetItem and PutItem (BENCH_TABLE).
STAFF_REQUESTS = """
import time; started = time.perf_counter()
import {module} as function
ended = [time.perf_counter()]
import json, os, sys
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "{name}", 512, "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:{name}"
for event in json.loads(os.environ["BENCH_EVENTS"]):
    answer = function.handler(event, Context())
    if answer["statusCode"] >= 300:
        sys.exit(f"{{event['httpMethod']}} {{event['path']}}: {{answer['statusCode']}} {{answer['body'][:500]}}")
    ended.append(time.perf_counter())
print("BENCH", json.dumps([round((t - started) * 1000, 1) for t in ended]), flush=True)
os._exit(0)
"""
BASELINE_REQUESTS = """
import time; started = time.perf_counter()
import {module} as function
ended = [time.perf_counter()]
import json, os
key = {{"pk": {{"S": "bench"}}, "sk": {{"S": "bench"}}}}
function.dynamodb.get_item(TableName=os.environ["BENCH_TABLE"], Key=key)
ended.append(time.perf_counter())
function.dynamodb.put_item(TableName=os.environ["BENCH_TABLE"], Item={{**key, "n": {{"N": "1"}}}})
ended.append(time.perf_counter())
print("BENCH", json.dumps([round((t - started) * 1000, 1) for t in ended]), flush=True)
os._exit(0)
"""


def one_import(module: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    # os._exit: a Lambda environment is frozen after its init, never torn down on a request's path, and the
    # interpreter's teardown (100 ms and more for the larger import graphs) is not part of a cold start
    subprocess.run([sys.executable, "-c", f"import {module}; import os; os._exit(0)"], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def cold_starts(runs: int) -> None:
    env = {**os.environ, **local_environment(), "PYTHONDONTWRITEBYTECODE": "0"}
    modules = [BASELINE] + [f.handler_module for f in TOPOLOGY.functions]
    for module in modules:  # warm the OS file cache and write bytecode once, as a deployed zip has it
        one_import(module, env)
    samples: dict[str, list[float]] = {m: [] for m in modules}
    for _ in range(runs):
        for module in modules:
            samples[module].append(one_import(module, env))
    base = statistics.median(samples[BASELINE])
    print(f"| handler | median ms (n={runs}) | ratio to boto3 + Logger + DynamoDB client |")
    print("| --- | ---: | ---: |")
    for module in modules:
        median = statistics.median(samples[module])
        print(f"| `{module}` | {median * 1000:.0f} | {median / base:.2f} |")


# --- the staff API's first requests -----------------------------------------------------------------------------

# (label, the area's first GET and first POST): path, and the body's JSON with {customer_id} and {n} filled in
AREAS = (
    ("campaigns (marketing)", "/v1/campaigns", '{{"name": "Bench campaign {n}", "category": "Bench"}}'),
    ("leads", "/v1/leads", '{{"customer_id": "{customer_id}", "summary": "Bench lead {n}"}}'),
)


def _events(path: str, body: str, tenant_id: str, employee_id: str) -> list[dict]:
    claims = {"custom:tenant_id": tenant_id, "custom:employee_id": employee_id, "custom:role": "admin"}
    made = []
    for method, text in (("GET", ""), ("POST", body)):
        headers = {"Content-Type": "application/json"} if text else {}
        made.append(
            proxy_event(
                method=method,
                path=path,
                query="",
                headers=headers,
                body=text.encode(),
                source_ip="127.0.0.1",
                resource="/v1/{proxy+}",
                path_params={"proxy": path.removeprefix("/v1/")},
                claims=claims,
            )
        )
    return made


def _one_process(code: str, env: dict[str, str]) -> tuple[float, list[float]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    whole = time.perf_counter() - started
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    return whole, json.loads(line.removeprefix("BENCH "))


def first_requests(runs: int) -> None:
    """Init plus the first GET and POST of an area, on moto's server with the demo company."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request of the measured processes
    endpoint = f"http://127.0.0.1:{free_port()}"
    os.environ.update({**local_environment(), AWS_ENDPOINT_URL: endpoint})
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(endpoint.rsplit(":", 1)[1]), verbose=False)
    server.start()
    try:
        import boto3

        from infra.local.runtime import table_definition
        from infra.local.seed import create_demo_records
        from leadline.customers import service as customers

        dynamodb = boto3.client("dynamodb")
        for spec in TOPOLOGY.tables:
            dynamodb.create_table(**table_definition(spec))
        boto3.client("events").create_event_bus(Name=TOPOLOGY.bus_name)
        demo = create_demo_records()
        tenant_id, admin = demo["tenant_id"], demo["employees"]["admin"]["employee_id"]
        customer = customers.create_customer(tenant_id, {"name": "Bench Customer", "phones": ["+15125550177"]})
        env = {
            **os.environ,
            **basic_environment(STAFF_API.name, bus_name=TOPOLOGY.bus_name, secrets_prefix=SECRETS_PREFIX),
            "PYTHONDONTWRITEBYTECODE": "0",
            "BENCH_TABLE": os.environ[TOPOLOGY.tables[0].env_var],
        }
        staff = STAFF_REQUESTS.format(module=STAFF_API.handler_module, name=STAFF_API.name)
        cases = {"`bench.bare_handler`: GetItem, PutItem": (BASELINE_REQUESTS.format(module=BASELINE), None)}
        for label, path, body in AREAS:
            cases[f"staff API: {label}, GET and POST"] = (staff, (path, body))
        samples: dict[str, list[tuple[float, list[float]]]] = {label: [] for label in cases}
        for n in range(runs + 1):  # the first round only warms the file cache and writes bytecode
            for label, (code, area) in cases.items():
                if area:
                    text = area[1].format(customer_id=customer["customer_id"], n=n)
                    env["BENCH_EVENTS"] = json.dumps(_events(area[0], text, tenant_id, admin))
                measured = _one_process(code, env)
                if n:
                    samples[label].append(measured)
    finally:
        server.stop()
    base = statistics.median(whole for whole, _steps in samples[next(iter(cases))])
    print()
    print(
        f"| process (n={runs}, medians) | handler import ms | + first GET ms | + first POST ms | whole process ms "
        "| ratio |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, measured in samples.items():
        whole = statistics.median(w for w, _steps in measured)
        init, get, post = (
            statistics.median(steps[i] - (steps[i - 1] if i else 0) for _w, steps in measured) for i in range(3)
        )
        print(f"| {label} | {init:.0f} | {get:.0f} | {post:.0f} | {whole * 1000:.0f} | {whole / base:.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-requests", action="store_true", help="only the imports, not the first requests")
    args = parser.parse_args()
    cold_starts(args.runs)
    if not args.no_requests:
        first_requests(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
