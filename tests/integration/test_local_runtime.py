"""The local runtime renders the topology for real: the API's public routes, the state machine moto executes,
the bus delivering by the rule's own pattern, the scheduler at LEADLINE_TIME_SCALE, dead letters, and each
function's own environment."""

import json
import os
import time

import pytest
import requests

from infra.capabilities import BASIC_VARIABLES
from infra.local.gateway import Functions
from infra.local.runtime import AWS_ENDPOINT_URL, LOCAL_ENV
from leadline import config
from leadline.data import keys
from tests.support.api import Api
from tests.support.probe import handler as probe

# Every variable a function could read: those leadline.config names, and what Lambda sets.
EVERY_VARIABLE = sorted(
    {value for name, value in vars(config).items() if name.isupper() and isinstance(value, str)}
    | set(LOCAL_ENV)
    | {AWS_ENDPOINT_URL}
)
# Named by capabilities, but given by no local function: no Bedrock, no Transcribe, no default sender or base URL.
NOT_GIVEN_LOCALLY = {
    config.BEDROCK_MODEL_ID,
    config.RECORDINGS_BUCKET,
    config.TRANSCRIPTION_JOB_PREFIX,
    config.NOTIFICATION_SENDER,
}


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


def test_methods_as_api_gateway_answers_them(runtime, tenant):
    """A method API Gateway does not route (TRACE) is answered as a route it does not have; a method the staff API's
    `ANY` route passes on, but the path does not take, is the function's 405 naming the methods it takes."""
    trace = requests.request("TRACE", f"{runtime.api_url}/v1/leads", timeout=30)
    assert (trace.status_code, trace.json()) == (403, {"message": "Missing Authentication Token"})
    put = tenant.admin.session.put(f"{runtime.api_url}/v1/leads", json={}, timeout=30)
    assert put.status_code == 405 and put.headers["Allow"] == "GET, POST"
    assert put.json()["code"] == "method_not_allowed" and put.json()["errors"] == []


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
    pk = keys.tenant(f"rollback-{uuid.uuid4().hex[:8]}")
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
    rt = LocalRuntime(port=4321, app_port=4323, moto_port=4322, state_dir=tmp_path)
    rt.demo = {"tenant_id": "demo-acme"}
    rt._write_demo_file()
    assert json.loads(demo_file.read_text()) == {
        "api_url": "http://127.0.0.1:4321",
        "app_url": "http://127.0.0.1:4323",
        "aws_endpoint_url": "http://127.0.0.1:4322",
        "tenant_id": "demo-acme",
    }
    assert demo_file.stat().st_ino != before
    assert oct(demo_file.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.json"]


# --- each function's own environment -----------------------------------------------------------------------------


def _what_it_reads(event: dict, context) -> dict[str, str]:
    """A stand-in handler: every variable it can read, as it reads them."""
    found = {}
    for name in EVERY_VARIABLE:
        try:
            found[name] = config.env(name)
        except KeyError:
            pass
    return found


@pytest.fixture(scope="module")
def readers(runtime) -> Functions:
    """The runtime's functions, each with its own environment, each handler replaced by `_what_it_reads`."""
    return Functions(runtime.topology, lambda module: _what_it_reads, runtime.function_environment)


def test_each_function_reads_what_lambda_sets_the_basics_and_its_capabilities_variables_only(runtime, readers):
    lambda_sets = set(LOCAL_ENV) | {AWS_ENDPOINT_URL, config.LEADLINE_TIME_SCALE}
    for spec in runtime.topology.functions:
        named = {variable for capability in spec.capabilities for variable in capability.variables}
        found = readers.invoke(spec.name, {})
        assert set(found) == lambda_sets | set(BASIC_VARIABLES) | (named - NOT_GIVEN_LOCALLY), spec.name
        assert found[config.POWERTOOLS_SERVICE_NAME] == spec.name


def test_the_variables_have_the_runtimes_values(runtime, readers):
    webhooks = readers.invoke("call_webhooks", {})
    assert webhooks[config.PUBLIC_API_BASE_URL] == runtime.api_url
    assert webhooks[config.ACW_STATE_MACHINE_ARN] == runtime.resources["state_machine"]
    assert webhooks[config.RECORDS_TABLE_NAME] == os.environ[config.RECORDS_TABLE_NAME]
    assert webhooks[config.EVENT_BUS_NAME] == runtime.topology.bus_name
    assert readers.invoke("call_evaluator", {})[config.CALL_ANALYSER] == "rules"
    assert readers.invoke("notifier", {})[config.APP_BASE_URL] == runtime.app_url  # the links lead to the staff app


def test_a_function_cannot_read_a_variable_its_capabilities_do_not_give_though_the_process_has_it(runtime):
    # The notifier knows no public URL (its capabilities do not give it); the runtime's process has one.
    assert os.environ[config.PUBLIC_API_BASE_URL] == runtime.api_url

    def reads_the_url(event: dict, context) -> str:
        return config.public_api_base_url()

    reading_the_url = Functions(runtime.topology, lambda module: reads_the_url, runtime.function_environment)
    assert reading_the_url.invoke("call_webhooks", {}) == runtime.api_url
    with pytest.raises(KeyError, match=config.PUBLIC_API_BASE_URL):
        reading_the_url.invoke("notifier", {})


def test_reading_a_variable_the_function_was_not_given_fails_it_as_in_aws(runtime, monkeypatch):
    anonymous = Api(runtime.api_url)
    given = anonymous.post("/v1/webhooks/probe", json={"read": config.PUBLIC_API_BASE_URL})
    assert given.status_code == 200 and given.json() == {config.PUBLIC_API_BASE_URL: runtime.api_url}
    # The probe does not analyse calls, so it has no CALL_ANALYSER, even when the process has one: reading it fails
    # the invocation (API Gateway answers 502).
    monkeypatch.setenv(config.CALL_ANALYSER, "rules")
    assert anonymous.post("/v1/webhooks/probe", json={"read": config.CALL_ANALYSER}).status_code == 502
