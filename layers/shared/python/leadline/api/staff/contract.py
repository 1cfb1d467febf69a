"""The staff API's contract: the OpenAPI document served at /openapi.json (and committed as docs/openapi.json),
and Swagger UI on it at /swagger.

Powertools makes the document from the routes (paths, parameters, request bodies; ids, summaries, descriptions,
tags and success responses from the route decorators, each naming its answer's model with `returns`). Here it gets
what Powertools cannot know: the API's description, the tags' descriptions, servers that work wherever the document
is served, and the error responses of each operation, in the one error shape every edge sends (`Error`). Those
follow from the operation's shape (a token on every /v1 path, a JSON body, parameters, a path id) and from the lists
below, which say what the code behind an operation can answer; tests/unit/test_openapi_document.py holds them to
that code."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from leadline.permissions import Permission

if TYPE_CHECKING:
    from pydantic import BaseModel

TITLE = "Leadline staff API"
VERSION = "1.0.0"
DESCRIPTION = """\
What a home-services company's office works with so that no lead is lost. Calls arrive attributed to the marketing \
campaign that produced them (or to Unknown); a CSR classifies each call, and a call reason marked as lead captures \
a lead. Leads are converted into booked jobs, or dismissed, explicitly: booking a job never converts a lead \
silently. Partner leads and online bookings wait in the Bookings inbox. Inbound calls nobody booked come back as \
Second Chance Leads for someone to call back. Reports measure it all, and the set-up records (settings, campaigns, \
tracking numbers, business units, job types, call reasons, employees and roles) say how it works.

## Authentication
Every `/v1` operation takes `Authorization: Bearer <token>`: a staff ID token (JWT) of the company's user pool. It \
carries `custom:tenant_id` (the company: a request reads and changes only that company's records, and another \
company's id answers 404), `custom:employee_id` (who you are) and `custom:role`. What you may do is your role's \
permissions plus the permissions granted to you, read at each request, so a change applies at once; an operation \
that needs a permission names it. A missing, expired or foreign token is refused by API Gateway itself: \
`401 {"message": "Unauthorized"}`. Locally, `make token EMPLOYEE=admin` (or `csr`, ...) prints a token of the demo \
company: paste it into Swagger UI's Authorize.

## Lists and paging
A list answers `{"items": [...], "next_token": "..."}`. `limit` is the page size (1 to 200, 50 unless given). While \
`next_token` is not null there is more: send it back as the `next_token` parameter, with the same filters, for the \
next page. A filtered list's page can hold fewer than `limit` items, even none, and still have a next one.

## Times, days and phone numbers
Moments are ISO 8601 in UTC (`2026-11-24T15:00:00.000Z`); a moment you send may carry any offset \
(`2026-11-24T09:00:00-06:00`). Days (`YYYY-MM-DD`) are the company's own, in its time zone (the settings' \
`time_zone`), unless a parameter says UTC. Phone numbers are answered in E.164 (`+15125550100`); one you send may \
be written as people write it (`(512) 555-0100`, US unless it has a country code).

## Errors
Every error the API itself sends has one shape:

```json
{"code": "invalid_input", "message": "customer_id: not an id: letters, digits, '_' and '-' only, at most 64",
 "errors": [{"field": "customer_id", "message": "not an id: letters, digits, '_' and '-' only, at most 64"}]}
```

