"""Given the staff API's OpenAPI document (the one the local runtime serves at /openapi.json, held equal here) and
an admin token of a tenant of the module's own, when schemathesis sends every operation what it generates from the
document, then every answer passes every check schemathesis has, and ours:

- not_a_server_error: no 5xx;
- status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance:
  each answer is one the operation documents, its status, media type, headers and body;
- negative_data_rejection: a request the document does not allow is refused (4xx);
- positive_data_acceptance: a request it allows is not refused with a 4xx other than 401, 403, 404, 409, but for a
  422 by one of BEYOND_THE_SCHEMA (what JSON Schema cannot say: a record an id names, a phone number's numbering
  plan, a rule between two fields, ...), each listed with its field and words;
- missing_required_header, ignored_auth: no token, or a malformed or forged one, is a 401;
- unsupported_method, allow_header_conformance: a method the path does not take is a 405 with `Allow`;
- ensure_resource_availability, use_after_free (in workflows): a record just created can be read back (and one
  deleted cannot: the API deletes nothing);
- object_level_authorization (in workflows): the admin of another company cannot read what the tenant's admin can;
- ours: every 4xx is JSON with a message in words.

Each operation gets schemathesis' phases: the document's examples, coverage (each parameter and body field at and
past its bounds, missing, of another type; methods the path does not take; no token), and fuzzing (positive and
negative), first with random ids, then with the ids of records that exist, so that the bodies reach the domain;
then workflows (stateful): chains of operations taking ids from earlier answers, by the links schemathesis infers.

And given authentic senders (valid signatures or credentials) of webhooks and of the website's API, bodies that are
not UTF-8, cut short, nested too deep, or carry a moment or a number the store cannot take get a 4xx with a message,
or are applied: never a 5xx, never accepted then kept unapplied.

Bounded and reproducible for `make test`: a few derandomized examples per operation, and 3 workflows. `make fuzz`
runs 100 (LEADLINE_FUZZ_EXAMPLES), and 50 workflows; LEADLINE_FUZZ_SEED=7 makes a run random but repeatable with
that seed (the workflows random only: Hypothesis takes no seed for a state machine; a failing one is shown step
by step).

schemathesis' lazy loader (`schemathesis.pytest.from_fixture`) does not run under pytest 9.2 (it sets the test
node's `_nodeid`, which pytest 9 no longer has), so the schema is loaded from the document at import, and each test
gets the runtime's address and the tenant's token when it runs.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi import checks
from schemathesis.wfc.escalation import EscalatingAuthProvider

from infra.local.seed_partners import GENERIC_PARTNER, new_credentials
from leadline.api.staff import contract, resolver
from leadline.calls.vendors import twilio
from leadline.partners import generic, integrations, thumbtack
from tests.support.api import new_tenant
from tests.support.webhooks import twilio_sid

EXAMPLES = int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "3"))
WORKFLOWS = max(3, EXAMPLES // 2)
SEED = os.environ.get("LEADLINE_FUZZ_SEED")


DOCUMENT = json.loads(contract.document(resolver.app))


def _config() -> schemathesis.Config:
    generation = {"database": "none", "max-examples": EXAMPLES, "deterministic": SEED is None}
    config = {
        "generation": generation,
        "request-timeout": 30,
        # The document's local server: the path (/) that checks compare the URLs sent with (its first server, ".",
        # is relative to where it is served). Each request names the runtime's own address, known when it starts.
        "base-url": "http://127.0.0.1:3000",
        # Unsanitized: a failure shows the request as sent (the tokens are the test tenants', on the local runtime).
        "output": {"sanitization": {"enabled": False}},
    }
    if SEED is not None:
        config["seed"] = int(SEED)
    return schemathesis.Config.from_dict(config)


schema = schemathesis.openapi.from_dict(DOCUMENT, config=_config())
TOKEN: dict[str, str] = {}  # by who: the module's fixture makes the tenants and fills it
LATER = "a-token-to-come"  # what the cases made at collection carry until then
ADMIN, PEER = "admin", "another company's admin"


class StaffToken:
    """`who`'s token on a request, but where schemathesis leaves it out or spoils it on purpose (a missing or a
    malformed Authorization header must get a 401). The coverage phase's cases are made when pytest collects the
    tests, before the runtime and the tenants exist: they carry LATER, which _call_and_validate replaces."""

    def __init__(self, who: str) -> None:
        self.who = who

    def get(self, case, context) -> str:
        return TOKEN.get(self.who, LATER)

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# Every request as the admin; object_level_authorization replays a read of the admin's own record as the admin of
# another company, who must not get it. (schemathesis' [auth.wfc] config registers the same provider from a file.)
schema.auth.providers.append(
    EscalatingAuthProvider([StaffToken(ADMIN), StaffToken(PEER)], [ADMIN, PEER], peers=(ADMIN, PEER), pinned=ADMIN)
)


@pytest.fixture(scope="module")
def fuzzed(runtime):
    """A tenant of the module's own with one record of each kind."""
    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    peer = new_tenant(runtime.api_url, runtime.signing_key)
    for who, its in ((ADMIN, tenant), (PEER, peer)):
        TOKEN[who] = its.admin.session.headers["Authorization"].removeprefix("Bearer ")
    yield tenant, _seed_records(tenant)
    TOKEN.clear()


