"""The functions' log lines on the local runtime, where every function runs in one process and several at once in
threads (the HTTP functions in turn, the notifier beside them), all through one Powertools logger:

- each invocation's lines carry its own function name, request id and correlation id (and its tenant when known),
  and nothing left from another invocation, whether that one ran in another thread or before it in the same;
- a phone number in a line is masked, while UUIDs and ids around it are written as they are;
- one access line per request (method, route template, status, milliseconds, tenant);
- the AWS SDK, the libraries under it and moto say nothing below WARNING.

The traffic runs once for the module: requests to four functions over one connection (so that one server thread
invokes them one after another, as a Lambda process does), while the notifier handles events in its own thread."""

from __future__ import annotations

import io
import json
import logging
import random
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import requests

from leadline.observability import QUIET_LIBRARIES, logger
from tests.support.api import new_tenant

MISTYPED = "(999) 555-0142"  # a US number's shape, with an area code that does not exist: refused by to_e164
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LIBRARIES = (*QUIET_LIBRARIES, "moto", "werkzeug")
ROUNDS = 2  # each request but the signed webhook is sent this many times


@dataclass
class Traffic:
    tenant_id: str
    demo_tenant: str
    notified_tenant: str  # the company of the notifier's events: an id the old masking took for a phone number
    event_ids: list[str]  # the notifier's events' ids: UUID-shaped, the old masking mangled them too
    answers: dict[str, requests.Response] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)  # the functions' lines, as written
    library_records: list[logging.LogRecord] = field(default_factory=list)  # every record that reached the root

    @property
    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text]

    def invocations(self) -> dict[str, list[dict]]:
        """The lines of each invocation, by its request id."""
        by_request: dict[str, list[dict]] = defaultdict(list)
        for record in self.records:
            if "function_name" in record:
                by_request[record["function_request_id"]].append(record)
        return by_request

    def access_lines(self) -> list[dict]:
        return [r for r in self.records if r.get("message") == "request" and "route" in r]

    def notified(self) -> list[dict]:
        return [r for r in self.records if r.get("event_id") in self.event_ids]

    def expected(self) -> dict[str, tuple[str, str, str, str | None]]:
        """Each request: its function, method, route template and tenant (None: the request names none)."""
        return {
            "staff read": ("staff_api", "GET", "/v1/customers", self.tenant_id),
            "snippet": ("public_api", "GET", "/dni/{tenant_id}/snippet.js", self.demo_tenant),
            "booking": ("public_api", "POST", "/v1/online-bookings", None),
            "bad signature": ("call_webhooks", "POST", "/webhooks/calls/{tenant_id}", self.tenant_id),
            "mistyped caller": ("call_webhooks", "POST", "/webhooks/calls/{tenant_id}", self.tenant_id),
        }


class _Records(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.INFO)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.2)
    return None


def _lines_of(stream: io.StringIO, message: str) -> int:
    return sum(json.loads(line).get("message") == message for line in stream.getvalue().splitlines() if line.strip())


def _put_booking_events(runtime, tenant_id: str, event_ids: list[str]) -> None:
    """Events the notifier takes (a partner's booking), for a company that does not exist: it finds no one to tell,
    and logs its line."""
    events = runtime.client("events")
    for event_id in event_ids:
        detail = {"tenant_id": tenant_id, "event_id": event_id, "source": "partner", "booking_id": f"bk-{event_id}"}
        entry = {
            "Source": "leadline",
            "DetailType": "BookingReceived",
            "Detail": json.dumps(detail),
            "EventBusName": runtime.topology.bus_name,
        }
        assert not events.put_events(Entries=[entry]).get("FailedEntryCount")
        time.sleep(0.05)


def _native_event(number: str) -> dict:
    return {
        "event_id": f"e-{uuid.uuid4().hex}",
        "type": "call.started",
        "call_id": f"c-{uuid.uuid4().hex}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "direction": "inbound",
        "from": number,
        "to": "+15125550100",
    }


def _send(traffic: Traffic, runtime, tenant) -> None:
    session, api = requests.Session(), runtime.api_url
    staff = {"Authorization": tenant.admin.session.headers["Authorization"]}
    bad_signature = {"Content-Type": "application/json", "Leadline-Signature": f"t={int(time.time())},v1=00"}
    answers = traffic.answers
    for _ in range(ROUNDS):
        answers["staff read"] = session.get(f"{api}/v1/customers", params={"phone": MISTYPED}, headers=staff)
        answers["snippet"] = session.get(f"{api}/dni/{traffic.demo_tenant}/snippet.js")
        answers["booking"] = session.post(f"{api}/v1/online-bookings", json={}, headers={"X-Leadline-Key": "olb.x.y"})
        answers["bad signature"] = session.post(
            f"{api}/webhooks/calls/{traffic.tenant_id}", json=_native_event("+15125550100"), headers=bad_signature
        )
    answers["mistyped caller"] = tenant.vendors.native(_native_event(MISTYPED))


