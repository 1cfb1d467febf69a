"""Thumbtack's v4 webhooks, in Thumbtack's own format (docs/partners.md).

Every delivery is an envelope `{"event": {"eventType", "triggeredAt", "webhookID"}, "data": {...}}`:
- `NegotiationCreatedV4`: a new lead ("negotiation"); `data.negotiationID` is its id, the booking's external id;
- `MessageCreatedV4`: a message in a negotiation (`messageID`, `negotiationID`, `from`, `text`, `sentAt`), a note on
  that negotiation's booking. Thumbtack may send a negotiation's first messages before the negotiation itself.
Other event types are acknowledged and ignored.

Partners onboarded before v4 still receive the Pro API's flat format (api.thumbtack.com/docs, "Partner
Endpoints"): a lead `{leadID, createTimestamp (Unix seconds, as a string), request, customer {customerID, name,
phone}, business, leadType, leadPrice, chargeState}`, a message `{leadID, customerID, businessID, message
{messageID, createTimestamp, text}}`, and a lead update `{leadID, leadPrice, chargeState}` (acknowledged). Both are
read the same way: a lead's `leadID` is its external id, as `negotiationID` is in v4.
Thumbtack authenticates with the HTTP Basic credentials given when
the webhook was registered (`auth: {username, password}`). Unknown fields are accepted: the format is Thumbtack's.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from leadline.bookings.service import Incoming
from leadline.errors import InvalidInput
from leadline.partners.common import (
    address,
    check,
    contact,
    full_name,
    ident,
    load_json,
    moment,
    price,
    qa_list,
    text,
)
from leadline.partners.partner import (
    ADMIN_COMMAND,
    NOT_VALID,
    Ignored,
    Lead,
    Message,
    Partner,
    Reading,
    Refused,
    Request,
)

NAME, DISPLAY_NAME = "thumbtack", "Thumbtack"
NEGOTIATION_CREATED = "NegotiationCreatedV4"
MESSAGE_CREATED = "MessageCreatedV4"

_ID = {"type": ["string", "integer"], "minLength": 1, "maxLength": 128}
_TEXT = {"type": ["string", "null"]}
_PERSON = {
    "type": ["object", "null"],
    "properties": {
        "customerID": {"type": ["string", "integer", "null"]},
        "firstName": _TEXT,
        "lastName": _TEXT,
        "displayName": _TEXT,
        "phone": _TEXT,
        "email": _TEXT,
    },
}

ENVELOPE_SCHEMA = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {
            "type": "object",
            "required": ["eventType"],
            "properties": {
                "eventType": {"type": "string", "minLength": 1, "maxLength": 100},
                "triggeredAt": _TEXT,
                "webhookID": {"type": ["string", "integer", "null"]},
            },
        },
        "data": {"type": "object"},
    },
}

NEGOTIATION_SCHEMA = {
    "type": "object",
    "required": ["negotiationID"],
    "properties": {
        "negotiationID": _ID,
        "createdAt": _TEXT,
        "leadPrice": {"type": ["string", "number", "null"]},
        "business": {"type": ["object", "null"]},
        "customer": _PERSON,
        "request": {
            "type": ["object", "null"],
            "properties": {
                "requestID": {"type": ["string", "integer", "null"]},
                "category": {
                    "type": ["object", "string", "null"],
                    "properties": {"categoryID": {"type": ["string", "integer", "null"]}, "name": _TEXT},
                },
                "description": _TEXT,
                "location": {
                    "type": ["object", "null"],
                    "properties": {
                        "address1": _TEXT,
                        "address2": _TEXT,
                        "city": _TEXT,
                        "state": _TEXT,
                        "zipCode": {"type": ["string", "integer", "null"]},
                    },
                },
                "details": {
                    "type": ["array", "null"],
                    "items": {
                        "type": "object",
                        "required": ["question"],
                        "properties": {
                            "question": {"type": "string"},
                            "answer": {"type": ["string", "number", "null"]},
                        },
                    },
                },
                "proposedTimes": {
                    "type": ["array", "null"],
                    "items": {
                        "type": ["object", "string"],
                        "properties": {"start": _TEXT, "end": _TEXT},
                    },
                },
            },
        },
    },
}

MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["negotiationID", "messageID", "text"],
    "properties": {
        "negotiationID": _ID,
        "messageID": _ID,
        "from": _TEXT,
        "text": {"type": "string", "maxLength": 20000},
        "sentAt": _TEXT,
        "customer": _PERSON,
        "attachments": {"type": ["array", "null"]},
    },
}


def credentials_valid(configured: dict, authorization: str | None) -> bool:
    """HTTP Basic: `Authorization: Basic base64(username:password)`, compared in constant time."""
    username, password = configured.get("username") or "", configured.get("password") or ""
    if not (username and password and authorization):
        return False
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    given_user, sep, given_password = decoded.partition(":")
    user_ok = hmac.compare_digest(given_user.encode(), username.encode())
    password_ok = hmac.compare_digest(given_password.encode(), password.encode())
    return bool(sep) and user_ok and password_ok


def basic_authorization(username: str, password: str) -> str:
    """The header Thumbtack sends (for tests and the demo)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


