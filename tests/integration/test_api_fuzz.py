"""Given the staff API's /openapi.json as the local runtime serves it and an admin token of a tenant of the test's
own, when schemathesis sends every operation valid and invalid requests (random ids; then the ids of records that
exist, so that the bodies reach the domain), then no request gets a 5xx and every 4xx says what is wrong. And given
authentic senders (valid signatures or credentials) of webhooks and of the website's API, bodies that are not UTF-8,
cut short, nested too deep, or carry a moment or a number the store cannot take get a 4xx with a message, or are
applied: never a 5xx, never accepted then kept unapplied.

Bounded and reproducible for `make test`: a few derandomized examples per operation. For a longer run:
`LEADLINE_FUZZ_EXAMPLES=100 LEADLINE_FUZZ_SEED=7 .venv/bin/python -m pytest tests/integration/test_api_fuzz.py`
(a seed makes the run random but repeatable with that seed).

schemathesis' own pytest integration (`schemathesis.pytest.from_fixture`) does not run under pytest 9.2, so each
operation is a Hypothesis test over the strategies schemathesis builds from the served schema.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from infra.local.seed_partners import GENERIC_PARTNER, new_credentials
from leadline.api.staff import contract, resolver
from leadline.calls.vendors import twilio
from leadline.partners import generic, integrations, thumbtack
from tests.support.api import new_tenant
from tests.support.webhooks import twilio_sid

EXAMPLES = int(os.environ.get("LEADLINE_FUZZ_EXAMPLES", "3"))
SEED = os.environ.get("LEADLINE_FUZZ_SEED")


def _operations() -> list[str]:
    """Every operation the staff API documents (the served schema is checked to hold the same)."""
    document = json.loads(contract.document(resolver.app))
    return sorted(f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item)


OPERATIONS = _operations()
WITH_IDS = [label for label in OPERATIONS if "{" in label]


@pytest.fixture(scope="module")
def fuzzed(runtime):
    """A tenant of the module's own with one record of each kind, and the schema the runtime serves."""
    tenant = new_tenant(runtime.api_url, runtime.signing_key, runtime.client("secretsmanager"))
    schema = schemathesis.openapi.from_url(
        runtime.api_url + "/openapi.json",
        config=schemathesis.Config.from_dict({"base-url": runtime.api_url, "generation": {"database": "none"}}),
    )
    return tenant, schema, _seed_records(tenant)


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


def _check_answer(case, response) -> None:
    where = f"{case.as_curl_command()}\n-> {response.status_code} {response.text[:500]}"
    assert response.status_code < 500, f"a server error:\n{where}"
    if 400 <= response.status_code < 500:
        try:
            body = response.json()
        except ValueError:
            pytest.fail(f"a {response.status_code} without a JSON body:\n{where}")
        message = body.get("message") if isinstance(body, dict) else None
        assert isinstance(message, str) and message.strip(), f"a {response.status_code} without a message:\n{where}"


def _fuzz(tenant, operation, path_parameters: dict[str, str] | None = None) -> None:
    strategies = [
        operation.as_strategy(mode, path_parameters=path_parameters)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    authorization = tenant.admin.session.headers["Authorization"]

    @settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def send(case) -> None:
        _check_answer(case, case.call(headers={"Authorization": authorization}, timeout=30))

    if SEED is not None:
        send = seed(int(SEED))(send)
    send()


def test_the_served_schema_documents_every_operation(fuzzed):
    _tenant, schema, _ids = fuzzed
    served = sorted(f"{op.ok().method.upper()} {op.ok().path}" for op in schema.get_all_operations())
    assert served == OPERATIONS


@pytest.mark.parametrize("label", OPERATIONS)
def test_any_input_gets_no_5xx_and_every_4xx_says_what_is_wrong(fuzzed, label):
    tenant, schema, _ids = fuzzed
    _fuzz(tenant, schema.find_operation_by_label(label))


@pytest.mark.parametrize("label", WITH_IDS)
def test_any_input_about_a_record_that_exists_gets_no_5xx_and_every_4xx_says_what_is_wrong(fuzzed, label):
    tenant, schema, ids = fuzzed
    operation = schema.find_operation_by_label(label)
    known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    if not known:
        pytest.skip(f"no record of this kind is seeded ({', '.join(p.name for p in operation.path_parameters)})")
    _fuzz(tenant, operation, known)


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
    tenant, _schema, _ids = fuzzed
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