@pytest.fixture(scope="module")
def traffic(runtime) -> Traffic:
    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    traffic = Traffic(
        tenant_id=tenant.tenant_id,
        demo_tenant=runtime.demo["tenant_id"],
        notified_tenant=f"t-512555{random.randint(1000, 9999)}",
        event_ids=[f"{uuid.uuid4()}"[:24] + f"51255501{i:02d}c7" for i in range(8)],
    )
    # The functions' lines through a handler of the test's own beside the logger's (its masking formatter); every
    # record of the process at the root, set at INFO as `make run` sets it.
    stream = io.StringIO()
    function_lines = logging.StreamHandler(stream)
    function_lines.setFormatter(logger.registered_formatter)
    root = logging.getLogger()
    library_records, previous_level = _Records(traffic.library_records), root.level
    logger.addHandler(function_lines)
    root.addHandler(library_records)
    root.setLevel(logging.INFO)
    try:
        events = threading.Thread(
            target=_put_booking_events, args=(runtime, traffic.notified_tenant, traffic.event_ids)
        )
        events.start()
        _send(traffic, runtime, tenant)
        events.join()
        _wait_for(lambda: _lines_of(stream, "BookingReceived") >= len(traffic.event_ids))  # the tests say if not
    finally:
        root.setLevel(previous_level)
        root.removeHandler(library_records)
        logger.removeHandler(function_lines)
    traffic.text = [line for line in stream.getvalue().splitlines() if line.strip()]
    return traffic


def test_the_requests_were_answered_and_a_mistyped_number_reads_back_as_typed(traffic):
    answers = traffic.answers
    assert answers["snippet"].status_code == 200
    assert answers["bad signature"].status_code == 401 and answers["booking"].status_code == 401
    # the people who typed a number read it as they typed it: a CSR in the staff API, a vendor in its webhook
    assert answers["staff read"].status_code == 422 and MISTYPED in answers["staff read"].json()["message"]
    assert answers["mistyped caller"].status_code == 400 and MISTYPED in answers["mistyped caller"].json()["message"]


def test_every_line_of_an_invocation_carries_its_function_its_request_and_its_own_correlation_id(traffic):
    invocations = traffic.invocations()
    assert len(invocations) >= len(traffic.event_ids) + 4 * ROUNDS + 1
    request_ids_of_correlation: dict[str, set[str]] = defaultdict(set)
    for request_id, lines in invocations.items():
        assert UUID.fullmatch(request_id), lines
        assert len({line["function_name"] for line in lines}) == 1, lines
        assert len({line.get("tenant_id") for line in lines}) == 1, lines
        (correlation_id,) = {line.get("correlation_id") for line in lines}
        assert correlation_id, lines
        request_ids_of_correlation[correlation_id].add(request_id)
    shared = {c: ids for c, ids in request_ids_of_correlation.items() if len(ids) > 1}
    assert not shared, f"correlation ids on lines of several invocations: {shared}"


def test_the_notifier_beside_the_http_functions_logs_its_own_event_and_tenant(traffic):
    notified = traffic.notified()
    assert sorted(r["event_id"] for r in notified) == sorted(traffic.event_ids)
    for record in notified:
        assert (record["function_name"], record["tenant_id"]) == ("notifier", traffic.notified_tenant)
        assert record["correlation_id"] not in {r.get("correlation_id") for r in traffic.access_lines()}


def test_one_access_line_per_request_with_its_method_route_status_time_and_tenant(traffic):
    # The access line is the HTTP layer's (leadline/api/http.py): message "request", in the request's invocation.
    access = traffic.access_lines()
    assert len({line["function_request_id"] for line in access}) == len(access), "an invocation with two access lines"
    for name, (function, method, route, tenant_id) in traffic.expected().items():
        request = (method, route, traffic.answers[name].status_code, tenant_id)
        ours = [
            line for line in access if (line["method"], line["route"], line["status"], line.get("tenant_id")) == request
        ]
        assert len(ours) == (1 if name == "mistyped caller" else ROUNDS), (name, ours)
        for line in ours:
            assert line["function_name"] == function and isinstance(line["ms"], int) and line["ms"] >= 0


def test_an_invocation_carries_no_tenant_left_from_the_one_before_it(traffic):
    # Over one connection the booking (no tenant) follows the DNI snippet (the demo company) in the same thread.
    invocations = traffic.invocations()
    for line in traffic.access_lines():
        tenants = {r.get("tenant_id") for r in invocations[line["function_request_id"]]}
        assert tenants == {line.get("tenant_id")}, line
        if line["route"] == "/v1/online-bookings":
            assert tenants == {None}, invocations[line["function_request_id"]]


def test_phone_numbers_are_masked_and_the_ids_beside_them_are_not(traffic):
    assert not [line for line in traffic.text if "555-0142" in line or "5550142" in line]
    refused = [
        line
        for line, record in zip(traffic.text, traffic.records, strict=True)
        if record.get("function_name") == "call_webhooks" and re.search(r"\*{8,}42", line)
    ]
    assert refused, "no line of the refused webhook named its caller's number, masked"
    notified = traffic.notified()
    assert {r["tenant_id"] for r in notified} == {traffic.notified_tenant}
    assert {r["event_id"] for r in notified} == set(traffic.event_ids)


def test_the_libraries_say_nothing_below_warning(traffic):
    chatter = [r for r in traffic.library_records if r.name.split(".")[0] in LIBRARIES and r.levelno < logging.WARNING]
    assert not chatter, [f"{r.name}: {r.getMessage()}" for r in chatter[:5]]
    assert not [name for name in LIBRARIES if logging.getLogger(name).isEnabledFor(logging.INFO)]
