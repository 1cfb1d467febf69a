"""Our documented JSON lead format, for any partner without a format of its own in the registry (docs/partners.md).

`POST /webhooks/partners/{partner}/{tenant_id}`, signed exactly like our native call webhook (the same code):
`Leadline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the partner's signing secret
for that company; a `t` more than 300 seconds away is a replay. One lead per request, idempotent on `lead_id`.
Unknown fields are refused, so a misspelt field cannot be silently lost.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from leadline.bookings.service import Incoming
from leadline.calls.vendors import native
from leadline.errors import InvalidInput
from leadline.partners.common import address, contact, full_name, ident, load_json, moment, price, qa_list, text
from leadline.partners.partner import Lead, Partner, Reading, Refused, Request

MIN_SECRET_LENGTH = 16
SIGNATURE_HEADER = native.SIGNATURE_HEADER
TOLERANCE_SECONDS = native.TOLERANCE_SECONDS
sign = native.sign
signature_is_valid = native.signature_is_valid


def _string(max_length: int, min_length: int = 1) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length}


SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["lead_id", "customer"],
    "additionalProperties": False,
    "properties": {
        "lead_id": _string(128),
        "created_at": _string(40, 10),
        "category": _string(200),
        "customer": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": _string(200),
                "first_name": _string(100),
                "last_name": _string(100),
                "phone": _string(40),
                "email": _string(254, 3),
            },
        },
        "address": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "address1": _string(200),
                "address2": _string(200),
                "city": _string(100),
                "state": _string(50),
                "postal_code": _string(12),
            },
        },
        "description": _string(5000),
        "details": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["question", "answer"],
                "additionalProperties": False,
                "properties": {"question": _string(500), "answer": _string(2000, 0)},
            },
        },
        "requested_times": {"type": "array", "maxItems": 20, "items": _string(100)},
        "lead_price": {"type": "number", "minimum": 0},
        "comments": _string(5000),
    },
}


def load(raw_body: bytes) -> dict:
    payload = load_json(raw_body, SCHEMA, "the lead does not follow the format")
    customer = payload["customer"]
    if not (customer.get("phone") or customer.get("email")):
        raise InvalidInput(
            "the lead does not follow the format: customer.phone or customer.email is required "
            "(a lead must be reachable)",
            field="customer.phone",
        )
    return payload


def parse(partner: str, payload: dict, raw_body: bytes) -> Incoming:
    customer = payload["customer"]
    where = payload.get("address") or {}
    reach = contact(customer.get("phone"))
    return Incoming(
        source="partner",
        partner=partner,
        external_id=ident(payload["lead_id"], "lead_id"),
        customer_name=full_name(customer.get("first_name"), customer.get("last_name"), customer.get("name")),
        phone=reach.phone,
        email=text(customer.get("email"), 254),
        address=address(
            where.get("address1"),
            where.get("address2"),
            where.get("city"),
            where.get("state"),
            where.get("postal_code"),
        ),
        category=text(payload.get("category"), 200),
        description=text(payload.get("description")),
        details=[*qa_list(payload.get("details")), *reach.details],
        requested_times=[t for t in (text(x, 100) for x in payload.get("requested_times") or []) if t],
        lead_price=price(payload.get("lead_price")),
        received_at=moment(payload.get("created_at"), "created_at"),
        flags=list(reach.flags),
        note=text(payload.get("comments")),
        raw=raw_body.decode("utf-8", errors="replace"),
    )


class GenericPartner(Partner):
    """A partner on our documented format, by the name in its URL; its credentials are under "generic"."""

    credential_fields = ("signing_secret",)
    credentials_described = "a signing secret"

    def __init__(self, name: str):
        self.name = self.display_name = name

    def credentials_in(self, stored: dict) -> dict:
        return (stored.get("generic") or {}).get(self.name) or {}

    def authenticate(self, request: Request) -> bool:
        header = request.header(SIGNATURE_HEADER)
        if not header:
            raise Refused(f"the {SIGNATURE_HEADER} header is missing")
        secret = request.credentials().get("signing_secret", "")
        if not signature_is_valid(secret, request.body, header, time.time()):
            raise Refused(
                f"{SIGNATURE_HEADER} does not match this body with the signing secret of this URL, or its t is more "
                f"than {TOLERANCE_SECONDS} seconds away"
            )
        return True

    def read(self, raw: bytes) -> Reading:
        return Lead(parse(self.name, load(raw), raw))

    def new_credentials(self) -> dict:
        return {"signing_secret": secrets.token_hex(24)}

    def check_credentials(self, given: Any) -> None:
        super().check_credentials(given)
        if len(given["signing_secret"]) < MIN_SECRET_LENGTH:
            raise InvalidInput(f"signing_secret must be at least {MIN_SECRET_LENGTH} characters")
