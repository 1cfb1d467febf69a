"""The senders' contract: the OpenAPI document of what telephony vendors, lead partners and the company's website send
to Leadline and what they are answered (docs/openapi-senders.json, written by `make openapi`).

It is made from the three edges' own routes (the call webhooks, the partner webhooks, the public API) and the
parsers' own schemas, so it cannot name a route the code does not serve or miss one it does (`openapi()` refuses
to build then), and a field the parsers start to read or refuse shows in it. What the code cannot say is here:
summaries and descriptions in words, each sender's authentication, and the answers each operation can give, in the
one error shape of every edge (leadline/api/http.py). No Lambda imports this module: only `make openapi` and the
tests build the document, so the functions' cold start pays nothing for it."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from leadline.api.call_webhooks import resolver as call_webhooks
from leadline.api.partner_webhooks import resolver as partner_webhooks
from leadline.api.public import dni, online_bookings
from leadline.api.public import resolver as public
from leadline.api.staff.contract import error_models
from leadline.bookings import online
from leadline.calls.events import STATUS_RANK
from leadline.calls.vendors import callrail, native, twilio
from leadline.partners import angi, generic, registry, thumbtack, webhook
from leadline.partners.common import MAX_BODY_BYTES as PARTNER_MAX_BODY

TITLE = "Leadline senders' API"
VERSION = "1.0.0"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
SCHEMA_REF = "#/components/schemas/{model}"

DESCRIPTION = f"""\
What the company's senders post to Leadline, and what they are answered: the webhooks of its telephony vendor \
(Twilio, CallRail, or any other vendor on our native JSON call events), the leads of its lead partners (Thumbtack, \
Angi, or any other partner on our generic JSON lead format), and its website (online bookings from its scheduler, \
and dynamic number insertion). The staff API is documented apart (docs/openapi.json); the guides for the engineer \
who integrates are docs/webhooks.md and docs/partners.md.

## The company in the URL
`{{tenant_id}}` is the company's id in Leadline, given by its operator. The base URL is the stack output \
`PublicApiBaseUrl` in AWS (your `publicApiBaseUrl` behind your own domain); locally, `http://127.0.0.1:3000`.

## Authentication
Each sender is authenticated its own way, before anything is stored: Twilio's `X-Twilio-Signature` with the \
company's auth token, CallRail's `Signature` with its signing key, `Leadline-Signature` (a timestamped HMAC-SHA256) \
for the native call events and a generic partner, HTTP Basic for Thumbtack, `x-api-key` for Angi, the company's \
website key in `X-Leadline-Key` for online bookings; DNI answers browsers only from the company's own domain \
(`Origin`). The vendors' and partners' credentials are per company, stored by its operator (`python -m \
infra.admin`) and never shown by an API; the website key is made with the staff API. A request that does not \
authenticate stores nothing; an unknown company in a webhook's URL is answered as wrong credentials are.

## Retries are safe, and nothing authenticated is lost
Every delivery is identified by the sender's own ids (a call's event, a partner's lead, a scheduler's booking; \
for CallRail, the call, the webhook and the body): the same delivery again changes nothing and is answered 200 as \
a duplicate. A vendor's or a partner's delivery that authenticates but cannot be read is answered 400 naming what \
is wrong and **kept**, for the company to apply again once the cause is fixed; one we fail to apply is kept, and \
the scanner applies it. A booking from the website that cannot be read is answered 400 and not kept.

## Errors
Every error Leadline itself sends has one shape, the staff API's:

```json
{{"code": "invalid_input", "message": "the event is not valid: type must be one of call.started, ...",
 "errors": [{{"field": "type", "message": "type must be one of call.started, ..."}}]}}
```

