"""Load test of the local runtime: many calls at once, each with its full set of vendor webhooks delivered with
random duplicates and out of order, interleaved across calls, plus partner leads delivered twice; then, once the
pipeline has settled (after-call work, evaluator, notifier, scanner), a recount from the tables against what was
sent: one call record per call, the leads, Second Chance Leads, bookings and notifications expected (none lost,
none duplicated), the mail and texts sent, and the report counters equal to their brute-force recount.

    .venv/bin/python bench/load.py [--calls 300] [--concurrency 8] [--duplicates 0.3] [--acw-minutes 5]

It starts the local runtime in this process (LEADLINE_TIME_SCALE=60 unless set) with a company of its own, a copy of
the demo tenant (Second Chance Leads on, three employees, Thumbtack and Angi mapped). Exit status 1 when anything
was lost, duplicated or answered with an error. `tests/integration/test_load.py` runs it small; `bench/throughput.py`
runs it big.

What is expected is derived from what is sent, by the product's documented rules:
- every call: one call record, converged to its final status and duration, and one call-event record per distinct
  delivery (a duplicate is refused by its dedupe key);
- an inbound call over 60 s that no CSR classified: one abandoned-call lead; a call a CSR classified with a lead
  reason: one lead (from the classification, or the abandoned-call lead if the after-call work came first);
- an inbound answered call with a recording and a prospect's transcript: a Second Chance Lead, one per caller number
  (callers calling twice get one); the transcripts are labelled ones from tests/data, each used in a call where the
  analyser agrees with its label (in that call's context), so the label decides;
- each SCL told to everyone holding `view_second_chance_leads`, each partner lead to everyone holding
  `manage_leads`, on their channels (in-app and email, texts for those who chose them), once each.

The after-call-work timer evaluates a call with what it has when it elapses, and a recording (or the caller's
number) that comes later is not looked at again (only a late transcript is). So the driver keeps a bounded window
of calls in flight (default: as many as the concurrency), and a prospect call whose recording or caller number
still came after its timer may have elapsed is reported as undecided: its caller may have one SCL or none
(everything else about it is checked as usual).
"""

from __future__ import annotations

import argparse
import email.policy
import email.utils
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from infra.local.runtime import ACCOUNT, REGION, LocalRuntime, local_environment  # noqa: E402

for _key, _value in local_environment().items():
    os.environ.setdefault(_key, _value)

import requests  # noqa: E402
from boto3.dynamodb.types import TypeDeserializer  # noqa: E402

from infra.local import seed, tokens  # noqa: E402
from infra.local.seed_partners import seed_partners  # noqa: E402
from leadline import config  # noqa: E402
from leadline.config import scaled_seconds  # noqa: E402
from leadline.data import keys, models  # noqa: E402
from leadline.data.models import RecordModel  # noqa: E402
from leadline.data.repositories import deliveries as delivery_records  # noqa: E402
from leadline.partners import thumbtack  # noqa: E402
from leadline.permissions import DEFAULT_ROLES, Permission  # noqa: E402
from leadline.scl.analysis import CallContext  # noqa: E402
from leadline.scl.analysis.rules import RulesAnalyser  # noqa: E402
from leadline.setup import service as setup  # noqa: E402
from tests.support.webhooks import Vendors, twilio_sid  # noqa: E402

DATA = ROOT / "tests" / "data"
GOOGLE_ADS, YARD_SIGNS, DIRECT_DIAL = "+15125550100", "+15125550101", "+15125550102"
UNKNOWN_NUMBER = "+15125550777"  # no tracking number: the Unknown campaign
ABANDONED_AFTER_SECONDS = 60
CALL_TYPES = {GOOGLE_ADS: "lead", YARD_SIGNS: "lead", DIRECT_DIAL: "not_lead", UNKNOWN_NUMBER: None}  # as seeded
IN_APP, EMAIL, SMS = "in_app", "email", "sms"

APP_BASE_URL = "https://app.load-test.example"  # each tenant links to its own path of it


# --- the company the load runs against ---------------------------------------------------------------


@dataclass
class LoadTenant:
    tenant_id: str
    api_url: str
    telephony: dict
    partners: dict
    csr_token: str
    lead_reason_id: str
    marker: str  # the base of the links in its notifications: tells its mail and texts from others' in moto
    acw_seconds: float


def prepare_tenant(runtime: LocalRuntime, *, acw_minutes: int = 5) -> LoadTenant:
    """A copy of the demo tenant under a new id: its settings, numbers, employees and partners, its own credentials."""
    tenant_id = f"load-{uuid.uuid4().hex[:10]}"
    seed.create_demo_records(tenant_id)
    telephony = seed.create_demo_credentials(runtime.client("secretsmanager"), tenant_id)
    runtime.client("ses").verify_email_identity(EmailAddress=seed.SENDER)
    partners = seed_partners(runtime, {"tenant_id": tenant_id})["partners"]
    marker = f"{APP_BASE_URL}/{tenant_id}"
    setup.update_settings(
        tenant_id,
        {"second_chance_leads": {"after_call_work_minutes": acw_minutes}, "notifications": {"app_base_url": marker}},
    )
    reasons = setup.call_reasons.list(tenant_id, limit=200, next_token=None)["items"]
    lead_reason = next(r for r in reasons if r["is_lead"])
    employee_id, role_id = seed.EMPLOYEES["csr"][0], seed.EMPLOYEES["csr"][4]
    return LoadTenant(
        tenant_id=tenant_id,
        api_url=runtime.api_url,
        telephony=telephony,
        partners=partners,
        csr_token=tokens.issue(runtime.signing_key, tenant_id=tenant_id, employee_id=employee_id, role_id=role_id),
        lead_reason_id=lead_reason["call_reason_id"],
        marker=marker,
        acw_seconds=scaled_seconds(acw_minutes * 60),
    )


