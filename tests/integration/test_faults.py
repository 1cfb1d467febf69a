"""Fault injection on the local runtime: a catalogue of faults, each injected into the real clients and each
shown recovered, with nothing lost and nothing done twice.

Faults reach the code as AWS or the network would give them: botocore's `before-send` hook answers a request with
AWS's own error (or a 200 saying what was refused), or fails it as a timeout or a dead connection, so botocore's
retries, its parsers and PynamoDB's error handling all run. The clock is moved by ageing an item's due time (as
the earlier tests do), and the scanner is invoked as its schedule would.

  fault                                                     recovery (the tests below follow this order)
DynamoDB
  throttled read or write of a webhook                      botocore's / the store's retries
  the webhook's transaction cancelled for throttling        kept (200), applied by the scanner
  DynamoDB failing past the retries                         502, the vendor's retry stored once
  a write applied whose answer was lost                     retry refused by its own conditions
Conditional-check races (threads calling the domain, as concurrent Lambda instances would)
  convert, dismiss and notes of one lead at once            one outcome, every note
  a job booked while reviewers change the SCL               one history, one event per change
  the timer's event and the scanner on one call at once     one SCL, one abandoned-call lead
SES and SNS (the notifier)
  a send refused, or unreachable past botocore's retries    the event's retry sends it, once
  the notifier killed between claiming a send and making it the retry after the lease sends it
  ... and a retry inside the lease                          raised again: retried, not counted
  a scanner killed while sending a held text                the next sweep after the lease sends it
Bedrock (the call analyser)
  throttling, 5xx, read timeout, text instead of the tool   the call stays due; the scanner
  one call Bedrock can never analyse                        the scanner's other work goes on
Step Functions (the after-call-work timer)
  the execution stopped (its event arriving late anyway)    the scanner evaluates, once
  the execution refused at the start                        kept delivery, replayed: timer starts
EventBridge (the outbox)
  PutEvents refusing some entries after the commit          the scanner publishes those, once

Held exactly by earlier tests, so not repeated here:
  the same call delivery from many threads: test_call_webhooks.py::test_truly_concurrent_ingests_of_one_call_converge
  twenty converts of one lead: test_leads_api.py::test_twenty_concurrent_converts_in_the_domain_make_exactly_one_job
  calls from one number evaluated at once: test_second_chance_leads.py::test_concurrent_evaluations_of_calls_from_...
  one event notified from many threads: test_notifications.py::test_duplicate_deliveries_send_once_per_person_and_...
  SES throttling and SNS 5xx retried by botocore: test_notifications.py::test_ses_throttling_and_sns_errors_are_...
  a text that always fails, retried then dead-lettered: test_notifications.py::test_what_still_fails_is_retried_...
  Bedrock's error shapes to a retryable AnalysisError: tests/unit/test_bedrock_analyser.py
  the timer's event lost: test_second_chance_leads.py::test_a_call_whose_timer_event_was_lost_is_evaluated_by_...
  the publish raising after the commit: test_leads_api.py::test_an_event_whose_publish_fails_after_the_write_is_...
  a partner lead stored but its count failed (5xx, the retry counts it): test_partner_leads.py::test_a_lead_stored_...
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.httpsession import URLLib3Session

from infra.local.runtime import ACCOUNT, REGION
from leadline.data import keys, store
from leadline.data.models import (
    Call,
    Delivery,
    EvaluationDue,
    Job,
    Lead,
    Notification,
    OutboxEvent,
    RecordModel,
    SecondChanceLead,
)
from leadline.data.repositories import calls, evaluations
from leadline.data.repositories import leads as lead_records
from leadline.data.repositories import notifications as notification_items
from leadline.data.repositories import scl as scl_records
from leadline.errors import Conflict
from leadline.reports.rebuild import differences
from tests.integration.test_leads_api import WINDOW, _manual_lead
from tests.integration.test_leads_api import _setup as _lead_setup
from tests.integration.test_notifications import Team, _event, _sent_emails, _sent_texts
from tests.integration.test_second_chance_leads import PROSPECT, TRACKING, _setup
from tests.support.bus import BusTap
from tests.support.webhooks import twilio_sid

BEDROCK = Path(__file__).resolve().parents[1] / "data" / "bedrock"
LONG_AGO = "2000-01-01T00:00:00.000Z"


# --- injecting faults ----------------------------------------------------------------------------


class Inject:
    """Answers requests of one operation of some botocore clients before botocore sends them: `answer(request)`
    returns an AWSResponse or raises as the network would; botocore's retry handler and parsers see AWS's answer.
    Only requests whose body holds `marker` are touched, at most `times` of them (None: until removed)."""

    def __init__(self, clients: Iterable, operation: str, answer: Callable, *, marker: str, times: int | None = None):
        self.answer, self.marker, self.times = answer, marker, times
        self.seen = self.answered = 0
        self._lock = threading.Lock()
        self._hooks = []
        for client in {id(c): c for c in clients}.values():
            event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"
            client.meta.events.register(event, self)
            self._hooks.append((client, event))

    def __call__(self, request, **kwargs):
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        if self.marker not in unquote_plus(body):
            return None
        with self._lock:
            self.seen += 1
            if self.times is not None and self.answered >= self.times:
                return None
            self.answered += 1
        return self.answer(request)

    def remove(self) -> None:
        for client, event in self._hooks:
            client.meta.events.unregister(event, self)

    def __enter__(self) -> Inject:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class _Raw:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


def _answer(request, status: int, body: dict | str, content_type: str, headers: dict | None = None) -> AWSResponse:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    headers = {"Content-Type": content_type, "x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})}
    return AWSResponse(request.url, status, headers, _Raw(data))


def json_error(code: str, status: int = 400, *, namespace: str = "") -> Callable:
    """An error of a JSON-protocol service (DynamoDB, Step Functions)."""

    def answer(request):
        body = {"__type": f"{namespace}#{code}" if namespace else code, "message": f"injected {code}"}
        return _answer(request, status, body, "application/x-amz-json-1.0")

    return answer


def dynamodb_error(code: str, status: int = 400) -> Callable:
    return json_error(code, status, namespace="com.amazonaws.dynamodb.v20120810")


def unprocessed_keys(request) -> AWSResponse:
    """How DynamoDB throttles a BatchGetItem: a 200 that hands every key back."""
    asked = json.loads(request.body)["RequestItems"]
    body = {"Responses": {table: [] for table in asked}, "UnprocessedKeys": asked}
    return _answer(request, 200, body, "application/x-amz-json-1.0")


def transaction_throttled(request) -> AWSResponse:
    """How DynamoDB throttles a TransactWriteItems: cancelled, with ThrottlingError as one item's reason."""
    items = json.loads(request.body)["TransactItems"]
    reasons = [{"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity of your table"}]
    reasons += [{"Code": "None"}] * (len(items) - 1)
    body = {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError]",
        "CancellationReasons": reasons,
    }
    return _answer(request, 400, body, "application/x-amz-json-1.0")