`message` says what is wrong in words; `code` names the kind for programs (`invalid_input`, `unauthenticated`, \
`unauthorized`, `not_found`, `conflict`, `origin_not_allowed`, `unsupported_media_type`); `errors` lists each input \
at fault, empty when no one input is. An invalid input is a 400 here (a 422 on the staff API). Answers from API \
Gateway itself are `{{"message": "..."}}`: 403 `Missing Authentication Token` for a path or method it does not \
route, 413 `Request Too Long` for a body over 10 MB, 429 when throttled, 502 when a function fails. A partner's \
body is read up to {PARTNER_MAX_BODY // 1024} KB, a DNI visit up to {dni.MAX_BODY // 1024} KB (a 400 beyond).
"""

SERVERS = [
    {"url": "http://127.0.0.1:3000", "description": "The local runtime (make run)"},
    {
        "url": "https://{api}.execute-api.{region}.amazonaws.com/prod",
        "description": "The API in AWS: the stack's PublicApiBaseUrl output (or your publicApiBaseUrl)",
        "variables": {
            "api": {"default": "api-id", "description": "The REST API's id"},
            "region": {"default": "us-east-1", "description": "The region the stack is deployed in"},
        },
    },
]

TELEPHONY, PARTNERS, BOOKINGS, DNI = "Telephony webhooks", "Lead partners", "Online bookings", "DNI"
TAGS = [
    (
        TELEPHONY,
        "The company's telephony vendor tells Leadline about each call: its status as it rings, is answered and "
        "ends, its recording and transcript. Each delivery folds into one call record that ends the same whatever "
        "the order and number of deliveries. Guide: docs/webhooks.md.",
    ),
    (
        PARTNERS,
        "Lead partners post the leads they sell the company; each lands in the Bookings inbox for a CSR to book. One "
        "URL shape for every partner, its name in it. Guide: docs/partners.md.",
    ),
    (
        BOOKINGS,
        "The company's online scheduler posts each booking a customer makes on its website, with the visit's "
        "tracking parameters that attribute it to a campaign.",
    ),
    (
        DNI,
        "Dynamic number insertion: the snippet on the company's website shows each visitor a number of the "
        "company's pool, held for that visitor, so that their call is attributed to their source.",
    ),
]

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "twilioSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Twilio-Signature",
        "description": "Twilio's signature: base64 HMAC-SHA1, keyed by the company's Twilio auth token, of the URL "
        "Twilio called (as configured, query included) followed by every POST parameter's name and value, sorted by "
        "name; HMAC-SHA256 when X-Twilio-Webhooks-Signature-Settings says algorithm=HMAC_SHA256.",
    },
    "callrailSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "Signature",
        "description": "CallRail's signature: base64 HMAC-SHA1 of the raw body, keyed by the company's CallRail "
        "signing key. It covers no send time: a replay is a duplicate.",
    },
    "nativeSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "Leadline-Signature",
        "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by the company\'s '
        f"native signing secret. A `t` more than {native.TOLERANCE_SECONDS} seconds from our clock is a replay; "
        "several v1= values are accepted (key rotation).",
    },
    "partnerSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "Leadline-Signature",
        "description": "As the native call events' signature, keyed by the signing secret the company gave this "
        f'partner: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, `t` within '
        f"{generic.TOLERANCE_SECONDS} seconds.",
    },
    "thumbtackBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "The username and password registered with the Thumbtack webhook (`auth`), stored for the "
        "company in Leadline. A company that set Thumbtack up without storing them takes deliveries unchecked "
        "(flagged unverified_sender).",
    },
    "angiApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": angi.API_KEY_HEADER,
        "description": f"The API key the company's operator stored for Angi (at most {angi.MAX_API_KEY} characters).",
    },
    "websiteKey": {
        "type": "apiKey",
        "in": "header",
        "name": online_bookings.KEY_HEADER,
        "description": "The company's website key, made by the staff API's POST /v1/settings/online-bookings/key "
        "(shown once; only its hash is kept). It names the company.",
    },
    "dniOrigin": {
        "type": "apiKey",
        "in": "header",
        "name": "Origin",
        "description": "The browser's origin: the company's DNI domain or its www twin, over https or http (or the "
        "test page's own origin). A request with no Origin (not a browser) is answered without CORS headers.",
    },
}


# --- the answers ------------------------------------------------------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMA_REF.format(model=name)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def _ok(description: str, schema: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref(schema)), **({"headers": headers} if headers else {})}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("Error")), **({"headers": headers} if headers else {})}


def _gateway(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("GatewayError"))}


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


TOO_LARGE = _gateway("The body is over API Gateway's 10 MB limit: its own answer, `Request Too Long`; nothing stored.")
KEPT_400 = (
    "Authenticated, but not a delivery Leadline can read: `message` (and `errors`) name the field and what is "
    "wrong. The delivery is **kept** with that reason, listed for the company's staff, and applied again once the "
    "cause is fixed; the same body again fails the same way, and is kept once."
)
NO_TENANT_404 = "The company has telephony credentials but no records any more (it was removed): nothing is applied."
CORS_ANY = {"Access-Control-Allow-Origin": _header("`*`: any origin may call (the key says which company)")}
CORS_DOMAIN = {
    "Access-Control-Allow-Origin": _header(
        "The request's Origin, when it is the company's DNI domain; absent with no Origin"
    ),
    "Vary": _header("`Origin`"),
    "Cache-Control": _header("`no-store`"),
}
PREFLIGHT = {
    "Access-Control-Allow-Methods": _header("`POST, OPTIONS`"),
    "Access-Control-Allow-Headers": _header("The request headers a browser may send"),
    "Access-Control-Max-Age": _header("`600`: seconds a browser may keep this answer"),
}


def _call_webhook_answers(refusals: dict[str, str], not_found: str = NO_TENANT_404) -> dict[str, Any]:
    """A call webhook's answers; `refusals`: by status (401, and 403 for Twilio), when the sender is refused."""
    return {
        "200": _ok(
            "Received: `applied` (the delivery changed the call), `duplicate` (it was received before: retries are "
            "safe) or `kept` (stored; applying it failed on our side, and the scanner applies it within minutes).",
            "CallDeliveryResult",
        ),
        "400": _error(KEPT_400),
        **{status: _error(f"{text} Nothing is stored.") for status, text in refusals.items()},
        "404": _error(not_found),
        "413": TOO_LARGE,
    }


def _partner_answers(result: str, *, unknown_name: bool = False, conflict: str | None = None) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "200": _ok(
            "The lead is stored (`created`), or was already (`duplicate`, the same booking): retries are safe. A lead "
            "is answered 200 only once it is stored.",
            result,
        ),
        "400": _error(KEPT_400),
        "401": _error(
            "The credentials are missing or wrong, or no such company (the two answer the same). Nothing is stored."
        ),
        "413": TOO_LARGE,
        "502": _gateway(
            "We could not store the lead (API Gateway's answer to the function's failure, `Internal server error`): "
            "the delivery is kept and the scanner applies it; retry later, a retry is the same lead."
        ),
    }
    if unknown_name:
        answers["404"] = _error(
            "A `{partner}` that can be no partner's name (2 to 40 lowercase letters, digits and '-'), or the name of "
            "a partner with a format of its own (thumbtack, angi): `message` says which."
        )
    if conflict:
        answers["409"] = _error(conflict)
    return answers


# --- the request bodies -----------------------------------------------------------------------------------------

SID = "^[A-Z]{2}[0-9a-fA-F]{32}$"  # two letters and 32 hex digits, as Twilio's SIDs (twilio.py reads them so)
DIGITS = {"type": "string", "pattern": "^[0-9]+$"}


def _text(description: str, **more: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **more}


