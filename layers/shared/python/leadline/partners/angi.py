"""Angi (formerly HomeAdvisor) lead delivery, in Angi's own formats (docs/partners.md).

One JSON lead per POST, with the company's API key in `x-api-key`, in either of the two shapes Angi sends.

Angi Ads / Angie's List leads (Angi's "Lead Integration API"): PascalCase strings `FirstName`, `LastName`,
`PhoneNumber`, `Email`, `PostalAddress` {`AddressFirstLine`, `AddressSecondLine`, `City`, `State`, `PostalCode`},
`Source`, `Description`, `Category`, `Urgency`, `CorrelationId` (this lead: the booking's external id) and
`ALAccountId`.

HomeAdvisor's JSON lead feed:
`name`, `firstName`, `lastName`, `address`, `city`, `stateProvince`, `postalCode`, `primaryPhone`,
`secondaryPhone`, `email`, `srOid` (the service request), `leadOid` (this lead: the booking's external id, the same
on Angi's retries), `taskOid` and `taskName` (the category), `fee`, `comments`, `interview` ([{question, answer}],
or the older "Question:Answer; ..." text), `matchType`, `leadDescription`, `spEntityId`, `spCompanyName`, ...
Angi retries a delivery not answered 200 (three times, 15 minutes apart), so the answer is 200 only once the lead
is stored. Unknown fields are accepted: the format is Angi's.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from leadline.bookings.service import Incoming
from leadline.errors import InvalidInput
from leadline.partners.common import address, check, contact, full_name, ident, load_json, price, qa_list, text
from leadline.partners.partner import NOT_VALID, Lead, Partner, Reading, Refused, Request

NAME = "angi"
API_KEY_HEADER = "x-api-key"
MAX_API_KEY = 160  # Angi's limit

_ID = {"type": ["string", "integer"]}
_TEXT = {"type": ["string", "null"]}
_NUMBER_OR_TEXT = {"type": ["string", "number", "integer", "null"]}

SCHEMA = {
    "type": "object",
    "required": ["leadOid"],
    "properties": {
        "leadOid": {**_ID, "minLength": 1, "maxLength": 64},
        "srOid": {"type": ["string", "integer", "null"]},
        "taskOid": {"type": ["string", "integer", "null"]},
        "name": _TEXT,
        "firstName": _TEXT,
        "lastName": _TEXT,
        "address": _TEXT,
        "city": _TEXT,
        "stateProvince": _TEXT,
        "postalCode": {"type": ["string", "integer", "null"]},
        "primaryPhone": _NUMBER_OR_TEXT,
        "phoneExt": _NUMBER_OR_TEXT,
        "secondaryPhone": _NUMBER_OR_TEXT,
        "email": _TEXT,
        "fee": _NUMBER_OR_TEXT,
        "taskName": _TEXT,
        "comments": _TEXT,
        "interview": {
            "type": ["array", "string", "null"],
            "items": {
                "type": "object",
                "required": ["question"],
                "properties": {"question": {"type": "string"}, "answer": {"type": ["string", "number", "null"]}},
            },
        },
        "matchType": _TEXT,
        "leadDescription": _TEXT,
    },
}


def api_key_valid(configured: dict, given: str | None) -> bool:
    expected = configured.get("api_key") or ""
    return bool(expected and given) and hmac.compare_digest(given.strip().encode(), expected.encode())


_STRING = {"type": ["string", "integer", "null"]}
ADS_SCHEMA = {
    "type": "object",
    "required": ["CorrelationId"],
    "properties": {
        "CorrelationId": {**_ID, "minLength": 1, "maxLength": 64},
        "ALAccountId": _STRING,
        "FirstName": _TEXT,
        "LastName": _TEXT,
        "PhoneNumber": _STRING,
        "Email": _TEXT,
        "PostalAddress": {
            "type": ["object", "null"],
            "properties": {
                name: _STRING for name in ("AddressFirstLine", "AddressSecondLine", "City", "State", "PostalCode")
            },
        },
        "Source": _TEXT,
        "Description": _TEXT,
        "Category": _TEXT,
        "Urgency": _TEXT,
    },
}


def is_ads_lead(payload: dict) -> bool:
    """Angi Ads' PascalCase lead, not HomeAdvisor's feed."""
    return "leadOid" not in payload and any(k in payload for k in ("CorrelationId", "ALAccountId", "FirstName"))


def load(raw_body: bytes) -> dict:
    payload = load_json(raw_body, {"type": "object"}, "the lead is not a JSON object")
    if is_ads_lead(payload):
        return check(payload, ADS_SCHEMA, "the lead is not in Angi's lead format (Angi Ads)")
    return check(payload, SCHEMA, "the lead is not in Angi's lead format (HomeAdvisor feed)")


def parse_ads(payload: dict, raw_body: bytes) -> Incoming:
    reach = contact(payload.get("PhoneNumber"), label="Phone number as given")
    postal = payload.get("PostalAddress") or {}
    extra = [{"question": "Urgency", "answer": urgency}] if (urgency := text(payload.get("Urgency"), 200)) else []
    if source := text(payload.get("Source"), 200):
        extra.append({"question": "Angi source", "answer": source})
    return Incoming(
        source="partner",
        partner=NAME,
        external_id=ident(payload["CorrelationId"], "CorrelationId", 64),
        customer_name=full_name(payload.get("FirstName"), payload.get("LastName")),
        phone=reach.phone,
        email=text(payload.get("Email"), 254),
        address=address(
            postal.get("AddressFirstLine"),
            postal.get("AddressSecondLine"),
            postal.get("City"),
            postal.get("State"),
            postal.get("PostalCode"),
        ),
        category=text(payload.get("Category"), 200),
        description=text(payload.get("Description")),
        details=[*extra, *reach.details],
        flags=list(reach.flags),
        raw=raw_body.decode("utf-8", errors="replace"),
    )


def _interview(value) -> list[dict[str, str]]:
    """The list form, or HomeAdvisor's older text "Question:Answer; Question:Answer;"."""
    if isinstance(value, list):
        return qa_list(value)
    pairs = []
    for chunk in (value or "").split(";"):
        question, sep, answer = chunk.partition(":")
        if question.strip():
            pairs.append({"question": question.strip(), "answer": answer.strip() if sep else ""})
    return qa_list(pairs)


