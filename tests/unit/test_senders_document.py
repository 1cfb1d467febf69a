"""The senders' OpenAPI document (docs/openapi-senders.json): the committed file is a fresh build; it is valid
OpenAPI 3.1; it documents exactly the routes API Gateway sends to the three edges, each with words, its sender's
authentication, its body and its answers in the one error shape; the vendors' and partners' own deliveries
(tests/data) fit the bodies it documents, and what the parsers refuse it refuses too; and no Lambda pays for it at
its cold start."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from infra.topology import CALL_WEBHOOKS, PARTNER_WEBHOOKS, PUBLIC_API, TOPOLOGY
from leadline.api import senders_contract
from leadline.api.public import online_bookings
from leadline.calls.vendors import native, twilio
from leadline.errors import InvalidInput
from leadline.json_schema import check as check_schema
from leadline.partners import generic

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs/openapi-senders.json"
DATA = ROOT / "tests/data"
DOCUMENT = senders_contract.openapi()
OPERATIONS = {
    (method.upper(), path): operation for path, item in DOCUMENT["paths"].items() for method, operation in item.items()
}
READABLE_ID = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


def _validator(schema_name: str) -> jsonschema.protocols.Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(root)


# --- the document as a whole -----------------------------------------------------------------------------------


def test_the_committed_document_is_a_fresh_build():
    fresh = senders_contract.document()
    assert COMMITTED.exists() and COMMITTED.read_text(encoding="utf-8") == fresh, (
        "docs/openapi-senders.json is not the document the code builds: write it again with `make openapi` "
        "and commit it with the change"
    )


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"] == "3.1.0"
    validate(DOCUMENT)


def test_the_description_says_who_sends_what_and_how_they_are_answered():
    description = DOCUMENT["info"]["description"]
    for topic in ("## Authentication", "X-Twilio-Signature", "Leadline-Signature", "X-Leadline-Key", "Origin"):
        assert topic in description
    for topic in ("## Errors", '"code"', '"message"', '"errors"', "duplicate", "kept", "Missing Authentication Token"):
        assert topic in description


# --- the routes ------------------------------------------------------------------------------------------------

EDGES = (CALL_WEBHOOKS, PARTNER_WEBHOOKS, PUBLIC_API)


def test_it_documents_exactly_the_routes_api_gateway_sends_to_the_three_edges():
    routes = {(route.method, route.path) for function in EDGES for route in function.routes}
    unrouted = sorted(
        f"{method} {path}"
        for method, path in OPERATIONS
        if not any(m == method and _pattern(template).match(path) for m, template in routes)
    )
    assert not unrouted, f"documented, but API Gateway routes no such request: {unrouted}"
    assert {(method, path) for method, path in routes if (method, path) not in OPERATIONS} == set()


def test_the_build_refuses_a_route_it_does_not_document():
    served = senders_contract.served_routes()
    assert ("POST", "/webhooks/calls/{tenant_id}") in served
    without_native = [o for o in senders_contract.operations() if o.operation_id != "nativeCallEvent"]
    with pytest.raises(ValueError, match="routes not documented .*'/webhooks/calls/\\{tenant_id\\}'"):
        senders_contract._check(without_native)


# --- each operation ---------------------------------------------------------------------------------------------


def test_operation_ids_are_unique_and_readable():
    ids = [operation["operationId"] for operation in OPERATIONS.values()]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not READABLE_ID.match(i)] == []


def test_each_operation_says_what_it_is_for_in_words_under_a_described_tag():
    described = {tag["name"]: tag["description"] for tag in DOCUMENT["tags"]}
    bad = []
    for (method, path), operation in OPERATIONS.items():
        summary, description = operation["summary"], operation["description"]
        if not summary or "/" in summary or len(summary) > 80:
            bad.append(f"{method} {path}: summary {summary!r}")
        if len(description) < 60 or description.startswith(summary):
            bad.append(f"{method} {path}: description {description!r}")
        if len(operation["tags"]) != 1 or operation["tags"][0] not in described:
            bad.append(f"{method} {path}: tags {operation['tags']}")
    assert not bad, "\n".join(bad)
    assert {op["tags"][0] for op in OPERATIONS.values()} == set(described)


def test_each_operation_names_its_senders_authentication():
    schemes = DOCUMENT["components"]["securitySchemes"]
    used = {name for op in OPERATIONS.values() for requirement in op["security"] for name in requirement}
    assert used == set(schemes), f"schemes used {sorted(used)}, defined {sorted(schemes)}"
    expected = {
        "twilioVoiceStatus": "X-Twilio-Signature",
        "callrailEvent": "Signature",
        "nativeCallEvent": "Leadline-Signature",
        "angiLead": "x-api-key",
        "partnerLead": "Leadline-Signature",
        "createOnlineBooking": online_bookings.KEY_HEADER,
        "openDniSession": "Origin",
    }
    by_id = {op["operationId"]: op for op in OPERATIONS.values()}
    for operation_id, header in expected.items():
        (scheme,) = by_id[operation_id]["security"][0]
        assert schemes[scheme].get("name") == header, operation_id
    assert schemes[next(iter(by_id["thumbtackDelivery"]["security"][0]))] | {"description": ""} == {
        "type": "http",
        "scheme": "basic",
        "description": "",
    }


def test_every_post_documents_its_body_and_every_error_has_the_one_shape():
    for (method, path), operation in OPERATIONS.items():
        if method == "POST":
            (media,) = operation["requestBody"]["content"]
            assert media == (senders_contract.FORM if "/twilio/" in path else senders_contract.JSON), path
        statuses = {int(status) for status in operation["responses"]}
        assert 422 not in statuses, f"{method} {path}: an invalid input is a 400 on the senders' edges"
        assert any(200 <= status < 300 for status in statuses), f"{method} {path}: no success answer"
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            gateway = status in ("413", "502")
            assert schema == {"$ref": f"#/components/schemas/{'GatewayError' if gateway else 'Error'}"}, (path, status)
            assert len(response["description"]) > 20, (path, status)


def test_the_error_shape_is_the_staff_apis():
    staff = json.loads((ROOT / "docs/openapi.json").read_text(encoding="utf-8"))["components"]["schemas"]
    mine = DOCUMENT["components"]["schemas"]
    for name in ("Error", "FieldError", "GatewayError"):
        assert mine[name] == staff[name], name


# --- the bodies -------------------------------------------------------------------------------------------------


def _fixtures() -> list[tuple[str, str, dict[str, Any]]]:
    """(file, documented schema, body) of every delivery in tests/data/vendors and tests/data/partners."""
    found = []
    for folder in ("vendors", "partners"):
        for path in sorted((DATA / folder).glob("*/*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            body = data["body"] if folder == "vendors" else data
            sender, kind = path.parent.name, path.stem
            if sender == "twilio":
                schema = {"voice": "TwilioVoiceStatus", "recording": "TwilioRecordingStatus"}.get(
                    kind.split("_")[0], "TwilioTranscription"
                )
                body = body | {"AccountSid": "AC" + "0" * 32}  # the captures mask theirs; a company's is well formed
            else:
                schema = {
                    "callrail": "CallRailCall",
                    "thumbtack": "ThumbtackDelivery",
                    "angi": "AngiLead",
                    "generic": "GenericPartnerLead",
                }[sender]
            found.append((str(path.relative_to(DATA)), schema, body))
    return found


FIXTURES = _fixtures()


def test_every_sender_of_the_fixtures_is_covered():
    assert {schema for _name, schema, _body in FIXTURES} == {
        "TwilioVoiceStatus",
        "TwilioRecordingStatus",
        "TwilioTranscription",
        "CallRailCall",
        "ThumbtackDelivery",
        "AngiLead",
        "GenericPartnerLead",
    }


@pytest.mark.parametrize(("name", "schema", "body"), FIXTURES, ids=[name for name, _schema, _body in FIXTURES])
def test_the_senders_own_deliveries_fit_the_documented_bodies(name, schema, body):
    error = jsonschema.exceptions.best_match(_validator(schema).iter_errors(body))
    assert error is None, f"{name} does not fit {schema} at {error.json_path}: {error.message}"


NATIVE = {"event_id": "e-1", "type": "call.ended", "call_id": "c-1", "occurred_at": "2026-11-23T15:04:00Z"}
LEAD = {"lead_id": "l-1", "customer": {"name": "Pat Doe"}}
BOOKING = {"booking_id": "b-1", "customer": {"name": "Pat Doe"}}
VOICE = {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + "1" * 32, "CallStatus": "ringing"}

REFUSED = [
    ("native-no-outcome", "NativeCallEvent", NATIVE),
    ("native-unknown-field", "NativeCallEvent", NATIVE | {"outcome": "completed", "colour": "red"}),
    ("generic-unreachable", "GenericPartnerLead", LEAD),
    ("generic-no-id", "GenericPartnerLead", {"customer": {"phone": "5125550100"}}),
    ("booking-unreachable", "OnlineBooking", BOOKING),
    ("twilio-no-status", "TwilioVoiceStatus", {k: v for k, v in VOICE.items() if k != "CallStatus"}),
    ("twilio-bad-sid", "TwilioVoiceStatus", VOICE | {"CallSid": "CA-not-a-sid"}),
]
PARSERS = {
    "NativeCallEvent": lambda body: native.load(json.dumps(body).encode()),
    "GenericPartnerLead": lambda body: generic.load(json.dumps(body).encode()),
    "OnlineBooking": lambda body: check_schema(body, online_bookings.SCHEMA),
    "TwilioVoiceStatus": lambda body: twilio.parse("voice-status", _form(body), body["AccountSid"]),
}


def _form(body: dict[str, str]) -> bytes:
    return "&".join(f"{name}={value}" for name, value in body.items()).encode()


@pytest.mark.parametrize(("schema", "body"), [(s, b) for _n, s, b in REFUSED], ids=[n for n, *_ in REFUSED])
def test_what_the_parsers_refuse_the_document_refuses(schema, body):
    with pytest.raises(InvalidInput):
        PARSERS[schema](body)
    assert not _validator(schema).is_valid(body)


def test_what_the_parsers_take_the_document_takes():
    for schema, body in [
        ("NativeCallEvent", NATIVE | {"outcome": "completed"}),
        ("GenericPartnerLead", LEAD | {"customer": {"email": "pat@example.com"}}),
        ("OnlineBooking", BOOKING | {"customer": {"phone": "5125550100"}}),
        ("TwilioVoiceStatus", VOICE),
    ]:
        PARSERS[schema](body)
        assert _validator(schema).is_valid(body), schema


# --- cold start ---------------------------------------------------------------------------------------------------


def test_no_function_imports_the_document_at_its_cold_start():
    handlers = [function.handler_module for function in TOPOLOGY.functions if function.routes]
    check = (
        "import importlib, sys\n"
        f"for name in {handlers!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.endswith('senders_contract')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers/shared/python")}
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[]"