def audience(permission: str) -> dict[str, set[str]]:
    """Who of the seeded team hears of an event for `permission`, and on which channels (from the seed's config)."""
    found = {}
    for key, (employee_id, _name, _email, _phone, role, grants) in seed.EMPLOYEES.items():
        if permission in DEFAULT_ROLES[role][1] | set(grants):
            found[employee_id] = {IN_APP, EMAIL} | ({SMS} if key in seed.TEXTED else set())
    return found


# --- what is sent ------------------------------------------------------------------------------------


class Clients(threading.local):
    """Each driver thread's own HTTP sessions (keep-alive): vendors signing as each does, partners, a CSR."""

    def __init__(self, tenant: LoadTenant):
        self.vendors = Vendors(tenant.api_url, tenant.tenant_id, tenant.telephony)
        self.partners = requests.Session()
        self.csr = requests.Session()
        self.csr.headers["Authorization"] = f"Bearer {tenant.csr_token}"


@dataclass
class Delivery:
    """One distinct thing sent (a webhook, a partner lead, a CSR's classification); sent once per copy."""

    unit: str  # the call id or the partner lead it belongs to
    name: str
    send: Callable[[Clients], requests.Response]
    copies: int = 1
    ends_call: bool = False  # carries the call's final status: the after-call work starts
    has_recording: bool = False
    has_caller: bool = False  # carries the caller's number
    staff: bool = False  # a CSR's request: retried on 404 (call not there yet) and 409 (changed meanwhile)
    first_sent: float | None = None
    first_done: float | None = None


@dataclass
class CallPlan:
    call_id: str
    vendor: str
    scenario: str
    inbound: bool
    caller: str
    dialled: str
    answered: bool
    duration: int
    prospect: bool | None  # None: no transcript
    classified: bool
    transcript: str | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "completed" if self.answered else "no-answer"

    @property
    def abandoned_lead(self) -> bool:
        return self.inbound and self.duration > ABANDONED_AFTER_SECONDS and not self.classified

    @property
    def leads(self) -> int:
        return int(self.abandoned_lead or self.classified)

    @property
    def scl_candidate(self) -> bool:
        return self.inbound and self.answered and bool(self.prospect)


@dataclass
class PartnerLead:
    partner: str
    external_id: str
    deliveries: list[Delivery] = field(default_factory=list)


@dataclass
class Plan:
    calls: list[CallPlan]
    partner_leads: list[PartnerLead]
    seed: int

    def deliveries(self) -> list[Delivery]:
        return [d for c in self.calls for d in c.deliveries] + [d for p in self.partner_leads for d in p.deliveries]


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: int
    answered: bool = True
    seconds: tuple[int, int] = (61, 420)
    prospect: bool | None = None  # None: either
    classified: bool = False
    inbound: bool = True


VENDORS = ("twilio", "callrail", "twilio", "native")
SCENARIOS = (
    Scenario("long call, a prospect", 4, prospect=True),
    Scenario("long call, not a prospect", 2, prospect=False),
    # (the analyser takes a call under 20 s for a hang-up)
    Scenario("short call, a prospect", 2, seconds=(20, 60), prospect=True),
    Scenario("short call, not a prospect", 1, seconds=(15, 60), prospect=False),
    Scenario("unanswered", 2, answered=False, seconds=(0, 0)),
    Scenario("classified as a lead by the CSR", 2, classified=True),
    Scenario("outbound", 1, inbound=False, seconds=(30, 300)),
)


class Transcripts:
    """The labelled transcripts of tests/data, each used only in a call where the analyser agrees with its label (in
    that call's context: its duration and the called number's call type), so that the label decides what the call
    should make. Empty ones (hang-ups) are left out: to a vendor, an empty transcript is no transcript."""

    def __init__(self) -> None:
        self._analyser = RulesAnalyser()
        self._texts: dict[bool, list[str]] = {True: [], False: []}
        for line in (DATA / "scl_transcripts.jsonl").read_text().splitlines():
            row = json.loads(line)
            if row["transcript"].strip():
                self._texts[row["is_prospect"]].append(row["transcript"])
        self._agrees: dict[tuple[str, int, str | None], bool] = {}

    def pick(self, rng: random.Random, label: bool, *, seconds: int, call_type: str | None) -> str:
        texts = self._texts[label]
        for i in rng.sample(range(len(texts)), len(texts)):
            key = (texts[i], seconds, call_type)
            if key not in self._agrees:
                context = CallContext(direction="inbound", duration_seconds=seconds, call_type=call_type)
                self._agrees[key] = self._analyser.analyse(texts[i], context).is_prospect == label
            if self._agrees[key]:
                return texts[i]
        kind = "prospect" if label else "non-prospect"
        raise ValueError(
            f"no {kind} transcript the analyser agrees with for a {seconds} s call to a {call_type} number"
        )