def _created(response, key: str) -> str:
    assert response.status_code in (200, 201), response.text
    body = response.json()
    return body[key] if key in body else body["job"][key]


def _seed_records(tenant) -> dict[str, str]:
    """Real ids for every path parameter (employee and role: not the admin's own, so fuzzing cannot lock it out)."""
    api = tenant.admin
    unique = uuid.uuid4().int % 10_000
    ids = {"employee_id": tenant.csr_employee_id, "partner": "thumbtack"}
    ids["campaign_id"] = _created(api.post("/v1/campaigns", {"name": "Fuzz Ads"}), "campaign_id")
    ids["number"] = _created(
        api.post("/v1/tracking-numbers", {"number": f"+1512555{unique:04d}", "campaign_id": ids["campaign_id"]}),
        "number",
    )
    ids["business_unit_id"] = _created(api.post("/v1/business-units", {"name": "HVAC"}), "business_unit_id")
    ids["job_type_id"] = _created(
        api.post("/v1/job-types", {"name": "AC", "business_unit_ids": [ids["business_unit_id"]]}), "job_type_id"
    )
    ids["call_reason_id"] = _created(
        api.post("/v1/call-reasons", {"name": "Booked", "is_lead": True}), "call_reason_id"
    )
    ids["role_id"] = _created(api.post("/v1/roles", {"name": "Fuzzed", "permissions": []}), "role_id")
    ids["customer_id"] = _created(
        api.post("/v1/customers", {"name": "Pat Fuzz", "phones": ["+15125550177"]}), "customer_id"
    )
    ids["lead_id"] = _created(api.post("/v1/leads", {"customer_id": ids["customer_id"]}), "lead_id")
    job = {
        "customer_id": ids["customer_id"],
        "job_type_id": ids["job_type_id"],
        "business_unit_id": ids["business_unit_id"],
        "appointment_start": "2026-11-24T15:00:00Z",
        "appointment_end": "2026-11-24T17:00:00Z",
    }
    ids["job_id"] = _created(api.post("/v1/jobs", job), "job_id")
    call_id = f"fuzz-{uuid.uuid4().hex[:12]}"
    ended = {"event_id": "e1", "type": "call.ended", "call_id": call_id, "outcome": "completed"}
    ended |= {"occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "direction": "inbound"}
    ids["call_id"] = _created(tenant.vendors.native(ended | {"from": "+15125550177", "to": ids["number"]}), "call_id")
    scl_call = _start_a_second_chance_lead(tenant, ids["number"])
    key = _created(api.post("/v1/settings/online-bookings/key"), "key")
    booking = {"booking_id": "fuzz-1", "customer": {"name": "Pat Fuzz", "phone": "+15125550177"}}
    ids["booking_id"] = _created(
        api.session.post(api.base_url + "/v1/online-bookings", json=booking, headers={"X-Leadline-Key": key}),
        "booking_id",
    )
    ids["scl_id"] = _first(api, "/v1/second-chance-leads", "scl_id", f"the SCL of call {scl_call}")
    ids["notification_id"] = _first(api, "/v1/notifications", "notification_id", "the SCL's in-app notification")
    return ids


PROSPECT = (
    "Agent: Thanks for calling Acme, this is Carlos. Caller: Hi, my AC stopped cooling last night and it's 85 in "
    "the house. How much is it for someone to come out? Could you send a technician today or tomorrow? Agent: Let me "
    "check the schedule. Caller: Actually I have to go, can you call me back?"
)


def _start_a_second_chance_lead(tenant, tracking_number: str) -> str:
    """A lead-like inbound call nobody booked: after its after-call work (1 minute, 1 s at the tests' time scale)
    it becomes an SCL, told in-app to the admin."""
    settings_put = tenant.admin.put("/v1/settings/second-chance-leads", {"enabled": True, "after_call_work_minutes": 1})
    assert settings_put.status_code == 200, settings_put.text
    sid, vendors = twilio_sid(), tenant.vendors
    call = {"CallSid": sid, "From": "+15125550188", "To": tracking_number, "Direction": "inbound"}
    transcript = {"CallSid": sid, "TranscriptionSid": twilio_sid("TR"), "TranscriptionStatus": "completed"}
    recording = {"CallSid": sid, "RecordingSid": twilio_sid("RE"), "RecordingStatus": "completed"}
    recording |= {"RecordingDuration": "75", "RecordingUrl": f"https://api.twilio.com/rec/{sid}"}
    for callback, params in (
        ("voice-status", call | {"CallStatus": "in-progress", "SequenceNumber": "1"}),
        ("recording-status", recording),
        ("transcription", transcript | {"TranscriptionText": PROSPECT}),
        ("voice-status", call | {"CallStatus": "completed", "SequenceNumber": "2", "CallDuration": "75"}),
    ):
        assert vendors.twilio(callback, params).status_code == 200
    return sid


def _first(api, path: str, key: str, what: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = api.get(path).json()["items"]
        if items:
            return items[0][key]
        time.sleep(0.25)
    raise AssertionError(f"{what} did not come within {timeout:.0f} s")


# --- the checks: every one schemathesis has, and ours ------------------------------------------------------------

# What JSON Schema cannot say, which the API checks beyond the document: a request the document allows may be refused
# (422) for one of these, each by the field it names and the words it uses. positive_data_acceptance stands as it is
# for anything else (its expected statuses, 2xx, 401, 403, 404, 409, already allow a path id of no record, or a
# state that forbids the change).
_RECORD = (
    r"does not exist|not found|is inactive|is not offered by|belongs to another"
    r"|is not a tracking number of|is a direct-dial number|is the advertised number"
)
_PHONE = (
    r"'.*' (is not a valid phone number|does not start with a known country code|is too (short|long) to be a phone"
    r" number|is not a phone number)"
)
BEYOND_THE_SCHEMA = [
    # an id names a record of the company's: it must exist, be active, and fit the others the body names
    (r"[a-z_]+_ids?(\.[0-9]+)?|category_map\..+|rules|source_rules|pool", _RECORD),
    # a page token is one the listing gave out, not any string
    (r"next_token", r"is not one this listing gave out"),
    # a phone number is one of its country's numbering plan (the document gives the characters people write)
    (r"number|dnis|phones?(\.[0-9]+)?|forwarding_number|mobile_phone|default_number|pool(\.[0-9]+)?|caller", _PHONE),
    # a domain is a hostname (labels, IDNA, not an address or a URL); a time zone one of the IANA database
    (r"domain", r"^domain (is empty|'.*' (is|has) .*)"),
    (r"time_zone", r"is not an IANA time zone"),
    # lead dismiss reasons are the standard ones and the company's own (GET /v1/lead-dismiss-reasons)
    (r"reason", r"is not a dismiss reason"),
    # a booking whose category maps to no job type and business unit is converted naming them
    (r"job_type_id|business_unit_id", r"is required: the booking's category is not mapped"),
    # rules between fields
    (r"notifications", r"quiet hours|quiet_hours_start and quiet_hours_end"),
    (r"appointment_end", r"must come after appointment_start"),
    (r"(rules|source_rules)(\.[0-9]+)?", r"needs at least one of|names at least one of"),
    (r"to", r"^to is before from$|^at most .+ at a time$"),
    (r"caller", r"not both"),
    (r"status", r"is never in the .+ tab"),
    (r"mobile_phone", r"texts need a mobile_phone"),
    (r"default_number", r"is in the pool"),
]


def _beyond_the_schema(error: dict) -> bool:
    field, message = str(error.get("field")), str(error.get("message"))
    return any(re.fullmatch(f, field) and re.search(m, message, re.DOTALL) for f, m in BEYOND_THE_SCHEMA)  # quoted \n


def test_only_the_listed_rules_are_beyond_the_schema():
    assert _beyond_the_schema({"field": "customer_id", "message": "customer cu-1 does not exist"})
    assert _beyond_the_schema({"field": "phones.2", "message": "phone '+1 555 01' is not a valid phone number"})
    assert not _beyond_the_schema({"field": "customer_id", "message": "not an id: letters, digits, '_' and '-' only"})
    assert not _beyond_the_schema({"field": "phones.2", "message": "phone numbers are digits, spaces, ( ) . - only"})
    assert not _beyond_the_schema({"field": "name", "message": "is blank"})


def positive_data_acceptance_beyond_the_schema(ctx, response, case) -> bool | None:
    """positive_data_acceptance, but for a 422 whose every error is one of BEYOND_THE_SCHEMA."""
    try:
        return checks.positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        errors = response.json().get("errors") if response.status_code == 422 else None
        if errors and all(_beyond_the_schema(error) for error in errors):
            return None
        raise


def every_4xx_says_what_is_wrong(ctx, response, case) -> bool | None:
    if 400 <= response.status_code < 500:
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            raise AssertionError(f"a {response.status_code} without a JSON body") from None
        message = body.get("message") if isinstance(body, dict) else None
        assert isinstance(message, str) and message.strip(), f"a {response.status_code} without a message"
    return None


OUR_CHECKS = [positive_data_acceptance_beyond_the_schema, every_4xx_says_what_is_wrong]


def _call_and_validate(case, runtime) -> None:
    """Every check schemathesis has (all are on unless configured off), positive_data_acceptance as above, and ours."""
    if (case.headers or {}).get("Authorization") == f"Bearer {LATER}":
        case.headers["Authorization"] = f"Bearer {TOKEN[ADMIN]}"
    case.call_and_validate(
        base_url=runtime.api_url,
        excluded_checks=[checks.positive_data_acceptance],
        additional_checks=OUR_CHECKS,
        timeout=30,
    )


def test_the_served_document_is_the_one_fuzzed(runtime):
    served = requests.get(runtime.api_url + "/openapi.json", timeout=30)
    assert served.status_code == 200 and served.json() == DOCUMENT


@schema.parametrize()
def test_any_input_conforms(case, runtime, fuzzed):
    _call_and_validate(case, runtime)


@schema.include(path_regex=r"\{").parametrize()
def test_any_input_about_a_record_that_exists_conforms(case, runtime, fuzzed):
    _tenant, ids = fuzzed
    if case.path_parameters and not (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
        case.path_parameters.update({name: ids[name] for name in case.path_parameters if name in ids})
    _call_and_validate(case, runtime)


# The admin's own record and role: a workflow that deactivated the one or emptied the other would leave the rest of
# it 403s. Other employees and roles are fuzzed above.
NOT_IN_WORKFLOWS = ["updateEmployee", "updateRole"]


def test_workflows_conform(runtime, fuzzed):
    """Stateful: chains of operations, each taking ids from earlier answers (the links schemathesis infers), with
    every check, those that need such chains too (a record just created can be read back, ...)."""
    machine = schema.exclude(operation_id=NOT_IN_WORKFLOWS).as_state_machine()

    class Workflows(machine):
        def get_call_kwargs(self, case):
            return {"base_url": runtime.api_url, "timeout": 30}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                excluded_checks=[checks.positive_data_acceptance],
                additional_checks=OUR_CHECKS,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflows.run(
        settings=settings(
            max_examples=WORKFLOWS,
            stateful_step_count=10,
            derandomize=SEED is None,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# --- bodies we cannot read, end to end: the staff API's, and authentic webhook and website senders' ----------

TWILIO_VOICE = {
    "CallSid": "CA" + "f" * 32,
    "From": "+15125550177",
    "To": "+15125550100",
    "Direction": "inbound",
    "CallStatus": "ringing",
}
CALLRAIL = {
    "id": "CALfuzz",
    "customer_phone_number": "+15125550177",
    "duration": 5,
    "start_time": "2026-11-23T09:00:00Z",
}
NATIVE = {"event_id": "e1", "type": "call.started", "call_id": "fuzz-call", "occurred_at": "2026-11-23T15:00:00Z"}
THUMBTACK = {"event": {"eventType": "NegotiationCreatedV4"}, "data": {"negotiationID": "fuzz-1", "createdAt": None}}
ANGI = {"leadOid": "fuzz-1", "primaryPhone": "5125550177"}
GENERIC = {"lead_id": "fuzz-1", "customer": {"phone": "+15125550177"}}
BOOKING = {"booking_id": "fuzz-1", "customer": {"phone": "+15125550177"}}
DNI_VISIT = {"session_id": "fuzz", "utm_source": "google"}
VALID = {
    "twilio": urlencode(TWILIO_VOICE).encode(),
    "callrail": json.dumps(CALLRAIL).encode(),
    "native": json.dumps(NATIVE).encode(),
    "thumbtack": json.dumps(THUMBTACK).encode(),
    "angi": json.dumps(ANGI).encode(),
    "generic": json.dumps(GENERIC).encode(),
    "online booking": json.dumps(BOOKING).encode(),
    "dni session": json.dumps(DNI_VISIT).encode(),
}
UNREADABLE = {
    "empty": lambda valid: b"",
    "not UTF-8": lambda valid: b"\xff\xfe\x80" + valid[:20],
    "cut short": lambda valid: valid[: len(valid) // 2],
    "nested too deep": lambda valid: b"[" * 5_000 + b"]" * 5_000,
    "a JSON array": lambda valid: b"[1, 2, 3]",
}


@pytest.mark.parametrize("unreadable", ["not UTF-8", "nested too deep", "cut short", "empty"])
@pytest.mark.parametrize("method, path", [("POST", "/v1/campaigns"), ("PATCH", "/v1/settings")])
def test_a_staff_body_we_cannot_read_gets_a_422_that_says_why(fuzzed, method, path, unreadable):
    tenant, _ids = fuzzed
    raw = UNREADABLE[unreadable](b'{"name": "Fuzz"}')
    response = tenant.admin.request(method, path, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["message"].strip(), response.text


# A field with a moment that has no UTC time (year 1, an hour east of UTC): each parser must refuse or drop it.
YEAR_ONE = "0001-01-01T00:00:00+01:00"
OUT_OF_RANGE = {
    "twilio": urlencode(TWILIO_VOICE | {"Timestamp": "Mon, 01 Jan 0001 00:00:00 +0100"}).encode(),
    "callrail": json.dumps(CALLRAIL | {"start_time": YEAR_ONE}).encode(),
    "native": json.dumps(NATIVE | {"occurred_at": YEAR_ONE}).encode(),
    "thumbtack": json.dumps(THUMBTACK | {"data": {"negotiationID": "fuzz-2", "createdAt": YEAR_ONE}}).encode(),
    "generic": json.dumps(GENERIC | {"lead_id": "fuzz-2", "created_at": YEAR_ONE}).encode(),
}


@pytest.fixture(scope="module")
def senders(runtime, demo):
    """Each sender, authentic (its own signature or credentials), posting raw bytes for a tenant of the module's own
    (the DNI session: the demo tenant's, the one with a DNI domain, from a page on it). Twilio's signature is computed
    by our own code here, over whatever form the raw bytes make: its agreement with Twilio's is tested elsewhere."""
    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    partners = new_credentials()
    integrations.store_credentials(runtime.client("secretsmanager"), tenant.tenant_id, partners)
    key = _created(tenant.admin.post("/v1/settings/online-bookings/key"), "key")
    base, tid, session = runtime.api_url, tenant.tenant_id, requests.Session()
    telephony = tenant.vendors.telephony

    def post(path: str, raw: bytes, headers: dict[str, str], content_type="application/json") -> requests.Response:
        return session.post(base + path, data=raw, headers={"Content-Type": content_type, **headers}, timeout=30)

    def twilio_callback(raw: bytes) -> requests.Response:
        url = f"{base}/webhooks/twilio/{tid}/voice-status"
        params = [("AccountSid", telephony["twilio"]["account_sid"]), *twilio.form_params(raw.decode(errors="replace"))]
        signed = twilio.expected_signature(telephony["twilio"]["auth_token"], url, params)
        body = urlencode(params[:1]).encode() + b"&" + raw
        return post(url.removeprefix(base), body, {"X-Twilio-Signature": signed}, "application/x-www-form-urlencoded")

    generic_secret = partners["generic"][GENERIC_PARTNER]["signing_secret"]
    return {
        "twilio": twilio_callback,
        "callrail": lambda raw: tenant.vendors.callrail(raw),
        "native": lambda raw: tenant.vendors.native(raw),
        "thumbtack": lambda raw: post(
            f"/webhooks/partners/thumbtack/{tid}",
            raw,
            {"Authorization": thumbtack.basic_authorization(**partners["thumbtack"])},
        ),
        "angi": lambda raw: post(f"/webhooks/partners/angi/{tid}", raw, {"x-api-key": partners["angi"]["api_key"]}),
        "generic": lambda raw: post(
            f"/webhooks/partners/{GENERIC_PARTNER}/{tid}",
            raw,
            {generic.SIGNATURE_HEADER: generic.sign(generic_secret, raw, int(time.time()))},
        ),
        "online booking": lambda raw: post("/v1/online-bookings", raw, {"X-Leadline-Key": key}),
        "dni session": lambda raw: post(
            f"/dni/{demo['tenant_id']}/sessions", raw, {"Origin": f"https://{demo['dni']['domain']}"}
        ),
    }


def _check_delivery(sender: str, raw: bytes, response: requests.Response) -> None:
    where = f"{sender} <- {raw[:80]!r}: {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("message"), str) and body["message"].strip(), where
    else:
        assert response.json().get("result") != "kept", f"accepted but failed on our side: {where}"


@pytest.mark.parametrize("sender", sorted(VALID))
@pytest.mark.parametrize("unreadable", sorted(UNREADABLE))
def test_an_authentic_sender_with_a_body_we_cannot_read_gets_a_4xx_that_says_why(senders, sender, unreadable):
    raw = UNREADABLE[unreadable](VALID[sender])
    response = senders[sender](raw)
    _check_delivery(sender, raw, response)
    # A form body cut short or not UTF-8 may still be a readable form; an empty visit is a visit with no source.
    if sender != "twilio" and (sender, unreadable) != ("dni session", "empty"):
        assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("sender", sorted(OUT_OF_RANGE))
def test_a_moment_with_no_utc_time_is_refused_or_dropped_never_a_5xx_nor_kept_unapplied(senders, sender):
    _check_delivery(sender, OUT_OF_RANGE[sender], senders[sender](OUT_OF_RANGE[sender]))


HUGE = "9" * 130  # beyond DynamoDB's numbers (up to 1E+126 and 38 digits; moto checks the first, not the second)
TOO_LARGE = {
    "twilio SequenceNumber": ("twilio", urlencode(TWILIO_VOICE | {"CallSid": "CA" + "d" * 32, "SequenceNumber": HUGE})),
    "twilio CallDuration": ("twilio", urlencode(TWILIO_VOICE | {"CallSid": "CA" + "c" * 32, "CallDuration": HUGE})),
    "native recording_duration_seconds": (
        "native",
        json.dumps(
            NATIVE
            | {"type": "recording.ready", "recording_url": "https://r.example/1.mp3"}
            | {"recording_duration_seconds": int(HUGE)}
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(TOO_LARGE))
def test_a_number_too_large_to_store_is_refused_never_kept_unapplied(senders, case):
    sender, raw = TOO_LARGE[case]
    response = senders[sender](raw.encode())
    _check_delivery(sender, raw.encode(), response)
    assert response.status_code == 400, response.text


def test_a_twilio_timestamp_in_utc_without_a_local_zone_is_applied(senders):
    """RFC 2822's "-0000" (UTC, no local zone) read without a time zone could not be merged with the call's
    earlier times (naive and aware datetimes do not compare): the delivery would be kept, never applied."""
    call = TWILIO_VOICE | {"CallSid": "CA" + "e" * 32}
    for status, timestamp in (("in-progress", "+0000"), ("completed", "-0000")):
        raw = urlencode(call | {"CallStatus": status, "Timestamp": f"Mon, 23 Nov 2026 15:00:00 {timestamp}"})
        response = senders["twilio"](raw.encode())
        assert response.status_code == 200 and response.json()["result"] == "applied", response.text