LEGACY_LEAD, LEGACY_MESSAGE, LEGACY_UPDATE = "LegacyLead", "LegacyMessage", "LegacyLeadUpdate"


def _legacy(payload: dict) -> tuple[str, dict] | None:
    """The Pro API's flat format, as the v4 event it stands for."""
    if "event" in payload or "leadID" not in payload:
        return None
    if isinstance(payload.get("message"), dict):
        message = payload["message"]
        return LEGACY_MESSAGE, {
            "negotiationID": payload["leadID"],
            "messageID": message.get("messageID"),
            "text": message.get("text"),
            "from": "Customer",
            "sentAt": _unix_time(message.get("createTimestamp")),
        }
    if not any(k in payload for k in ("request", "customer")):
        return LEGACY_UPDATE, payload
    customer = dict(payload.get("customer") or {})
    if "name" in customer:
        customer["displayName"] = customer.pop("name")
    return LEGACY_LEAD, {
        "negotiationID": payload["leadID"],
        "createdAt": _unix_time(payload.get("createTimestamp")),
        "leadPrice": payload.get("leadPrice"),
        "customer": customer,
        "request": payload.get("request"),
        "business": payload.get("business"),
    }


def _unix_time(value) -> str | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def load(raw_body: bytes) -> tuple[str, dict]:
    """(event type, data) of a delivery: a v4 envelope, or the Pro API's flat format read as its v4 event."""
    payload = load_json(raw_body, {"type": "object"}, "the body is not a Thumbtack webhook (a JSON object)")
    legacy = _legacy(payload)
    if legacy is not None:
        return legacy
    envelope = check(payload, ENVELOPE_SCHEMA, "the body is not a Thumbtack webhook ({event, data}, or a Pro API lead)")
    return envelope["event"]["eventType"], envelope["data"]


def is_lead(event_type: str) -> bool:
    return event_type in (NEGOTIATION_CREATED, LEGACY_LEAD)


def is_message(event_type: str) -> bool:
    return event_type in (MESSAGE_CREATED, LEGACY_MESSAGE)


def _category(request: dict) -> str | None:
    category = request.get("category")
    if isinstance(category, dict):
        return text(category.get("name"), 200)
    return text(category, 200)


def _proposed_time(item) -> str | None:
    if isinstance(item, dict):
        start, end = text(item.get("start"), 40), text(item.get("end"), 40)
        return f"{start}/{end}" if start and end else start  # an ISO 8601 interval
    return text(item, 100)