def parse(payload: dict, raw_body: bytes) -> Incoming:
    if is_ads_lead(payload):
        return parse_ads(payload, raw_body)
    reach = contact(payload.get("primaryPhone"), label="Primary phone as given")
    extra = []
    if secondary := text(payload.get("secondaryPhone"), 40):
        extra.append({"question": "Secondary phone", "answer": secondary})
    if ext := text(payload.get("phoneExt"), 10):
        extra.append({"question": "Phone extension", "answer": ext})
    return Incoming(
        source="partner",
        partner=NAME,
        external_id=ident(payload["leadOid"], "leadOid", 64),
        customer_name=full_name(payload.get("firstName"), payload.get("lastName"), payload.get("name")),
        phone=reach.phone,
        email=text(payload.get("email"), 254),
        address=address(
            payload.get("address"), None, payload.get("city"), payload.get("stateProvince"), payload.get("postalCode")
        ),
        category=text(payload.get("taskName"), 200),
        description=text(payload.get("comments")),
        details=[*_interview(payload.get("interview")), *extra, *reach.details],
        lead_price=price(payload.get("fee")),
        flags=list(reach.flags),
        raw=raw_body.decode("utf-8", errors="replace"),
    )


class Angi(Partner):
    name, display_name = NAME, "Angi"
    credential_fields = ("api_key",)
    credentials_described = f"an API key ({API_KEY_HEADER})"
    common_categories = {
        "Air Conditioning - Repair or Service": "AC Repair",
        "Furnace / Forced Air Heating System - Repair or Service": "Furnace Tune-Up",
        "Drain Cleaning - Clear Blockage": "Drain Cleaning",
    }

    def authenticate(self, request: Request) -> bool:
        given = request.header(API_KEY_HEADER)
        if not given:
            raise Refused(f"the {API_KEY_HEADER} header is missing")
        if not api_key_valid(request.credentials(), given):
            raise Refused(f"{API_KEY_HEADER}: {NOT_VALID}")
        return True

    def read(self, raw: bytes) -> Reading:
        return Lead(parse(load(raw), raw))

    def answer(self, booking: dict[str, Any], created: bool, messages_attached: int) -> dict[str, Any]:
        return {
            "status": "success",  # what Angi's "success string" can look for
            **super().answer(booking, created, messages_attached),
            "external_id": booking["external_id"],
        }

    def new_credentials(self) -> dict:
        return {"api_key": secrets.token_urlsafe(32)}

    def check_credentials(self, given: Any) -> None:
        super().check_credentials(given)
        if len(given["api_key"]) > MAX_API_KEY:
            raise InvalidInput(f"api_key is longer than {MAX_API_KEY} characters, which Angi cannot send")


PARTNER = Angi()
