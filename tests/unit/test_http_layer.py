"""The HTTP layer under the four edges (leadline/api/http.py), each resolver driven with the API Gateway proxy events
the local gateway builds, on moto: one error shape with messages in words, JSON bodies read by their content type
(415 for another, never a 5xx), 405 with `Allow` for a path that takes other methods, and one access line per
request with the route's template and the tenant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator

import boto3
import pytest

from infra.local.gateway import proxy_event
from leadline import credentials
from leadline.api import http
from leadline.api.call_webhooks.resolver import app as call_webhooks
from leadline.api.partner_webhooks.resolver import app as partner_webhooks
from leadline.api.public.online_bookings import CORS, KEY_HEADER
from leadline.api.public.resolver import app as public_api
from leadline.api.staff.auth import TENANT_CLAIM
from leadline.api.staff.resolver import app as staff_api
from leadline.bookings import online
from leadline.observability import logger

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module", autouse=True)
def aws(runtime) -> None:
    """The local runtime's moto, with the topology's tables (the webhooks keep what they refuse; the website's key is
    stored). Not moto's in-process mock: leaving it resets every moto backend of the process, the runtime's too."""


@pytest.fixture
def logged() -> Iterator[Callable[[], list[dict]]]:
    """The functions' logger's records written during the test, as JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    logger.removeHandler(handler)


def _access_lines(records: list[dict]) -> list[dict]:
    return [record for record in records if record["message"] == "request"]


def call(app, method: str, path: str, body: bytes = b"", headers=None, query: str = "", tenant: str | None = None):
    """The app's answer to the request API Gateway would send it: status, headers (multi-valued), JSON body."""
    event = proxy_event(
        method=method,
        path=path,
        query=query,
        headers=headers or {},
        body=body,
        source_ip="203.0.113.9",
        resource="/{proxy+}",
        path_params={},
        claims={TENANT_CLAIM: tenant, "custom:employee_id": "e1"} if tenant else None,
    )
    answer = app.resolve(event, None)
    headers = {k.lower(): ", ".join(v) for k, v in (answer.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
    return answer["statusCode"], headers, json.loads(answer["body"]) if answer.get("body") else None


def _one_error_shape(body: dict) -> None:
    assert set(body) == {"code", "message", "errors"}, body
    assert isinstance(body["message"], str) and body["message"].strip()
    assert all(set(error) == {"field", "message"} for error in body["errors"]), body


# --- the staff API ----------------------------------------------------------------------------------------------


def test_broken_json_is_answered_in_words_naming_the_body():
    status, _headers, body = call(staff_api, "POST", "/v1/campaigns", b'{"name": "x" "y"}', JSON, tenant="t1")
    assert status == 422
    _one_error_shape(body)
    said = "the body is not valid JSON (line 1, column 14: Expecting ',' delimiter)"
    assert body["code"] == "invalid_input" and body["message"] == said
    assert body["errors"] == [{"field": "body", "message": said}]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"\xff\xfe\x80{}", "the body is not UTF-8 text: send JSON"),
        (b"[" * 5_000 + b"]" * 5_000, "the body is JSON nested too deeply"),
    ],
)
def test_a_body_that_cannot_be_read_as_json_is_a_422_saying_why(raw, said):
    status, _headers, body = call(staff_api, "POST", "/v1/campaigns", raw, JSON, tenant="t1")
    assert status == 422 and body["errors"] == [{"field": "body", "message": said}]


def test_validation_errors_name_the_field_as_a_dotted_path_in_pydantic_words():
    nested = json.dumps({"address": {"street": "1 Main St", "city": "Austin", "state": "T"}}).encode()
    status, _headers, body = call(staff_api, "POST", "/v1/customers/c1/locations", nested, JSON, tenant="t1")
    assert status == 422
    _one_error_shape(body)
    assert {e["field"] for e in body["errors"]} == {"address.state", "address.zip"}
    assert "address.zip: Field required" in body["message"]

    phones = json.dumps({"name": "Pat", "phones": ["12"]}).encode()
    _status, _headers, body = call(staff_api, "POST", "/v1/customers", phones, JSON, tenant="t1")
    [error] = body["errors"]
    assert error["field"] == "phones.0" and error["message"].startswith("phone ")  # "Value error, " taken off

    status, _headers, body = call(staff_api, "GET", "/v1/campaigns", query="limit=0", tenant="t1")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["limit"]


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/x-www-form-urlencoded", b"name=Fall+Ads"),
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=name\r\n\r\nFall\r\n--x--"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=name\r\n\r\nFall\r\n--x--"),
        ("text/plain; charset=utf-8", b'{"name": "Fall Ads"}'),
    ],
)
def test_a_body_of_another_content_type_is_a_415_naming_both_types(content_type, raw):
    status, _headers, body = call(staff_api, "POST", "/v1/campaigns", raw, {"Content-Type": content_type}, tenant="t1")
    assert status == 415
    _one_error_shape(body)
    media_type = content_type.split(";")[0]
    assert body["code"] == "unsupported_media_type" and body["errors"] == []
    assert media_type in body["message"] and "application/json" in body["message"]