def parse_negotiation(data: dict, raw_body: bytes) -> Incoming:
    negotiation = _check_data(data, NEGOTIATION_SCHEMA, "the lead is not in Thumbtack's format")
    customer = negotiation.get("customer") or {}
    request = negotiation.get("request") or {}
    location = request.get("location") or {}
    reach = contact(customer.get("phone"))
    return Incoming(
        source="partner",
        partner=NAME,
        external_id=ident(negotiation["negotiationID"], "data.negotiationID"),
        customer_name=full_name(customer.get("firstName"), customer.get("lastName"), customer.get("displayName")),
        phone=reach.phone,
        email=text(customer.get("email"), 254),
        address=address(
            location.get("address1"),
            location.get("address2"),
            location.get("city"),
            location.get("state"),
            location.get("zipCode"),
        ),
        category=_category(request),
        description=text(request.get("description")),
        details=[*qa_list(request.get("details")), *reach.details],
        requested_times=[t for t in (_proposed_time(i) for i in request.get("proposedTimes") or []) if t],
        lead_price=price(negotiation.get("leadPrice")),
        received_at=_moment(negotiation.get("createdAt")),
        flags=list(reach.flags),
        raw=raw_body.decode("utf-8", errors="replace"),
    )


def parse_message(data: dict, raw_body: bytes) -> Message:
    message = _check_data(data, MESSAGE_SCHEMA, "the message is not in Thumbtack's format")
    return Message(
        negotiation_id=ident(message["negotiationID"], "data.negotiationID"),
        message_id=ident(message["messageID"], "data.messageID"),
        sender=text(message.get("from"), 50) or "Customer",
        text=text(message["text"], 20000) or "",
        sent_at=_moment(message.get("sentAt")),
        raw=raw_body.decode("utf-8", errors="replace"),
        on=DISPLAY_NAME,
    )


def _moment(value) -> str | None:
    """Thumbtack's time of the lead, if we can read it; else the time we receive it (never a reason to refuse)."""
    try:
        return moment(value, "time")
    except InvalidInput:
        return None


def _check_data(data: dict, schema: dict, what: str) -> dict:
    """`data` of an envelope already read, checked against its event's schema (fields named from the envelope)."""
    return check({"data": data}, {"type": "object", "properties": {"data": schema}}, what)["data"]


MISSING = "HTTP Basic credentials are missing (Authorization: Basic ...)"


class Thumbtack(Partner):
    name, display_name = NAME, DISPLAY_NAME
    credential_fields = ("username", "password")
    credentials_described = "HTTP Basic credentials"
    messages_before_leads = True
    common_categories = {
        "Central Air Conditioning Repair or Maintenance": "AC Repair",
        "Heating System Repair or Maintenance": "Furnace Tune-Up",
        "Drain Cleaning": "Drain Cleaning",
    }

    def authenticate(self, request: Request) -> bool:
        """HTTP Basic when the company stored credentials; a company that set Thumbtack up without them takes its
        deliveries unchecked (flagged `unverified_sender`, and said by the diagnostics)."""
        configured = request.credentials()
        authorization = request.header("Authorization")
        if configured.get("username") and configured.get("password"):
            if not authorization:
                raise Refused(MISSING)
            if not credentials_valid(configured, authorization):
                raise Refused(NOT_VALID)
            return True
        if request.set_up():
            return False
        raise Refused(NOT_VALID if authorization else MISSING)

    def read(self, raw: bytes) -> Reading:
        event_type, data = load(raw)
        if is_lead(event_type):
            return Lead(parse_negotiation(data, raw))
        if is_message(event_type):
            return parse_message(data, raw)
        return Ignored(
            {"result": "ignored", "event_type": event_type, "reason": "only new leads and their messages are read"}
        )

    def answer(self, booking: dict[str, Any], created: bool, messages_attached: int) -> dict[str, Any]:
        return {**super().answer(booking, created, messages_attached), "messages_attached": messages_attached}

    def new_credentials(self) -> dict:
        return {"username": "thumbtack-" + secrets.token_hex(4), "password": secrets.token_urlsafe(24)}

    def credentials_problem(self) -> dict[str, str]:
        return {
            "code": "credentials_not_configured",
            "severity": "warning",
            "message": "no Thumbtack credentials are configured: deliveries are accepted without checking who sent "
            "them (flagged unverified_sender); register HTTP Basic credentials with the Thumbtack webhook and store "
            f"them ({ADMIN_COMMAND})",
        }


PARTNER = Thumbtack()
