"""The local runtime renders the topology for real: the API's public routes, the state machine moto executes,
the bus delivering by the rule's own pattern, the scheduler at LEADLINE_TIME_SCALE, and dead letters."""

import json
import time

from tests.support.api import Api
from tests.support.probe import handler as probe


def _wait_for(predicate, timeout: float = 15.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    return None


def test_public_routes(runtime):
    anonymous = Api(runtime.api_url)
    assert anonymous.get("/health").json() == {"status": "ok"}
    spec = anonymous.get("/openapi.json")
    assert spec.status_code == 200 and spec.headers["Content-Type"].startswith("application/json")
    paths = spec.json()["paths"]
    assert {"/v1/campaigns", "/v1/tracking-numbers/{number}/diagnostics", "/v1/employees/{employee_id}"} <= set(paths)
    assert spec.json()["components"]["securitySchemes"]["staff"]["scheme"] == "bearer"
    swagger = anonymous.get("/swagger")
    assert swagger.status_code == 200 and "swagger" in swagger.text.lower()
    assert anonymous.get("/no/such/route").status_code == 403  # API Gateway's answer for a route it does not have


def test_after_call_work_state_machine_announces_on_the_bus(runtime):
    # Given a call whose after-call work is started (a later issue's webhook does this)
    call_id = f"call-{time.time_ns()}"
    detail = {"tenant_id": "demo-acme", "call_id": call_id}
    started = time.monotonic()
    runtime.client("stepfunctions").start_execution(
        stateMachineArn=runtime.resources["state_machine"], input=json.dumps({"wait_seconds": 2, "detail": detail})
    )
    # Then after the wait, the event reaches the function whose rule matches it, with the call's detail
    event = _wait_for(lambda: next((e for e in probe.received if e.get("detail") == detail), None))
    assert event is not None, "AfterCallWorkElapsed never reached the probe"
    assert event["detail-type"] == "AfterCallWorkElapsed" and event["source"] == "leadline"
    assert time.monotonic() - started >= 2


def test_the_rule_pattern_filters_what_is_delivered(runtime):
    # The probe's rule wants AfterCallWorkElapsed from leadline with a tenant_id in the detail.
    events = runtime.client("events")
    marker = f"m-{time.time_ns()}"
    sent = [
        ("SomethingElse", {"tenant_id": "demo-acme"}),
        ("AfterCallWorkElapsed", {}),
        ("AfterCallWorkElapsed", {"tenant_id": "demo-acme"}),
    ]
    for detail_type, detail in sent:
        events.put_events(
            Entries=[
                {
                    "EventBusName": runtime.topology.bus_name,
                    "Source": "leadline",
                    "DetailType": detail_type,
                    "Detail": json.dumps({**detail, "marker": marker}),
                }
            ]
        )
    assert _wait_for(lambda: [e for e in probe.received if e.get("detail", {}).get("marker") == marker])
    time.sleep(1)
    delivered = [e for e in probe.received if e.get("detail", {}).get("marker") == marker]
    assert [(e["detail-type"], e["detail"].get("tenant_id")) for e in delivered] == [
        ("AfterCallWorkElapsed", "demo-acme")
    ]


def test_a_failing_handler_is_retried(runtime):
    marker = f"retry-{time.time_ns()}"
    probe.failures_left["count"] = 2
    runtime.client("events").put_events(
        Entries=[
            {
                "EventBusName": runtime.topology.bus_name,
                "Source": "leadline",
                "DetailType": "AfterCallWorkElapsed",
                "Detail": json.dumps({"tenant_id": "demo-acme", "marker": marker}),
            }
        ]
    )
    # fails twice, then lands (the queue's visibility timeout is the retry delay)
    assert _wait_for(lambda: [e for e in probe.received if e.get("detail", {}).get("marker") == marker], timeout=30)
    assert probe.failures_left["count"] == 0


def test_schedules_run_at_the_time_scale(runtime):
    # The probe is scheduled every minute; the test session runs at LEADLINE_TIME_SCALE=60, so every second.
    before = sum(1 for e in probe.received if e.get("detail-type") == "Scheduled Event")
    assert _wait_for(
        lambda: sum(1 for e in probe.received if e.get("detail-type") == "Scheduled Event") >= before + 2, timeout=10
    )


def test_a_cancelled_transaction_writes_nothing_and_erases_nothing(runtime):
    """The local DynamoDB rolls back only what the transaction named (not a copy of the table taken earlier)."""
    import uuid

    from infra.local.runtime import table_name
    from infra.topology import RECORDS_TABLE

    client, table = runtime.client("dynamodb"), table_name(RECORDS_TABLE)
    pk = f"T#rollback-{uuid.uuid4().hex[:8]}"
    client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "B"}, "n": {"N": "1"}})
    client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "C"}, "n": {"N": "1"}})
    try:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "A"}}}},
                {"Update": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": "C"}},
                            "UpdateExpression": "SET n = :two", "ExpressionAttributeValues": {":two": {"N": "2"}}}},
                {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "B"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )  # fmt: skip
    except client.exceptions.TransactionCanceledException:
        pass
    else:
        raise AssertionError("the transaction should have been cancelled")
    items = client.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
    )
    assert {i["sk"]["S"]: i["n"]["N"] for i in items["Items"]} == {"B": "1", "C": "1"}
    client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "D"}})  # and the table still takes writes
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "E"}}}}]
    )
    items = client.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
    )
    assert sorted(i["sk"]["S"] for i in items["Items"]) == ["B", "C", "D", "E"]


def test_the_demo_file_is_replaced_whole_and_private(tmp_path):
    """A new file renamed over the old one: whoever reads demo.json gets the last start's or this one's, whole."""
    from infra.local.runtime import LocalRuntime

    demo_file = tmp_path / "demo.json"
    demo_file.write_text('{"api_url": "http://127.0.0.1:1"}')
    demo_file.chmod(0o644)
    before = demo_file.stat().st_ino
    rt = LocalRuntime(port=4321, moto_port=4322, state_dir=tmp_path)
    rt.demo = {"tenant_id": "demo-acme"}
    rt._write_demo_file()
    assert json.loads(demo_file.read_text()) == {
        "api_url": "http://127.0.0.1:4321",
        "aws_endpoint_url": "http://127.0.0.1:4322",
        "tenant_id": "demo-acme",
    }
    assert demo_file.stat().st_ino != before
    assert oct(demo_file.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.json"]