def committed_but_answer_lost(request):
    """The request reaches DynamoDB and is applied; its answer never comes back."""
    session = URLLib3Session()
    try:
        session.send(request).content  # noqa: B018 - read to the end: the write is done
    finally:
        session.close()
    raise ReadTimeoutError(endpoint_url=request.url)


def unreachable(request):
    raise EndpointConnectionError(endpoint_url=request.url)


def read_timeout(request):
    raise ReadTimeoutError(endpoint_url=request.url)


def query_error(code: str, status: int = 400) -> Callable:
    """An error of a query-protocol service (SES, SNS)."""

    def answer(request):
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected {code}</Message>"
            f"</Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )
        return _answer(request, status, xml, "text/xml")

    return answer


def dynamodb_clients() -> list:
    """Every botocore client the store's models and transactions use (PynamoDB makes one per connection)."""
    models, todo = [], [RecordModel]
    while todo:
        model = todo.pop()
        models.append(model)
        todo += model.__subclasses__()
    return [store._connection().client, *(m._get_connection().connection.client for m in models)]


# --- the runtime's functions, as their triggers call them ---------------------------------------


def _eventbridge(detail_type: str, detail: dict, source: str = "leadline") -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": detail,
    }


def run_scanner(runtime) -> dict:
    """One scheduled run (the runtime's own schedule runs it too, never at the same time as this one)."""
    return runtime.functions.invoke("scanner", _eventbridge("Scheduled Event", {}, source="aws.events"))


def timer_elapsed(runtime, tenant_id: str, call_id: str) -> dict:
    detail = {"tenant_id": tenant_id, "call_id": call_id, "ended_at": None}
    return runtime.functions.invoke("call_evaluator", _eventbridge("AfterCallWorkElapsed", detail))


