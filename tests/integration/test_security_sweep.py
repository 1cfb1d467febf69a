"""Security sweeps on the local runtime, enumerated from the product itself so that a new route is swept or the
sweep fails naming it:

- tenant isolation over every staff API operation of /openapi.json: tenant A's admin naming tenant B's objects
  (in the path, the body or the query) gets a 404 or a 4xx naming them, lists and reports show nothing of B's, and
  B's records do not change;
- permissions over every permission-gated staff operation (the Second Chance Leads paths included): an employee of
  B without the permission gets a 403 naming it and nothing changes; the open operations answer anyone;
- authentication over every public route of the topology: a webhook with a missing, wrong, stale (where the
  scheme is timestamped) or other company's signature is refused with a message and nothing is stored;
- caller phone numbers masked in every line the functions log while the flows above run.

The two companies are built once for the module; "nothing changes" is a read of the company's whole partition
(every item of a tenant lives under its `T#<tenant>` partition key)."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import requests

from infra.local import linearizable, tokens
from infra.local.runtime import ACCOUNT, REGION
from infra.local.seed_partners import new_credentials
from infra.topology import TOPOLOGY
from leadline.calls.vendors import native
from leadline.data import keys
from leadline.observability import logger
from leadline.partners import generic, integrations, thumbtack
from leadline.permissions import ALL_PERMISSIONS, Permission
from leadline.phones import mask
from tests.integration.test_bookings import _book
from tests.integration.test_call_webhooks import _callrail_payload
from tests.integration.test_partner_leads import sample
from tests.integration.test_second_chance_leads import _call, _evaluation, _scls, _setup
from tests.support.api import Api, Tenant, new_tenant
from tests.support.webhooks import Partners, twilio_sid

P = Permission
TODAY = datetime.now(UTC).date().isoformat()
WINDOW = {"appointment_start": "2026-12-01T15:00:00Z", "appointment_end": "2026-12-01T17:00:00Z"}
DEFAULT_NUMBER = "+15125550100"  # the website's own number in the DNI set-ups: never a pool number
B_CALLER = "+15125550861"  # the victim's callers and customers: numbers no other company here uses
B_NATIVE_CALLER = "+15125550862"
B_CUSTOMER_PHONE = "+15125550863"
B_BOOKING_PHONE = "+15125550864"
B_POOL_NUMBER = "+15125550865"
A_CALLER = "+15125550871"
A_CUSTOMER_PHONE = "+15125550873"
A_BOOKING_PHONE = "+15125550874"
A_POOL_NUMBER = "+15125550875"


# --- the functions' log lines --------------------------------------------------------------------------------


class LogCapture:
    """Every line the functions' Powertools logger writes, as written: its own handler (and so its masking
    formatter) writes into this buffer instead of stdout while the module runs, at DEBUG level."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def lines(self) -> list[str]:
        return [line for line in self.buffer.getvalue().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def function_logs():
    capture = LogCapture()
    handler = logger.registered_handler
    previous_stream = handler.setStream(capture.buffer)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    yield capture
    handler.setStream(previous_stream)
    logger.setLevel(previous_level)


# --- the two companies -------------------------------------------------------------------------------------


class Ids(dict):
    """A company's objects by kind; `ids.lead` is its lead's id."""

    def __getattr__(self, kind: str) -> str:
        try:
            return self[kind]
        except KeyError:
            raise AttributeError(kind) from None


@dataclass
class Company:
    tenant: Tenant
    ids: Ids = field(default_factory=Ids)
    phones: set[str] = field(default_factory=set)  # its callers' and customers' numbers (E.164)
    partners: Partners | None = None

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id

    @property
    def admin(self) -> Api:
        return self.tenant.admin


@dataclass
class World:
    victim: Company  # B: one of everything
    intruder: Company  # A: an admin with every permission, and its own objects to mix B's ids into
    runtime: object

    def victims_own(self) -> set[str]:
        """What of B's must never appear in an answer to A: its tenant id, its objects' ids, its numbers (but what
        both companies have, such as a partner's name or the same tracking number, proves nothing)."""
        own = set(self.victim.ids.values()) | self.victim.phones | {self.victim.tenant_id}
        return own - set(self.intruder.ids.values()) - self.intruder.phones


def _ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    return response.json()


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _build_company(
    runtime, *, caller: str, customer_phone: str, booking_phone: str, pool_number: str
) -> tuple[Company, str]:
    """A company with one of every object a staff path can name; returns it and its SCL call's id (its
    evaluation is waited for by the caller, so that both companies' timers run at once)."""
    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    company, admin = Company(tenant), tenant.admin
    ids = company.ids
    ids["campaign"] = _setup(tenant, minutes=1)  # a campaign, its tracking number, SCL on
    ids["tracking_number"] = "+15125550500"  # the tracking number `_setup` made (every company may have it)
    call_id = _call(tenant, caller=caller)
    ids["call"] = call_id
    ids["caller"] = caller
    ids["business_unit"] = _ok(admin.post("/v1/business-units", {"name": _unique("HVAC")}), 201)["business_unit_id"]
    ids["job_type"] = _ok(
        admin.post("/v1/job-types", {"name": _unique("AC Repair"), "business_unit_ids": [ids.business_unit]}), 201
    )["job_type_id"]
    ids["call_reason"] = _ok(admin.post("/v1/call-reasons", {"name": _unique("Booked")}), 201)["call_reason_id"]
    ids["role"] = _ok(admin.post("/v1/roles", {"name": _unique("Estimator"), "permissions": ["book_jobs"]}), 201)[
        "role_id"
    ]
    ids["employee"] = _ok(
        admin.post(
            "/v1/employees",
            {"name": "Esti Mator", "email": f"{_unique('esti')}@example.com", "role_id": ids.role},
        ),
        201,
    )["employee_id"]
    ids["technician"] = ids.employee  # a second field naming an employee, probed on its own
    ids["customer_phone"] = customer_phone
    ids["customer"] = _ok(admin.post("/v1/customers", {"name": _unique("Customer"), "phones": [customer_phone]}), 201)[
        "customer_id"
    ]
    address = {"street": "12 Elm St", "city": "Austin", "state": "TX", "zip": "78701"}
    ids["location"] = _ok(admin.post(f"/v1/customers/{ids.customer}/locations", {"address": address}), 201)[
        "location_id"
    ]
    ids["lead"] = _ok(
        admin.post(
            "/v1/leads",
            {"customer_id": ids.customer, "location_id": ids.location, "summary": "Wants a quote for a new AC"},
        ),
        201,
    )["lead_id"]
    job = {
        "customer_id": ids.customer,
        "location_id": ids.location,
        "job_type_id": ids.job_type,
        "business_unit_id": ids.business_unit,
        **WINDOW,
    }
    ids["job"] = _ok(admin.post("/v1/jobs", job), 201)["job"]["job_id"]
    ids["dismiss_reason"] = _ok(
        admin.post("/v1/lead-dismiss-reasons", {"code": _unique("gone").replace("-", "_"), "label": "Moved away"}),
        201,
    )["code"]
    ids["pool_number"] = pool_number
    _ok(admin.post("/v1/tracking-numbers", {"number": ids.pool_number}), 201)
    dni = {"pool": [ids.pool_number], "domain": f"{tenant.tenant_id}.example", "default_number": DEFAULT_NUMBER}
    _ok(admin.put("/v1/dni", dni))
    key = _ok(admin.post("/v1/settings/online-bookings/key"))["key"]
    ids["online_booking_key"] = key
    booking = _book({"key": key, "url": runtime.api_url}, customer={"name": "Bo Oking", "phone": booking_phone})
    ids["booking"] = _ok(booking, 201)["booking_id"]
    ids["partner"] = "thumbtack"
    company.phones |= {caller, customer_phone, booking_phone}
    return company, call_id


def _set_up_thumbtack(runtime, company: Company) -> None:
    """Thumbtack mapped to the company's campaign and job type, its credentials stored, and one lead from it."""
    ids = company.ids
    body = {
        "status": "active",
        "campaign_id": ids.campaign,
        "category_map": {
            "Central Air Conditioning Repair or Maintenance": {
                "job_type_id": ids.job_type,
                "business_unit_id": ids.business_unit,
            }
        },
    }
    _ok(company.admin.put("/v1/integrations/thumbtack", body))
    creds = new_credentials()
    integrations.store_credentials(runtime.client("secretsmanager"), company.tenant_id, creds)
    company.partners = Partners(runtime.api_url, company.tenant_id, creds)
    lead = _ok(company.partners.thumbtack(sample("thumbtack/negotiation_created.json")))
    ids["partner_booking"] = lead["booking_id"]
    unreadable = company.partners.thumbtack({"event": {"eventType": "NegotiationCreatedV4"}, "data": {}})
    assert unreadable.status_code == 400, unreadable.text
    kept = _ok(company.admin.get("/v1/integrations/thumbtack/deliveries"))["items"]
    ids["delivery"] = kept[0]["delivery_id"]


def _native_call_with_the_number_in_its_id(company: Company, caller: str) -> str:
    """A call from a vendor on our native format whose call ids embed the caller's number (some PBXs do): the
    call id then reaches log lines (the evaluator logs it), where only the masking formatter stands in between."""
    call_id = f"pbx-{caller}-{int(time.time())}"
    base = {"call_id": call_id, "direction": "inbound", "from": caller, "to": company.ids.tracking_number}
    started = {**base, "event_id": "e1", "type": "call.started", "occurred_at": datetime.now(UTC).isoformat()}
    ended = {
        **base,
        "event_id": "e2",
        "type": "call.ended",
        "outcome": "completed",
        "duration_seconds": 40,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    for event in (started, ended):
        _ok(company.tenant.vendors.native(event))
    return call_id


def partition(tenant_id: str) -> dict[str, str]:
    """Every item of the company (as JSON), by sort key, read from the embedded AWS's own store: moto runs in this
    process, and a Query over HTTP per probe would cost a tenth of a second or more. Read under the lock that
    serializes moto's item operations (see infra/local/linearizable.py)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    with linearizable._LOCK:
        table = dynamodb_backends[ACCOUNT][REGION].tables[os.environ["RECORDS_TABLE_NAME"]]
        items = table.items.get(DynamoType({"S": keys.tenant(tenant_id)}), {})
        return {key.value: json.dumps(item.to_json(), sort_keys=True, default=str) for key, item in items.items()}


def queried_sort_keys(tenant_id: str) -> set[str]:
    """The same partition's sort keys through DynamoDB's API: what `partition` must agree with."""
    import boto3

    client, sort_keys = boto3.client("dynamodb"), set()
    query = {
        "TableName": os.environ["RECORDS_TABLE_NAME"],
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.tenant(tenant_id)}},
        "ProjectionExpression": "sk",
        "ConsistentRead": True,
    }
    while True:
        page = client.query(**query)
        sort_keys |= {item["sk"]["S"] for item in page["Items"]}
        if "LastEvaluatedKey" not in page:
            return sort_keys
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# events not yet on the bus, calls not yet evaluated: the scanner's to finish
TRANSIENT = (keys.OUTBOX_EVENTS, keys.EVALUATIONS_DUE)


def settled(*tenant_ids: str, quiet: float = 1.2, timeout: float = 30.0) -> None:
    """Wait until the companies' partitions stop changing (the notifier, the scanner and the evaluator work after
    the requests that made their events) and hold nothing the scanner would still act on, so that a later change
    can only be the sweep's doing."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = [partition(t) for t in tenant_ids]
        if now != last or any(k.startswith(TRANSIENT) for items in now for k in items):
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.3)
    raise AssertionError(f"the partitions of {tenant_ids} kept changing for {timeout} s")


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _wait_for(check: Callable[[], object], what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def world(runtime, function_logs) -> World:
    """Both companies with one of everything, the victim's calls evaluated (an SCL each, the victim's admin
    notified), a Thumbtack lead and online bookings in; then quiet, and `partition` checked against a Query."""
    victim, victim_call = _build_company(
        runtime,
        caller=B_CALLER,
        customer_phone=B_CUSTOMER_PHONE,
        booking_phone=B_BOOKING_PHONE,
        pool_number=B_POOL_NUMBER,
    )
    intruder, intruder_call = _build_company(
        runtime,
        caller=A_CALLER,
        customer_phone=A_CUSTOMER_PHONE,
        booking_phone=A_BOOKING_PHONE,
        pool_number=A_POOL_NUMBER,
    )
    native_call = _native_call_with_the_number_in_its_id(victim, B_NATIVE_CALLER)
    victim.ids["native_call"] = native_call
    victim.phones |= {B_NATIVE_CALLER, "+15125550143"}  # and the number of the Thumbtack sample's customer
    _set_up_thumbtack(runtime, victim)
    for company, call_id in ((victim, victim_call), (intruder, intruder_call)):
        assert _evaluation(company.tenant, call_id) == "created"
        (scl,) = _scls(company.tenant)
        company.ids["scl"] = scl.scl_id
    assert _evaluation(victim.tenant, native_call) is not None
    notices = _wait_for(
        lambda: victim.admin.get("/v1/notifications").json()["items"], "the victim admin's first notification"
    )
    victim.ids["notification"] = notices[0]["notification_id"]
    settled(victim.tenant_id, intruder.tenant_id)
    for company in (victim, intruder):
        assert set(partition(company.tenant_id)) == queried_sort_keys(company.tenant_id) != set()
    return World(victim=victim, intruder=intruder, runtime=runtime)


# --- every staff operation, classified -----------------------------------------------------------------------

# The kind of object each path parameter of the staff API names (a new parameter fails the classification test).
PATH_IDS = {
    "campaign_id": "campaign",
    "number": "pool_number",
    "business_unit_id": "business_unit",
    "job_type_id": "job_type",
    "call_reason_id": "call_reason",
    "employee_id": "employee",
    "role_id": "role",
    "call_id": "call",
    "lead_id": "lead",
    "job_id": "job",
    "customer_id": "customer",
    "scl_id": "scl",
    "notification_id": "notification",
    "booking_id": "booking",
    "partner": "partner",
    "delivery_id": "delivery",
}
Body = dict | Callable[[Ids], dict] | None


@dataclass(frozen=True)
class Op:
    """One way to call a staff operation on a company's objects, what ids it names, and what permission it needs.

    - the ids in its path (`PATH_IDS`): another company's are a 404, unless `own` says why the path names the
      caller's own record whatever it says (a phone number, a partner's name);
    - `refs`: ids in its body or query, as {kind: field}: another company's are a 404 or 422 naming the field or id;
    - `filters`: values in its query that select what a list shows, as {kind: parameter}: another company's find
      nothing (a 2xx showing nothing of the other company's);
    - `needs`: every permission it needs; `needs_any`: it needs one of these; neither: any employee;
    - `own`: for an operation that names no id, why it cannot reach another company's objects."""

    body: Body = None  # a dict, or a function of the ids
    query: Body = None
    refs: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    needs: frozenset[str] = frozenset()
    needs_any: frozenset[str] = frozenset()
    own: str = ""


@dataclass(frozen=True)
class Req:
    path: str
    params: dict | None = None
    json: dict | None = None


def request(template: str, op: Op, ids: Ids) -> Req:
    def made(part: Body) -> dict | None:
        return part(ids) if callable(part) else part

    path = re.sub(r"\{(\w+)\}", lambda m: ids[PATH_IDS[m.group(1)]], template)
    return Req(path, made(op.query), made(op.body))


def _needs(*permissions: Permission) -> frozenset[str]:
    return frozenset(p.value for p in permissions)


SETTINGS = _needs(P.MANAGE_SETTINGS)
MARKETING = _needs(P.MANAGE_MARKETING)
SET_UP = _needs(P.MANAGE_OPERATIONS)  # business units, job types, call reasons
EMPLOYEES = _needs(P.MANAGE_EMPLOYEES)
LEADS = _needs(P.MANAGE_LEADS)
BOOKING = _needs(P.BOOK_JOBS)
INTEGRATIONS = _needs(P.MANAGE_INTEGRATIONS)
SCL = _needs(P.VIEW_SECOND_CHANCE_LEADS)
REPORTS = _needs(P.VIEW_REPORTS)
OWN = "acts on the caller's own company (the tenant comes from the token)"
LIST = "lists the caller's own company's records"
MINE = "the caller's own employee record"
REFS = {
    "customer": "customer_id",
    "location": "location_id",
    "campaign": "campaign_id",
    "business_unit": "business_unit_id",
    "job_type": "job_type_id",
    "technician": "technician_id",
}


def _refs(*kinds: str, **others: str) -> dict[str, str]:
    return {kind: REFS[kind] for kind in kinds} | others


def _new_number() -> str:
    """A tracking number no company here has."""
    return f"+1512555{uuid.uuid4().int % 9000 + 1000:04d}"


def _lead_refs(i: Ids) -> dict:
    return {"campaign_id": i.campaign, "business_unit_id": i.business_unit, "job_type_id": i.job_type}


def _job(i: Ids) -> dict:
    return {"job_type_id": i.job_type, "business_unit_id": i.business_unit, "technician_id": i.technician, **WINDOW}


def _place(i: Ids) -> dict:
    return {"customer_id": i.customer, "location_id": i.location}


REPORT_DAYS = {"from": TODAY, "to": TODAY}
OPERATIONS: dict[tuple[str, str], list[Op]] = {
    # settings
    ("GET", "/v1/settings"): [Op(own=OWN)],
    ("PATCH", "/v1/settings"): [Op(body={"sms_registered": False}, needs=SETTINGS, own=OWN)],
    # campaigns and tracking numbers
    ("GET", "/v1/campaigns"): [Op(own=LIST)],
    ("POST", "/v1/campaigns"): [Op(body=lambda i: {"name": _unique("Mailer")}, needs=MARKETING, own=OWN)],
    ("GET", "/v1/campaigns/{campaign_id}"): [Op()],
    ("PATCH", "/v1/campaigns/{campaign_id}"): [Op(body={"category": "Probe"}, needs=MARKETING)],
    ("GET", "/v1/tracking-numbers"): [Op(own=LIST)],
    ("POST", "/v1/tracking-numbers"): [
        Op(body=lambda i: {"number": _new_number(), "campaign_id": i.campaign}, refs=_refs("campaign"), needs=MARKETING)
    ],
    ("GET", "/v1/tracking-numbers/{number}"): [Op()],
    ("PATCH", "/v1/tracking-numbers/{number}"): [
        Op(body=lambda i: {"campaign_id": i.campaign}, refs=_refs("campaign"), needs=MARKETING)
    ],
    ("GET", "/v1/tracking-numbers/{number}/diagnostics"): [
        Op(own="a number, not an id: whether the caller's own company attributes calls to it")
    ],
    # business units, job types, call reasons
    ("GET", "/v1/business-units"): [Op(own=LIST)],
    ("POST", "/v1/business-units"): [Op(body=lambda i: {"name": _unique("Plumbing")}, needs=SET_UP, own=OWN)],
    ("GET", "/v1/business-units/{business_unit_id}"): [Op()],
    ("PATCH", "/v1/business-units/{business_unit_id}"): [Op(body={"active": True}, needs=SET_UP)],
    ("GET", "/v1/job-types"): [Op(own=LIST)],
    ("POST", "/v1/job-types"): [
        Op(
            body=lambda i: {"name": _unique("Tune-Up"), "business_unit_ids": [i.business_unit]},
            refs={"business_unit": "business_unit_ids"},
            needs=SET_UP,
        )
    ],
    ("GET", "/v1/job-types/{job_type_id}"): [Op()],
    ("PATCH", "/v1/job-types/{job_type_id}"): [
        Op(
            body=lambda i: {"business_unit_ids": [i.business_unit]},
            refs={"business_unit": "business_unit_ids"},
            needs=SET_UP,
        )
    ],
    ("GET", "/v1/call-reasons"): [Op(own=LIST)],
    ("POST", "/v1/call-reasons"): [Op(body=lambda i: {"name": _unique("Wrong number")}, needs=SET_UP, own=OWN)],
    ("GET", "/v1/call-reasons/{call_reason_id}"): [Op()],
    ("PATCH", "/v1/call-reasons/{call_reason_id}"): [Op(body={"active": True}, needs=SET_UP)],
    # people
    ("GET", "/v1/me"): [Op(own=MINE)],
    ("GET", "/v1/permissions"): [Op(own="the product's permission catalog")],
    ("POST", "/v1/employees"): [
        Op(
            body=lambda i: {"name": "New Hire", "email": f"{_unique('hire')}@example.com", "role_id": i.role},
            refs={"role": "role_id"},
            needs=EMPLOYEES,
        )
    ],
    ("GET", "/v1/employees"): [Op(own=LIST)],
    ("GET", "/v1/employees/{employee_id}"): [Op()],
    ("PATCH", "/v1/employees/{employee_id}"): [
        Op(body=lambda i: {"role_id": i.role}, refs={"role": "role_id"}, needs=EMPLOYEES)
    ],
    ("POST", "/v1/roles"): [
        Op(body=lambda i: {"name": _unique("Helper"), "permissions": []}, needs=EMPLOYEES, own=OWN)
    ],
    ("GET", "/v1/roles"): [Op(own=LIST)],
    ("GET", "/v1/roles/{role_id}"): [Op()],
    ("PATCH", "/v1/roles/{role_id}"): [Op(body={"permissions": ["book_jobs"]}, needs=EMPLOYEES)],
    # calls
    ("GET", "/v1/calls"): [
        Op(own=LIST),
        Op(query=lambda i: {"campaign_id": i.campaign}, filters={"campaign": "campaign_id"}),
        Op(query=lambda i: {"caller": i.caller}, filters={"caller": "caller"}),
    ],
    ("GET", "/v1/calls/{call_id}"): [Op()],
    ("PUT", "/v1/calls/{call_id}/classification"): [
        Op(body=lambda i: {"call_reason_id": i.call_reason}, refs={"call_reason": "call_reason_id"}, needs=LEADS)
    ],
    # leads and jobs
    ("POST", "/v1/leads"): [
        Op(
            body=lambda i: {**_place(i), **_lead_refs(i)},
            refs=_refs("customer", "location", "campaign", "business_unit", "job_type"),
            needs=LEADS,
        )
    ],
    ("GET", "/v1/leads"): [
        Op(own=LIST),
        Op(query=lambda i: {"campaign_id": i.campaign}, filters={"campaign": "campaign_id"}),
        Op(query=lambda i: {"business_unit_id": i.business_unit}, filters={"business_unit": "business_unit_id"}),
        Op(query=lambda i: {"phone": i.caller}, filters={"caller": "phone"}),
    ],
    ("GET", "/v1/leads/{lead_id}"): [Op()],
    ("PATCH", "/v1/leads/{lead_id}"): [
        Op(body=_lead_refs, refs=_refs("campaign", "business_unit", "job_type"), needs=LEADS)
    ],
    ("POST", "/v1/leads/{lead_id}/notes"): [Op(body={"text": "probe"}, needs=LEADS)],
    ("POST", "/v1/leads/{lead_id}/convert"): [
        Op(body=_job, refs=_refs("job_type", "business_unit", "technician"), needs=BOOKING),
        Op(body=lambda i: {**_job(i), "customer_id": i.customer}, refs=_refs("customer"), needs=BOOKING),
    ],
    ("POST", "/v1/leads/{lead_id}/dismiss"): [
        Op(body=lambda i: {"reason": i.dismiss_reason}, refs={"dismiss_reason": "reason"}, needs=LEADS)
    ],
    ("POST", "/v1/leads/{lead_id}/reopen"): [Op(body={}, needs=LEADS)],
    ("GET", "/v1/lead-dismiss-reasons"): [Op(own=LIST)],
    ("POST", "/v1/lead-dismiss-reasons"): [
        Op(body=lambda i: {"code": _unique("r").replace("-", "_"), "label": "Probe"}, needs=SETTINGS, own=OWN)
    ],
    ("POST", "/v1/jobs"): [
        Op(
            body=lambda i: {**_place(i), **_job(i), "campaign_id": i.campaign, "call_id": i.call},
            refs=_refs("customer", "location", "campaign", "job_type", "business_unit", "technician", call="call_id"),
            needs=BOOKING,
        )
    ],
    ("GET", "/v1/jobs/{job_id}"): [Op()],
    ("POST", "/v1/jobs/{job_id}/leads"): [
        Op(
            body=lambda i: {
                "business_unit_id": i.business_unit,
                "job_type_id": i.job_type,
                "lead_setting_employee_id": i.employee,
                "technician_id": i.technician,
                "summary": "The water heater is old too",
            },
            refs=_refs("business_unit", "job_type", "technician", employee="lead_setting_employee_id"),
            needs=LEADS,
        )
    ],
    # customers
    ("POST", "/v1/customers"): [Op(body={"name": "Probe Person"}, needs=BOOKING, own=OWN)],
    ("GET", "/v1/customers"): [Op(query=lambda i: {"phone": i.customer_phone}, filters={"customer_phone": "phone"})],
    ("GET", "/v1/customers/{customer_id}"): [Op()],
    ("PATCH", "/v1/customers/{customer_id}"): [Op(body={"notes": "probe"}, needs=BOOKING)],
    ("POST", "/v1/customers/{customer_id}/locations"): [
        Op(body={"address": {"street": "1 Probe Rd", "city": "Austin", "state": "TX", "zip": "78702"}}, needs=BOOKING)
    ],
    # Second Chance Leads
    ("GET", "/v1/second-chance-leads"): [
        Op(needs=SCL, own=LIST),
        Op(query={"tab": "open", "search": "cooling"}, needs=SCL, own=LIST),
    ],
    ("GET", "/v1/second-chance-leads/counts"): [Op(needs=SCL, own="counts the caller's own company's SCLs")],
    ("GET", "/v1/second-chance-leads/banner"): [
        Op(query=lambda i: {"phone": i.caller}, filters={"caller": "phone"}, needs=SCL)
    ],
    ("GET", "/v1/second-chance-leads/{scl_id}"): [Op(needs=SCL)],
    ("POST", "/v1/second-chance-leads/{scl_id}/callback"): [Op(needs=SCL)],
    ("POST", "/v1/second-chance-leads/{scl_id}/dismiss"): [Op(body={"reason": "not_a_lead"}, needs=SCL)],
    ("PUT", "/v1/second-chance-leads/{scl_id}/status"): [Op(body={"status": "lead_not_able_to_save"}, needs=SCL)],
    ("POST", "/v1/second-chance-leads/{scl_id}/notes"): [
        Op(
            body=lambda i: {"text": "probe", "copy_to_customer_id": i.customer, "copy_to_location_id": i.location},
            refs={"customer": "copy_to_customer_id", "location": "copy_to_location_id"},
            needs=SCL,
        )
    ],
    ("GET", "/v1/settings/second-chance-leads"): [Op(needs_any=SETTINGS | SCL, own=OWN)],
    ("PUT", "/v1/settings/second-chance-leads"): [Op(body={"enabled": True}, needs=SETTINGS, own=OWN)],
    # notifications: the caller's own
    ("GET", "/v1/notifications"): [Op(own="the caller's own inbox")],
    ("POST", "/v1/notifications/{notification_id}/read"): [Op()],
    ("POST", "/v1/notifications/{notification_id}/dismiss"): [Op()],
    ("GET", "/v1/me/notification-preferences"): [Op(own=MINE)],
    ("PUT", "/v1/me/notification-preferences"): [Op(body={"channels": {"in_app": True}}, own=MINE)],
    # bookings
    ("GET", "/v1/bookings"): [Op(needs=LEADS, own=LIST), Op(query={"partner": "thumbtack"}, needs=LEADS, own=LIST)],
    ("GET", "/v1/bookings/export"): [Op(query=REPORT_DAYS, needs=MARKETING, own=LIST)],
    ("GET", "/v1/bookings/{booking_id}"): [Op(needs=LEADS)],
    ("POST", "/v1/bookings/{booking_id}/convert"): [
        Op(
            body=lambda i: {**_place(i), **_job(i)},
            refs=_refs("customer", "location", "job_type", "business_unit", "technician"),
            needs=LEADS | BOOKING,
        )
    ],
    ("POST", "/v1/bookings/{booking_id}/dismiss"): [
        Op(body=lambda i: {"reason": i.dismiss_reason}, refs={"dismiss_reason": "reason"}, needs=LEADS)
    ],
    ("POST", "/v1/bookings/{booking_id}/notes"): [Op(body={"text": "probe"}, needs=LEADS)],
    ("GET", "/v1/settings/online-bookings"): [Op(needs=MARKETING, own=OWN)],
    ("PUT", "/v1/settings/online-bookings"): [
        Op(
            body=lambda i: {"rules": [{"utm_source": "bing", "campaign_id": i.campaign}]},
            refs=_refs("campaign"),
            needs=MARKETING,
        )
    ],
    ("POST", "/v1/settings/online-bookings/key"): [Op(needs=INTEGRATIONS, own=OWN)],
    # lead partners (a partner's name is the same word in every company)
    ("GET", "/v1/integrations"): [Op(needs=INTEGRATIONS, own=LIST)],
    ("GET", "/v1/integrations/{partner}"): [Op(needs=INTEGRATIONS)],
    ("PUT", "/v1/integrations/{partner}"): [
        Op(
            body=lambda i: {
                "campaign_id": i.campaign,
                "category_map": {"Drain Cleaning": {"job_type_id": i.job_type, "business_unit_id": i.business_unit}},
            },
            refs=_refs("campaign", "job_type", "business_unit"),
            needs=INTEGRATIONS,
            own="a partner's name, not an id: sets up the caller's own company's integration",
        )
    ],
    ("GET", "/v1/integrations/{partner}/diagnostics"): [
        Op(needs=INTEGRATIONS, own="a partner's name, not an id: diagnoses the caller's own company's integration")
    ],
    ("GET", "/v1/integrations/{partner}/deliveries"): [
        Op(needs=INTEGRATIONS, own="a sender's name, not an id: lists the caller's own company's deliveries")
    ],
    ("GET", "/v1/integrations/{partner}/deliveries/{delivery_id}"): [Op(needs=INTEGRATIONS)],
    ("POST", "/v1/integrations/{partner}/deliveries/{delivery_id}/reprocess"): [Op(needs=INTEGRATIONS)],
    # dynamic number insertion
    ("GET", "/v1/dni"): [Op(own=OWN)],
    ("PUT", "/v1/dni"): [
        Op(
            body=lambda i: {
                "pool": [i.pool_number],
                "domain": "probe.example",
                "default_number": DEFAULT_NUMBER,
                "source_rules": [{"utm_source": "bing", "campaign_id": i.campaign}],
            },
            refs=_refs("campaign", pool_number="pool"),
            needs=MARKETING,
        )
    ],
    # reports
    **{
        ("GET", f"/v1/reports/{name}"): [Op(query=REPORT_DAYS, needs=REPORTS, own="counts of the caller's own company")]
        for name in ("campaign-summary", "lead-volume", "scl-recovery", "csr-performance")
    },
}

# An id-like field of a body or a query (or the DNI pool, which names the company's tracking numbers), and the
# query parameters that select records by a caller's or customer's number.
ID_LIKE = re.compile(r"(_ids?|^pool)$")
QUERY_ID_LIKE = re.compile(r"(_ids?|^caller|^phone)$")
# Fields that name something by an id the product never looks up: stored as given, so another company's id is
# only a string there.
FREE_REFERENCES = {
    ("PUT", "/v1/calls/{call_id}/classification", "job_id"): "the job the CSR booked, in whatever system books "
    "jobs: kept on the call as typed (the SCL evaluation only asks whether there is one)",
}


def _send(api: Api, method: str, req: Req) -> requests.Response:
    return api.request(method, req.path, params=req.params, json=req.json)


def _schema_fields(schema: dict, components: dict, depth: int = 0) -> set[str]:
    """Every property name of a request body schema, nested ones included."""
    if depth > 8:
        return set()
    if "$ref" in schema:
        return _schema_fields(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    names: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            names |= _schema_fields(option, components, depth + 1)
    for name, inner in (schema.get("properties") or {}).items():
        names |= {name} | _schema_fields(inner, components, depth + 1)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            names |= _schema_fields(schema[key], components, depth + 1)
    return names


def _served_operations(runtime) -> dict[tuple[str, str], dict]:
    spec = requests.get(f"{runtime.api_url}/openapi.json", timeout=30).json()
    components = spec.get("components", {}).get("schemas", {})
    served = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            served[(method.upper(), path)] = {
                "path": [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"],
                "query": [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"],
                "body": _schema_fields(body, components) if body else set(),
            }
    return served


def test_every_staff_operation_is_classified_with_every_id_it_takes(runtime):
    """The sweeps below cover what /openapi.json serves: an operation, a path id, or an id-like body or query
    field they do not know fails here, naming it."""
    served = _served_operations(runtime)
    assert sorted(served.keys() - OPERATIONS.keys()) == [], "staff operations the sweeps do not know: add to OPERATIONS"
    assert sorted(OPERATIONS.keys() - served.keys()) == [], "OPERATIONS lists operations the API no longer serves"
    unclassified = []
    for key, shape in served.items():
        ops = OPERATIONS[key]
        for name in shape["path"]:
            if name not in PATH_IDS:
                unclassified.append((*key, "path", name))
        declared = {name for op in ops for name in [*op.refs.values(), *op.filters.values()]}
        id_like = {n for n in shape["body"] if ID_LIKE.search(n)} | {
            n for n in shape["query"] if QUERY_ID_LIKE.search(n)
        }
        for name in sorted(id_like - declared):
            if (*key, name) not in FREE_REFERENCES:
                unclassified.append((*key, "field", name))
        for op in ops:
            if not (shape["path"] or op.refs or op.filters or op.own):
                unclassified.append((*key, "no id and no reason", ""))
    assert not unclassified, f"ids the sweeps do not probe (declare them in path, refs or filters): {unclassified}"


# --- tenant isolation ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    what: str  # "path", "ref", "filter" or "own"
    ids: Ids  # the intruder's ids, but for the victim's where probed
    named: tuple[str, str] = ("", "")  # for a ref: the field and the victim's id an answer should name


def _probes(template: str, op: Op, intruder: Ids, victim: Ids) -> list[Probe]:
    probes = []
    path_kinds = [PATH_IDS[name] for name in re.findall(r"\{(\w+)\}", template)]
    if path_kinds and not op.own:
        probes.append(Probe("path", Ids({**intruder, **{k: victim[k] for k in path_kinds}})))
    for kind, name in op.refs.items():
        probes.append(Probe("ref", Ids({**intruder, kind: victim[kind]}), (name, victim[kind])))
    for kind in op.filters:
        probes.append(Probe("filter", Ids({**intruder, kind: victim[kind]})))
    if not probes:
        probes.append(Probe("own", intruder))
    return probes


def test_a_company_reaches_none_of_another_companys_objects_through_any_staff_operation(world):
    """Tenant A's admin (every permission) names tenant B's objects in every staff operation: a 404 for an object
    in the path, a 4xx naming the field for an id in the body, nothing of B's in any list, report or answer, and
    neither company changed by a refused request; B's partition is the same after each operation."""
    intruder, victim = world.intruder, world.victim
    victims_own = world.victims_own()
    failures: list[str] = []
    victim_items = partition(victim.tenant_id)
    intruder_items = partition(intruder.tenant_id)
    for (method, template), ops in OPERATIONS.items():
        for op in ops:
            for probe in _probes(template, op, intruder.ids, victim.ids):
                response = _send(intruder.admin, method, request(template, op, probe.ids))
                answer = f"{response.status_code} {response.text[:160]}"
                label = f"{method} {template} [{probe.what} {probe.named[0]}] -> {answer}"
                leaked = sorted(s for s in victims_own - set(probe.ids.values()) if s in response.text)
                if leaked:
                    failures.append(f"{label}: shows the other company's {leaked}")
                if probe.what == "path" and (response.status_code != 404 or not response.json().get("message")):
                    failures.append(f"{label}: expected a 404 with a message")
                if probe.what == "ref":
                    field_name, victims_id = probe.named
                    named = victims_id in response.text or field_name in response.text
                    if response.status_code not in (404, 422) or not named:
                        failures.append(f"{label}: expected a 404 or 422 naming {field_name} or {victims_id}")
                if probe.what in ("own", "filter") and not 200 <= response.status_code < 300:
                    failures.append(f"{label}: expected a 2xx answer about the caller's own company")
                now = partition(intruder.tenant_id)
                if probe.what in ("path", "ref") and (changed := diff(intruder_items, now)):
                    failures.append(f"{label}: the refused request changed the caller's company: {changed}")
                intruder_items = now
            if changed := diff(victim_items, partition(victim.tenant_id)):
                failures.append(f"{method} {template}: changed the other company's records {changed}")
                victim_items = partition(victim.tenant_id)
    assert failures == [], "\n".join(failures)


# --- permissions -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_staff(world) -> dict[frozenset[str], Api]:
    """Employees of the victim company, by the permissions they lack: each permission alone, the two that open the
    SCL settings together, and every one (a technician's role holds none)."""
    victim, runtime = world.victim, world.runtime
    lacking = [frozenset({p}) for p in sorted(ALL_PERMISSIONS)]
    lacking += sorted({op.needs_any for ops in OPERATIONS.values() for op in ops if op.needs_any}, key=sorted)
    staff = {}
    for missing in lacking:
        role = _ok(
            victim.admin.post(
                "/v1/roles", {"name": _unique("Without"), "permissions": sorted(ALL_PERMISSIONS - missing)}
            ),
            201,
        )["role_id"]
        staff[missing] = _employee_api(runtime, victim, role)
    staff[frozenset(ALL_PERMISSIONS)] = _employee_api(runtime, victim, "technician")
    settled(victim.tenant_id)
    return staff


def _employee_api(runtime, company: Company, role_id: str) -> Api:
    employee = _ok(
        company.admin.post(
            "/v1/employees", {"name": "Limited Lee", "email": f"{_unique('lee')}@example.com", "role_id": role_id}
        ),
        201,
    )["employee_id"]
    token = tokens.issue(runtime.signing_key, tenant_id=company.tenant_id, employee_id=employee, role_id=role_id)
    return Api(runtime.api_url, token)


def test_every_gated_operation_refuses_an_employee_without_its_permission_and_changes_nothing(world, limited_staff):
    """Each permission an operation needs, taken away alone from an employee of the company whose objects it
    names (the Second Chance Leads paths among them): 403 naming the permission, and the company's records the
    same. An operation open to one of two permissions refuses someone with neither and answers either."""
    victim = world.victim
    failures: list[str] = []
    items = partition(victim.tenant_id)
    gated = [(m, t, op) for (m, t), ops in OPERATIONS.items() for op in ops if op.needs or op.needs_any]
    assert {t for _, t, _ in gated} >= {t for (_, t) in OPERATIONS if t.startswith("/v1/second-chance-leads")}
    for method, template, op in gated:
        req = request(template, op, victim.ids)
        checks = [(frozenset({p}), {p}) for p in op.needs] + ([(op.needs_any, op.needs_any)] if op.needs_any else [])
        for missing, named in checks:
            response = _send(limited_staff[missing], method, req)
            label = f"{method} {template} without {sorted(missing)} -> {response.status_code} {response.text[:160]}"
            message = response.json().get("message", "") if response.status_code == 403 else ""
            if not any(p in message for p in named):
                failures.append(f"{label}: expected a 403 naming {sorted(named)}")
            if changed := diff(items, partition(victim.tenant_id)):
                failures.append(f"{label}: changed the company's records {changed}")
                items = partition(victim.tenant_id)
        for either in op.needs_any:
            response = _send(limited_staff[frozenset({either})], method, req)
            if response.status_code == 403:
                failures.append(
                    f"{method} {template} with {sorted(op.needs_any - {either})} only: refused {response.text}"
                )
    assert failures == [], "\n".join(failures)


def test_every_open_operation_answers_an_employee_without_any_permission(world, limited_staff):
    """The operations the sweep calls open (reads of the company's records, the caller's own notifications and
    preferences) answer a technician, whose role holds no permission: the classification above is not too lax."""
    nobody = limited_staff[frozenset(ALL_PERMISSIONS)]
    refused = []
    for (method, template), ops in OPERATIONS.items():
        for op in ops:
            if not (op.needs or op.needs_any):
                response = _send(nobody, method, request(template, op, world.victim.ids))
                if response.status_code in (401, 403):
                    refused.append(f"{method} {template} -> {response.status_code} {response.text[:160]}")
    assert refused == []


# --- authentication of the public routes ---------------------------------------------------------------------

# Public routes that take no credentials by design, and why nothing behind them needs any.
PUBLIC_BY_DESIGN = {
    ("GET", "/health"): "the liveness answer: no data",
    ("GET", "/openapi.json"): "the staff API's own description: no data",
    ("GET", "/swagger"): "the staff API's documentation page: no data",
    ("GET", "/dni/{tenant_id}/snippet.js"): "the script every visitor of the company's website loads",
    ("GET", "/dni/{tenant_id}/test-page"): "the page that tests the snippet: the company's public number only",
    ("POST", "/dni/{tenant_id}/sessions"): "every website visitor asks for a number to show; browsers are held to "
    "the company's domain by CORS (tests/integration/test_dni.py)",
    ("OPTIONS", "/dni/{tenant_id}/sessions"): "the CORS preflight",
    ("OPTIONS", "/v1/online-bookings"): "the CORS preflight",
}
WEBHOOK_CALLER = "+15125550881"
TRACKING = "+15125550500"


@dataclass
class Sender:
    """A company as its vendors, partners and website call it, with its own credentials."""

    tenant: Tenant
    partners: Partners
    online_booking_key: str

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id

    @property
    def telephony(self) -> dict:
        return self.tenant.vendors.telephony


def _twilio_params(callback: str) -> dict:
    sid = twilio_sid()
    return {
        "voice-status": {
            "CallSid": sid,
            "From": WEBHOOK_CALLER,
            "To": TRACKING,
            "Direction": "inbound",
            "CallStatus": "ringing",
        },
        "recording-status": {
            "CallSid": sid,
            "RecordingSid": twilio_sid("RE"),
            "RecordingStatus": "completed",
            "RecordingUrl": f"https://api.twilio.com/rec/{sid}",
            "RecordingDuration": "30",
        },
        "transcription": {
            "CallSid": sid,
            "TranscriptionSid": twilio_sid("TR"),
            "TranscriptionStatus": "completed",
            "TranscriptionText": "Caller: my AC stopped cooling, can you call me back?",
        },
    }[callback]


def _twilio(callback: str) -> Callable[[Sender, Sender, str], requests.Response]:
    def send(target: Sender, other: Sender, case: str) -> requests.Response:
        signer = other if case == "other_company" else target
        params = {"AccountSid": signer.telephony["twilio"]["account_sid"], **_twilio_params(callback)}
        url = target.tenant.vendors.twilio_url(callback)
        token = secrets.token_hex(16) if case == "wrong" else signer.telephony["twilio"]["auth_token"]
        signature = target.tenant.vendors.twilio_signature(url, params, token=token)
        headers = {} if case == "missing" else {"X-Twilio-Signature": signature}
        return requests.post(url, data=params, headers=headers, timeout=30)

    return send


def _callrail(target: Sender, other: Sender, case: str, event: str | None = None) -> requests.Response:
    payload = _callrail_payload(customer_phone_number=WEBHOOK_CALLER, tracking_phone_number=TRACKING)
    body = json.dumps(payload).encode()
    key = {"wrong": secrets.token_hex(16), "other_company": other.telephony["callrail"]["signing_key"]}.get(
        case, target.telephony["callrail"]["signing_key"]
    )
    signature = "" if case == "missing" else target.tenant.vendors.callrail_signature(body, key)
    return target.tenant.vendors.callrail(body, signature=signature, event=event)


def _callrail_event(target: Sender, other: Sender, case: str) -> requests.Response:
    return _callrail(target, other, case, event="call-modified")


def _native(target: Sender, other: Sender, case: str) -> requests.Response:
    payload = {
        "event_id": uuid.uuid4().hex,
        "type": "call.started",
        "call_id": _unique("native"),
        "occurred_at": datetime.now(UTC).isoformat(),
        "direction": "inbound",
        "from": WEBHOOK_CALLER,
        "to": TRACKING,
    }
    secret = {"wrong": secrets.token_hex(24), "other_company": other.telephony["native"]["signing_secret"]}.get(
        case, target.telephony["native"]["signing_secret"]
    )
    at = int(time.time()) - (native.TOLERANCE_SECONDS + 60 if case == "stale" else 0)
    return target.tenant.vendors.native(payload, at=at, secret=secret, header="" if case == "missing" else None)


def _thumbtack(target: Sender, other: Sender, case: str) -> requests.Response:
    payload = sample("thumbtack/negotiation_created.json")
    if case == "other_company":
        return other.partners.thumbtack(payload, tenant_id=target.tenant_id)
    creds = target.partners.creds["thumbtack"]
    authorization = {
        "missing": None,
        "wrong": thumbtack.basic_authorization(creds["username"], secrets.token_urlsafe(24)),
    }.get(case, thumbtack.basic_authorization(**creds))
    return target.partners.thumbtack(payload, authorization=authorization)


def _angi(target: Sender, other: Sender, case: str) -> requests.Response:
    payload = sample("angi/lead.json")
    if case == "other_company":
        return other.partners.angi(payload, tenant_id=target.tenant_id)
    key = {"missing": None, "wrong": secrets.token_urlsafe(32)}.get(case, target.partners.creds["angi"]["api_key"])
    return target.partners.angi(payload, api_key=key)


def _generic_partner(target: Sender, other: Sender, case: str) -> requests.Response:
    payload = sample("generic/lead.json")
    if case == "other_company":
        return other.partners.generic(payload, tenant_id=target.tenant_id)
    if case == "missing":
        return target.partners.generic(payload, signature=None)
    if case == "wrong":
        return target.partners.generic(payload, secret=secrets.token_hex(24))
    stale = int(time.time()) - generic.TOLERANCE_SECONDS - 60
    return target.partners.generic(payload, t=stale if case == "stale" else None)


def _online_booking(target: Sender, other: Sender, case: str) -> requests.Response:
    prefix, _, secret = target.online_booking_key.split(".")
    key = {
        "wrong": f"{prefix}.{target.tenant_id}.{secrets.token_urlsafe(24)}",
        "other_company": f"{prefix}.{target.tenant_id}.{other.online_booking_key.split('.')[2]}",
    }.get(case, target.online_booking_key)
    body = {"booking_id": _unique("sched"), "customer": {"name": "Web Visitor", "phone": WEBHOOK_CALLER}}
    headers = {} if case == "missing" else {"X-Leadline-Key": key}
    return requests.post(f"{target.tenant.admin.base_url}/v1/online-bookings", json=body, headers=headers, timeout=30)


PARTNER_SENDS = {"thumbtack": _thumbtack, "angi": _angi, "generic": _generic_partner}


def _partner(target: Sender, other: Sender, case: str) -> requests.Response:
    """The partners' route: `case` is "<partner>:<case>" for one partner's scheme; "valid" is each partner's valid
    delivery in turn (each must store something once accepted), answered as the first not accepted, or the last."""
    if case != "valid":
        partner, _, case = case.partition(":")
        return PARTNER_SENDS[partner](target, other, case)
    answers = []
    for partner, send in PARTNER_SENDS.items():
        before = partition(target.tenant_id)
        answers.append(answer := send(target, other, "valid"))
        accepted = 200 <= answer.status_code < 300
        assert not accepted or diff(before, partition(target.tenant_id)), f"{partner} [valid]: accepted, not stored"
    return next((a for a in answers if not 200 <= a.status_code < 300), answers[-1])


@dataclass(frozen=True)
class Scheme:
    """A public route's authentication: how to send a delivery (valid, or one of `cases`) and the status that
    refuses one."""

    send: Callable[[Sender, Sender, str], requests.Response]
    refused: int
    cases: tuple[str, ...]


UNTIMED = ("missing", "wrong", "other_company")  # a scheme without a timestamp has no stale case
TIMESTAMPED = (*UNTIMED, "stale")
PARTNER_CASES = tuple(
    f"{partner}:{case}"
    for partner, cases in {"thumbtack": UNTIMED, "angi": UNTIMED, "generic": TIMESTAMPED}.items()
    for case in cases
)
AUTHENTICATED = {
    # Twilio asks for 403; its signature covers the URL, and so the company in it
    **{
        ("POST", f"/webhooks/twilio/{{tenant_id}}/{callback}"): Scheme(_twilio(callback), 403, UNTIMED)
        for callback in ("voice-status", "recording-status", "transcription")
    },
    # CallRail signs the body only, and its `timestamp` is the call's start: replays are duplicates, not refused
    ("POST", "/webhooks/callrail/{tenant_id}"): Scheme(_callrail, 401, UNTIMED),
    ("POST", "/webhooks/callrail/{tenant_id}/{event}"): Scheme(_callrail_event, 401, UNTIMED),
    ("POST", "/webhooks/calls/{tenant_id}"): Scheme(_native, 401, TIMESTAMPED),
    # one route for every lead partner, each with its own scheme: Thumbtack's HTTP Basic, Angi's API key, the
    # generic partners' timestamped signature
    ("POST", "/webhooks/partners/{partner}/{tenant_id}"): Scheme(_partner, 401, PARTNER_CASES),
    # the key names its company: "other_company" is another company's secret under this company's name
    ("POST", "/v1/online-bookings"): Scheme(_online_booking, 401, UNTIMED),
}


def test_every_public_route_is_authenticated_or_public_by_design():
    public = {(method, path) for method, path, auth, _ in TOPOLOGY.routes() if auth == "none"}
    assert sorted(public - AUTHENTICATED.keys() - PUBLIC_BY_DESIGN.keys()) == [], "public routes the sweep skips"
    assert sorted((AUTHENTICATED.keys() | PUBLIC_BY_DESIGN.keys()) - public) == [], "routes the topology dropped"


@pytest.fixture(scope="module")
def senders(runtime) -> tuple[Sender, Sender]:
    """Two companies of their own, each with telephony, partner and website credentials."""
    made = []
    for _ in range(2):
        tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
        creds = new_credentials()
        integrations.store_credentials(runtime.client("secretsmanager"), tenant.tenant_id, creds)
        key = _ok(tenant.admin.post("/v1/settings/online-bookings/key"))["key"]
        made.append(Sender(tenant, Partners(runtime.api_url, tenant.tenant_id, creds), key))
    settled(*(sender.tenant_id for sender in made))
    return made[0], made[1]


def test_every_webhook_refuses_a_missing_wrong_stale_or_other_companys_signature_and_stores_nothing(senders):
    """Each authenticated public route, each way its credentials can be wrong: refused with a message, and neither
    the company named in the URL nor the one whose credentials were used has any new or changed record. The same
    delivery, validly signed, is then accepted and stored: the refusals were for the credentials alone."""
    target, other = senders
    failures: list[str] = []
    for (method, path), scheme in AUTHENTICATED.items():
        for case in scheme.cases:
            before = partition(target.tenant_id), partition(other.tenant_id)
            response = scheme.send(target, other, case)
            label = f"{method} {path} [{case}] -> {response.status_code} {response.text[:160]}"
            if response.status_code != scheme.refused or not response.json().get("message"):
                failures.append(f"{label}: expected {scheme.refused} with a message")
            after = partition(target.tenant_id), partition(other.tenant_id)
            if changed := diff(before[0], after[0]) + diff(before[1], after[1]):
                failures.append(f"{label}: stored {changed}")
    for (method, path), scheme in AUTHENTICATED.items():
        before = partition(target.tenant_id)
        response = scheme.send(target, other, "valid")
        if not 200 <= response.status_code < 300 or not diff(before, partition(target.tenant_id)):
            failures.append(f"{method} {path} [valid] -> {response.status_code} {response.text[:160]}: not stored")
    assert failures == [], "\n".join(failures)


# --- caller numbers in the logs ------------------------------------------------------------------------------


def _written_forms(e164: str) -> set[str]:
    """The ways a US number is written: E.164, URL-encoded E.164 (form bodies), 10 digits, national styles."""
    digits = e164.removeprefix("+1")
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return {
        e164,
        e164.replace("+", "%2B"),
        digits,
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
    }


def test_no_log_line_of_the_functions_shows_a_caller_number(world, function_logs):
    """Every line the functions logged while this module ran (both companies' calls through Twilio and the native
    webhook, their SCL evaluations and notifications, a partner lead, online bookings, the sweeps' refusals, a
    refused Twilio delivery and the reads of each object below) has every caller and customer number of the flows
    masked, in any written form. The capture is the functions' own handler: it holds the evaluator's, the
    notifier's and the webhook's lines, among them one whose call id holds a caller's number, masked."""
    victim, intruder = world.victim, world.intruder
    for (method, template), ops in OPERATIONS.items():
        if method == "GET" and "{" in template:  # each of the victim's objects, read by its admin
            _send(victim.admin, method, request(template, ops[0], victim.ids))
    forged = {"CallSid": twilio_sid(), "From": B_CALLER, "To": TRACKING, "CallStatus": "ringing"}
    assert victim.tenant.vendors.twilio("voice-status", forged, signature="forged").status_code == 403
    lines = function_logs.lines()
    records = [json.loads(line) for line in lines]  # Powertools' structured lines, as written
    logged = {(r["message"], r.get("call_id")) for r in records}
    assert {("AfterCallWorkElapsed", victim.ids.call), ("AfterCallWorkElapsed", intruder.ids.call)} <= logged
    assert {"SecondChanceLeadCreated", "BookingReceived", "webhook refused"} <= {message for message, _ in logged}
    masked = (
        f"pbx-{mask(B_NATIVE_CALLER)}-"  # the native call's id, as `_native_call_with_the_number_in_its_id` made it
    )
    assert any(r["message"] == "AfterCallWorkElapsed" and r["call_id"].startswith(masked) for r in records)
    numbers = victim.phones | intruder.phones | {WEBHOOK_CALLER}
    shown = [(form, line) for line in lines for number in numbers for form in _written_forms(number) if form in line]
    assert shown == []