def _rfc2822(moment: datetime) -> str:
    return email.utils.format_datetime(moment, usegmt=True)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Once:
    """A body made when first sent (so a signed timestamp is fresh) and identical for every copy after."""

    def __init__(self, make: Callable[[], dict]):
        self._make, self._lock, self._value = make, threading.Lock(), None

    def __call__(self) -> dict:
        with self._lock:
            if self._value is None:
                self._value = self._make()
            return self._value


def _twilio_call(plan: CallPlan, started: datetime) -> list[Delivery]:
    sid, ours = plan.call_id, plan.dialled
    base = {
        "CallSid": sid,
        "From": plan.caller if plan.inbound else ours,
        "To": ours if plan.inbound else plan.caller,
        "Direction": "inbound" if plan.inbound else "outbound-api",
    }
    statuses = [("ringing", {}), ("in-progress", {})] if plan.answered else [("ringing", {})]
    statuses.append((plan.status, {"CallDuration": str(plan.duration)}))
    deliveries = []
    for sequence, (status, extra) in enumerate(statuses):
        params = {
            **base,
            "CallStatus": status,
            "SequenceNumber": str(sequence),
            "Timestamp": _rfc2822(started + timedelta(seconds=0 if sequence < 2 else plan.duration)),
            **extra,
        }
        deliveries.append(
            Delivery(
                sid,
                f"twilio voice-status {status}",
                lambda c, p=params: c.vendors.twilio("voice-status", p),
                ends_call=status == plan.status,
                has_caller=True,
            )
        )
    if plan.answered:
        recording_sid, url = twilio_sid("RE"), f"https://api.twilio.com/2010-04-01/Recordings/{sid}"
        recording = {
            "CallSid": sid,
            "RecordingSid": recording_sid,
            "RecordingStatus": "completed",
            "RecordingUrl": url,
            "RecordingDuration": str(plan.duration),
        }
        deliveries.append(
            Delivery(
                sid,
                "twilio recording-status",
                lambda c, p=recording: c.vendors.twilio("recording-status", p),
                has_recording=True,
            )
        )
    if plan.prospect is not None:
        transcription = {
            "CallSid": sid,
            "TranscriptionSid": twilio_sid("TR"),
            "TranscriptionStatus": "completed",
            "TranscriptionText": plan.transcript,
            "RecordingSid": recording_sid,
            "RecordingUrl": url,
        }
        deliveries.append(
            Delivery(
                sid,
                "twilio transcription",
                lambda c, p=transcription: c.vendors.twilio("transcription", p),
                has_recording=True,
            )
        )
    return deliveries


def _callrail_call(plan: CallPlan, started: datetime) -> list[Delivery]:
    post_call = {
        "id": plan.call_id,
        "tracking_phone_number": plan.dialled,
        "customer_phone_number": plan.caller,
        "direction": "inbound" if plan.inbound else "outbound",
        "duration": plan.duration,
        "start_time": _iso(started),
        "answered": plan.answered,
        "source": "Google Ads",
    }
    if plan.answered:
        post_call["recording"] = f"https://app.callrail.com/calls/{plan.call_id}/recording"
    deliveries = [
        Delivery(
            plan.call_id,
            "callrail post-call",
            _callrail_send(lambda: {**post_call, "timestamp": _iso(datetime.now(UTC))}),
            ends_call=True,
            has_recording=plan.answered,
            has_caller=True,
        )
    ]
    if plan.prospect is not None:  # Call Modified: the transcription is ready
        modified = {**post_call, "transcription": plan.transcript, "tags": ["transcribed"]}
        deliveries.append(
            Delivery(
                plan.call_id,
                "callrail call-modified",
                _callrail_send(lambda: {**modified, "timestamp": _iso(datetime.now(UTC))}),
                ends_call=True,
                has_recording=True,
                has_caller=True,
            )
        )
    return deliveries


def _callrail_send(make: Callable[[], dict]) -> Callable[[Clients], requests.Response]:
    body = _Once(make)
    return lambda c: c.vendors.callrail(body())


def _native_call(plan: CallPlan, started: datetime) -> list[Delivery]:
    common = {"call_id": plan.call_id, "direction": "inbound" if plan.inbound else "outbound"}
    numbers = {"from": plan.caller, "to": plan.dialled} if plan.inbound else {"from": plan.dialled, "to": plan.caller}
    ended = started + timedelta(seconds=plan.duration)
    events = [("call.started", started, numbers)]
    if plan.answered:
        events.append(("call.answered", started + timedelta(seconds=5), {"agent": "Carlos Ruiz"}))
    events.append(("call.ended", ended, {"outcome": plan.status, "duration_seconds": plan.duration}))
    if plan.answered:
        recording = {"recording_url": f"https://media.example.net/{plan.call_id}.mp3"}
        events.append(("recording.ready", ended + timedelta(seconds=3), recording | {"recording_duration_seconds": 9}))
    if plan.prospect is not None:
        events.append(("transcript.ready", ended + timedelta(seconds=20), {"transcript": plan.transcript}))
    deliveries = []
    for kind, at, extra in events:
        payload = {"event_id": uuid.uuid4().hex, "type": kind, "occurred_at": _iso(at), **common, **extra}
        deliveries.append(
            Delivery(
                plan.call_id,
                f"native {kind}",
                lambda c, p=payload: c.vendors.native(p),
                ends_call=kind == "call.ended",
                has_recording=kind == "recording.ready",
                has_caller=kind == "call.started",
            )
        )
    return deliveries