def _wait(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    return condition()


# --- the records ---------------------------------------------------------------------------------


def _of(model, tenant_id: str, prefix: str) -> list:
    return list(model.query(keys.tenant(tenant_id), model.sk.startswith(prefix), consistent_read=True))


def _call(tenant_id: str, sid: str) -> Call | None:
    return calls.get(tenant_id, sid, consistent=True)


def _due(tenant_id: str, sid: str) -> EvaluationDue | None:
    return evaluations.get(tenant_id, sid, consistent=True)


def _make_overdue(tenant_id: str, sid: str, *, due_at: str = LONG_AGO) -> None:
    """The clock passes the call's due time (after-call work and the grace the timer's own event gets)."""
    due = _due(tenant_id, sid)
    evaluations.new(tenant_id, sid, due_at, attempts=int(due.attempts)).save()


def _age_kept_deliveries(tenant_id: str) -> int:
    """The clock passes the grace the scanner leaves a kept delivery's own request."""
    kept = [r for r in _of(Delivery, tenant_id, keys.DELIVERIES) if r.state == "received"]
    for record in kept:
        record.gsi1sk = keys.in_order(LONG_AGO, tenant_id)
        record.save()
    return len(kept)


def _age_outbox(tenant_id: str) -> int:
    """The clock passes the grace the scanner leaves a request to publish its own events."""
    pending = _of(OutboxEvent, tenant_id, keys.OUTBOX_EVENTS)
    for item in pending:
        item.gsi1sk = keys.in_order(LONG_AGO, item.event_id)
        item.save()
    return len(pending)


def _completed(sid: str, *, caller: str = "+15125550123", duration: int = 30) -> dict:
    return {
        "CallSid": sid,
        "From": caller,
        "To": TRACKING,
        "Direction": "inbound",
        "CallStatus": "completed",
        "CallDuration": str(duration),
        "SequenceNumber": "3",
    }


def _prospect_call(tenant, sid: str, *, transcript: str = PROSPECT, caller: str = "+15125550555", duration=75) -> str:
    """A Twilio call with a recording and a transcript, then its completed status (the timer starts)."""
    recording = {
        "CallSid": sid,
        "RecordingSid": twilio_sid("RE"),
        "RecordingStatus": "completed",
        "RecordingDuration": str(duration),
        "RecordingUrl": f"https://api.twilio.com/rec/{sid}",
    }
    text = {
        "CallSid": sid,
        "TranscriptionSid": twilio_sid("TR"),
        "TranscriptionStatus": "completed",
        "TranscriptionText": transcript,
    }
    ended = {**_completed(sid, caller=caller, duration=duration), "SequenceNumber": "2"}
    for callback, params in (("recording-status", recording), ("transcription", text), ("voice-status", ended)):
        response = tenant.vendors.twilio(callback, params)
        assert response.status_code == 200, response.text
    return sid


def _stored_once(tenant, sid: str) -> None:
    """One call, completed, from one processed delivery, counted once in the reports."""
    tid = tenant.tenant_id
    calls = _of(Call, tid, keys.CALLS)
    assert [(c.call_id, c.status, int(c.duration_seconds)) for c in calls] == [(sid, "completed", 30)]
    records = _of(Delivery, tid, keys.DELIVERIES)
    assert [(r.call_id, r.state) for r in records] == [(sid, "processed")]
    assert differences(tid) == []


# --- DynamoDB ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "answer"),
    [
        ("TransactWriteItems", dynamodb_error("ProvisionedThroughputExceededException")),
        ("BatchGetItem", dynamodb_error("ThrottlingException")),
        ("BatchGetItem", unprocessed_keys),
    ],
    ids=["transaction-throughput-exceeded", "read-throttled", "read-unprocessed-keys"],
)
def test_throttled_requests_of_a_webhook_are_retried_and_the_call_is_stored_once(tenant, operation, answer):
    sid = twilio_sid()
    marker = f'"{keys.tenant(tenant.tenant_id)}"'
    with Inject(dynamodb_clients(), operation, answer, marker=marker, times=1) as throttled:
        response = tenant.vendors.twilio("voice-status", _completed(sid))
    assert response.status_code == 200 and response.json()["result"] == "applied", response.text
    assert (throttled.answered, throttled.seen) == (1, 2)  # throttled, then the same request again, through
    _stored_once(tenant, sid)
    assert tenant.vendors.twilio("voice-status", _completed(sid)).json()["result"] == "duplicate"


def test_a_delivery_whose_transaction_is_cancelled_for_throttling_is_kept_then_applied_once_by_the_scanner(
    tenant, runtime
):
    sid = twilio_sid()
    marker = f'"{keys.tenant(tenant.tenant_id)}"'
    with Inject(dynamodb_clients(), "TransactWriteItems", transaction_throttled, marker=marker) as throttled:
        response = tenant.vendors.twilio("voice-status", _completed(sid))
        assert response.status_code == 200 and response.json()["result"] == "kept", response.text
        assert throttled.answered >= 1
        assert _call(tenant.tenant_id, sid) is None  # not applied, but the delivery is stored
        assert [r.state for r in _of(Delivery, tenant.tenant_id, keys.DELIVERIES)] == ["received"]
    assert _age_kept_deliveries(tenant.tenant_id) == 1
    run_scanner(runtime)
    _stored_once(tenant, sid)
    run_scanner(runtime)
    assert tenant.vendors.twilio("voice-status", _completed(sid)).json()["result"] == "duplicate"
    _stored_once(tenant, sid)


def test_while_dynamodb_is_unavailable_a_webhook_is_answered_5xx_and_the_vendors_retry_is_stored_once(tenant):
    sid = twilio_sid()
    marker = f'"{keys.tenant(tenant.tenant_id)}"'
    faults = [
        Inject(dynamodb_clients(), operation, dynamodb_error("InternalServerError", 500), marker=marker)
        for operation in ("BatchGetItem", "TransactWriteItems", "PutItem")
    ]
    try:
        response = tenant.vendors.twilio("voice-status", _completed(sid))
    finally:
        for fault in faults:
            fault.remove()
    assert response.status_code == 502, response.text  # the vendor retries later
    assert faults[0].answered == 4 and faults[2].answered == 4  # the read, then keeping the delivery: 4 tries each
    assert _of(Delivery, tenant.tenant_id, keys.DELIVERIES) == [] and _call(tenant.tenant_id, sid) is None
    retry = tenant.vendors.twilio("voice-status", _completed(sid))
    assert retry.status_code == 200 and retry.json()["result"] == "applied", retry.text
    _stored_once(tenant, sid)


