"""The functions' logger: phone numbers masked in every line and nothing else touched, and each invocation's keys its
own, when invocations run one after another in a thread (as in AWS) or at once in several (the local runtime)."""

import io
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aws_lambda_powertools.logging import correlation_paths

from leadline.observability import QUIET_LIBRARIES, logger
from leadline.phones import mask


class Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line.strip()]

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text()]


@pytest.fixture
def lines() -> Iterator[Lines]:
    """What the functions' logger writes, through its own formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield Lines(stream)
    logger.removeHandler(handler)


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"


def _api_event(tenant_id: str | None = None) -> dict:
    return {"requestContext": {"requestId": str(uuid.uuid4())}, "tenant": tenant_id}


# --- masking -------------------------------------------------------------------------------------------------


def test_the_functions_logger_masks_caller_numbers_wherever_they_appear(lines):
    logger.info("call from +15125550100 ended", extra={"caller": "(512) 555-0199", "to": "5125550142"})
    line = lines.text()[0]
    record = json.loads(line)
    assert "555" not in line
    assert record["message"] == "call from +*********00 ended"
    assert record["caller"].endswith("99") and record["to"].endswith("42")


@pytest.mark.parametrize(
    "number",
    [
        "+15125550100",
        "+442079460958",
        "+44 20 7946 0958",
        "(512) 555-0100",
        "(512)555-0100",
        "512-555-0100",
        "512.555.0100",
        "512 555 0100",
        "5125550100",
        "15125550100",
        "1-512-555-0100",
        "1 (512) 555-0100",
        "+1 512 555 0100",
        "+1-512-555-0100",
        "+1 (512) 555-0100",
    ],
)
def test_phone_numbers_written_the_usual_ways_are_masked(lines, number):
    logger.info(f"call from {number}.", extra={"from": number, "path": f"/v1/customers/{number}", "key": f"#{number}#"})
    record = lines.records()[0]
    masked = mask(number)
    assert (record["message"], record["from"], record["path"], record["key"]) == (
        f"call from {masked}.",
        masked,
        f"/v1/customers/{masked}",
        f"#{masked}#",
    )
    assert masked.count("*") >= 8


def test_a_number_inside_an_id_is_masked_when_its_plus_says_it_is_one(lines):
    # a call id a PBX made of its caller's number; a tenant id of ten decimal digits is an id
    logger.info("call", extra={"call_id": "pbx-+15125550100-1796216125", "tenant_id": "t-5125550100"})
    record = lines.records()[0]
    assert (record["call_id"], record["tenant_id"]) == ("pbx-+*********00-1796216125", "t-5125550100")


def test_a_number_after_a_line_break_is_masked_although_the_json_line_writes_the_break_as_backslash_n(lines):
    logger.info("call from\n+15125550100\tor\n5125550199")
    assert lines.records()[0]["message"] == "call from\n+*********00\tor\n********99"


def test_a_url_encoded_plus_keeps_its_escape_and_loses_the_digits(lines):
    logger.info("POST", extra={"body": "From=%2B15125550100&To=%2b442079460958&CallSid=CA" + "0" * 32})
    body = lines.records()[0]["body"]
    assert body == "From=%2B*********00&To=%2b**********58&CallSid=CA" + "0" * 32


@pytest.mark.parametrize(
    "value",
    [
        "8c1e2f4a-a607-4d2b-9b6e-5125550193c7",  # a UUID whose last group starts with ten digits
        "12345678-1234-5123-8555-512555010012",
        "0dea82cb-09d8-444f-9add-5cc386d711da",
        "scl-7007ef85ab1a2bb8a151bb9d",
        "CA5125550100512555010051255501ab",  # a Twilio SID: CA and 32 hex digits
        "RE0123456789abcdef0123456789abcdef",
        "t-5125550100",  # a tenant id
        "emp-2125550100",
        "sched-5125550100",
        "cmp_3f2a1234567890ab",
        "x5125550100",
        "5125550100x",
        "1796216125",  # epoch seconds
        "1796216125123",  # epoch milliseconds
        "2123456789012",
        "2026-12-02T12:55:39.872+00:00",
        "2026-12-02 12:55:39,872+0000",
        "Tue, 01 Dec 2026 12:00:00 +0000",
        "20261202T125539Z",
        "Root=1-67590123-456789012345678901234567",  # an X-Ray trace id
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",  # an API Gateway request id
        "0.5125550100",
        "3.14159265358",
        "10.0.0.1",
        "took 1234 ms",
        "+15125550100123456789",  # too long for any phone number
    ],
)
def test_ids_times_and_numbers_that_are_not_phone_numbers_are_left_alone(lines, value):
    logger.info(f"seen {value}", extra={"value": value, "quoted": f'"{value}"'})
    record = lines.records()[0]
    assert record["message"] == f"seen {value}" and record["value"] == value and record["quoted"] == f'"{value}"'


# --- each invocation's keys ----------------------------------------------------------------------------------


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def _http_handler(event: dict, context: LambdaContext) -> None:
    if event["tenant"]:
        logger.append_keys(tenant_id=event["tenant"])
    logger.info("first")
    event.get("between", lambda: None)()
    logger.info("second")


def test_an_invocation_carries_nothing_of_the_one_before_it_in_the_same_thread(lines):
    # Given an invocation that added its tenant, then one that names none
    first, second = _api_event("t-one"), _api_event()
    _http_handler(first, LambdaContext("staff_api"))
    _http_handler(second, LambdaContext("public_api"))
    logger.info("between invocations")
    # Then the second's lines have its own context and no tenant, and a line outside any has none of theirs
    records = lines.records()
    assert [r["tenant_id"] for r in records[:2]] == ["t-one", "t-one"]
    assert [r.get("tenant_id") for r in records[2:]] == [None, None, None]
    assert {r["correlation_id"] for r in records[2:4]} == {second["requestContext"]["requestId"]}
    assert {r["function_name"] for r in records[2:4]} == {"public_api"}
    assert not {"function_name", "correlation_id", "function_request_id"} & set(records[4])


def test_invocations_running_at_once_in_threads_each_log_their_own_context(lines):
    # Given two invocations in two threads, each logging after the other has set its own keys
    a_started, b_started = threading.Event(), threading.Event()
    a_event = _api_event("t-a") | {"between": lambda: (a_started.set(), b_started.wait(5))}
    b_event = _api_event("t-b") | {"between": lambda: (b_started.set(), a_started.wait(5))}
    contexts = {"staff_api": LambdaContext("staff_api"), "call_webhooks": LambdaContext("call_webhooks")}
    threads = [
        threading.Thread(target=_http_handler, args=(a_event, contexts["staff_api"])),
        threading.Thread(target=_http_handler, args=(b_event, contexts["call_webhooks"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # Then each line names its own function, request, correlation id and tenant
    records = lines.records()
    assert len(records) == 4
    by_function = {name: [r for r in records if r["function_name"] == name] for name in contexts}
    for name, event in (("staff_api", a_event), ("call_webhooks", b_event)):
        assert len(by_function[name]) == 2
        for record in by_function[name]:
            assert record["function_request_id"] == contexts[name].aws_request_id
            assert record["correlation_id"] == event["requestContext"]["requestId"]
            assert record["tenant_id"] == event["tenant"]


def test_the_aws_libraries_log_only_warnings_and_errors():
    assert [logging.getLogger(name).getEffectiveLevel() for name in QUIET_LIBRARIES] == [logging.WARNING] * len(
        QUIET_LIBRARIES
    )
    assert logger.isEnabledFor(logging.INFO)
