"""DynamoDB requests and capacity units per operation, on the local runtime (moto), in one process: every call
webhook, the partners' webhooks, the website's online bookings and DNI sessions, the staff writes that matter (lead,
convert, dismiss, job, classification, SCL callback), the after-call-work evaluation (SCL, with the rules analyser),
the scanner's sweep of an idle table, the notifier per event, and every GET of the staff API (enumerated from the
API's own OpenAPI document: a GET without a measurement here stops the run, naming it).

    .venv/bin/python bench/ddb_requests.py [--calls 20]

Each operation runs --calls times, for a company seeded like the demo tenant (SCL on, after-call work set to 120
minutes so no timer fires during the run); the table gives the mean per operation. Handlers that EventBridge or the
schedule invoke (call_evaluator, scanner, notifier) are invoked in this thread with the event they would get; the
runtime's own background deliveries are not counted. Capacity units are estimated from the items' sizes by
DynamoDB's documented rules (1 KB per write unit, 4 KB per read unit, half for eventually consistent reads, twice for
transactions); moto's own ConsumedCapacity is shown beside them (moto leaves transactions out and does not size
items).

tests/integration/test_request_counts.py runs the same operations once each: no Scan anywhere, and the request
counts of the hot paths held.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.local.runtime import LocalRuntime, local_environment  # noqa: E402

for key, value in local_environment().items():
    os.environ.setdefault(key, value)

from infra.local.ddb_meter import Reading, metering  # noqa: E402
from tests.support.api import Api  # noqa: E402
from tests.support.webhooks import Vendors, twilio_sid  # noqa: E402

PARTNER_SAMPLES = ROOT / "tests" / "data" / "partners"
PROSPECT = (
    "Agent: Thanks for calling Acme, this is Carlos. Caller: Hi, my AC stopped cooling last night and it's 85 in the "
    "house. How much is it for someone to come out and look at it? Could you send a technician today or tomorrow? "
    "Agent: Let me check the schedule. Caller: Actually I have to go, can you call me back?"
)
NOT_A_PROSPECT = (
    "Caller: Hi, this is Jenna from BrightPath Marketing, I'm calling about your business listing on Google. "
    "We help contractors get more reviews. Is the owner available? Agent: We're not interested, thanks."
)
# query parameters whose values differ from run to run (ids, dates): named, not shown, in an operation's name
VARYING = {"day", "campaign_id", "caller", "business_unit_id", "created_from", "created_to", "phone", "from", "to"}
AFTER_CALL_WORK_MINUTES = 120  # the longest allowed: no timer of the run's calls fires while it measures


@dataclass
class Company:
    """A company seeded like the demo tenant (its own tenant id), and how its senders and staff reach it."""

    tenant_id: str
    demo: dict
    admin: Api
    vendors: Vendors
    partners: dict
    online_key: str
    time_zone: str = "America/Chicago"


def seed_company(runtime: LocalRuntime, tenant_id: str | None = None) -> Company:
    from infra.local import tokens
    from infra.local.seed import create_demo_credentials, create_demo_records
    from infra.local.seed_dni import seed_dni
    from infra.local.seed_partners import seed_partners
    from leadline.bookings import online

    tenant_id = tenant_id or f"bench-{uuid.uuid4().hex[:10]}"
    demo = create_demo_records(tenant_id)
    telephony = create_demo_credentials(runtime.client("secretsmanager"), tenant_id)
    partners = seed_partners(runtime, demo)
    demo.update(seed_dni(runtime, demo))
    online_key = online.new_key(tenant_id)["key"]
    online.put_rules(
        tenant_id, [{"utm_source": "google", "utm_medium": "cpc", "campaign_id": demo["campaigns"]["google_ads"]}]
    )
    admin_employee = demo["employees"]["admin"]
    token = tokens.issue(
        runtime.signing_key,
        tenant_id=tenant_id,
        employee_id=admin_employee["employee_id"],
        role_id=admin_employee["role_id"],
        email=admin_employee["email"],
    )
    admin = Api(runtime.api_url, token)
    scl = admin.put(
        "/v1/settings/second-chance-leads", {"enabled": True, "after_call_work_minutes": AFTER_CALL_WORK_MINUTES}
    )
    assert scl.status_code == 200, scl.text
    return Company(
        tenant_id=tenant_id,
        demo=demo,
        admin=admin,
        vendors=Vendors(runtime.api_url, tenant_id, telephony),
        partners=partners["partners"],
        online_key=online_key,
    )


@dataclass
class Operation:
    name: str
    send: Callable[[int], Any]  # the i-th one: an HTTP response, or what the handler returned
    prepare: Callable[[int], None] | None = None  # what the n runs need first (not metered)
    route: tuple[str, str] | None = None  # a staff GET: (method, OpenAPI path)


@dataclass
class Measured:
    operation: Operation
    runs: int
    reading: Reading
    outcomes: list = field(default_factory=list)

    def per_run(self) -> dict[str, float]:
        return {op: count / self.runs for op, count in sorted(self.reading.requests.items())}


def measure(operation: Operation, runs: int, *, warm: Callable[[], None] | None = None) -> Measured:
    """`warm`, before each run, puts back what a warm function keeps between invocations (no request)."""
    if operation.prepare is not None:
        operation.prepare(runs)
    outcomes = []
    with metering() as reading:
        for i in range(runs):
            if warm is not None:
                warm()
            outcome = operation.send(i)
            if hasattr(outcome, "status_code"):
                assert outcome.status_code < 300, (operation.name, outcome.status_code, outcome.text)
            outcomes.append(outcome)
    return Measured(operation, runs, reading, outcomes)


def _eventbridge(detail_type: str, detail: dict) -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "leadline",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def _sample(name: str) -> dict:
    return json.loads((PARTNER_SAMPLES / name).read_text())


def _digits() -> str:
    return str(uuid.uuid4().int % 10**18)


class Traffic:
    """The operations, in an order where each finds what it needs: calls before their evaluation, leads before
    their conversion, everything before the reads."""

    def __init__(self, runtime: LocalRuntime, company: Company):
        self.runtime, self.company = runtime, company
        self.admin, self.vendors = company.admin, company.vendors
        self.number = company.demo["tracking_numbers"][0]
        self.job_type = self.admin.get("/v1/job-types").json()["items"][0]
        self.unit = self.job_type["business_unit_ids"][0]
        self.customer = self.admin.post("/v1/customers", {"name": "Bench Customer", "phones": ["+15125550166"]}).json()
        self.window = {"appointment_start": "2026-11-25T08:00:00Z", "appointment_end": "2026-11-25T10:00:00Z"}
        self.sids: list[str] = []
        self.lead_ids: list[str] = []
        self.dismissable: list[str] = []
        self.job_ids: list[str] = []
        self.negotiations: list[str] = []
        self.angi_leads: list[dict] = []
        self.online_bookings: list[str] = []
        self.dni_sessions: list[str] = []
        self.prospect_calls: list[str] = []
        self.other_calls: list[str] = []
        self.scl_ids: list[str] = []
        self.scl_phones: list[str] = []
        self.events: dict[str, dict] = {}
        self.lead_reason = next(
            r["call_reason_id"] for r in self.admin.get("/v1/call-reasons").json()["items"] if r["is_lead"]
        )
        self._callers = iter(range(1000, 10000))

    # --- the calls' webhooks ----------------------------------------------------------------------

    def _voice(self, sid: str, status: str, seq: int, caller: str = "+15125550177", **extra) -> dict:
        return {
            "CallSid": sid,
            "From": caller,
            "To": self.number,
            "Direction": "inbound",
            "CallStatus": status,
            "SequenceNumber": str(seq),
            "Timestamp": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            **extra,
        }

    def _new_sids(self, runs: int) -> None:
        self.sids = [twilio_sid() for _ in range(runs)]

    def call_webhooks(self) -> list[Operation]:
        v = self.vendors
        return [
            Operation(
                "Twilio voice-status, first event of a call",
                lambda i: v.twilio("voice-status", self._voice(self.sids[i], "ringing", 0)),
                prepare=self._new_sids,
            ),
            Operation(
                "Twilio voice-status, a later event (call ends, ACW starts)",
                lambda i: v.twilio("voice-status", self._voice(self.sids[i], "completed", 3, CallDuration="60")),
            ),
            Operation(
                "Twilio voice-status, a duplicate delivery",
                lambda i: v.twilio("voice-status", self._voice(self.sids[i], "completed", 3, CallDuration="60")),
            ),
            Operation(
                "Twilio recording-status",
                lambda i: v.twilio(
                    "recording-status",
                    {
                        "CallSid": self.sids[i],
                        "RecordingSid": twilio_sid("RE"),
                        "RecordingStatus": "completed",
                        "RecordingUrl": "https://api.twilio.com/rec",
                        "RecordingDuration": "58",
                    },
                ),
            ),
            Operation(
                "Twilio transcription",
                lambda i: v.twilio(
                    "transcription",
                    {
                        "CallSid": self.sids[i],
                        "TranscriptionSid": twilio_sid("TR"),
                        "TranscriptionStatus": "completed",
                        "TranscriptionText": "Hello, I need someone to look at my furnace, it is making a noise. " * 5,
                    },
                ),
            ),
            Operation(
                "CallRail post-call (stored first, then applied)",
                lambda i: v.callrail(
                    {
                        "id": f"CAL{uuid.uuid4().hex}",
                        "tracking_phone_number": self.number,
                        "customer_phone_number": "+15125550177",
                        "direction": "inbound",
                        "duration": 75,
                        "start_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "answered": True,
                        "recording": "https://app.callrail.com/rec",
                        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    }
                ),
            ),
            Operation(
                "Native call.ended",
                lambda i: v.native(
                    {
                        "event_id": uuid.uuid4().hex,
                        "type": "call.ended",
                        "call_id": f"n-{uuid.uuid4().hex[:12]}",
                        "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "direction": "inbound",
                        "to": self.number,
                        "from": "+15125550177",
                        "outcome": "completed",
                        "duration_seconds": 60,
                    }
                ),
            ),
        ]

    # --- lead partners -----------------------------------------------------------------------------

    def _partner_post(self, partner: str, body: bytes, headers: dict) -> requests.Response:
        return requests.post(
            f"{self.runtime.api_url}/webhooks/partners/{partner}/{self.company.tenant_id}",
            data=body,
            headers={"Content-Type": "application/json", **headers},
            timeout=30,
        )

    def _thumbtack(self, payload: dict) -> requests.Response:
        from leadline.partners import thumbtack

        auth = thumbtack.basic_authorization(**self.company.partners["thumbtack"])
        return self._partner_post("thumbtack", json.dumps(payload).encode(), {"Authorization": auth})

    def _angi(self, payload: dict) -> requests.Response:
        key = self.company.partners["angi"]["api_key"]
        return self._partner_post("angi", json.dumps(payload).encode(), {"x-api-key": key})

    def _generic(self, payload: dict) -> requests.Response:
        from infra.local.seed_partners import GENERIC_PARTNER
        from leadline.partners import generic

        body = json.dumps(payload).encode()
        secret = self.company.partners["generic"][GENERIC_PARTNER]["signing_secret"]
        signature = generic.sign(secret, body, int(time.time()))
        return self._partner_post(GENERIC_PARTNER, body, {generic.SIGNATURE_HEADER: signature})

    def _negotiation(self, i: int):
        payload = _sample("thumbtack/negotiation_created.json")
        payload["data"]["negotiationID"] = negotiation = _digits()
        self.negotiations.append(negotiation)
        return self._thumbtack(payload)

    def _thumbtack_message(self, i: int):
        payload = _sample("thumbtack/message_created.json")
        payload["data"]["negotiationID"], payload["data"]["messageID"] = self.negotiations[i], _digits()
        return self._thumbtack(payload)

    def _angi_lead(self, i: int):
        payload = _sample("angi/lead.json")
        payload["leadOid"] = int(_digits()[:12])
        self.angi_leads.append(payload)
        return self._angi(payload)

    def _generic_lead(self, i: int):
        payload = _sample("generic/lead.json")
        payload["lead_id"] = f"nx-{uuid.uuid4().hex[:12]}"
        return self._generic(payload)

    def partner_webhooks(self) -> list[Operation]:
        return [
            Operation("Partner: Thumbtack NegotiationCreatedV4 (a new lead)", self._negotiation),
            Operation("Partner: Thumbtack MessageCreatedV4 (a note on its lead's booking)", self._thumbtack_message),
            Operation("Partner: Angi lead", self._angi_lead),
            Operation("Partner: Angi lead, a duplicate delivery", lambda i: self._angi(self.angi_leads[i])),
            Operation("Partner: generic signed JSON lead (Networx)", self._generic_lead),
        ]

    # --- the website -------------------------------------------------------------------------------

    def _online_booking(self, i: int, booking_id: str | None = None):
        if booking_id is None:
            booking_id = f"sched-{uuid.uuid4().hex[:10]}"
            self.online_bookings.append(booking_id)
        body = {
            "booking_id": booking_id,
            "customer": {"name": "Pat Doe", "phone": "(512) 555-0142", "email": "pat@example.com"},
            "address": {"address1": "12 Elm St", "city": "Austin", "state": "TX", "postal_code": "78701"},
            "service": "AC not cooling",
            "requested_times": [{"start": "2026-11-25T15:00:00Z", "end": "2026-11-25T17:00:00Z"}],
            "tracking": {"utmSource": "google", "utmMedium": "cpc", "utmCampaign": "ac-repair", "gclid": "abc"},
        }
        headers = {"X-Leadline-Key": self.company.online_key, "Origin": "https://www.acme-home.example"}
        return requests.post(f"{self.runtime.api_url}/v1/online-bookings", json=body, headers=headers, timeout=30)

    def _dni_session(self, i: int, session_id: str | None = None):
        body = {"utm_source": "google", "utm_medium": "cpc"} | ({"session_id": session_id} if session_id else {})
        response = requests.post(
            f"{self.runtime.api_url}/dni/{self.company.tenant_id}/sessions",
            json=body,
            headers={"Origin": f"https://{self.company.demo['dni']['domain']}"},
            timeout=30,
        )
        if session_id is None:
            self.dni_sessions.append(response.json()["session_id"])
        return response

    def website(self) -> list[Operation]:
        return [
            Operation("Website: POST /v1/online-bookings (attributed by a UTM rule)", self._online_booking),
            Operation(
                "Website: POST /v1/online-bookings, a duplicate",
                lambda i: self._online_booking(i, self.online_bookings[i]),
            ),
            Operation("Website: POST /dni/{tenant}/sessions (a new visitor)", self._dni_session),
            Operation(
                "Website: POST /dni/{tenant}/sessions (a returning visitor)",
                lambda i: self._dni_session(i, self.dni_sessions[i]),
            ),
        ]

    # --- staff writes ------------------------------------------------------------------------------

    def _create_lead(self, i: int):
        response = self.admin.post(
            "/v1/leads",
            {
                "customer_id": self.customer["customer_id"],
                "business_unit_id": self.unit,
                "job_type_id": self.job_type["job_type_id"],
            },
        )
        self.lead_ids.append(response.json()["lead_id"])
        return response

    def _book_job(self, i: int):
        response = self.admin.post(
            "/v1/jobs",
            {
                "customer_id": self.customer["customer_id"],
                "job_type_id": self.job_type["job_type_id"],
                "business_unit_id": self.unit,
                **self.window,
            },
        )
        self.job_ids.append(response.json()["job"]["job_id"])
        return response

    def _leads_to_dismiss(self, runs: int) -> None:
        first = len(self.lead_ids)
        for i in range(runs):
            self._create_lead(i)
        self.dismissable = self.lead_ids[first:]

    def staff_writes(self) -> list[Operation]:
        convert_body = {"job_type_id": self.job_type["job_type_id"], "business_unit_id": self.unit, **self.window}
        return [
            Operation("Staff POST /v1/leads (manual lead, LeadCreated published)", self._create_lead),
            Operation(
                "Staff POST /v1/leads/{id}/convert (job + lead + 2 events)",
                lambda i: self.admin.post(f"/v1/leads/{self.lead_ids[i]}/convert", convert_body),
            ),
            Operation(
                "Staff POST /v1/leads/{id}/dismiss (standard reason)",
                lambda i: self.admin.post(
                    f"/v1/leads/{self.dismissable[i]}/dismiss", {"reason": "price_too_high", "note": "bench"}
                ),
                prepare=self._leads_to_dismiss,
            ),
            Operation("Staff POST /v1/jobs (booked on its own, open leads listed)", self._book_job),
            Operation(
                "Staff PUT /v1/calls/{id}/classification (a lead reason: the call's lead made)",
                lambda i: self.admin.put(
                    f"/v1/calls/{self.sids[i]}/classification", {"call_reason_id": self.lead_reason, "notes": "bench"}
                ),
            ),
        ]

    # --- the after-call-work evaluation (call_evaluator) -----------------------------------------------

    def _caller(self) -> str:
        return f"+1512555{next(self._callers):04d}"

    def _ended_call(self, transcript: str) -> str:
        """An inbound call of 75 s with its recording and transcript, ended (its timer is far off)."""
        sid, caller, v = twilio_sid(), self._caller(), self.vendors
        for response in (
            v.twilio("voice-status", self._voice(sid, "in-progress", 1, caller)),
            v.twilio(
                "recording-status",
                {
                    "CallSid": sid,
                    "RecordingSid": twilio_sid("RE"),
                    "RecordingStatus": "completed",
                    "RecordingDuration": "75",
                    "RecordingUrl": f"https://api.twilio.com/rec/{sid}",
                },
            ),
            v.twilio(
                "transcription",
                {
                    "CallSid": sid,
                    "TranscriptionSid": twilio_sid("TR"),
                    "TranscriptionStatus": "completed",
                    "TranscriptionText": transcript,
                },
            ),
            v.twilio("voice-status", self._voice(sid, "completed", 2, caller, CallDuration="75")),
        ):
            assert response.status_code == 200, response.text
        return sid

    def _evaluate(self, sid: str, detail_type: str = "AfterCallWorkElapsed") -> dict:
        detail = {"tenant_id": self.company.tenant_id, "call_id": sid, "event_id": uuid.uuid4().hex}
        return self.runtime.functions.invoke("call_evaluator", _eventbridge(detail_type, detail))

    def _prospects(self, runs: int) -> None:
        self.prospect_calls = [self._ended_call(PROSPECT) for _ in range(runs)]

    def _others(self, runs: int) -> None:
        self.other_calls = [self._ended_call(NOT_A_PROSPECT) for _ in range(runs)]

    def _evaluated_prospect(self, i: int) -> dict:
        outcome = self._evaluate(self.prospect_calls[i])
        assert outcome["second_chance_lead"] == "created", outcome
        return outcome

    def _scls_made(self, runs: int) -> None:
        """The SCLs the prospects' evaluations made, and their callers' numbers (read outside the meter)."""
        from leadline.data import keys
        from leadline.data.models import SecondChanceLead
        from leadline.data.repositories import calls

        tenant_id = self.company.tenant_id
        self.scl_ids = [calls.get(tenant_id, sid).scl_id for sid in self.prospect_calls]
        self.scl_phones = [
            SecondChanceLead.get(keys.tenant(tenant_id), keys.scl(scl_id)).phone for scl_id in self.scl_ids
        ]

    def _evaluated_other(self, i: int) -> dict:
        outcome = self._evaluate(self.other_calls[i])
        assert outcome["second_chance_lead"] == "not-a-prospect", outcome
        return outcome

    def _job_booked(self, phone: str) -> dict:
        detail = {
            "tenant_id": self.company.tenant_id,
            "event_id": uuid.uuid4().hex,
            "job_id": f"job-{uuid.uuid4().hex[:12]}",
            "customer_phone": phone,
            "occurred_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "booked_by": None,
        }
        return self.runtime.functions.invoke("call_evaluator", _eventbridge("JobBooked", detail))

    def evaluations(self) -> list[Operation]:
        return [
            Operation(
                "call_evaluator AfterCallWorkElapsed: a prospect (SCL + abandoned-call lead)",
                self._evaluated_prospect,
                prepare=self._prospects,
            ),
            Operation(
                "call_evaluator AfterCallWorkElapsed: not a prospect (abandoned-call lead)",
                self._evaluated_other,
                prepare=self._others,
            ),
            Operation(
                "call_evaluator AfterCallWorkElapsed, a repeated delivery",
                lambda i: self._evaluate(self.prospect_calls[i]),
            ),
            Operation(
                "call_evaluator SecondChanceLeadEvaluationDue (late transcript), already evaluated",
                lambda i: self._evaluate(self.other_calls[i], "SecondChanceLeadEvaluationDue"),
            ),
            Operation(
                "Staff POST /v1/second-chance-leads/{id}/callback",
                lambda i: self.admin.post(f"/v1/second-chance-leads/{self.scl_ids[i]}/callback"),
                prepare=self._scls_made,
            ),
            Operation(
                "call_evaluator JobBooked, no SCL for the number (most jobs)",
                lambda i: self._job_booked("+15125550166"),
            ),
        ]

    def job_booked_for_scl(self) -> Operation:
        """Ends the SCLs (job_booked_by_scl): measured after the reads of the open queue."""

        def send(i: int) -> dict:
            outcome = self._job_booked(self.scl_phones[i])
            assert outcome["second_chance_leads_booked"] == [self.scl_ids[i]], outcome
            return outcome

        return Operation("call_evaluator JobBooked, the caller's open SCL (job booked by SCL)", send)

    # --- the scanner and the notifier ------------------------------------------------------------

    def _sweep(self, i: int) -> dict:
        return self.runtime.functions.invoke("scanner", _eventbridge("Scheduled Event", {}) | {"source": "aws.events"})

    def scanner(self) -> Operation:
        return Operation(
            "scanner: one sweep, nothing due (outbox, kept call events, overdue evaluations, held texts)",
            self._sweep,
            prepare=lambda runs: self._sweep(0),
        )

    def capture_events(self) -> None:
        """A real SecondChanceLeadCreated and a partner's BookingReceived, as the bus carried them (replayed to the
        notifier under new event ids, so the runtime's own delivery of the originals is not in the way)."""
        from tests.support.bus import BusTap

        tap = BusTap(self.runtime, ["SecondChanceLeadCreated", "BookingReceived"])
        try:
            self._negotiation(0)
            self._evaluate(self._ended_call(PROSPECT))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and {"SecondChanceLeadCreated", "BookingReceived"} - set(self.events):
                for event in tap.drain(wait=0.2):
                    if event["detail"]["tenant_id"] == self.company.tenant_id:
                        self.events.setdefault(event["detail-type"], event["detail"])
        finally:
            tap.close()
        assert set(self.events) == {"SecondChanceLeadCreated", "BookingReceived"}, set(self.events)

    def _notify(self, detail_type: str) -> dict:
        detail = self.events[detail_type] | {"event_id": uuid.uuid4().hex}
        return self.runtime.functions.invoke("notifier", _eventbridge(detail_type, detail))

    def notifier(self) -> list[Operation]:
        return [
            Operation(
                "notifier SecondChanceLeadCreated (2 employees: in-app, email, text)",
                lambda i: self._notify("SecondChanceLeadCreated"),
                prepare=lambda runs: self.events or self.capture_events(),
            ),
            Operation(
                "notifier BookingReceived from a partner (3 employees: in-app, email; text for 2)",
                lambda i: self._notify("BookingReceived"),
                prepare=lambda runs: self.events or self.capture_events(),
            ),
        ]

    # --- staff reads -------------------------------------------------------------------------------

    def staff_reads(self) -> dict[str, list[tuple[str, dict]]]:
        """Every staff GET, by its OpenAPI path: the concrete requests (path, query) that measure it. Lists are read
        unfiltered and with each filter that picks another index or adds a filter expression."""
        demo = self.company.demo
        today = datetime.now(ZoneInfo(self.company.time_zone)).date()
        month = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
        campaign = demo["campaigns"]["google_ads"]
        employee = demo["employees"]["csr"]["employee_id"]
        booking = self.admin.get("/v1/bookings", params={"limit": 1}).json()["items"][0]["booking_id"]
        reason = self.lead_reason
        self.company.vendors.callrail(b'{"resource_id": "CALbench", "duration": "a lot"}')  # kept, rejected
        rejected = self.admin.get("/v1/integrations/callrail/deliveries").json()["items"][0]["delivery_id"]
        return {
            "/v1/settings": [("/v1/settings", {})],
            "/v1/settings/second-chance-leads": [("/v1/settings/second-chance-leads", {})],
            "/v1/settings/online-bookings": [("/v1/settings/online-bookings", {})],
            "/v1/campaigns": [("/v1/campaigns", {})],
            "/v1/campaigns/{campaign_id}": [(f"/v1/campaigns/{campaign}", {})],
            "/v1/tracking-numbers": [("/v1/tracking-numbers", {})],
            "/v1/tracking-numbers/{number}": [(f"/v1/tracking-numbers/{self.number}", {})],
            "/v1/tracking-numbers/{number}/diagnostics": [(f"/v1/tracking-numbers/{self.number}/diagnostics", {})],
            "/v1/business-units": [("/v1/business-units", {})],
            "/v1/business-units/{business_unit_id}": [(f"/v1/business-units/{self.unit}", {})],
            "/v1/job-types": [("/v1/job-types", {})],
            "/v1/job-types/{job_type_id}": [(f"/v1/job-types/{self.job_type['job_type_id']}", {})],
            "/v1/call-reasons": [("/v1/call-reasons", {})],
            "/v1/call-reasons/{call_reason_id}": [(f"/v1/call-reasons/{reason}", {})],
            "/v1/me": [("/v1/me", {})],
            "/v1/permissions": [("/v1/permissions", {})],
            "/v1/employees": [("/v1/employees", {})],
            "/v1/employees/{employee_id}": [(f"/v1/employees/{employee}", {})],
            "/v1/roles": [("/v1/roles", {})],
            "/v1/roles/{role_id}": [("/v1/roles/csr", {})],
            "/v1/calls": [
                ("/v1/calls", {}),
                ("/v1/calls", {"day": today.isoformat()}),
                ("/v1/calls", {"campaign_id": campaign}),
                ("/v1/calls", {"caller": "+15125550177"}),
            ],
            "/v1/calls/{call_id}": [(f"/v1/calls/{self.prospect_calls[0]}", {})],
            "/v1/leads": [
                ("/v1/leads", {}),
                ("/v1/leads", {"status": "open"}),
                ("/v1/leads", {"source": "abandoned_call"}),
                ("/v1/leads", {"campaign_id": campaign}),
                ("/v1/leads", {"business_unit_id": self.unit}),
                ("/v1/leads", {"created_from": today.isoformat(), "created_to": today.isoformat()}),
            ],
            "/v1/leads/{lead_id}": [(f"/v1/leads/{self.lead_ids[0]}", {})],
            "/v1/lead-dismiss-reasons": [("/v1/lead-dismiss-reasons", {})],
            "/v1/jobs/{job_id}": [(f"/v1/jobs/{self.job_ids[0]}", {})],
            "/v1/customers": [("/v1/customers", {"phone": "+15125550166"})],
            "/v1/customers/{customer_id}": [(f"/v1/customers/{self.customer['customer_id']}", {})],
            "/v1/second-chance-leads": [
                ("/v1/second-chance-leads", {"tab": "open"}),
                ("/v1/second-chance-leads", {"tab": "cold"}),
                ("/v1/second-chance-leads", {"tab": "done"}),
                ("/v1/second-chance-leads", {"tab": "open", "status": "new"}),
                ("/v1/second-chance-leads", {"tab": "open", "search": "technician"}),
            ],
            "/v1/second-chance-leads/banner": [("/v1/second-chance-leads/banner", {"phone": self.scl_phones[0]})],
            "/v1/second-chance-leads/counts": [("/v1/second-chance-leads/counts", {})],
            "/v1/second-chance-leads/{scl_id}": [(f"/v1/second-chance-leads/{self.scl_ids[0]}", {})],
            "/v1/notifications": [("/v1/notifications", {}), ("/v1/notifications", {"unread": "true"})],
            "/v1/me/notification-preferences": [("/v1/me/notification-preferences", {})],
            "/v1/bookings": [
                ("/v1/bookings", {}),
                ("/v1/bookings", {"status": "pending"}),
                ("/v1/bookings", {"source": "partner"}),
                ("/v1/bookings", {"flagged": "true"}),
            ],
            "/v1/bookings/export": [("/v1/bookings/export", month)],
            "/v1/bookings/{booking_id}": [(f"/v1/bookings/{booking}", {})],
            "/v1/integrations": [("/v1/integrations", {})],
            "/v1/integrations/{partner}": [("/v1/integrations/thumbtack", {})],
            "/v1/integrations/{partner}/diagnostics": [("/v1/integrations/thumbtack/diagnostics", {})],
            "/v1/integrations/{partner}/deliveries": [("/v1/integrations/callrail/deliveries", {})],
            "/v1/integrations/{partner}/deliveries/{delivery_id}": [
                (f"/v1/integrations/callrail/deliveries/{rejected}", {})
            ],
            "/v1/dni": [("/v1/dni", {})],
            "/v1/reports/campaign-summary": [("/v1/reports/campaign-summary", month)],
            "/v1/reports/lead-volume": [("/v1/reports/lead-volume", month)],
            "/v1/reports/scl-recovery": [("/v1/reports/scl-recovery", month)],
            "/v1/reports/csr-performance": [("/v1/reports/csr-performance", month)],
        }

    def staff_get_routes(self) -> set[str]:
        """Every GET of the staff API under /v1, from the API's own OpenAPI document."""
        document = self.admin.get("/openapi.json").json()
        return {path for path, operations in document["paths"].items() if "get" in operations}

    def staff_read_operations(self) -> list[Operation]:
        reads = self.staff_reads()
        documented = self.staff_get_routes()
        missing, stale = sorted(documented - set(reads)), sorted(set(reads) - documented)
        if missing or stale:
            raise RuntimeError(f"staff GETs not measured: {missing}; measured but not in the API: {stale}")
        operations = []
        for route, variants in sorted(reads.items()):
            for path, params in variants:
                query = "&".join(f"{k}=<{k}>" if k in VARYING else f"{k}={v}" for k, v in params.items())
                operations.append(
                    Operation(
                        f"Staff GET {route}" + (f"?{query}" if query else ""),
                        lambda i, path=path, params=params: self.admin.get(path, params=params),
                        route=("GET", route),
                    )
                )
        return operations

    # --- everything, in order ----------------------------------------------------------------------

    def warm(self) -> None:
        """The company's time zone, which the report counters' day needs: a function keeps it 5 minutes after
        reading it (one GetItem of the settings), so a run longer than that would count the read now and then."""
        from leadline.reports import aggregates

        aggregates.remember_zone(self.company.tenant_id, self.company.time_zone)

    def plan(self) -> list[Callable[[], list[Operation]]]:
        """The stages in order; each is built when its turn comes (the reads need the ids the writes made)."""
        return [
            self.call_webhooks,
            self.partner_webhooks,
            self.website,
            self.staff_writes,
            self.evaluations,
            lambda: [self.scanner()],
            self.notifier,
            self.staff_read_operations,
            lambda: [self.job_booked_for_scl()],
        ]