def test_a_write_that_committed_but_whose_answer_was_lost_is_not_applied_twice(tenant):
    """botocore sends the transaction again; its own conditions refuse it, and the delivery counts as done."""
    sid = twilio_sid()
    marker = f'"{keys.tenant(tenant.tenant_id)}"'
    with Inject(dynamodb_clients(), "TransactWriteItems", committed_but_answer_lost, marker=marker, times=1) as lost:
        response = tenant.vendors.twilio("voice-status", _completed(sid))
    assert (lost.answered, lost.seen) == (1, 2)
    assert response.status_code == 200 and response.json()["result"] == "duplicate", response.text
    _stored_once(tenant, sid)
    assert _due(tenant.tenant_id, sid) is not None  # the after-call work started, once


# --- conditional-check races ---------------------------------------------------------------------


def _at_once(*actions: Callable) -> list:
    """Run the actions on threads released together; each one's result, or the Conflict it raised."""
    start = threading.Barrier(len(actions))

    def run(action):
        start.wait()
        try:
            return action()
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))


def test_convert_dismiss_and_notes_of_one_lead_at_once_leave_one_outcome_and_every_note(tenant, bus):
    from leadline.leads import service as leads

    tid = tenant.tenant_id
    s = _lead_setup(tenant)
    for _round in range(2):
        lead_id = _manual_lead(tenant, s)["lead_id"]
        results = _at_once(
            lambda: leads.convert(
                tid, lead_id, {"job_type_id": s["jt"], "business_unit_id": s["bu"], **WINDOW}, by="a"
            ),
            lambda: leads.dismiss(tid, lead_id, reason="price_too_high", note=None, by="b"),
            *(lambda n=n: leads.add_note(tid, lead_id, f"note {n}", by="c") for n in range(3)),
        )
        converted, dismissed = results[0], results[1]
        assert isinstance(converted, Conflict) != isinstance(dismissed, Conflict), results  # exactly one won
        assert not any(isinstance(r, Conflict) for r in results[2:])  # notes never conflict: they retry
        winner = "dismissed" if isinstance(converted, Conflict) else "converted"
        lead = lead_records.get(tid, lead_id, consistent=True)
        assert lead.status == winner
        assert [h["to"] for h in lead.history] == ["open", winner]
        assert sorted(n["text"] for n in lead.notes if n["text"].startswith("note")) == ["note 0", "note 1", "note 2"]
        jobs = [j for j in _of(Job, tid, keys.JOBS) if j.lead_id == lead_id]
        assert len(jobs) == (winner == "converted")
        bus.drain(wait=0.2)
        assert len(bus.of("LeadConverted", lead_id=lead_id)) == (winner == "converted")
        assert len(bus.of("LeadDismissed", lead_id=lead_id)) == (winner == "dismissed")
    assert differences(tid) == []
    assert _of(OutboxEvent, tid, keys.OUTBOX_EVENTS) == []


def _scl_of_a_call(tenant, *, caller: str = "+15125550555") -> SecondChanceLead:
    from leadline.scl import service as scl
    from leadline.scl.analysis.rules import RulesAnalyser

    sid = _prospect_call(tenant, twilio_sid(), caller=caller)
    assert scl.evaluate(tenant.tenant_id, sid, RulesAnalyser()) == "created"
    (found,) = [s for s in _of(SecondChanceLead, tenant.tenant_id, keys.SCLS) if s.call_id == sid]
    return found


def test_a_job_booked_while_reviewers_change_the_scl_leaves_one_consistent_history(tenant, runtime):
    from leadline.scl import service as scl

    tid = tenant.tenant_id
    _setup(tenant, minutes=60)  # the timer stays out of the way: the test evaluates itself
    tap = BusTap(runtime, ["SecondChanceLeadStatusChanged"])
    try:
        for n in range(2):
            found = _scl_of_a_call(tenant, caller=f"+1512555060{n}")
            booked_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            results = _at_once(
                lambda: scl.on_job_booked(tid, job_id=f"job-{n}", phone=found.phone, booked_at=booked_at),
                lambda: scl.dismiss(tid, found.scl_id, reason="not_a_lead", by="reviewer"),
                lambda: scl.call_back(tid, found.scl_id, by="other reviewer"),
                lambda: scl.add_note(
                    tid, found.scl_id, "left a voicemail", by="reviewer", copy_to_customer=None, copy_to_location=None
                ),
            )
            assert not isinstance(results[0], Conflict) and not isinstance(results[3], Conflict)
            after = scl_records.get(tid, found.scl_id, consistent=True)
            history = [(h["from"], h["to"]) for h in after.history]
            assert all(history[i][1] == history[i + 1][0] for i in range(len(history) - 1)), history  # one chain
            assert len(set(history)) == len(history)  # no change applied twice
            applied = {to for _, to in history[1:]}
            assert ("reviewed_not_a_lead" in applied) == (not isinstance(results[1], Conflict))
            assert ("lead_call_back_attempted" in applied) == (not isinstance(results[2], Conflict))
            assert ("job_booked_by_scl" in applied) == (after.job_id == f"job-{n}")
            assert after.status == history[-1][1] and [x["text"] for x in after.notes] == ["left a voicemail"]
            tap.drain(wait=0.2)
            events = tap.of("SecondChanceLeadStatusChanged", scl_id=found.scl_id)
            changes = [(e["detail"]["previous_status"], e["detail"]["status"]) for e in events]
            assert sorted(changes) == sorted(history[1:])  # one event per change
        assert differences(tid) == []
    finally:
        tap.close()


