"""`POST /v1/online-bookings`: a booking from the company's scheduler, authenticated by the company's website key
(`X-Leadline-Key`), with its tracking parameters. Any origin may call it (the key says which company); a
browser's preflight is answered."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline import json_schema
from leadline.api import http
from leadline.bookings import online
from leadline.errors import InvalidInput

router = APIGatewayRouter()

KEY_HEADER = "X-Leadline-Key"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": f"Content-Type, {KEY_HEADER}",
    "Access-Control-Max-Age": "600",
}
_TEXT = {"type": "string", "maxLength": 2000}
_SHORT = {"type": "string", "minLength": 1, "maxLength": 200}
SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["booking_id", "customer"],
    "additionalProperties": False,
    "properties": {
        "booking_id": {"type": "string", "minLength": 1, "maxLength": 128, "description": "the scheduler's id"},
        "customer": {
            "type": "object",
            "additionalProperties": False,
            "anyOf": [{"required": ["phone"]}, {"required": ["email"]}],
            "properties": {"name": _SHORT, "phone": {"type": "string", "maxLength": 40}, "email": _SHORT},
        },
        "address": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: _SHORT for k in ("address1", "address2", "city", "state", "postal_code")},
        },
        "service": _SHORT,
        "job_type_id": _SHORT,
        "business_unit_id": _SHORT,
        "requested_times": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "required": ["start", "end"],
                "additionalProperties": False,
                "properties": {
                    "start": {"type": "string", "maxLength": 40},
                    "end": {"type": "string", "maxLength": 40},
                },
            },
        },
        "notes": _TEXT,
        "tracking": {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: _TEXT for name in online.TRACKING},
        },
    },
}


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=CORS)


@router.route("/v1/online-bookings", method="OPTIONS")
def preflight() -> Response:
    return Response(status_code=HTTPStatus.NO_CONTENT, headers=CORS)


@router.post("/v1/online-bookings")
def create_online_booking() -> Response:
    event = router.current_event
    http.add_headers_to_errors(router, CORS)
    tenant_id = online.tenant_of_key(event.get_header_value(KEY_HEADER, case_sensitive=False))
    body = http.json_body(event)
    if body is None:
        raise InvalidInput("the body is empty: send the booking as a JSON object", field="body")
    json_schema.check(body, SCHEMA, "the booking")
    raw = event.decoded_body or ""
    booking, created = online.submit(tenant_id, body, raw)
    answer = {
        "booking_id": booking["booking_id"],
        "status": booking["status"],
        "campaign_id": booking["campaign_id"],
        "attribution": {k: booking["attribution"].get(k) for k in ("matched_by", "rule", "reason")},
        "duplicate": not created,
    }
    return _json(HTTPStatus.CREATED if created else HTTPStatus.OK, answer)
