"""Notifications on the local runtime: an SCL's creation reaches SES (moto's sent-mail store), SNS (moto's sent
SMS) and the in-app inbox of exactly the employees it should, once each; duplicate deliveries, SES throttling
and SNS failures (injected into the real clients with botocore's before-send hook, so botocore's own retries
run), and the DLQ of what still fails."""

from __future__ import annotations

import email
import itertools
import json
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import policy

import pytest
from botocore.awsrequest import AWSResponse

from infra.local import tokens
from infra.local.runtime import ACCOUNT, REGION
from leadline.data import keys
from leadline.data.models import SecondChanceLead
from leadline.data.repositories import notifications as notification_items
from leadline.notifications import channels, service
from leadline.setup import service as setup
from tests.integration.test_second_chance_leads import TRACKING, _call, _evaluation, _setup
from tests.support.api import Api

SENDER = "leads@notify-test.example"
# Each team's phone numbers are its own for the whole session (moto's SMS store is shared by every test): a random
# exchange per team could repeat, and one test would then see another's texts.
_EXCHANGES = itertools.count(random.randint(200, 600))


def _sent_emails(addresses: set[str]) -> list[email.message.EmailMessage]:
    from moto.ses.models import ses_backends

    found = []
    for message in list(ses_backends[ACCOUNT][REGION].sent_messages):
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = email.message_from_string(raw, policy=policy.default)
        if parsed["To"] in addresses:
            found.append(parsed)
    return found


def _sent_texts(phones: set[str]) -> list[tuple[str, str]]:
    from moto.sns.models import sns_backends

    return [(to, text) for to, text in list(sns_backends[ACCOUNT][REGION].sms_messages.values()) if to in phones]


class Team:
    """A tenant whose SCL notifications can go everywhere: a verified sender, SMS registration, a texting number,
    and employees with and without `view_second_chance_leads`."""

    def __init__(self, runtime, tenant):
        self.tenant = tenant
        tid = tenant.tenant_id
        runtime.client("ses").verify_email_identity(EmailAddress=SENDER)
        response = tenant.admin.patch(
            "/v1/settings",
            {
                "sms_registered": True,
                "notifications": {"sender": f"Test Co <{SENDER}>", "app_base_url": "https://app.test.example"},
            },
        )
        assert response.status_code == 200, response.text
        _setup(tenant, minutes=1)
        assert tenant.admin.patch(f"/v1/tracking-numbers/{TRACKING}", {"sms_registered": True}).status_code == 200
        self.people: dict[str, dict] = {}
        exchange = next(_EXCHANGES)
        for who, role, grants, active, phone in (
            ("reviewer", "csr", {"view_second_chance_leads"}, True, f"+1737{exchange}0901"),
            ("manager", "office_manager", set(), True, f"+1737{exchange}0902"),
            ("agent", "csr", set(), True, f"+1737{exchange}0903"),
            ("former", "office_manager", set(), False, f"+1737{exchange}0904"),
        ):
            employee = setup.create_employee(
                tid,
                {
                    "name": who,
                    "email": f"{who}@{tid}.example",
                    "phone": phone,
                    "role_id": role,
                    "granted_permissions": grants,
                    "active": active,
                },
            )
            token = tokens.issue(runtime.signing_key, tenant_id=tid, employee_id=employee["employee_id"], role_id=role)
            self.people[who] = {**employee, "api": Api(runtime.api_url, token), "phone": phone}
        # the reviewer also wants texts; the manager keeps the defaults (email and in-app)
        response = self.people["reviewer"]["api"].put("/v1/me/notification-preferences", {"channels": {"sms": True}})
        assert response.status_code == 200, response.text
        assert response.json()["channels"] == {"in_app": True, "email": True, "sms": True}

    @property
    def emails(self) -> set[str]:
        return {p["email"] for p in self.people.values()} | {f"admin@{self.tenant.tenant_id}.example"}

    @property
    def phones(self) -> set[str]:
        return {p["phone"] for p in self.people.values()}

    def inbox(self, who: str) -> list[dict]:
        response = self.people[who]["api"].get("/v1/notifications")
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture
def team(runtime, tenant):
    return Team(runtime, tenant)