`message` says what is wrong in words; `code` names the kind for programs (`invalid_input`, `not_found`, \
`conflict`, `forbidden`, `unauthorized`, `unsupported_media_type`, ...); `errors` lists each input at fault and is \
empty when no one input is. Beside each operation's own errors: a `/v1` path that does not exist is answered 404 \
(`no_such_route`), and a method a path does not take 405 (`method_not_allowed`, with the methods it takes in \
`Allow`). An answer from API Gateway itself (401 for the token, 403 for a path outside `/v1` that it does not have, \
429 when throttled, 5xx) is `{"message": "..."}`.
"""

SERVERS = [
    {
        "url": ".",
        "description": "Where this document is served from: the local runtime (http://127.0.0.1:3000/openapi.json) "
        "or the API in AWS (https://{api}.execute-api.{region}.amazonaws.com/prod/openapi.json)",
    },
    {"url": "http://127.0.0.1:3000", "description": "The local runtime (make run)"},
    {
        "url": "https://{api}.execute-api.{region}.amazonaws.com/prod",
        "description": "The API in AWS: the stack's ApiUrl output",
        "variables": {
            "api": {"default": "api-id", "description": "The REST API's id"},
            "region": {"default": "us-east-1", "description": "The region the stack is deployed in"},
        },
    },
]

TAGS = [
    ("Settings", "The company's own settings: name, time zone, texts, notifications' sender and quiet hours."),
    (
        "Campaigns",
        "Marketing campaigns, each with its advertised number (DNIS): what calls and leads are attributed to.",
    ),
    (
        "Tracking numbers",
        "The numbers the company advertises: type, forwarding, default call type, campaign; and the diagnostics "
        "that say whether calls to a number will be attributed, and if not, why.",
    ),
    ("Business units", "The company's divisions (HVAC, Plumbing, ...) that jobs and leads belong to."),
    ("Job types", "The kinds of jobs, and the business units that offer each."),
    ("Call reasons", "What a CSR picks to classify a call; a reason marked as lead captures a lead from the call."),
    ("People", "Employees, roles and permissions, and who you are."),
    ("Calls", "Calls with their attribution, recording and transcript, and their classification by a CSR."),
    (
        "Leads",
        "Follow Up > Leads: leads from calls, by hand, from jobs, from abandoned calls; converted into a booked job "
        "or dismissed, explicitly, and never twice.",
    ),
    ("Jobs", "Jobs booked on their own (never converting a lead), and the leads technicians raise from a job."),
    ("Customers", "Customers, found by phone number, and their service locations."),
    (
        "Second Chance Leads",
        "Inbound calls that looked like a real prospect but that nobody booked, in a queue to call back "
        "(Open, Cold, Done); and their settings. Needs the view_second_chance_leads permission.",
    ),
    ("Notifications", "Your in-app notifications, and the channels (in-app, email, text) you are told on."),
    (
        "Bookings",
        "The Bookings inbox: leads from lead partners and the website's online bookings, to convert into jobs or "
        "dismiss; the website's key and attribution rules, and the export of online bookings.",
    ),
    (
        "Integrations",
        "Lead partners (Thumbtack, Angi, generic): status, campaign and category mapping, diagnostics; and the "
        "deliveries of partners and telephony vendors that could not be applied, to apply again.",
    ),
    (
        "DNI",
        "Dynamic number insertion: the pool of tracking numbers the website shows to visitors by their source, "
        "the session window, and the snippet to install.",
    ),
    ("Reports", "Campaign summary, lead volume, SCL recovery and CSR performance over days, as JSON or CSV."),
]

SECURITY = [{"staff": []}]
SCHEMA_REF = "#/components/schemas/{model}"


# --- what an operation's code can answer, beyond what its shape says -------------------------------------------

# The permissions an operation requires, each of them (403 without). Every /v1 operation can also answer 403 to an
# employee whose record is deactivated or gone.
PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    "updateSettings": (Permission.MANAGE_SETTINGS,),
    "createCampaign": (Permission.MANAGE_MARKETING,),
    "updateCampaign": (Permission.MANAGE_MARKETING,),
    "createTrackingNumber": (Permission.MANAGE_MARKETING,),
    "updateTrackingNumber": (Permission.MANAGE_MARKETING,),
    "createBusinessUnit": (Permission.MANAGE_OPERATIONS,),
    "updateBusinessUnit": (Permission.MANAGE_OPERATIONS,),
    "createJobType": (Permission.MANAGE_OPERATIONS,),
    "updateJobType": (Permission.MANAGE_OPERATIONS,),
    "createCallReason": (Permission.MANAGE_OPERATIONS,),
    "updateCallReason": (Permission.MANAGE_OPERATIONS,),
    "createEmployee": (Permission.MANAGE_EMPLOYEES,),
    "updateEmployee": (Permission.MANAGE_EMPLOYEES,),
    "createRole": (Permission.MANAGE_EMPLOYEES,),
    "updateRole": (Permission.MANAGE_EMPLOYEES,),
    "classifyCall": (Permission.MANAGE_LEADS,),
    "createLead": (Permission.MANAGE_LEADS,),
    "updateLead": (Permission.MANAGE_LEADS,),
    "addLeadNote": (Permission.MANAGE_LEADS,),
    "convertLead": (Permission.BOOK_JOBS,),
    "dismissLead": (Permission.MANAGE_LEADS,),
    "reopenLead": (Permission.MANAGE_LEADS,),
    "addLeadDismissReason": (Permission.MANAGE_SETTINGS,),
    "bookJob": (Permission.BOOK_JOBS,),
    "createJobGeneratedLead": (Permission.MANAGE_LEADS,),
    "createCustomer": (Permission.BOOK_JOBS,),
    "updateCustomer": (Permission.BOOK_JOBS,),
    "addCustomerLocation": (Permission.BOOK_JOBS,),
    "listSecondChanceLeads": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "countSecondChanceLeads": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "getSecondChanceLeadBanner": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "getSecondChanceLead": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "callBackSecondChanceLead": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "dismissSecondChanceLead": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "setSecondChanceLeadStatus": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "addSecondChanceLeadNote": (Permission.VIEW_SECOND_CHANCE_LEADS,),
    "getSecondChanceLeadSettings": (Permission.VIEW_SECOND_CHANCE_LEADS,),  # or manage_settings
    "updateSecondChanceLeadSettings": (Permission.MANAGE_SETTINGS,),
    "listBookings": (Permission.MANAGE_LEADS,),
    "exportOnlineBookings": (Permission.MANAGE_MARKETING,),
    "getBooking": (Permission.MANAGE_LEADS,),
    "convertBooking": (Permission.MANAGE_LEADS, Permission.BOOK_JOBS),
    "dismissBooking": (Permission.MANAGE_LEADS,),
    "addBookingNote": (Permission.MANAGE_LEADS,),
    "getOnlineBookingSettings": (Permission.MANAGE_MARKETING,),
    "updateOnlineBookingRules": (Permission.MANAGE_MARKETING,),
    "rotateOnlineBookingKey": (Permission.MANAGE_INTEGRATIONS,),
    "listIntegrations": (Permission.MANAGE_INTEGRATIONS,),
    "getIntegration": (Permission.MANAGE_INTEGRATIONS,),
    "updateIntegration": (Permission.MANAGE_INTEGRATIONS,),
    "diagnoseIntegration": (Permission.MANAGE_INTEGRATIONS,),
    "listDeliveries": (Permission.MANAGE_INTEGRATIONS,),
    "getDelivery": (Permission.MANAGE_INTEGRATIONS,),
    "reprocessDelivery": (Permission.MANAGE_INTEGRATIONS,),
    "updateDniConfig": (Permission.MANAGE_MARKETING,),
    "getCampaignSummaryReport": (Permission.VIEW_REPORTS,),
    "getLeadVolumeReport": (Permission.VIEW_REPORTS,),
    "getSclRecoveryReport": (Permission.VIEW_REPORTS,),
    "getCsrPerformanceReport": (Permission.VIEW_REPORTS,),
}

_CHANGED = "someone changed it at the same time: read it again and retry"
_TAKEN = "the new record's id was taken at the same instant (practically never): send it again"
_KEEP_MANAGING = "you would take away your own manage_employees permission (another employee who has it can)"
_DNIS_TAKEN = "the advertised number (DNIS) is another campaign's, or a tracking number of another campaign"

# When an operation answers 409: each way it can.
CONFLICTS: dict[str, tuple[str, ...]] = {
    "updateSettings": (_CHANGED,),
    "createCampaign": (_DNIS_TAKEN,),
    "updateCampaign": (_DNIS_TAKEN, _CHANGED),
    "createTrackingNumber": (
        "the number exists already",
        "another campaign advertises it (a number is never reused across campaigns)",
    ),
    "updateTrackingNumber": ("another campaign advertises the number (never reused across campaigns)", _CHANGED),
    "createBusinessUnit": (_TAKEN,),
    "updateBusinessUnit": (_CHANGED,),
    "createJobType": (_TAKEN,),
    "updateJobType": (_CHANGED,),
    "createCallReason": (_TAKEN,),
    "updateCallReason": (_CHANGED,),
    "createEmployee": ("another employee uses the email",),
    "updateEmployee": ("another employee uses the email", _KEEP_MANAGING, _CHANGED),
    "createRole": (_TAKEN,),
    "updateRole": (_KEEP_MANAGING, _CHANGED),
    "classifyCall": ("the call changed at the same time (its events were still arriving): retry",),
    "createLead": (_TAKEN,),
    "updateLead": (_CHANGED,),
    "addLeadNote": (_CHANGED,),
    "convertLead": (
        "the lead is converted already (converting twice is refused)",
        "it is dismissed: reopen it first",
        _CHANGED,
    ),
    "dismissLead": ("the lead is converted, or dismissed already", _CHANGED),
    "reopenLead": ("the lead is not dismissed: only a dismissed lead can be reopened", _CHANGED),
    "addLeadDismissReason": ("the code is a standard reason, or one of the company's already",),
    "bookJob": (_TAKEN,),
    "createJobGeneratedLead": (_TAKEN,),
    "createCustomer": (_TAKEN,),
    "updateCustomer": (_CHANGED,),
    "addCustomerLocation": (_TAKEN,),
    "callBackSecondChanceLead": ("the SCL's status does not allow it (a Done SCL)", _CHANGED),
    "dismissSecondChanceLead": ("the SCL's status does not allow it (a job booked for the caller ended it)", _CHANGED),
    "setSecondChanceLeadStatus": (
        "the change is not allowed from the SCL's status (the two Job booked statuses are automatic and final)",
        _CHANGED,
    ),
    "addSecondChanceLeadNote": (_CHANGED,),
    "updateSecondChanceLeadSettings": (_CHANGED,),
    "updateNotificationPreferences": (_CHANGED,),
    "convertBooking": ("the booking is converted or dismissed already: only a pending one can be converted", _CHANGED),
    "dismissBooking": ("the booking is converted or dismissed already: only a pending one can be dismissed", _CHANGED),
    "addBookingNote": (_CHANGED,),
    "updateOnlineBookingRules": (_CHANGED,),
    "rotateOnlineBookingKey": ("someone made a new key at the same time: retry",),
    "reprocessDelivery": ("the delivery was applied already",),
    "updateDniConfig": (_CHANGED,),
}

# An operation that needs either its permissions or this one.
OR_INSTEAD: dict[str, Permission] = {"getSecondChanceLeadSettings": Permission.MANAGE_SETTINGS}

# Operations with a path id that never look its record up, and why: their only 404 is for a path that no route
# takes (an id with characters no id has), which every operation with a path id can answer.
NOT_LOOKED_UP = {"diagnoseTrackingNumber": "a number that is not set up is one of the problems the diagnostics name"}

# What a path parameter names, where its name does not say.
PATH_NOUNS = {"number": "tracking number", "scl_id": "Second Chance Lead"}

# Operations that check a value in their path beyond its type (422 when it is not one).
CHECKED_PATH_VALUES = {
    "getTrackingNumber": "the number in the path is not a phone number",
    "updateTrackingNumber": "the number in the path is not a phone number",
    "diagnoseTrackingNumber": "the number in the path is not a phone number",
}


# --- success responses ------------------------------------------------------------------------------------------

CSV = "text/csv"


def returns(model: type[BaseModel], status: int = 200, *, csv: bool = False) -> dict[int, dict[str, Any]]:
    """A route's success response, for its decorator's `responses=`: `model` (leadline/api/staff/responses.py, its
    docstring the response's description) as JSON, and with `csv` a CSV file too (a report's `format=csv`), under
    `status`, the route's own status_code. Powertools renders the model's schema into the document and checks nothing
    against it at runtime (the route's `-> dict` is all it checks); tests/support/api.py holds the integration tests'
    answers to it."""
    content: dict[str, Any] = {content_types.APPLICATION_JSON: {"model": model}}
    if csv:
        content[CSV] = {"schema": {"type": "string", "description": "The rows as CSV, with a header line"}}
    return {status: {"description": (model.__doc__ or "").strip().splitlines()[0], "content": content}}


def csv_file(description: str) -> dict[int, dict[str, Any]]:
    """A route's success response that is a CSV file only."""
    return {200: {"description": description, "content": {CSV: {"schema": {"type": "string"}}}}}


# --- the document -----------------------------------------------------------------------------------------------


def describe(app: APIGatewayRestResolver) -> None:
    """Swagger UI at /swagger, on the same document as /openapi.json (Powertools' own Swagger UI would show the
    document as Powertools makes it, before this module completes it)."""

    @app.get("/swagger", include_in_schema=False)
    def swagger():  # no return annotation: Powertools would try to model Response
        query = app.current_event.query_string_parameters or {}
        if query.get("format") == "json":
            return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document(app))
        return Response(status_code=200, content_type="text/html; charset=utf-8", body=_swagger_page(app))