def _classification(plan: CallPlan, tenant: LoadTenant) -> Delivery:
    path = f"{tenant.api_url}/v1/calls/{plan.call_id}/classification"
    body = {"call_reason_id": tenant.lead_reason_id}
    return Delivery(plan.call_id, "staff classification", lambda c: c.csr.put(path, json=body, timeout=30), staff=True)


def _thumbtack_lead(tenant: LoadTenant, rng: random.Random, phone: str) -> PartnerLead:
    payload = json.loads((DATA / "partners" / "thumbtack" / "negotiation_created.json").read_text())
    negotiation = str(rng.randrange(10**17, 10**18))
    payload["data"]["negotiationID"] = negotiation
    payload["data"]["customer"]["phone"] = phone
    payload["data"]["request"]["category"]["name"] = "Drain Cleaning"
    body = json.dumps(payload).encode()
    url = f"{tenant.api_url}/webhooks/partners/thumbtack/{tenant.tenant_id}"
    headers = {
        "Content-Type": "application/json",
        "Authorization": thumbtack.basic_authorization(**tenant.partners["thumbtack"]),
    }
    lead = PartnerLead("thumbtack", negotiation)
    lead.deliveries.append(
        Delivery(
            f"thumbtack:{negotiation}",
            "thumbtack lead",
            lambda c: c.partners.post(url, data=body, headers=headers, timeout=30),
        )
    )
    return lead


def _angi_lead(tenant: LoadTenant, rng: random.Random, phone: str) -> PartnerLead:
    payload = json.loads((DATA / "partners" / "angi" / "lead.json").read_text())
    lead_oid = rng.randrange(10**8, 10**9)
    payload["leadOid"], payload["primaryPhone"] = lead_oid, phone
    body = json.dumps(payload).encode()
    url = f"{tenant.api_url}/webhooks/partners/angi/{tenant.tenant_id}"
    headers = {"Content-Type": "application/json", "x-api-key": tenant.partners["angi"]["api_key"]}
    lead = PartnerLead("angi", str(lead_oid))
    lead.deliveries.append(
        Delivery(
            f"angi:{lead_oid}", "angi lead", lambda c: c.partners.post(url, data=body, headers=headers, timeout=30)
        )
    )
    return lead


