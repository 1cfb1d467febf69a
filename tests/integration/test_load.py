"""The load test, small: calls at once on the local runtime, each with every webhook its vendor sends, duplicated at
random and out of order, interleaved across calls, with CSRs classifying some and partner leads delivered twice;
then, once the pipeline has settled, a recount from the tables against what was sent (`bench/load.py`; its long run
is `.venv/bin/python bench/load.py --calls 300`)."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from bench import load
from infra.local.gateway import Functions, proxy_event
from infra.topology import TOPOLOGY

CALLS, CONCURRENCY, DUPLICATES = 30, 8, 0.3


@pytest.fixture(scope="module")
def report(runtime) -> load.Report:
    return load.run(
        runtime, calls=CALLS, concurrency=CONCURRENCY, duplicates=DUPLICATES, acw_minutes=5, settle_timeout=300
    )


def test_concurrent_duplicate_out_of_order_deliveries_leave_nothing_lost_or_doubled(report):
    # Given a run of every kind of call from every vendor, duplicates refused by their dedupe keys
    plan, sent = report.plan, report.sent
    assert {c.scenario for c in plan.calls} == {s.name for s in load.SCENARIOS}
    assert {c.vendor for c in plan.calls} == {"twilio", "callrail", "native"}
    assert sent.results["duplicate"] > 0 and sent.results["applied"] > 0
    assert all(d.copies == 2 for lead in plan.partner_leads for d in lead.deliveries) and plan.partner_leads
    callers = Counter(c.caller for c in plan.calls if c.scl_candidate)
    assert max(callers.values()) >= 2, "no caller called twice: the one-SCL-per-number rule went untested"
    # Then the recount equals what was sent: calls, deliveries, leads, SCLs, bookings, notifications, mail, texts,
    # and the report counters equal their brute-force recount
    assert report.expected.leads > 0 and report.expected.scl_numbers
    assert report.problems == [], report.summary()


def test_the_recount_names_a_lost_or_doubled_record(report):
    """The check is not vacuous: each kind of loss or duplicate, made up on the real recount, is named."""
    found = report.found
    assert load.check(report.plan, found, undecided_calls=set(report.undecided)) == []
    scl = next(s for s in found.scls if s["phone"] in report.expected.scl_numbers)  # one that must be there
    call, notification, lead = found.calls[0], found.notifications[0], found.leads[0]
    cases = {
        "an SCL lost": dataclasses.replace(found, scls=[s for s in found.scls if s is not scl]),
        "a call record lost": dataclasses.replace(found, calls=found.calls[1:]),
        "a notification sent twice": dataclasses.replace(found, notifications=[*found.notifications, notification]),
        "a lead doubled": dataclasses.replace(found, leads=[*found.leads, {**lead, "lead_id": "lead-doubled"}]),
        "a delivery left unapplied": dataclasses.replace(
            found, call_events=[{**found.call_events[0], "state": "received"}, *found.call_events[1:]]
        ),
        "an email lost": dataclasses.replace(found, emails=found.emails[1:]),
    }
    named = {
        "an SCL lost": scl["phone"][-4:],
        "a call record lost": f"call {call['call_id']}: no record",
        "a notification sent twice": "notifications: ",
        "a lead doubled": f"call {lead['call_id']}",
        "a delivery left unapplied": "call events left received",
        "an email lost": "emails sent (SES)",
    }
    for case, doctored in cases.items():
        problems = load.check(report.plan, doctored, undecided_calls=set(report.undecided))
        assert any(named[case] in p for p in problems), f"{case} went unnoticed: {problems}"


def test_http_functions_never_share_powertools_current_event():
    """Powertools keeps the current event on a class attribute shared by every resolver in a process; in the local
    runtime, one HTTP function running while another is mid-request would answer from the other's request."""
    started = threading.Event()

    def resolver(hold: bool):
        app = APIGatewayRestResolver()

        @app.get("/who")
        def who():
            if hold:
                started.set()
                threading.Event().wait(0.5)  # the other function's request arrives meanwhile
            return {"caller": app.current_event.get_header_value("x-caller")}

        return lambda event, context: app.resolve(event, context)

    handlers = {"functions.call_webhooks.handler": resolver(True), "functions.staff_api.handler": resolver(False)}
    functions = Functions(TOPOLOGY, lambda module: handlers.get(module, lambda event, context: {}))

    def request(function: str, caller: str) -> str:
        event = proxy_event(
            method="GET",
            path="/who",
            query="",
            headers={"x-caller": caller},
            body=b"",
            source_ip="127.0.0.1",
            resource="/who",
            path_params={},
            claims=None,
        )
        return functions.invoke(function, event)["body"]

    answers: dict[str, str] = {}
    first = threading.Thread(target=lambda: answers.update(webhook=request("call_webhooks", "vendor")))
    first.start()
    assert started.wait(5)
    answers["staff"] = request("staff_api", "staff")
    first.join()
    assert '"vendor"' in answers["webhook"] and '"staff"' in answers["staff"], answers