def _wait(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _scl(tenant) -> SecondChanceLead:
    sid = _call(tenant)
    assert _evaluation(tenant, sid) == "created"
    return next(iter(SecondChanceLead.query(keys.tenant(tenant.tenant_id), SecondChanceLead.sk.startswith(keys.SCLS))))


def test_an_scl_reaches_exactly_the_employees_who_should_hear_of_it_once_each(team, runtime):
    scl = _scl(team.tenant)
    tid = team.tenant.tenant_id
    expected_emails = {f"reviewer@{tid}.example", f"manager@{tid}.example", f"admin@{tid}.example"}
    assert _wait(lambda: len(_sent_emails(team.emails)) >= 3 and len(_sent_texts(team.phones)) >= 1)
    time.sleep(1.5)  # anything extra would have arrived by now
    emails = _sent_emails(team.emails)
    assert sorted(m["To"] for m in emails) == sorted(expected_emails)
    message = next(m for m in emails if m["To"] == f"reviewer@{tid}.example")
    assert message["From"] == f"Test Co <{SENDER}>"
    text_part = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",)).get_content()
    assert "(512) 555-0555" in text_part and scl.summary in text_part
    assert f"https://app.test.example/second-chance-leads/{scl.scl_id}" in text_part
    assert f'href="https://app.test.example/second-chance-leads/{scl.scl_id}"' in html_part

    texts = _sent_texts(team.phones)
    assert texts == [(team.people["reviewer"]["phone"], f"Test Co {tid}: new Second Chance Lead from ***-0555. Review: "
                      f"https://app.test.example/second-chance-leads/{scl.scl_id}")]  # fmt: skip
    assert scl.summary not in texts[0][1] and "cooling" not in texts[0][1]

    for who in ("reviewer", "manager"):
        inbox = team.inbox(who)
        assert [(n["event_type"], n["subject_id"], n["read"]) for n in inbox] == [
            ("SecondChanceLeadCreated", scl.scl_id, False)
        ]
    assert team.inbox("agent") == [] and team.people["former"]["api"].get("/v1/notifications").status_code == 403


def test_in_app_read_and_dismiss_are_the_callers_own(team):
    scl = _scl(team.tenant)
    assert _wait(lambda: len(team.inbox("reviewer")) == 1 and len(team.inbox("manager")) == 1)
    mine = team.inbox("reviewer")[0]
    theirs = team.people["manager"]["api"]
    assert theirs.post(f"/v1/notifications/{mine['notification_id']}/read").status_code == 404
    reviewer = team.people["reviewer"]["api"]
    read = reviewer.post(f"/v1/notifications/{mine['notification_id']}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    assert reviewer.get("/v1/notifications", params={"unread": "true"}).json()["items"] == []
    assert team.inbox("manager")[0]["read"] is False
    assert reviewer.post(f"/v1/notifications/{mine['notification_id']}/dismiss").status_code == 200
    assert team.inbox("reviewer") == []
    assert reviewer.post(f"/v1/notifications/{mine['notification_id']}/read").status_code == 404
    assert team.inbox("manager")[0]["subject_id"] == scl.scl_id


def test_another_tenant_reads_none_of_it(team, other_tenant):
    _scl(team.tenant)
    assert _wait(lambda: len(team.inbox("reviewer")) == 1)
    mine = team.inbox("reviewer")[0]
    assert other_tenant.admin.get("/v1/notifications").json()["items"] == []
    assert other_tenant.admin.post(f"/v1/notifications/{mine['notification_id']}/read").status_code == 404


def _event(team, **detail) -> dict:
    return {
        "event_id": uuid.uuid4().hex,
        "tenant_id": team.tenant.tenant_id,
        "occurred_at": "2026-11-23T18:00:00.000Z",
        "scl_id": f"scl-{uuid.uuid4().hex[:12]}",
        "call_id": "CA1",
        "phone": "+15125550777",
        "status": "new",
        "summary": "Asked for a price on a new water heater.",
        **detail,
    }


def test_duplicate_deliveries_send_once_per_person_and_channel(team, runtime):
    detail = _event(team)
    events = runtime.client("events")
    entry = {
        "Source": "leadline",
        "DetailType": "SecondChanceLeadCreated",
        "Detail": json.dumps(detail),
        "EventBusName": runtime.topology.bus_name,
    }
    events.put_events(Entries=[entry, entry])  # EventBridge delivering twice

    def run_again(_):
        try:
            service.notify("SecondChanceLeadCreated", dict(detail))
        except service.DeliveryFailed as exc:  # a run that met another's live lease is retried, not done
            assert "another delivery is sending it" in str(exc)

    with ThreadPoolExecutor(max_workers=4) as pool:  # and the handler run again, at the same time
        list(pool.map(run_again, range(4)))
    assert _wait(lambda: len(_sent_emails(team.emails)) >= 3)
    time.sleep(2)
    assert len(_sent_emails(team.emails)) == 3
    assert len(_sent_texts(team.phones)) == 1
    assert len(team.inbox("reviewer")) == 1 and len(team.inbox("manager")) == 1


class _Faults:
    """Answers a client's calls to one operation with an error, `times` times (or always), before botocore sends
    them; botocore's retry handler sees the error as it would from AWS."""

    def __init__(self, client, operation: str, *, status: int, code: str, times: int | None, only_to: str):
        self.client, self.operation, self.status, self.code = client, operation, status, code
        self.times, self.only_to, self.calls, self.faults = times, only_to, 0, 0
        self.lock = threading.Lock()
        self.event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"
        client.meta.events.register(self.event, self)

    def __call__(self, request, **kwargs):
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        if self.only_to not in body.replace("%2B", "+").replace("%40", "@"):
            return None
        with self.lock:
            self.calls += 1
            if self.times is not None and self.faults >= self.times:
                return None
            self.faults += 1
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{self.code}</Code><Message>injected {self.code}"
            f"</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        ).encode()
        return AWSResponse(request.url, self.status, {"Content-Type": "text/xml"}, _Raw(xml))

    def remove(self):
        self.client.meta.events.unregister(self.event, self)


class _Raw:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


def test_ses_throttling_and_sns_errors_are_retried_with_backoff_and_sent_once(team):
    tid = team.tenant.tenant_id
    throttled = _Faults(
        channels.ses_client(), "SendRawEmail", status=400, code="Throttling", times=2, only_to=f"reviewer@{tid}"
    )
    flaky = _Faults(
        channels.sns_client(),
        "Publish",
        status=500,
        code="InternalError",
        times=1,
        only_to=team.people["reviewer"]["phone"],
    )
    try:
        outcome = service.notify("SecondChanceLeadCreated", _event(team))
    finally:
        throttled.remove()
        flaky.remove()
    assert (throttled.calls, throttled.faults) == (3, 2)  # two throttled attempts, then the send
    assert (flaky.calls, flaky.faults) == (2, 1)
    assert outcome == {"sent": 7}  # in-app and email for three people, one text
    assert len(_sent_emails({f"reviewer@{tid}.example"})) == 1
    assert len(_sent_texts({team.people["reviewer"]["phone"]})) == 1


def test_what_still_fails_is_retried_then_dead_lettered_and_nothing_else_is_sent_twice(team, runtime):
    tid = team.tenant.tenant_id
    sqs = runtime.client("sqs")
    dlq = runtime.resources["dlq:notifier:notify-second-chance-lead-created"]
    opted_out = _Faults(
        channels.sns_client(),
        "Publish",
        status=400,
        code="InvalidParameter",
        times=None,
        only_to=team.people["reviewer"]["phone"],
    )
    detail = _event(team)
    try:
        runtime.client("events").put_events(
            Entries=[
                {
                    "Source": "leadline",
                    "DetailType": "SecondChanceLeadCreated",
                    "Detail": json.dumps(detail),
                    "EventBusName": runtime.topology.bus_name,
                }
            ]
        )
        parked = []

        def dead_lettered():
            for message in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", []):
                parked.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            return any(p["detail"]["event_id"] == detail["event_id"] for p in parked)

        assert _wait(dead_lettered, timeout=60)
    finally:
        opted_out.remove()
    assert opted_out.calls == 5  # one delivery and four retries, each tried the text once (not retryable)
    # email and in-app went once, whatever the retries
    assert len(_sent_emails({f"reviewer@{tid}.example", f"manager@{tid}.example", f"admin@{tid}.example"})) == 3
    assert _sent_texts({team.people["reviewer"]["phone"]}) == []
    (text,) = [d for d in service.deliveries(tid, detail["event_id"], team.people["reviewer"]["employee_id"])
               if d.channel == "sms"]  # fmt: skip
    assert text.status == "failed" and "InvalidParameter" in text.reason


def test_texts_are_not_attempted_without_the_companys_sms_registration(team):
    assert team.tenant.admin.patch("/v1/settings", {"sms_registered": False}).status_code == 200
    detail = _event(team)
    outcome = service.notify("SecondChanceLeadCreated", detail)
    assert outcome == {"sent": 6, "skipped": 1}  # in-app and email for three people
    (text,) = [d for d in service.deliveries(team.tenant.tenant_id, detail["event_id"],
                                             team.people["reviewer"]["employee_id"]) if d.channel == "sms"]  # fmt: skip
    assert text.status == "skipped" and "SMS registration" in text.reason
    assert _sent_texts(team.phones) == []


def test_texts_in_quiet_hours_are_held_then_sent_by_the_scanner(team):
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("America/Denver"))
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=1)).strftime("%H:%M")
    assert (
        team.tenant.admin.patch(
            "/v1/settings", {"notifications": {"quiet_hours_start": start, "quiet_hours_end": end}}
        ).status_code
        == 200
    )
    detail = _event(team)
    assert service.notify("SecondChanceLeadCreated", detail) == {"sent": 6, "held": 1}

    def about_it() -> list[tuple[str, str]]:  # another test's SCL of this tenant may be told meanwhile
        return [(to, text) for to, text in _sent_texts(team.phones) if detail["scl_id"] in text]

    assert about_it() == []
    (text,) = [d for d in service.deliveries(team.tenant.tenant_id, detail["event_id"],
                                             team.people["reviewer"]["employee_id"]) if d.channel == "sms"]  # fmt: skip
    assert text.status == "held"
    assert service.send_held() == 0  # not before the quiet hours end
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    notification_items.hold(text, past)
    text.save()  # as if the hour had passed
    assert service.send_held() == 1
    assert len(about_it()) == 1
    assert service.send_held() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"notifications": {"sender": "not an address"}}, "not a sender"),
        ({"notifications": {"app_base_url": "ftp://x.example"}}, "https://"),
        ({"notifications": {"quiet_hours_start": "21:00"}}, "together"),
        ({"notifications": {"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}}, "quiet_hours_start"),
    ],
)
def test_notification_settings_refuse_what_makes_no_sense(tenant, body, message):
    response = tenant.admin.patch("/v1/settings", body)
    assert response.status_code == 422 and message in response.text, response.text


def test_preferences_need_a_phone_for_texts(tenant):
    response = tenant.csr.put("/v1/me/notification-preferences", {"channels": {"sms": True}})
    assert response.status_code == 422 and "mobile_phone" in response.text
    response = tenant.csr.put(
        "/v1/me/notification-preferences", {"channels": {"sms": True}, "mobile_phone": "(512) 555-0199"}
    )
    assert response.status_code == 200 and response.json()["mobile_phone"] == "+15125550199"
    assert tenant.csr.get("/v1/me/notification-preferences").json()["channels"]["sms"] is True


def test_a_partner_lead_is_told_to_those_who_work_leads_and_an_online_booking_to_nobody(team):
    tid = team.tenant.tenant_id
    detail = {
        "event_id": uuid.uuid4().hex,
        "tenant_id": tid,
        "occurred_at": "2026-11-23T18:00:00.000Z",
        "booking_id": "bk-1",
        "source": "partner",
        "partner": "thumbtack",
        "phone": "+15125550188",
        "customer_name": "Pat",
        "category": "Drain Cleaning",
    }
    outcome = service.notify("BookingReceived", detail)
    # manage_leads: the admin, the office manager and the three CSRs; in-app and email each, the reviewer's text
    assert outcome == {"sent": 11}
    (inbox,) = team.inbox("agent")
    assert inbox["title"] == "New thumbtack lead: (512) 555-0188" and inbox["link"].endswith("/bookings/bk-1")
    assert service.notify("BookingReceived", {**detail, "event_id": uuid.uuid4().hex, "source": "online"}) == {}