def test_the_timer_and_the_scanner_evaluating_one_call_at_once_make_one_scl_and_one_lead(tenant, runtime):
    from leadline.scl.analysis.rules import RulesAnalyser
    from leadline.workflows import after_call_work

    tid = tenant.tenant_id
    _setup(tenant, minutes=60)
    tap = BusTap(runtime, ["SecondChanceLeadCreated", "LeadCreated"])
    try:
        sid = _prospect_call(tenant, twilio_sid(), duration=75)  # over 60 s and unclassified: an abandoned call too
        outcomes = _at_once(*(lambda: after_call_work.on_elapsed(tid, sid, RulesAnalyser()) for _ in range(6)))
        assert sorted(o["second_chance_lead"] for o in outcomes) == ["already-evaluated"] * 5 + ["created"]
        captures = [o["abandoned_call_lead"] for o in outcomes]
        assert captures.count("captured") == 1 and set(captures) <= {"captured", "duplicate", "not-abandoned"}
        (scl_item,) = _of(SecondChanceLead, tid, keys.SCLS)
        (lead,) = _of(Lead, tid, keys.LEADS)
        assert (scl_item.call_id, lead.call_id, lead.source) == (sid, sid, "abandoned_call")
        assert _due(tid, sid) is None
        tap.drain(wait=0.2)
        assert len(tap.of("SecondChanceLeadCreated", scl_id=scl_item.scl_id)) == 1
        assert len(tap.of("LeadCreated", lead_id=lead.lead_id)) == 1
        assert differences(tid) == []
    finally:
        tap.close()


# --- SES and SNS ---------------------------------------------------------------------------------


@pytest.fixture
def team(runtime, tenant):
    return Team(runtime, tenant)


def _notify(runtime, detail: dict) -> dict:
    return runtime.functions.invoke("notifier", _eventbridge("SecondChanceLeadCreated", detail))


@pytest.mark.parametrize(
    ("answer", "retried"),
    [(query_error("MessageRejected"), False), (unreachable, True)],
    ids=["ses-rejects-once", "ses-unreachable"],
)
def test_a_send_that_fails_is_sent_once_by_the_events_retry_and_nothing_else_twice(team, runtime, answer, retried):
    from leadline.notifications import channels
    from leadline.notifications.service import DeliveryFailed, deliveries

    tid, reviewer = team.tenant.tenant_id, team.people["reviewer"]
    detail = _event(team)
    with Inject([channels.ses_client()], "SendRawEmail", answer, marker=f"reviewer@{tid}") as fault:
        with pytest.raises(DeliveryFailed, match=f"email to {reviewer['employee_id']}"):
            _notify(runtime, detail)  # Lambda retries the event, then sends it to the DLQ
    attempts = channels.ses_client().meta.config.retries["total_max_attempts"] if retried else 1
    assert fault.answered == attempts  # botocore gave up: every attempt failed, or the error cannot be retried
    (email,) = [d for d in deliveries(tid, detail["event_id"], reviewer["employee_id"]) if d.channel == "email"]
    assert email.status == "failed"
    assert _notify(runtime, detail) == {"sent": 1, "duplicate": 6}  # the retry: the failed send, nothing else
    assert _notify(runtime, detail) == {"duplicate": 7}
    emails = _sent_emails(team.emails)
    assert sorted(m["To"] for m in emails) == sorted(f"{who}@{tid}.example" for who in ("reviewer", "manager", "admin"))
    assert len(_sent_texts(team.phones)) == 1
    assert len(team.inbox("reviewer")) == 1 and len(team.inbox("manager")) == 1


class _Killed(BaseException):
    """The process dies (a Lambda timeout, out of memory): nothing in it catches this."""


def _killed(request):
    raise _Killed


def test_a_notifier_killed_while_sending_sends_it_once_when_its_lease_is_over(team, runtime):
    from leadline.notifications import channels
    from leadline.notifications.service import deliveries

    tid, reviewer = team.tenant.tenant_id, team.people["reviewer"]
    detail = _event(team)
    with Inject([channels.ses_client()], "SendRawEmail", _killed, marker=f"reviewer@{tid}"):
        with pytest.raises(_Killed):
            _notify(runtime, detail)
    (email,) = [d for d in deliveries(tid, detail["event_id"], reviewer["employee_id"]) if d.channel == "email"]
    assert email.status == "sending" and _sent_emails({f"reviewer@{tid}.example"}) == []
    email.update(actions=[Notification.lease_until.set(LONG_AGO)])  # the clock passes the claim's lease
    outcome = _notify(runtime, detail)
    assert outcome.get("sent", 0) >= 1 and "failed" not in outcome
    assert _notify(runtime, detail) == {"duplicate": 7}
    assert len(_sent_emails({f"reviewer@{tid}.example"})) == 1
    assert len(_sent_emails(team.emails)) == 3 and len(_sent_texts(team.phones)) == 1