@pytest.mark.parametrize("content_type", [None, "application/json; charset=utf-8", "application/merge-patch+json"])
def test_json_and_its_suffixes_or_no_content_type_are_read_as_json(content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    status, _headers, body = call(staff_api, "POST", "/v1/campaigns", b'{"name": 5}', headers, tenant="t1")
    assert status == 422 and body["errors"] == [{"field": "name", "message": "Input should be a valid string"}]


def test_a_multipart_type_without_a_boundary_and_no_body_is_a_4xx_not_a_5xx():
    headers = {"Content-Type": "multipart/form-data"}
    status, _headers, body = call(staff_api, "POST", "/v1/campaigns", b"", headers, tenant="t1")
    assert status == 422 and body["errors"] == [{"field": "body", "message": "Field required"}]


def test_a_path_that_takes_other_methods_is_a_405_with_allow_and_an_unknown_path_a_404():
    status, headers, body = call(staff_api, "DELETE", "/v1/campaigns", tenant="t1")
    assert status == 405 and headers["allow"] == "GET, POST"
    _one_error_shape(body)
    assert body["code"] == "method_not_allowed" and "GET, POST" in body["message"]

    status, headers, body = call(staff_api, "PUT", "/v1/campaigns/c1", tenant="t1")
    assert status == 405 and headers["allow"] == "GET, PATCH"

    status, headers, body = call(staff_api, "GET", "/v1/no-such-thing", tenant="t1")
    assert status == 404 and "allow" not in headers
    _one_error_shape(body)
    assert body["code"] == "no_such_route"


def test_a_query_parameter_the_operation_does_not_take_is_a_422_naming_it_and_a_wrong_method_stays_a_405():
    status, _headers, body = call(staff_api, "GET", "/v1/campaigns", query="limit=5&stauts=open", tenant="t1")
    assert status == 422 and body["errors"] == [{"field": "stauts", "message": "is not a parameter of this operation"}]

    status, _headers, body = call(staff_api, "GET", "/v1/campaigns/c1", query="limit=5", tenant="t1")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["limit"]

    status, headers, _body = call(staff_api, "PUT", "/v1/campaigns", query="limit=5", tenant="t1")
    assert status == 405 and headers["allow"] == "GET, POST"


def test_each_request_writes_one_access_line_with_the_route_template_and_the_tenant(logged):
    call(staff_api, "GET", "/v1/campaigns", query="limit=0", tenant="t-access")
    call(staff_api, "PUT", "/v1/campaigns/c1", tenant="t-access")
    call(staff_api, "GET", "/v1/no-such-thing")
    first, second, third = _access_lines(logged())
    assert {k: first[k] for k in ("method", "route", "status", "tenant_id")} == {
        "method": "GET",
        "route": "/v1/campaigns",
        "status": 422,
        "tenant_id": "t-access",
    }
    assert isinstance(first["ms"], int) and first["ms"] >= 0
    assert (second["route"], second["status"]) == ("/v1/campaigns/{campaign_id}", 405)
    assert third["status"] == 404 and "route" not in third and "tenant_id" not in third
    assert "tenant_id" not in logger.get_current_keys()


def test_a_request_that_fails_is_logged_as_the_gateway_answers_it_and_the_tenant_key_is_removed(logged):
    app = http.Resolver(invalid_input_status=400)

    @app.post("/hooks/<tenant_id>")
    def fails(tenant_id: str) -> dict:
        logger.info("working")
        raise RuntimeError("our side failed")

    with pytest.raises(RuntimeError):
        call(app, "POST", "/hooks/t-fails")
    records = logged()
    working = next(r for r in records if r["message"] == "working")
    [line] = _access_lines(records)
    assert working["tenant_id"] == "t-fails"
    assert (line["route"], line["status"], line["tenant_id"]) == ("/hooks/{tenant_id}", 502, "t-fails")
    assert "tenant_id" not in logger.get_current_keys()


# --- the webhooks -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def telephony() -> dict:
    """A company with CallRail and Twilio configured."""
    tenant_id = f"t{uuid.uuid4().hex[:12]}"
    configured = {"callrail": {"signing_key": "callrail-key"}, "twilio": {"account_sid": "AC1", "auth_token": "tok"}}
    credentials.write(boto3.client("secretsmanager"), tenant_id, credentials.TELEPHONY, configured)
    return {"tenant_id": tenant_id, **configured}


def test_twilio_keeps_its_form_bodies_and_a_refusal_has_the_one_shape(telephony, logged):
    path = f"/webhooks/twilio/{telephony['tenant_id']}/voice-status"
    status, _headers, body = call(call_webhooks, "POST", path, b"CallSid=CA1&CallStatus=ringing", FORM)
    assert status == 403  # read as Twilio's form, then refused for the missing signature: not a 415
    _one_error_shape(body)
    assert body["errors"] == [] and "X-Twilio-Signature" in body["message"]
    [line] = _access_lines(logged())
    assert (line["route"], line["tenant_id"]) == ("/webhooks/twilio/{tenant_id}/{callback}", telephony["tenant_id"])


def test_an_authentic_delivery_we_cannot_read_is_a_400_and_a_get_a_405(telephony):
    raw = b'{"id": "CAL1", "customer_phone'
    signature = base64.b64encode(hmac.new(b"callrail-key", raw, hashlib.sha1).digest()).decode()
    path = f"/webhooks/callrail/{telephony['tenant_id']}"
    status, _headers, body = call(call_webhooks, "POST", path, raw, JSON | {"Signature": signature})
    assert status == 400
    _one_error_shape(body)
    assert body["code"] == "invalid_input"

    status, headers, body = call(call_webhooks, "GET", path)
    assert status == 405 and headers["allow"] == "POST" and body["code"] == "method_not_allowed"


def test_a_partner_name_that_can_be_no_partners_is_a_404_in_the_one_shape():
    status, _headers, body = call(partner_webhooks, "POST", "/webhooks/partners/No_Such/t1", b"{}", JSON)
    assert status == 404
    _one_error_shape(body)
    assert body["code"] == "not_found" and "no partner" in body["message"]


# --- the public API ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def website_key() -> str:
    return online.new_key(f"t{uuid.uuid4().hex[:12]}")["key"]


def test_an_online_booking_in_another_content_type_is_a_415_with_the_cors_headers(website_key):
    headers = FORM | {KEY_HEADER: website_key}
    status, answered, body = call(public_api, "POST", "/v1/online-bookings", b"booking_id=b1", headers)
    assert status == 415 and body["code"] == "unsupported_media_type"
    assert answered["access-control-allow-origin"] == CORS["Access-Control-Allow-Origin"]


@pytest.mark.parametrize(
    ("booking", "field", "said"),
    [
        ({"customer": {"phone": "5125550142"}}, "booking_id", "booking_id is required"),
        ({"booking_id": "b1", "customer": {"name": "Pat"}}, "customer", "customer needs phone or email"),
        ({"booking_id": "b1", "customer": {"phone": 5125550142}}, "customer.phone", "customer.phone must be text"),
        ({"booking_id": "", "customer": {"phone": "5125550142"}}, "booking_id", "booking_id must not be empty"),
        ({"booking_id": "b1", "customer": {"phone": "1"}, "extra": 1}, "extra", "extra is not a field of the booking"),
        (
            {"booking_id": "b1", "customer": {"phone": "1"}, "tracking": {"utm_source": "g"}},
            "tracking.utm_source",
            "tracking.utm_source is not a field of tracking (it takes campaign, fbclid,",
        ),
        ([1, 2], "body", "the booking must be an object"),
    ],
)
def test_an_online_booking_that_breaks_the_schema_is_a_400_naming_the_field_in_words(website_key, booking, field, said):
    raw = json.dumps(booking).encode()
    status, _headers, body = call(public_api, "POST", "/v1/online-bookings", raw, JSON | {KEY_HEADER: website_key})
    assert status == 400
    _one_error_shape(body)
    assert body["message"].startswith(f"the booking is not valid: {said}"), body
    assert [e["field"] for e in body["errors"]] == [field]
    assert "data." not in body["message"] and "{" not in body["message"]


def test_broken_json_to_the_public_api_is_a_400_and_a_wrong_method_a_405(website_key):
    headers = JSON | {KEY_HEADER: website_key}
    status, _headers, body = call(public_api, "POST", "/v1/online-bookings", b'{"booking_id": ', headers)
    assert status == 400 and body["errors"][0]["field"] == "body"
    assert body["message"].startswith("the body is not valid JSON (line 1, column 16")

    status, headers, body = call(public_api, "GET", "/v1/online-bookings")
    assert status == 405 and headers["allow"] == "OPTIONS, POST"