def make_plan(
    tenant: LoadTenant,
    *,
    calls: int,
    duplicates: float,
    partner_leads: int | None = None,
    repeat_callers: float = 0.1,
    seed_value: int | None = None,
) -> Plan:
    seed_value = seed_value if seed_value is not None else random.randrange(2**32)
    rng = random.Random(seed_value)
    texts = Transcripts()
    numbers: set[str] = set()

    def new_number() -> str:
        while True:
            number = f"+1737{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
            if number not in numbers:
                numbers.add(number)
                return number

    # every scenario in proportion to its weight, and every vendor, even in a small run
    deck = [s for s in SCENARIOS for _ in range(s.weight)]
    rng.shuffle(deck)
    plans, prospect_callers = [], []
    now = datetime.now(UTC)
    for i in range(calls):
        scenario = deck[i % len(deck)]
        vendor = VENDORS[i % len(VENDORS)]
        if not scenario.inbound and vendor == "callrail":
            vendor = "twilio"  # CallRail's webhooks here are for inbound calls
        prospect = scenario.prospect if scenario.prospect is not None else rng.random() < 0.5
        caller = new_number()
        repeat = len(prospect_callers) == 3 or rng.random() < repeat_callers
        if scenario.inbound and scenario.answered and prospect and prospect_callers and repeat:
            caller = rng.choice(prospect_callers)  # calls again: one SCL for the number
        call_id = {"twilio": twilio_sid(), "callrail": f"CAL{uuid.uuid4().hex}", "native": f"n-{uuid.uuid4().hex}"}[
            vendor
        ]
        plan = CallPlan(
            call_id=call_id,
            vendor=vendor,
            scenario=scenario.name,
            inbound=scenario.inbound,
            caller=caller,
            dialled=rng.choice((GOOGLE_ADS, GOOGLE_ADS, YARD_SIGNS, DIRECT_DIAL, UNKNOWN_NUMBER)),
            answered=scenario.answered,
            duration=rng.randint(*scenario.seconds),
            prospect=prospect if scenario.answered else None,
            classified=scenario.classified,
        )
        if plan.scl_candidate:
            prospect_callers.append(caller)
        if plan.prospect is not None:
            plan.transcript = texts.pick(
                rng, plan.prospect, seconds=plan.duration, call_type=CALL_TYPES[plan.dialled] if plan.inbound else None
            )
        started = now - timedelta(seconds=plan.duration + rng.randint(5, 600))
        plan.deliveries = {"twilio": _twilio_call, "callrail": _callrail_call, "native": _native_call}[vendor](
            plan, started
        )
        if plan.classified:
            plan.deliveries.append(_classification(plan, tenant))
        plans.append(plan)
    leads = []
    for i in range(partner_leads if partner_leads is not None else max(2, calls // 10)):
        make = _thumbtack_lead if i % 2 == 0 else _angi_lead
        lead = make(tenant, rng, new_number())
        lead.deliveries[0].copies = 2  # partners deliver twice
        leads.append(lead)
    for plan in plans:
        for delivery in plan.deliveries:
            if not delivery.staff:
                delivery.copies = 1 + (rng.random() < duplicates) + (rng.random() < duplicates / 4)
    return Plan(plans, leads, seed_value)


def interleave(plan: Plan, *, window: int, rng: random.Random) -> list[Delivery]:
    """The order of sending: each call's copies shuffled (a CSR's classification last: they classify a call they
    took), and up to `window` calls or partner leads in flight at once, picked at random."""
    units: list[list[Delivery]] = []
    for call in plan.calls:
        copies = [d for d in call.deliveries if not d.staff for _ in range(d.copies)]
        rng.shuffle(copies)
        units.append(copies + [d for d in call.deliveries if d.staff])
    for lead in plan.partner_leads:
        units.append([d for d in lead.deliveries for _ in range(d.copies)])
    rng.shuffle(units)
    pending, active, order = deque(units), [], []
    while pending or active:
        while pending and len(active) < window:
            active.append(deque(pending.popleft()))
        i = rng.randrange(len(active))
        order.append(active[i].popleft())
        if not active[i]:
            active[i] = active[-1]
            active.pop()
    return order


# --- sending -----------------------------------------------------------------------------------------


@dataclass
class Sent:
    requests: int = 0
    wall_seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    results: Counter = field(default_factory=Counter)  # the webhooks' own answers: applied, duplicate, kept
    errors: list[str] = field(default_factory=list)  # answers a sender would not accept (non-2xx after retries)
    staff_retries: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0


def drive(tenant: LoadTenant, order: list[Delivery], *, concurrency: int, progress: float | None = None) -> Sent:
    """Send in this order from `concurrency` threads. `progress`: every so many seconds, the rate so far on stderr."""
    clients = Clients(tenant)
    sent, lock = Sent(), threading.Lock()

    def one(delivery: Delivery) -> None:
        started = time.monotonic()
        with lock:
            if delivery.first_sent is None:
                delivery.first_sent = started
        attempts = 8 if delivery.staff else 1
        for attempt in range(attempts):
            try:
                response = delivery.send(clients)
                status, body = response.status_code, response.text
            except requests.RequestException as exc:
                status, body = 0, repr(exc)
            retry = delivery.staff and status in (404, 409) and attempt < attempts - 1
            with lock:
                sent.requests += 1
                sent.statuses[status] += 1
                sent.staff_retries += retry
                if not retry and not 200 <= status < 300:
                    sent.errors.append(f"{delivery.name} for {delivery.unit}: {status} {body[:200]}")
                if 200 <= status < 300 and not delivery.staff:
                    try:
                        sent.results[json.loads(body).get("result", "ok")] += 1
                    except ValueError:
                        sent.results["ok"] += 1
            if not retry:
                break
            time.sleep(0.1 * 2**attempt)
        done = time.monotonic()
        with lock:
            if delivery.first_done is None or done < delivery.first_done:
                delivery.first_done = done

    began, last = time.monotonic(), (time.monotonic(), 0)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="load") as pool:
        for _ in pool.map(one, order):
            if progress and time.monotonic() - last[0] >= progress:
                now, done = time.monotonic(), sent.requests
                rate = (done - last[1]) / (now - last[0])
                print(
                    f"  {now - began:6.0f} s: {done:,} of {len(order):,} sent, {rate:.1f} requests/s", file=sys.stderr
                )
                last = (now, done)
    sent.wall_seconds = time.monotonic() - began
    return sent


# --- settling and the recount ------------------------------------------------------------------------


def _items(tenant_id: str, prefix: str) -> list[dict]:
    """Every item of the company whose sort key starts with `prefix`, raw (a Query on its partition)."""
    connection, found, start = RecordModel._get_connection(), [], None
    while True:
        page = connection.query(
            keys.tenant(tenant_id),
            range_key_condition=RecordModel.sk.startswith(prefix),
            exclusive_start_key=start,
            consistent_read=True,
        )
        found += page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def _plain(raw: dict) -> dict:
    return {k: _DESERIALIZER.deserialize(v) for k, v in raw.items()}


_DESERIALIZER = TypeDeserializer()


def in_flight(runtime: LocalRuntime, tenant_id: str, sqs=None) -> dict[str, int]:
    """What is still to happen for the company: evaluations due, outbox events, kept deliveries, queued events."""
    sqs = sqs or runtime.client("sqs")
    queued = 0
    for url in runtime.queues.values():
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        queued += sum(int(v) for v in attributes.values())
    left = {
        "evaluations due": len(_items(tenant_id, keys.EVALUATIONS_DUE)),
        "outbox events": len(_items(tenant_id, keys.OUTBOX_EVENTS)),
        "events queued for functions": queued,
    }
    # an index query across companies (moto reads the whole table for it): only once the rest is quiet
    left["deliveries kept, not applied"] = 0 if any(left.values()) else _pending_deliveries(tenant_id)
    return left


def _pending_deliveries(tenant_id: str) -> int:
    return sum(
        1
        for shard in range(delivery_records.PENDING_SHARDS)
        for item in models.Delivery.by_parent.query(keys.deliveries_pending(shard))
        if item.tenant_id == tenant_id
    )


def settle(runtime: LocalRuntime, tenant_id: str, *, timeout: float) -> tuple[float, dict[str, int]]:
    """Wait until nothing is left to happen for the company (twice in a row, a second apart). (seconds, left)."""
    began, quiet, sqs = time.monotonic(), 0, runtime.client("sqs")
    left: dict[str, int] = {}
    while time.monotonic() - began < timeout:
        left = in_flight(runtime, tenant_id, sqs)
        quiet = quiet + 1 if not any(left.values()) else 0
        if quiet >= 2:
            return time.monotonic() - began, {}
        time.sleep(1.0)
    return time.monotonic() - began, {k: v for k, v in left.items() if v}


@dataclass
class Recount:
    calls: list[dict]
    call_events: list[dict]
    leads: list[dict]
    scls: list[dict]
    bookings: list[dict]
    notifications: list[dict]
    emails: list[str]  # the text of the mail moto's SES sent with the company's links
    texts: list[str]  # the texts moto's SNS sent with the company's links
    report_differences: list[dict]
    left: dict[str, int] = field(default_factory=dict)


def _sent_emails(marker: str) -> list[str]:
    from moto.ses.models import ses_backends

    found = []
    for message in list(ses_backends[ACCOUNT][REGION].sent_messages):
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = email.message_from_string(raw, policy=email.policy.default)
        text = parsed.get_body(preferencelist=("plain",)).get_content()
        if marker in text:
            found.append(text)
    return found


def recount(runtime: LocalRuntime, tenant: LoadTenant) -> Recount:
    from moto.sns.models import sns_backends

    from leadline.reports import rebuild

    tid = tenant.tenant_id
    texts = [text for _to, text in list(sns_backends[ACCOUNT][REGION].sms_messages.values()) if tenant.marker in text]
    return Recount(
        calls=[_plain(i) for i in _items(tid, keys.CALLS)],
        call_events=[_plain(i) for i in _items(tid, keys.DELIVERIES)],
        leads=[_plain(i) for i in _items(tid, keys.LEADS)],
        scls=[_plain(i) for i in _items(tid, keys.SCLS)],
        bookings=[_plain(i) for i in _items(tid, keys.BOOKINGS)],
        notifications=[_plain(i) for i in _items(tid, keys.NOTIFICATIONS)],
        emails=_sent_emails(tenant.marker),
        texts=texts,
        report_differences=rebuild.differences(tid),
        left={k: v for k, v in in_flight(runtime, tid).items() if v},
    )


# --- the check ---------------------------------------------------------------------------------------


def undecided(plan: Plan, acw_seconds: float) -> dict[str, float]:
    """Prospect calls whose recording or caller number reached us after their after-call work may have elapsed (timed
    from the first send of their end): the evaluation may have run without it, and is not run again when it comes
    (only a late transcript brings it back), so whether they make an SCL is not decided by what was sent.
    {call id: seconds from the end to the later of the two}."""
    found = {}
    for call in plan.calls:
        if not call.scl_candidate:
            continue
        ended = min(d.first_sent for d in call.deliveries if d.ends_call)
        recorded = min(d.first_done for d in call.deliveries if d.has_recording)
        named = min(d.first_done for d in call.deliveries if d.has_caller)
        if max(recorded, named) - ended >= acw_seconds - 0.5:
            found[call.call_id] = max(recorded, named) - ended
    return found


@dataclass
class Expected:
    calls: int
    call_events: int
    leads: int
    bookings: int
    scl_numbers: set[str]  # caller numbers that must have exactly one SCL
    undecided_numbers: set[str]  # numbers whose only prospect calls are undecided: none or one SCL

    def told(self, scls: int) -> dict[str, int]:
        """Notifications by channel for this many SCLs and the bookings."""
        on_scl, on_booking = audience(Permission.VIEW_SECOND_CHANCE_LEADS), audience(Permission.MANAGE_LEADS)
        return {
            channel: scls * sum(channel in c for c in on_scl.values())
            + self.bookings * sum(channel in c for c in on_booking.values())
            for channel in (IN_APP, EMAIL, SMS)
        }


def expected(plan: Plan, undecided_calls: frozenset[str] | set[str] = frozenset()) -> Expected:
    decided = {c.caller for c in plan.calls if c.scl_candidate and c.call_id not in undecided_calls}
    maybe = {c.caller for c in plan.calls if c.scl_candidate} - decided
    return Expected(
        calls=len(plan.calls),
        call_events=sum(1 for c in plan.calls for d in c.deliveries if not d.staff),
        leads=sum(c.leads for c in plan.calls),
        bookings=len(plan.partner_leads),
        scl_numbers=decided,
        undecided_numbers=maybe,
    )


def _sent_transcript(event: dict) -> str | None:
    """The transcript a kept delivery carried, as its vendor sent it."""
    raw = event.get("raw") or ""
    if event.get("vendor") == "twilio":
        return dict(parse_qsl(raw)).get("TranscriptionText")
    body = json.loads(raw) if raw.startswith("{") else {}
    return body.get("transcription") or body.get("transcript")


def check(
    plan: Plan, found: Recount, *, sent: Sent | None = None, undecided_calls: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Every difference between what was sent and what the tables hold, in words. Empty: nothing lost or doubled."""
    problems: list[str] = []
    want = expected(plan, undecided_calls)
    by_id = {c.call_id: c for c in plan.calls}

    def compare(what: str, have: int, expect: int) -> None:
        if have != expect:
            problems.append(f"{what}: {have} in the tables, {expect} expected from what was sent")

    # calls: one record each, converged to what the vendor said last
    calls = Counter(c["call_id"] for c in found.calls)
    compare("call records", len(found.calls), want.calls)
    problems += [f"call {i}: {n} records" for i, n in calls.items() if n > 1]
    problems += [f"call {i}: no record (lost)" for i in by_id.keys() - calls.keys()]
    problems += [f"call {i}: a record for a call never sent" for i in calls.keys() - by_id.keys()]
    for record in found.calls:
        call = by_id.get(record["call_id"])
        if call is None:
            continue
        state = (record.get("status"), int(record.get("duration_seconds") or 0), bool(record.get("answered")))
        if state != (call.status, call.duration, call.answered):
            problems.append(
                f"call {call.call_id} ({call.vendor}): status, duration, answered {state}; "
                f"sent {(call.status, call.duration, call.answered)}"
            )
        kept = (record.get("transcript") or {}).get("text")
        if call.transcript is not None and kept != call.transcript:
            events = sorted(
                (e["received_at"], e["dedupe_key"][-12:], e["state"], _sent_transcript(e) == call.transcript)
                for e in found.call_events
                if e.get("call_id") == call.call_id
            )
            problems.append(
                f"call {call.call_id} ({call.vendor}): its transcript was lost (the record has "
                f"{kept[:30] + '...' if kept else kept!r}, version {record.get('version')}, evaluation "
                f"{record.get('scl_evaluation')}; its deliveries {events})"
            )

    # deliveries: one event record per distinct delivery, every one applied
    compare("call-event records", len(found.call_events), want.call_events)
    per_call = Counter(e.get("call_id") for e in found.call_events)
    for call in plan.calls:
        distinct = sum(1 for d in call.deliveries if not d.staff)
        if per_call[call.call_id] != distinct:
            problems.append(f"call {call.call_id}: {per_call[call.call_id]} event records, {distinct} sent")
    unapplied = Counter(e["state"] for e in found.call_events if e["state"] != "processed")
    problems += [f"{n} call events left {state}" for state, n in unapplied.items()]

    # leads: one per abandoned or CSR-classified call, none for the rest
    compare("leads", len(found.leads), want.leads)
    leads = Counter(lead.get("call_id") for lead in found.leads)
    for call in plan.calls:
        if leads[call.call_id] != call.leads:
            problems.append(
                f"call {call.call_id} ({call.scenario}): {leads[call.call_id]} leads, {call.leads} expected"
            )

    # SCLs: one per caller number among the prospects' calls (none or one where undecided)
    candidates: dict[str, set[str]] = defaultdict(set)
    for call in plan.calls:
        if call.scl_candidate:
            candidates[call.caller].add(call.call_id)
    by_phone = Counter(s["phone"] for s in found.scls)
    for phone in want.scl_numbers | want.undecided_numbers:
        allowed = (1,) if phone in want.scl_numbers else (0, 1)
        if by_phone[phone] not in allowed:
            problems.append(f"caller ...{phone[-4:]} ({len(candidates[phone])} prospect calls): {by_phone[phone]} SCLs")
    for scl in found.scls:
        if scl["call_id"] not in candidates.get(scl["phone"], set()):
            problems.append(f"SCL {scl['scl_id']} for call {scl['call_id']}, which should make none")
    low, high = len(want.scl_numbers), len(want.scl_numbers | want.undecided_numbers)
    if not low <= len(found.scls) <= high:
        problems.append(f"Second Chance Leads: {len(found.scls)} in the tables, {low} to {high} expected")
    scls = len(found.scls) if low <= len(found.scls) <= high else low

    # partner leads: one booking each, whatever the second delivery
    compare("bookings", len(found.bookings), want.bookings)
    bookings = Counter((b.get("partner"), b.get("external_id")) for b in found.bookings)
    for lead in plan.partner_leads:
        if (n := bookings[(lead.partner, lead.external_id)]) != 1:
            problems.append(f"{lead.partner} lead {lead.external_id}: {n} bookings")

    # notifications: each SCL and booking told to its audience on its channels, once, and sent
    told_by_channel = want.told(scls)
    compare("notifications", len(found.notifications), sum(told_by_channel.values()))
    told: dict[str, Counter] = defaultdict(Counter)
    for n in found.notifications:
        told[n.get("subject_id")][(n["employee_id"], n["channel"])] += 1
        if n["status"] != "sent":
            problems.append(f"notification {n['sk']}: {n['status']} ({n.get('reason')})")
    subjects = [(s["scl_id"], audience(Permission.VIEW_SECOND_CHANCE_LEADS)) for s in found.scls]
    subjects += [(b["booking_id"], audience(Permission.MANAGE_LEADS)) for b in found.bookings]
    for subject, who in subjects:
        want_told = Counter({(e, ch): 1 for e, channels in who.items() for ch in channels})
        if told.get(subject, Counter()) != want_told:
            problems.append(f"{subject}: notified {dict(told.get(subject, {}))}, expected {dict(want_told)}")
    problems += [f"notifications about {s}, which should not exist" for s in told.keys() - {s for s, _ in subjects}]
    compare("emails sent (SES)", len(found.emails), told_by_channel[EMAIL])
    compare("texts sent (SNS)", len(found.texts), told_by_channel[SMS])

    problems += [
        f"report counter {d['dimension']} {d['day']} {d['value']} {d['counter']}: kept {d['kept']}, "
        f"recount {d['recounted']}"
        for d in found.report_differences
    ]
    problems += [f"still in flight at the recount: {what} {n}" for what, n in found.left.items()]
    if sent is not None:
        problems += [f"answered with an error: {e}" for e in sent.errors]
    return problems


# --- one run -----------------------------------------------------------------------------------------


@dataclass
class Report:
    plan: Plan
    sent: Sent
    expected: Expected
    found: Recount
    settle_seconds: float
    undecided: dict[str, float]
    problems: list[str]
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase

    def summary(self) -> str:
        e, f, s = self.expected, self.found, self.sent
        non_2xx = {k: v for k, v in s.statuses.items() if not 200 <= k < 300}
        scls = f"{len(e.scl_numbers)}" + (
            f" + up to {len(e.undecided_numbers)} undecided" if e.undecided_numbers else ""
        )
        told = e.told(len(f.scls))
        lines = [
            f"seed {self.plan.seed}: {len(self.plan.calls)} calls, {len(self.plan.partner_leads)} partner leads",
            f"requests {s.requests} in {s.wall_seconds:.1f} s: {s.per_second:.1f} requests/s; "
            f"webhook answers {dict(s.results)}; non-2xx {non_2xx or 'none'} "
            f"(CSR requests retried on 404/409: {s.staff_retries})",
            f"settled {self.settle_seconds:.1f} s after the last request; phases (s): "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()),
            "recount (expected): "
            + ", ".join(
                f"{name} {have} ({want})"
                for name, have, want in (
                    ("calls", len(f.calls), e.calls),
                    ("call events", len(f.call_events), e.call_events),
                    ("leads", len(f.leads), e.leads),
                    ("SCLs", len(f.scls), scls),
                    ("bookings", len(f.bookings), e.bookings),
                    ("notifications", len(f.notifications), sum(told.values())),
                    ("emails", len(f.emails), told[EMAIL]),
                    ("texts", len(f.texts), told[SMS]),
                )
            ),
            f"report counters against the recount: {len(f.report_differences)} differences",
        ]
        if self.undecided:
            lines.append(
                "prospect calls whose recording or caller came after their after-call work may have elapsed (their SCL "
                f"is undecided): {len(self.undecided)}, up to {max(self.undecided.values()):.1f} s after the end"
            )
        lines.append("OK: nothing lost, nothing duplicated" if not self.problems else f"{len(self.problems)} problems:")
        lines += [f"  - {p}" for p in self.problems[:50]]
        return "\n".join(lines)


def run(
    runtime: LocalRuntime,
    *,
    calls: int,
    concurrency: int,
    duplicates: float,
    acw_minutes: int = 5,
    window: int | None = None,
    partner_leads: int | None = None,
    settle_timeout: float = 120.0,
    seed_value: int | None = None,
    progress: float | None = None,
) -> Report:
    clock = time.monotonic()
    tenant = prepare_tenant(runtime, acw_minutes=acw_minutes)
    plan = make_plan(tenant, calls=calls, duplicates=duplicates, partner_leads=partner_leads, seed_value=seed_value)
    order = interleave(plan, window=window or concurrency, rng=random.Random(plan.seed))
    prepared = time.monotonic()
    sent = drive(tenant, order, concurrency=concurrency, progress=progress)
    settle_seconds, _left = settle(runtime, tenant.tenant_id, timeout=settle_timeout)
    settled = time.monotonic()
    found = recount(runtime, tenant)
    late = undecided(plan, tenant.acw_seconds)
    problems = check(plan, found, sent=sent, undecided_calls=set(late))
    seconds = {"prepare": prepared - clock, "send": sent.wall_seconds, "settle": settle_seconds}
    seconds["recount"] = time.monotonic() - settled
    return Report(plan, sent, expected(plan, set(late)), found, settle_seconds, late, problems, seconds)


def start_runtime(time_scale: str = "60") -> LocalRuntime:
    os.environ.setdefault(config.LEADLINE_TIME_SCALE, time_scale)
    runtime = LocalRuntime(port=0, app_port=0, state_dir=Path(tempfile.mkdtemp(prefix="leadline-load-")))
    return runtime.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duplicates", type=float, default=0.3, help="chance that a delivery is sent again")
    parser.add_argument("--acw-minutes", type=int, default=5, help="the company's after-call work (scaled)")
    parser.add_argument("--window", type=int, default=None, help="calls in flight at once (default: the concurrency)")
    parser.add_argument("--partner-leads", type=int, default=None, help="default: calls / 10")
    parser.add_argument("--settle-timeout", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    runtime = start_runtime()
    try:
        report = run(
            runtime,
            calls=args.calls,
            concurrency=args.concurrency,
            duplicates=args.duplicates,
            acw_minutes=args.acw_minutes,
            window=args.window,
            partner_leads=args.partner_leads,
            settle_timeout=args.settle_timeout,
            seed_value=args.seed,
            progress=30.0,
        )
    finally:
        runtime.stop()
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