def test_a_retry_inside_a_dead_notifiers_lease_is_raised_again_not_counted_as_sent(team, runtime):
    from leadline.notifications import channels
    from leadline.notifications.service import DeliveryFailed, deliveries

    tid, reviewer = team.tenant.tenant_id, team.people["reviewer"]
    detail = _event(team)
    with Inject([channels.ses_client()], "SendRawEmail", _killed, marker=f"reviewer@{tid}"):
        with pytest.raises(_Killed):
            _notify(runtime, detail)
    with pytest.raises(DeliveryFailed, match="another delivery is sending it"):
        _notify(runtime, detail)  # Lambda's first retry, a minute later: inside the two-minute lease
    (email,) = [d for d in deliveries(tid, detail["event_id"], reviewer["employee_id"]) if d.channel == "email"]
    assert email.status == "sending" and _sent_emails({f"reviewer@{tid}.example"}) == []
    email.update(actions=[Notification.lease_until.set(LONG_AGO)])  # the next retry comes after the lease
    _notify(runtime, detail)
    assert len(_sent_emails({f"reviewer@{tid}.example"})) == 1


def test_a_held_text_whose_sweep_died_while_sending_is_sent_by_a_later_sweep_after_its_lease(team):
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from leadline.notifications import service

    tid, reviewer = team.tenant.tenant_id, team.people["reviewer"]
    local = datetime.now(ZoneInfo("America/Denver"))
    quiet = {"quiet_hours_start": (local - timedelta(hours=1)).strftime("%H:%M")}
    quiet["quiet_hours_end"] = (local + timedelta(hours=1)).strftime("%H:%M")
    assert team.tenant.admin.patch("/v1/settings", {"notifications": quiet}).status_code == 200
    detail = _event(team)
    assert service.notify("SecondChanceLeadCreated", detail).get("held") == 1
    (text,) = [d for d in service.deliveries(tid, detail["event_id"], reviewer["employee_id"]) if d.channel == "sms"]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    notification_items.hold(text, past)
    text.update(  # the quiet hours are over, and a sweep has claimed it
        actions=[
            Notification.send_after.set(text.send_after),
            Notification.gsi2sk.set(text.gsi2sk),
            Notification.status.set("sending"),
            Notification.lease_until.set(soon),
        ]
    )
    assert service.send_held() == 0  # that sweep may still be sending it
    text.update(actions=[Notification.lease_until.set(LONG_AGO)])  # it died before sending
    assert service.send_held() == 1
    assert service.send_held() == 0
    assert len(_sent_texts(team.phones)) == 1


# --- Bedrock -------------------------------------------------------------------------------------

MODEL_ID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


def _bedrock_json(name: str) -> dict:
    return json.loads((BEDROCK / name).read_text())


def bedrock_throttled(request) -> AWSResponse:
    error = _bedrock_json("throttling.json")
    body, headers = {"message": error["message"]}, {"x-amzn-ErrorType": error["code"]}
    return _answer(request, error["http_status_code"], body, "application/json", headers)


def bedrock_server_error(request) -> AWSResponse:
    body, headers = (
        {"message": "The server encountered an internal error."},
        {"x-amzn-ErrorType": "InternalServerException"},
    )
    return _answer(request, 500, body, "application/json", headers)


def bedrock_text_instead_of_the_tool(request) -> AWSResponse:
    return _answer(request, 200, _bedrock_json("converse_end_turn_text.json"), "application/json")


def bedrock_prospect(request) -> AWSResponse:
    return _answer(request, 200, _bedrock_json("converse_prospect.json"), "application/json")


class FakeBedrock:
    """Amazon Bedrock as the analyser's real client sees it: every Converse answered with a recorded shape, and
    the calls whose transcript holds `failing` answered by `fault` instead."""

    def __init__(self, fault: Callable, failing: str):
        from leadline.scl.analysis.bedrock import BedrockAnalyser

        self.analyser = BedrockAnalyser(MODEL_ID)  # its default client: standard retries, 3 attempts, timeouts
        self.fault = Inject([self.analyser.client], "Converse", fault, marker=failing)
        self.answers = Inject([self.analyser.client], "Converse", bedrock_prospect, marker="")

    def recover(self) -> None:
        self.fault.remove()

    def remove(self) -> None:
        self.fault.remove()
        self.answers.remove()