def run_all(traffic: Traffic, runs: int) -> list[Measured]:
    measured = []
    for stage in traffic.plan():
        for operation in stage():
            measured.append(measure(operation, runs, warm=traffic.warm))
    return measured


def markdown(measured: list[Measured], runs: int) -> str:
    lines = [
        f"| operation (mean of {runs}) | requests | by operation | RCU | WCU | moto units | Scans |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for m in measured:
        r, n = m.reading, m.runs
        ops = ", ".join(f"{op} {count:g}" for op, count in m.per_run().items())
        lines.append(
            f"| {m.operation.name} | {r.total_requests / n:g} | {ops} | {r.read_units / n:.1f} "
            f"| {r.write_units / n:.1f} | {r.moto_units / n:.1f} | {r.requests.get('Scan', 0)} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20, help="runs of each operation")
    args = parser.parse_args()
    from leadline.observability import logger

    logger.setLevel("WARNING")  # the handlers' info lines would bury the table
    runtime = LocalRuntime(port=0, app_port=0, state_dir=Path(tempfile.mkdtemp()))
    runtime.start()
    try:
        started = time.monotonic()
        with contextlib.redirect_stdout(sys.stderr):  # Powertools' metrics lines, when 100 values pile up
            measured = run_all(Traffic(runtime, seed_company(runtime)), args.calls)
        elapsed = time.monotonic() - started
    finally:
        runtime.stop()
    print(markdown(measured, args.calls))
    scans = sum(m.reading.requests.get("Scan", 0) for m in measured)
    print(
        json.dumps({"runs": args.calls, "operations": len(measured), "scans": scans, "seconds": round(elapsed)}),
        file=sys.stderr,
    )
    return 1 if scans else 0


if __name__ == "__main__":
    sys.exit(main())