def _twilio_form(title: str, description: str, required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    common = {
        "AccountSid": _text(
            "The company's Twilio account: another account's callback is kept and answered 400", pattern=SID
        ),
        "CallSid": _text("Twilio's id of the call: the call's id in Leadline", pattern=SID),
    }
    return {
        "title": title,
        "description": description + " Form-encoded, every value text, as Twilio sends it; Twilio's other "
        "parameters are accepted and ignored.",
        "type": "object",
        "required": ["AccountSid", *required],
        "properties": {**common, **properties},
        "additionalProperties": {"type": "string"},
    }


def _twilio_schemas() -> dict[str, Any]:
    voice = _twilio_form(
        "TwilioVoiceStatus",
        "A call's status callback (initiated, ringing, answered, completed, ...).",
        ["CallSid", "CallStatus"],
        {
            "CallStatus": {"enum": list(STATUS_RANK), "description": "The call's status; it only moves forward"},
            "From": _text("The caller: a phone number, or as Twilio wrote it (a SIP address, `anonymous`)"),
            "To": _text("The number called (the DNIS), which attributes the call to a campaign"),
            "Direction": _text("`inbound`, or an outbound kind (`outbound-api`, `outbound-dial`)"),
            "CallDuration": {**DIGITS, "description": "Seconds, once the call ended"},
            "Timestamp": _text("When the status happened, RFC 2822 (`Thu, 12 Feb 2026 11:48:25 +0000`)"),
            "SequenceNumber": {**DIGITS, "description": "The callback's order among the call's callbacks, from 0"},
        },
    )
    recording = _twilio_form(
        "TwilioRecordingStatus",
        "A recording's status callback.",
        ["CallSid", "RecordingSid", "RecordingStatus"],
        {
            "RecordingSid": _text("Twilio's id of the recording", pattern=SID),
            "RecordingStatus": _text("`in-progress`, `completed`, `absent` or `failed`"),
            "RecordingUrl": _text("Where the recording is; required when it is completed"),
            "RecordingDuration": {**DIGITS, "description": "Seconds"},
        },
    )
    recording["if"] = {"properties": {"RecordingStatus": {"const": "completed"}}, "required": ["RecordingStatus"]}
    recording["then"] = {"required": ["RecordingUrl"]}
    transcription = _twilio_form(
        "TwilioTranscription",
        "A recording's transcription callback (`<Record transcribeCallback>`).",
        ["CallSid", "TranscriptionSid", "TranscriptionStatus"],
        {
            "TranscriptionSid": _text("Twilio's id of the transcription", pattern=SID),
            "TranscriptionStatus": _text("`completed` or `failed`"),
            "TranscriptionText": _text("What was said"),
            "RecordingSid": _text("The recording it transcribes", pattern=SID),
            "RecordingUrl": _text("Where that recording is"),
        },
    )
    return {"TwilioVoiceStatus": voice, "TwilioRecordingStatus": recording, "TwilioTranscription": transcription}


_NULLABLE_TEXT = {"type": ["string", "null"]}
CALLRAIL_CALL = {
    "title": "CallRailCall",
    "description": "A CallRail call webhook, JSON, as CallRail sends it; its other fields are accepted and ignored. "
    'Numbers and booleans may come as text (`"15"`, `"true"`).',
    "type": "object",
    "anyOf": [{"required": ["resource_id"]}, {"required": ["id"]}],
    "properties": {
        "resource_id": _text("CallRail's id of the call (`CAL` and 32 hex digits)", maxLength=64),
        "id": {"type": ["string", "integer"], "description": "The call's numeric id, in older deliveries"},
        "direction": _text("`inbound` or `outbound`"),
        "customer_phone_number": {**_NULLABLE_TEXT, "description": "The caller (the one called, if outbound)"},
        "tracking_phone_number": {**_NULLABLE_TEXT, "description": "The tracking number: the DNIS of an inbound call"},
        "start_time": {**_NULLABLE_TEXT, "description": "When the call started, ISO 8601"},
        "duration": {"type": ["integer", "number", "string", "null"], "description": "Seconds, 0 to 86400"},
        "answered": {"type": ["boolean", "string", "null"], "description": "Whether the call was answered"},
        "recording": {**_NULLABLE_TEXT, "description": 'The recording\'s URL; `""` is none'},
        "recording_duration": {"type": ["integer", "number", "string", "null"], "description": "Seconds"},
        "transcription": {**_NULLABLE_TEXT, "description": 'The transcript; `""` is none'},
        "source": {"description": "CallRail's own attribution, kept beside Leadline's"},
        "source_name": {"description": "CallRail's own attribution, kept beside Leadline's"},
        "campaign": {"description": "CallRail's own attribution, kept beside Leadline's"},
    },
}

NATIVE_FIELDS = {
    "event_id": "Your id of this event: a repeat is a duplicate",
    "type": "What happened",
    "call_id": "Your id of the call",
    "occurred_at": "When it happened, ISO 8601 with an offset",
    "direction": "The call's direction",
    "from": "The caller, a phone number in any usual spelling",
    "to": "The number called (the DNIS), which attributes the call to a campaign",
    "agent": "Who answered",
    "outcome": "How the call ended; required with call.ended",
    "duration_seconds": "The call's length",
    "recording_url": "An HTTPS URL a plain GET can read for an hour; required with recording.ready",
    "recording_duration_seconds": "The recording's length",
    "transcript": "What was said; required with transcript.ready",
}

GENERIC_FIELDS = {
    "lead_id": "Your id of the lead: a repeat is a duplicate",
    "created_at": "When the customer asked, ISO 8601 with an offset; else when we receive it",
    "category": "Your category or lead type; the company maps it to one of its job types",
    "customer": "Who asked: a phone or an email is required (a lead must be reachable)",
    "address": "Where the work is",
    "description": "What the customer wants",
    "details": "The customer's answers to your questions",
    "requested_times": "When the customer is available, e.g. ISO 8601 intervals start/end",
    "lead_price": "What the lead costs the company",
    "comments": "Kept as the booking's first note",
}

BOOKING_FIELDS = {
    "booking_id": "The scheduler's id of the booking: a repeat is a duplicate",
    "customer": "Who booked: a phone or an email is required",
    "address": "Where the work is",
    "service": "What the customer booked, in the scheduler's words",
    "job_type_id": "The company's job type, if the scheduler knows it",
    "business_unit_id": "The company's business unit, if the scheduler knows it",
    "requested_times": "The windows the customer picked",
    "notes": "The customer's words",
    "tracking": "The visit's tracking parameters, as the website read them: `campaign` (a campaign's id or name, any "
    "case) decides the campaign, else the first of the company's UTM rules that matches",
}


def _schema(parser_schema: dict[str, Any], title: str, description: str, fields: dict[str, str]) -> dict[str, Any]:
    """A parser's own JSON Schema (draft 7, a subset of OpenAPI 3.1's), with a title and its fields described."""
    made = copy.deepcopy(parser_schema)
    made.pop("$schema", None)
    for name, text in fields.items():
        made["properties"][name]["description"] = text
    return {"title": title, "description": description, **made}


def _thumbtack_schemas() -> dict[str, Any]:
    negotiation = _schema(
        thumbtack.NEGOTIATION_SCHEMA,
        "ThumbtackNegotiation",
        "`data` of a NegotiationCreatedV4: a new lead; `negotiationID` is its id.",
        {},
    )
    message = _schema(
        thumbtack.MESSAGE_SCHEMA,
        "ThumbtackMessage",
        "`data` of a MessageCreatedV4: a message in a lead's conversation, a note on its booking (once per "
        "messageID); it may come before its lead, and then waits for it.",
        {},
    )
    event = copy.deepcopy(thumbtack.ENVELOPE_SCHEMA)
    event["allOf"] = [
        {
            "if": {"properties": {"event": {"properties": {"eventType": {"const": kind}}}}},
            "then": {"properties": {"data": _ref(schema)}},
        }
        for kind, schema in (
            (thumbtack.NEGOTIATION_CREATED, "ThumbtackNegotiation"),
            (thumbtack.MESSAGE_CREATED, "ThumbtackMessage"),
        )
    ]
    event = {
        "title": "ThumbtackEvent",
        "description": "Thumbtack's v4 webhook envelope. NegotiationCreatedV4 and MessageCreatedV4 are read; any "
        "other event type is acknowledged and ignored.",
        **event,
    }
    pro_id = {"type": ["string", "integer"], "description": "The lead's id"}
    legacy_lead = {
        "title": "ThumbtackProLead",
        "description": "A lead in Thumbtack's Pro API format (partners onboarded before v4), read as a "
        "NegotiationCreatedV4.",
        "type": "object",
        "required": ["leadID"],
        "anyOf": [{"required": ["request"]}, {"required": ["customer"]}],
        "not": {"required": ["event"]},
        "properties": {
            "leadID": pro_id,
            "createTimestamp": {"type": ["string", "integer", "null"], "description": "Unix seconds"},
            "request": copy.deepcopy(thumbtack.NEGOTIATION_SCHEMA["properties"]["request"]),
            "customer": {
                "type": ["object", "null"],
                "properties": {
                    "customerID": {"type": ["string", "integer", "null"]},
                    "name": _NULLABLE_TEXT,
                    "phone": _NULLABLE_TEXT,
                },
            },
            "leadPrice": {"type": ["string", "number", "null"]},
        },
    }
    legacy_message = {
        "title": "ThumbtackProMessage",
        "description": "A message in Thumbtack's Pro API format, a note on its lead's booking.",
        "type": "object",
        "required": ["leadID", "message"],
        "not": {"required": ["event"]},
        "properties": {
            "leadID": pro_id,
            "message": {
                "type": "object",
                "required": ["messageID", "text"],
                "properties": {
                    "messageID": {"type": ["string", "integer"]},
                    "createTimestamp": {"type": ["string", "integer", "null"], "description": "Unix seconds"},
                    "text": {"type": "string"},
                },
            },
        },
    }
    legacy_update = {
        "title": "ThumbtackProLeadUpdate",
        "description": "A lead's price and charge state in Thumbtack's Pro API format: acknowledged and ignored "
        "(Thumbtack sends it with PUT, which this URL does not take).",
        "type": "object",
        "required": ["leadID"],
        "not": {"anyOf": [{"required": ["event"]}, {"required": ["request"]}, {"required": ["customer"]}]},
        "properties": {"leadID": pro_id, "leadPrice": {"type": ["string", "number", "null"]}},
    }
    delivery = {
        "title": "ThumbtackDelivery",
        "description": "One Thumbtack delivery: a v4 event, or the Pro API's lead, message or lead update. Fields "
        "not named here are accepted: the format is Thumbtack's.",
        "anyOf": [
            _ref(name)
            for name in ("ThumbtackEvent", "ThumbtackProLead", "ThumbtackProMessage", "ThumbtackProLeadUpdate")
        ],
    }
    return {
        "ThumbtackDelivery": delivery,
        "ThumbtackEvent": event,
        "ThumbtackNegotiation": negotiation,
        "ThumbtackMessage": message,
        "ThumbtackProLead": legacy_lead,
        "ThumbtackProMessage": legacy_message,
        "ThumbtackProLeadUpdate": legacy_update,
    }


def _angi_schemas() -> dict[str, Any]:
    return {
        "AngiLead": {
            "title": "AngiLead",
            "description": "One Angi lead, in either of Angi's JSON lead formats. Fields not named here are "
            "accepted: the format is Angi's.",
            "anyOf": [_ref("AngiHomeAdvisorLead"), _ref("AngiAdsLead")],
        },
        "AngiHomeAdvisorLead": _schema(
            angi.SCHEMA,
            "AngiHomeAdvisorLead",
            "HomeAdvisor's JSON lead feed.",
            {
                "leadOid": "The lead's id (the same on Angi's retries)",
                "taskName": "The category the company maps to a job type",
                "comments": "The customer's words",
                "interview": "The customer's answers: `[{question, answer}]`, or the older "
                '`"Question:Answer; Question:Answer;"` text',
                "primaryPhone": "The customer's phone",
                "fee": "What the lead costs the company",
            },
        ),
        "AngiAdsLead": _schema(
            angi.ADS_SCHEMA,
            "AngiAdsLead",
            "An Angi Ads (Angie's List) lead, from Angi's Lead Integration API.",
            {
                "CorrelationId": "The lead's id",
                "Category": "The category the company maps to a job type",
                "PhoneNumber": "The customer's phone",
                "Description": "What the customer wants",
            },
        ),
    }


def _generic_schema() -> dict[str, Any]:
    made = _schema(
        generic.SCHEMA,
        "GenericPartnerLead",
        "One lead in Leadline's generic JSON lead format. Unknown fields are refused (400), so that a misspelt "
        "field cannot be silently lost.",
        GENERIC_FIELDS,
    )
    made["properties"]["customer"]["anyOf"] = [{"required": ["phone"]}, {"required": ["email"]}]
    return made


def _visit_schema() -> dict[str, Any]:
    return {
        "title": "DniVisit",
        "description": "The visitor as the snippet describes them, all optional text: longer values are cut to "
        "their limit, and other fields are ignored (a newer snippet may send more).",
        "type": "object",
        "properties": {
            name: _text(
                f"At most {limit} characters are kept"
                + (" (the visitor's session, to keep their number)" if name == "session_id" else "")
            )
            for name, limit in dni.LIMITS.items()
        },
    }


# --- the answers' bodies ----------------------------------------------------------------------------------------

ANSWER_SCHEMAS: dict[str, Any] = {
    "CallDeliveryResult": {
        "title": "CallDeliveryResult",
        "description": "What a call delivery did.",
        "type": "object",
        "required": ["result", "call_id"],
        "properties": {
            "result": {"enum": ["applied", "duplicate", "kept"]},
            "call_id": _text("The call's id: the vendor's"),
        },
    },
    "PartnerLeadResult": {
        "title": "PartnerLeadResult",
        "description": "The lead's booking in the Bookings inbox.",
        "type": "object",
        "required": ["result", "booking_id"],
        "properties": {"result": {"enum": ["created", "duplicate"]}, "booking_id": _text("The booking's id")},
    },
    "AngiLeadResult": {
        "title": "AngiLeadResult",
        "description": "The lead's booking; `status` is the success string Angi looks for.",
        "type": "object",
        "required": ["status", "result", "booking_id", "external_id"],
        "properties": {
            "status": {"const": "success"},
            "result": {"enum": ["created", "duplicate"]},
            "booking_id": _text("The booking's id"),
            "external_id": _text("Angi's id of the lead (leadOid or CorrelationId)"),
        },
    },
    "ThumbtackResult": {
        "title": "ThumbtackResult",
        "description": "What the delivery did: a lead's booking (with the messages that had arrived before it, now "
        "attached), a message attached to its lead's booking or waiting for its lead, or an event ignored.",
        "anyOf": [
            {
                "type": "object",
                "required": ["result", "booking_id", "messages_attached"],
                "properties": {
                    "result": {"enum": ["created", "duplicate"]},
                    "booking_id": {"type": "string"},
                    "messages_attached": {"type": "integer", "minimum": 0},
                },
            },
            {
                "type": "object",
                "required": ["result", "booking_id"],
                "properties": {"result": {"const": "attached"}, "booking_id": {"type": "string"}},
            },
            {
                "type": "object",
                "required": ["result", "negotiation_id"],
                "properties": {"result": {"const": "waiting"}, "negotiation_id": {"type": "string"}},
            },
            {
                "type": "object",
                "required": ["result", "event_type", "reason"],
                "properties": {
                    "result": {"const": "ignored"},
                    "event_type": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        ],
    },
    "OnlineBookingResult": {
        "title": "OnlineBookingResult",
        "description": "The booking in the Bookings inbox, and the campaign it is attributed to.",
        "type": "object",
        "required": ["booking_id", "status", "campaign_id", "attribution", "duplicate"],
        "properties": {
            "booking_id": _text("The booking's id in Leadline"),
            "status": _text("The booking's status: `pending` until a CSR converts or dismisses it"),
            "campaign_id": {"type": ["string", "null"], "description": "The campaign; null: Unknown"},
            "attribution": {
                "type": "object",
                "required": ["matched_by", "rule", "reason"],
                "properties": {
                    "matched_by": {"enum": ["campaign", "utm_rule", None], "description": "What decided it"},
                    "rule": {"type": ["integer", "null"], "description": "The UTM rule that matched, from 1"},
                    "reason": {"type": ["string", "null"], "description": "Why it is Unknown, in words"},
                },
            },
            "duplicate": {"type": "boolean", "description": "The booking_id was received before"},
        },
    },
    "DniSession": {
        "title": "DniSession",
        "description": "The number to show the visitor, held for their session.",
        "type": "object",
        "required": ["session_id", "number", "display_number", "expires_at"],
        "properties": {
            "session_id": _text("Send it back on the visitor's next page, to keep their number"),
            "number": _text("E.164, for tel: links"),
            "display_number": _text("As people write it, `(512) 555-0310`"),
            "expires_at": _text("When the session's window ends (each visit starts it again), ISO 8601 in UTC"),
        },
    },
}


# --- the operations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as documented: a route's template, a parameter of it spelt out where each value has its own body
    operation_id: str
    tag: str
    summary: str
    description: str
    security: list[dict[str, list]]
    responses: dict[str, Any]
    body: tuple[str, str] | None = None  # (media type, schema name)
    body_description: str = ""
    body_required: bool = True
    parameters: list[dict[str, Any]] = field(default_factory=list)
    route: str = ""  # the resolver's route (its OpenAPI template) that serves it, where it is not `path`

    @property
    def served_by(self) -> str:
        return self.route or self.path


def _path_parameter(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


TENANT = _path_parameter("tenant_id", "The company's id in Leadline")
TWILIO_ROUTE = "/webhooks/twilio/{tenant_id}/{callback}"
TWILIO = {
    "voice-status": (
        "twilioVoiceStatus",
        "Twilio call status callback",
        "Set as the call's status callback, all events (initiated, ringing, answered, completed). A delivery is "
        "identified by the call, its status and SequenceNumber: Twilio's retries are duplicates, a later status is "
        "new; the call's status only moves forward. An inbound call that ends starts its after-call work.",
        "TwilioVoiceStatus",
    ),
    "recording-status": (
        "twilioRecordingStatus",
        "Twilio recording status callback",
        "Set as the recording status callback: the call's recording, once completed.",
        "TwilioRecordingStatus",
    ),
    "transcription": (
        "twilioTranscription",
        "Twilio transcription callback",
        "Set as the transcription callback: the call's transcript.",
        "TwilioTranscription",
    ),
}
TWILIO_WAY = (
    " Signed with X-Twilio-Signature over the URL exactly as configured in Twilio (query string included: write its "
    "values one way, all escaped or none). Twilio does not retry unless the URL asks it to, so a delivery we fail to "
    "apply is kept and answered 200."
)
CALLRAIL_REFUSED = (
    "CallRail is not set up for this company, or no such company; or Signature is missing or does not match this body."
)
CALLRAIL_WAY = (
    " Signed with CallRail's Signature. CallRail never retries, so the raw body is stored before it is applied: a "
    "delivery is identified by the call, the webhook and the body (the same body again is a duplicate; a Call "
    "Modified with new content is new)."
)

PARTNER_ROUTE = webhook.PATH
PARTNER_DOCS: dict[str, dict[str, Any]] = {
    thumbtack.NAME: {
        "operation_id": "thumbtackDelivery",
        "summary": "A Thumbtack webhook delivery",
        "description": "Thumbtack's webhooks, registered for the business (`NegotiationCreatedV4`, "
        "`MessageCreatedV4`) with this URL and HTTP Basic credentials; the Pro API's older format too. A lead is "
        "identified by negotiationID (the Pro API's leadID), a message by messageID: a repeat is a duplicate. A "
        "message that comes before its lead waits for it (`waiting`).",
        "security": [{"thumbtackBasic": []}],
        "body": "ThumbtackDelivery",
        "result": "ThumbtackResult",
        "conflict": "A message's booking kept changing at the same time (practically never): retry.",
    },
    angi.NAME: {
        "operation_id": "angiLead",
        "summary": "An Angi lead",
        "description": "One Angi lead per request (Angi Ads or HomeAdvisor's feed), with the company's API key in "
        "x-api-key. Identified by leadOid (or CorrelationId): Angi's retries are duplicates. Angi retries a "
        "delivery not answered 200 three times, 15 minutes apart; the answer's `status` is `success` once stored.",
        "security": [{"angiApiKey": []}],
        "body": "AngiLead",
        "result": "AngiLeadResult",
    },
}


def _twilio_operations() -> list[Operation]:
    found = []
    for callback in twilio.PARSERS:
        operation_id, summary, description, schema = TWILIO[callback]
        found.append(
            Operation(
                method="POST",
                path=f"/webhooks/twilio/{{tenant_id}}/{callback}",
                route=TWILIO_ROUTE,
                operation_id=operation_id,
                tag=TELEPHONY,
                summary=summary,
                description=description + TWILIO_WAY,
                security=[{"twilioSignature": []}],
                responses=_call_webhook_answers(
                    {
                        "401": "Twilio is not set up for this company, or no such company.",
                        "403": "X-Twilio-Signature is missing, or does not match this request with the company's auth "
                        "token (Twilio asks for a 403).",
                    }
                ),
                body=(FORM, schema),
                body_description="Twilio's parameters, as Twilio posts them.",
                parameters=[TENANT],
            )
        )
    return found


def _partner_operations() -> list[Operation]:
    found = []
    for partner in registry.registered():
        doc = PARTNER_DOCS[partner.name]
        found.append(
            Operation(
                method="POST",
                path=webhook.path("{tenant_id}", partner.name),
                route=PARTNER_ROUTE,
                operation_id=doc["operation_id"],
                tag=PARTNERS,
                summary=doc["summary"],
                description=doc["description"],
                security=doc["security"],
                responses=_partner_answers(doc["result"], conflict=doc.get("conflict")),
                body=(JSON, doc["body"]),
                body_description=f"One {partner.display_name} delivery, as {partner.display_name} sends it.",
                parameters=[TENANT],
            )
        )
    return found


def operations() -> list[Operation]:
    """Every operation of the three edges, in the document's order."""
    partner_name = _path_parameter(
        "partner",
        "Your name, as the company registered it: 2 to 40 lowercase letters, digits and '-' (not a name with a "
        "format of its own, such as thumbtack or angi)",
        pattern="^[a-z0-9][a-z0-9-]{1,39}$",
    )
    callrail_event = _path_parameter("event", "The CallRail webhook", enum=list(callrail.EVENTS))
    return [
        *_twilio_operations(),
        Operation(
            method="POST",
            path="/webhooks/callrail/{tenant_id}",
            operation_id="callrailPostCall",
            tag=TELEPHONY,
            summary="CallRail Post-Call webhook",
            description="The URL without the webhook's name is read as Post-Call: the call's outcome, duration, "
            "recording and transcript." + CALLRAIL_WAY,
            security=[{"callrailSignature": []}],
            responses=_call_webhook_answers({"401": CALLRAIL_REFUSED}),
            body=(JSON, "CallRailCall"),
            body_description="CallRail's call, as CallRail posts it.",
            parameters=[TENANT],
        ),
        Operation(
            method="POST",
            path="/webhooks/callrail/{tenant_id}/{event}",
            operation_id="callrailEvent",
            tag=TELEPHONY,
            summary="A CallRail webhook, by name",
            description="Each CallRail webhook to its own URL: Pre-Call and Call Routing Complete say a call is "
            "ringing (its caller, the tracking number, its start); Post-Call the outcome, duration, recording and "
            "transcript; Call Modified the same later (a recording or transcript that came after Post-Call)."
            + CALLRAIL_WAY,
            security=[{"callrailSignature": []}],
            responses=_call_webhook_answers(
                {"401": CALLRAIL_REFUSED},
                f"No CallRail webhook of that name ({', '.join(callrail.EVENTS)}): nothing is stored. {NO_TENANT_404}",
            ),
            body=(JSON, "CallRailCall"),
            body_description="CallRail's call, as CallRail posts it.",
            parameters=[TENANT, callrail_event],
        ),
        Operation(
            method="POST",
            path="/webhooks/calls/{tenant_id}",
            operation_id="nativeCallEvent",
            tag=TELEPHONY,
            summary="A call event from any other vendor",
            description="Leadline's own JSON call events, for a telephony vendor that is not Twilio or CallRail: one "
            "event per request, signed with Leadline-Signature. Identified by event_id: a repeat is a duplicate.",
            security=[{"nativeSignature": []}],
            responses=_call_webhook_answers(
                {
                    "401": "The native call events are not set up for this company, or no such company; or "
                    "Leadline-Signature is missing, does not match this body, or its t is more than "
                    f"{native.TOLERANCE_SECONDS} seconds away."
                }
            ),
            body=(JSON, "NativeCallEvent"),
            body_description="One call event.",
            parameters=[TENANT],
        ),
        *_partner_operations(),
        Operation(
            method="POST",
            path=PARTNER_ROUTE,
            operation_id="partnerLead",
            tag=PARTNERS,
            summary="A lead from any other partner",
            description="Any partner without a format of its own posts Leadline's generic JSON lead, signed with "
            "Leadline-Signature and the signing secret the company gave it. Identified by lead_id: a repeat is a "
            "duplicate. A lead is never refused for the company's set-up (an unmapped category, an integration in "
            "error): it is stored, flagged for a person to look at.",
            security=[{"partnerSignature": []}],
            responses=_partner_answers("PartnerLeadResult", unknown_name=True),
            body=(JSON, "GenericPartnerLead"),
            body_description="One lead.",
            parameters=[partner_name, TENANT],
        ),
        Operation(
            method="POST",
            path="/v1/online-bookings",
            operation_id="createOnlineBooking",
            tag=BOOKINGS,
            summary="A booking from the company's website",
            description="The company's scheduler posts each booking, with the visit's tracking parameters; the "
            "website key says which company. It lands in the Bookings inbox attributed to a campaign (its exact "
            "`campaign`, else the first of the company's UTM rules that matches, a gclid alone counting as google / "
            "cpc, else Unknown with the reason, flagged unknown_campaign). Identified by booking_id: a repeat is "
            "answered 200 with `duplicate`. Any origin may call it.",
            security=[{"websiteKey": []}],
            responses={
                "201": _ok("The booking is received.", "OnlineBookingResult", CORS_ANY),
                "200": _ok(
                    "The booking_id was received before: the booking kept then.", "OnlineBookingResult", CORS_ANY
                ),
                "400": _error(
                    "The body is empty, not JSON, or not a booking: `message` and `errors` name the field "
                    "and what is wrong.",
                    CORS_ANY,
                ),
                "401": _error("X-Leadline-Key is missing, or not a key of any company.", CORS_ANY),
                "413": TOO_LARGE,
                "415": _error("The body is not JSON: send it as application/json.", CORS_ANY),
            },
            body=(JSON, "OnlineBooking"),
            body_description="The booking.",
        ),
        Operation(
            method="OPTIONS",
            path="/v1/online-bookings",
            operation_id="preflightOnlineBooking",
            tag=BOOKINGS,
            summary="A browser's preflight of an online booking",
            description="Answered for any origin, so that a scheduler in the customer's browser may post bookings.",
            security=[],
            responses={
                "204": {
                    "description": "A browser may post bookings from any origin.",
                    "headers": {**CORS_ANY, **PREFLIGHT},
                }
            },
        ),
        Operation(
            method="GET",
            path="/dni/{tenant_id}/snippet.js",
            operation_id="getDniSnippet",
            tag=DNI,
            summary="The DNI snippet",
            description="The script for the `<head>` of every page of the company's website: it reads the page's UTM "
            "parameters, gclid and referrer, keeps the visitor's session, asks for the visitor's number and swaps "
            f"the company's default number for it in the page. Cached {dni.SNIPPET_MAX_AGE // 60} minutes.",
            security=[],
            responses={
                "200": {
                    "description": "The snippet.",
                    "content": {"application/javascript": {"schema": {"type": "string"}}},
                    "headers": {"Cache-Control": _header(f"`public, max-age={dni.SNIPPET_MAX_AGE}`")},
                },
                "404": _error("No such company, or DNI is not set up for it."),
            },
            parameters=[TENANT],
        ),
        Operation(
            method="GET",
            path="/dni/{tenant_id}/test-page",
            operation_id="getDniTestPage",
            tag=DNI,
            summary="The DNI test page",
            description="A page with the company's default number in a link, a marked element and text, and the "
            "snippet in its head: opened in a browser, it says whether DNI works, with the number shown, or why it "
            "failed.",
            security=[],
            responses={
                "200": {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}},
                "404": _error("No such company, or DNI is not set up for it."),
            },
            parameters=[TENANT],
        ),
        Operation(
            method="POST",
            path="/dni/{tenant_id}/sessions",
            operation_id="openDniSession",
            tag=DNI,
            summary="The number to show a visitor",
            description="What the snippet asks on each page: a returning visitor with a live session keeps their "
            "number and the source they came with, and the window starts again; a new one takes the free number held "
            "least recently (when none is free, the one whose visitor was seen least recently).",
            security=[{"dniOrigin": []}, {}],
            responses={
                "200": _ok("The visitor's number.", "DniSession", CORS_DOMAIN),
                "400": _error(
                    f"The body is over {dni.MAX_BODY // 1024} KB, not a JSON object, or a field is not text.",
                    CORS_DOMAIN,
                ),
                "403": _error(
                    "A browser on another origin than the company's DNI domain (`origin_not_allowed`, "
                    "naming the domain).",
                    CORS_DOMAIN,
                ),
                "404": _error("No such company, or DNI is not set up for it.", CORS_DOMAIN),
                "409": _error("Too many visitors asked for a number at the same instant: retry.", CORS_DOMAIN),
                "413": TOO_LARGE,
            },
            body=(JSON, "DniVisit"),
            body_description="The visitor; no body is a visitor about whom nothing is known.",
            body_required=False,
            parameters=[TENANT],
        ),
        Operation(
            method="OPTIONS",
            path="/dni/{tenant_id}/sessions",
            operation_id="preflightDniSession",
            tag=DNI,
            summary="A browser's preflight of a DNI session",
            description="Answered for the company's DNI domain (and its www twin, over https and http) only.",
            security=[{"dniOrigin": []}, {}],
            responses={
                "204": {"description": "The origin may ask for numbers.", "headers": {**CORS_DOMAIN, **PREFLIGHT}},
                "403": _error("Another origin than the company's DNI domain (`origin_not_allowed`)."),
                "404": _error("No such company, or DNI is not set up for it."),
            },
            parameters=[TENANT],
        ),
    ]


def _request_schemas() -> dict[str, Any]:
    return {
        **_twilio_schemas(),
        "CallRailCall": CALLRAIL_CALL,
        "NativeCallEvent": _schema(
            native.SCHEMA,
            "NativeCallEvent",
            "One call event in Leadline's native format. Unknown fields are refused (400), so that a misspelt "
            "field cannot be silently lost.",
            NATIVE_FIELDS,
        ),
        **_thumbtack_schemas(),
        **_angi_schemas(),
        "GenericPartnerLead": _generic_schema(),
        "OnlineBooking": _schema(
            online_bookings.SCHEMA,
            "OnlineBooking",
            "A booking from the company's scheduler; tracking parameters in the website's own spelling ("
            + ", ".join(online.TRACKING)
            + ").",
            BOOKING_FIELDS,
        ),
        "DniVisit": _visit_schema(),
    }


def _error_schemas() -> dict[str, Any]:
    _, schemas = models_json_schema([(model, "serialization") for model in error_models()], ref_template=SCHEMA_REF)
    return schemas["$defs"]


def served_routes() -> set[tuple[str, str]]:
    """(method, template) of every route of the three edges' resolvers."""
    return {
        (route.method, route.openapi_path)
        for app in (call_webhooks.app, partner_webhooks.app, public.app)
        for route in app._static_routes + app._dynamic_routes  # Powertools keeps its routes only here
    }


def _check(found: list[Operation]) -> None:
    served = served_routes()
    documented = {(operation.method, operation.served_by) for operation in found}
    if documented != served:
        raise ValueError(
            f"the senders' document and the routes disagree: routes not documented {sorted(served - documented)}, "
            f"documented but not served {sorted(documented - served)}"
        )


def openapi() -> dict[str, Any]:
    found = operations()
    _check(found)
    paths: dict[str, dict[str, Any]] = {}
    for operation in found:
        made: dict[str, Any] = {
            "operationId": operation.operation_id,
            "tags": [operation.tag],
            "summary": operation.summary,
            "description": operation.description,
            "security": operation.security,
            "responses": operation.responses,
        }
        if operation.parameters:
            made["parameters"] = operation.parameters
        if operation.body:
            media, schema = operation.body
            made["requestBody"] = {
                "required": operation.body_required,
                "description": operation.body_description,
                "content": {media: {"schema": _ref(schema)}},
            }
        paths.setdefault(operation.path, {})[operation.method.lower()] = made
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": SERVERS,
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": paths,
        "components": {
            "schemas": {**_request_schemas(), **ANSWER_SCHEMAS, **_error_schemas()},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def document() -> str:
    """The document as committed in docs/openapi-senders.json: sorted keys, 2-space indent, a newline at the end."""
    return json.dumps(openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: str | Path) -> None:
    Path(path).write_text(document(), encoding="utf-8")