@pytest.fixture
def bedrock(monkeypatch):
    """Both functions that analyse calls get `use(fake)`'s analyser for the test."""
    import functions.call_evaluator.handler as evaluator
    import functions.scanner.handler as scanner

    fakes = []

    def use(fake: FakeBedrock) -> FakeBedrock:
        fakes.append(fake)
        for module in (evaluator, scanner):
            monkeypatch.setattr(module, "analyser_from_environment", lambda: fake.analyser)
        return fake

    yield use
    for fake in fakes:
        fake.remove()


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [(bedrock_throttled, 3), (bedrock_server_error, 3), (read_timeout, 3), (bedrock_text_instead_of_the_tool, 1)],
    ids=["throttling", "server-error", "read-timeout", "text-instead-of-the-tool"],
)
def test_while_bedrock_fails_the_call_stays_due_and_the_scanner_evaluates_it_once(
    tenant, runtime, bedrock, fault, attempts
):
    from leadline.scl.analysis.bedrock import AnalysisError

    tid = tenant.tenant_id
    _setup(tenant, minutes=60)  # the timer itself stays out of the way: the test delivers its event
    marker = f"call {uuid.uuid4().hex[:8]}"
    fake = bedrock(FakeBedrock(fault, failing=marker))
    sid = _prospect_call(tenant, twilio_sid(), transcript=f"{PROSPECT} ({marker})")
    with pytest.raises(AnalysisError):
        timer_elapsed(runtime, tid, sid)  # Lambda retries it, then sends it to the DLQ (alarmed)
    assert fake.fault.answered == attempts  # the client's own retries, where a retry may help
    assert _call(tid, sid).scl_evaluation is None and _of(SecondChanceLead, tid, keys.SCLS) == []
    assert _due(tid, sid) is not None  # still due: nothing was decided

    fake.recover()
    _make_overdue(tid, sid)
    run_scanner(runtime)
    (scl_item,) = _of(SecondChanceLead, tid, keys.SCLS)
    assert (scl_item.call_id, _call(tid, sid).scl_evaluation) == (sid, "created")
    assert scl_item.summary.startswith("Homeowner with a water heater")  # Bedrock's answer, not the rules'
    (lead,) = _of(Lead, tid, keys.LEADS)  # the abandoned-call lead, which waited with it
    assert (lead.call_id, lead.source) == (sid, "abandoned_call")
    assert _due(tid, sid) is None
    assert timer_elapsed(runtime, tid, sid)["second_chance_lead"] == "already-evaluated"  # a late retry
    assert len(_of(SecondChanceLead, tid, keys.SCLS)) == 1 and len(_of(Lead, tid, keys.LEADS)) == 1
    assert _of(OutboxEvent, tid, keys.OUTBOX_EVENTS) == []  # SecondChanceLeadCreated and LeadCreated published


def test_one_call_bedrock_cannot_analyse_holds_up_none_of_the_scanners_other_work(tenant, runtime, bedrock):
    tid = tenant.tenant_id
    _setup(tenant, minutes=60)
    marker = f"call {uuid.uuid4().hex[:8]}"
    fake = bedrock(FakeBedrock(bedrock_text_instead_of_the_tool, failing=marker))
    # the sweep reads shard 0 first, oldest first: the call it cannot analyse comes before the other one
    stuck = next(s for s in iter(twilio_sid, None) if evaluations.shard(tid, s) == 0)
    _prospect_call(tenant, stuck, transcript=f"{PROSPECT} ({marker})", caller="+15125550701")
    fine = _prospect_call(tenant, twilio_sid(), caller="+15125550702")
    _make_overdue(tid, stuck)
    _make_overdue(tid, fine, due_at="2000-01-01T00:00:01.000Z")
    run_scanner(runtime)
    assert _call(tid, fine).scl_evaluation == "created" and _due(tid, fine) is None
    assert _call(tid, stuck).scl_evaluation is None and _due(tid, stuck) is not None  # tried again next time
    fake.recover()
    run_scanner(runtime)
    assert _call(tid, stuck).scl_evaluation == "created" and _due(tid, stuck) is None
    assert sorted(s.call_id for s in _of(SecondChanceLead, tid, keys.SCLS)) == sorted([stuck, fine])


# --- Step Functions ------------------------------------------------------------------------------


def _execution_arn(runtime, tenant_id: str, call_id: str) -> str:
    name = "acw-" + hashlib.sha256(f"{tenant_id}|{call_id}".encode()).hexdigest()[:40]
    return runtime.resources["state_machine"].replace(":stateMachine:", ":execution:") + f":{name}"


def test_a_stopped_after_call_work_execution_is_made_up_by_the_scanner_once(tenant, runtime):
    tid = tenant.tenant_id
    _setup(tenant, minutes=60)
    tap = BusTap(runtime, ["SecondChanceLeadCreated", "LeadCreated"])
    try:
        sid = _prospect_call(tenant, twilio_sid(), duration=75)
        sfn = runtime.client("stepfunctions")
        arn = _execution_arn(runtime, tid, sid)
        assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
        sfn.stop_execution(executionArn=arn, error="Injected", cause="the timer is lost")
        assert _wait(lambda: sfn.describe_execution(executionArn=arn)["status"] == "ABORTED", timeout=5)

        _make_overdue(tid, sid)
        run_scanner(runtime)
        (scl_item,) = _of(SecondChanceLead, tid, keys.SCLS)
        (lead,) = _of(Lead, tid, keys.LEADS)
        assert (scl_item.call_id, lead.call_id, lead.source) == (sid, sid, "abandoned_call")
        assert _due(tid, sid) is None
        late = timer_elapsed(runtime, tid, sid)  # the lost event turns up after all
        assert late == {"second_chance_lead": "already-evaluated", "abandoned_call_lead": "not-abandoned"}
        run_scanner(runtime)
        assert len(_of(SecondChanceLead, tid, keys.SCLS)) == 1 and len(_of(Lead, tid, keys.LEADS)) == 1
        tap.drain(wait=0.2)
        assert len(tap.of("SecondChanceLeadCreated", scl_id=scl_item.scl_id)) == 1
        assert len(tap.of("LeadCreated", lead_id=lead.lead_id)) == 1
        assert differences(tid) == []
    finally:
        tap.close()