@cache
def document(app: APIGatewayRestResolver) -> str:
    """The OpenAPI document as served at /openapi.json and committed as docs/openapi.json: sorted keys, 2-space
    indent, a newline at the end."""
    return json.dumps(openapi(app), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(app: APIGatewayRestResolver, path: str | Path) -> None:
    """Write the document to `path` (docs/openapi.json)."""
    Path(path).write_text(document(app), encoding="utf-8")


def openapi(app: APIGatewayRestResolver) -> dict[str, Any]:
    """The document as Powertools makes it from the routes, completed."""
    made = json.loads(
        app.get_openapi_json_schema(
            title=TITLE, version=VERSION, security_schemes=_security_schemes(), security=SECURITY
        )
    )
    made["info"]["description"] = DESCRIPTION
    made["servers"] = SERVERS
    made["tags"] = [{"name": name, "description": text} for name, text in TAGS]
    for path, item in made["paths"].items():
        for operation in item.values():
            operation_id = operation["operationId"]
            operation["description"] = (operation.get("description", "").strip() + _needs(operation_id)).strip()
            operation["responses"].pop("422", None)  # Powertools' HTTPValidationError, which the API never sends
            operation["responses"].update(error_responses(operation_id, path, operation))
    schemas = made["components"]["schemas"]
    for unsent in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(unsent, None)
    schemas.update(_error_schemas())
    return made


def _needs(operation_id: str) -> str:
    needs = PERMISSIONS.get(operation_id, ())
    if not needs:
        return ""
    instead = f" (or `{OR_INSTEAD[operation_id].value}`)" if operation_id in OR_INSTEAD else ""
    return "\n\nNeeds " + " and ".join(f"`{p.value}`" for p in needs) + instead + "."


def error_responses(operation_id: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's error responses, by status: what its shape says (a /v1 path, a path id, a body, parameters)
    and what the lists above say of it."""
    parameters = operation.get("parameters", [])
    path_ids = [p["name"] for p in parameters if p["in"] == "path"]
    has_query = any(p["in"] == "query" for p in parameters)
    has_body = "requestBody" in operation
    found: dict[str, Any] = {}
    if path.startswith("/v1/"):
        found["401"] = {
            "description": "No token, or one expired or not of the company's user pool (API Gateway's answer); or a "
            "token without a tenant and an employee.",
            "content": _json({"anyOf": [_ref("GatewayError"), _ref("Error")]}),
        }
        needs = PERMISSIONS.get(operation_id, ())
        lacking = f"; or your role and grants lack {' or '.join(p.value for p in needs)}" if needs else ""
        found["403"] = _error(f"Your employee record is deactivated or gone{lacking}.")
    if path_ids:
        nouns = " or ".join(PATH_NOUNS.get(name, name.removesuffix("_id").replace("_", " ")) for name in path_ids)
        if operation_id in NOT_LOOKED_UP:
            found["404"] = _error(f"Only for a {nouns} with characters no route takes: {NOT_LOOKED_UP[operation_id]}.")
        else:
            found["404"] = _error(f"No such {nouns}, or not your company's.")
    if operation_id in CONFLICTS:
        found["409"] = _error(_sentence(CONFLICTS[operation_id]))
    if has_body:
        found["415"] = _error("The body is not JSON: send it as application/json.")
    invalid = [
        *([CHECKED_PATH_VALUES[operation_id]] if operation_id in CHECKED_PATH_VALUES else []),
        *(["the body is not valid, or names a record that does not exist"] if has_body else []),
        *(["a parameter is not valid"] if has_query else []),
        "a query parameter is one the operation does not take",
    ]
    found["422"] = _error(_sentence(invalid) + " `errors` names each input at fault and says what is wrong.")
    return found


def _sentence(alternatives: tuple[str, ...] | list[str]) -> str:
    text = "; or ".join(alternatives)
    return text[0].upper() + text[1:] + "."


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("Error"))}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {content_types.APPLICATION_JSON: {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMA_REF.format(model=name)}


def _security_schemes() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer  # heavy: with the document only

    bearer = HTTPBearer(
        bearerFormat="JWT",
        description="A staff ID token carrying custom:tenant_id, custom:employee_id and custom:role "
        "(locally: make token EMPLOYEE=admin)",
    )
    return {"staff": bearer}


def _error_schemas() -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    error, gateway_error = error_models()
    _, schemas = models_json_schema(
        [(error, "serialization"), (gateway_error, "serialization")], ref_template=SCHEMA_REF
    )
    return schemas["$defs"]


@cache
def error_models() -> tuple[type[BaseModel], type[BaseModel]]:
    """`Error`, the one error shape of every edge, and `GatewayError`, API Gateway's own. Made with the document,
    not at init: the staff API imports pydantic at its first request, with a route area."""
    from pydantic import BaseModel, Field

    class FieldError(BaseModel):
        field: str = Field(
            description="The input at fault: a body field (`customer_id`, `rules.0.campaign_id`), a query or path "
            "parameter (`limit`), or `body` for the body as a whole"
        )
        message: str = Field(description="What is wrong with it, in words")

    class Error(BaseModel):
        """The one error shape of every edge."""

        code: str = Field(description="The kind of error, for programs: invalid_input, not_found, conflict, ...")
        message: str = Field(description="What is wrong, in words a person can read")
        errors: list[FieldError] = Field(
            description="Each input at fault, with what is wrong; empty when no one input is"
        )

    class GatewayError(BaseModel):
        """API Gateway's own answers: its authorizer's 401, its 403 for a path it does not have, its 429 and 5xx."""

        message: str = Field(description="API Gateway's words, e.g. Unauthorized")

    return Error, GatewayError


@cache
def _swagger_page(app: APIGatewayRestResolver) -> str:
    from aws_lambda_powertools.event_handler.openapi import swagger_ui  # only for /swagger: not at every cold start

    assets = Path(swagger_ui.__file__).parent  # Powertools' copy of Swagger UI, as its own /swagger serves it
    js = (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    css = (assets / "swagger-ui.min.css").read_text(encoding="utf-8")
    spec = document(app).replace("</", "<\\/")  # inside a <script>: nothing in it may close the tag
    return swagger_ui.generate_swagger_html(spec, js, css, "", None, persist_authorization=True)