def test_a_timer_that_could_not_start_is_started_by_the_scanner_and_the_call_evaluated_once(
    tenant, runtime, monkeypatch
):
    from leadline.workflows import after_call_work

    tid = tenant.tenant_id
    _setup(tenant, minutes=1)  # a second at LEADLINE_TIME_SCALE=60
    sfn = runtime.client("stepfunctions")
    monkeypatch.setattr(after_call_work._timer, "_client", sfn)
    sid = twilio_sid()
    with Inject([sfn], "StartExecution", json_error("ExecutionLimitExceeded"), marker=tid) as refused:
        response = tenant.vendors.twilio("voice-status", _completed(sid, duration=75))
        assert response.status_code == 200 and response.json()["result"] == "kept", response.text
    assert refused.answered == 1
    assert _call(tid, sid) is None and _due(tid, sid) is None

    assert _age_kept_deliveries(tid) == 1
    run_scanner(runtime)  # applies the kept delivery: the timer starts now
    call = _call(tid, sid)
    assert call.status == "completed" and call.after_call_work_started_at
    execution = sfn.describe_execution(executionArn=_execution_arn(runtime, tid, sid))
    assert execution["status"] in ("RUNNING", "SUCCEEDED")
    assert _wait(lambda: _call(tid, sid).lead_id)  # the timer's event: an abandoned-call lead
    assert _wait(lambda: _due(tid, sid) is None)
    assert _call(tid, sid).scl_evaluation == "no-recording"  # evaluated (no SCL: the call has no recording)
    (lead,) = _of(Lead, tid, keys.LEADS)
    assert lead.call_id == sid and [r.state for r in _of(Delivery, tid, keys.DELIVERIES)] == ["processed"]


# --- the outbox ----------------------------------------------------------------------------------


def _refuse_entries(detail_type: str, tenant_id: str):
    """EventBridge's own partial failure: a 200 whose `Entries` say which events it refused. The refused entries
    are taken out before the call (so they never reach the bus) and put back, refused, in its answer."""
    from leadline.events import outbox

    client = outbox._default_publisher._events_client()
    refused = {"count": 0}

    def before(params, context, **kwargs):
        entries = params["Entries"]
        context["refused"] = [
            i for i, e in enumerate(entries) if e["DetailType"] == detail_type and tenant_id in e["Detail"]
        ]
        params["Entries"] = [e for i, e in enumerate(entries) if i not in context["refused"]]

    def after(parsed, context, **kwargs):
        for index in context.get("refused", []):
            parsed["Entries"].insert(index, {"ErrorCode": "ThrottlingException", "ErrorMessage": "injected"})
            parsed["FailedEntryCount"] = parsed.get("FailedEntryCount", 0) + 1
            refused["count"] += 1

    events = client.meta.events
    events.register("before-parameter-build.eventbridge.PutEvents", before)
    events.register("after-call.eventbridge.PutEvents", after)

    def remove():
        events.unregister("before-parameter-build.eventbridge.PutEvents", before)
        events.unregister("after-call.eventbridge.PutEvents", after)

    return refused, remove


def test_events_eventbridge_refuses_after_the_commit_are_published_once_by_the_scanner(tenant, runtime, bus):
    tid = tenant.tenant_id
    s = _lead_setup(tenant)
    lead = _manual_lead(tenant, s)
    refused, remove = _refuse_entries("JobBooked", tid)
    try:
        response = tenant.csr.post(
            f"/v1/leads/{lead['lead_id']}/convert", {"job_type_id": s["jt"], "business_unit_id": s["bu"], **WINDOW}
        )
    finally:
        remove()
    assert response.status_code == 200, response.text  # committed: the refused event waits in the outbox
    assert refused["count"] == 1
    job_id = response.json()["job"]["job_id"]
    assert [p.detail_type for p in _of(OutboxEvent, tid, keys.OUTBOX_EVENTS)] == ["JobBooked"]
    assert _age_outbox(tid) == 1
    run_scanner(runtime)
    assert _of(OutboxEvent, tid, keys.OUTBOX_EVENTS) == []
    bus.drain(wait=0.2)
    assert len(bus.of("LeadConverted", lead_id=lead["lead_id"])) == 1
    assert len(bus.of("JobBooked", job_id=job_id)) == 1
