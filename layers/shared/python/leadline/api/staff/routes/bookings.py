"""The Bookings screen: leads from partners and the website, converted into jobs or dismissed; the website's
online-booking key and attribution rules, and the export of online booking sessions."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field, model_validator

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import Principal, principal
from leadline.api.staff.routes._common import Limit, NextToken, day_query
from leadline.api.staff.schemas import Body, DismissIn, Ident, JobDetails, NoteIn, UtmValue
from leadline.bookings import online, service
from leadline.permissions import Permission

router = APIGatewayRouter()
Day = day_query("YYYY-MM-DD, the company's day")


class BookingConvertIn(JobDetails):
    job_type_id: Ident | None = None  # type: ignore[assignment]
    business_unit_id: Ident | None = None  # type: ignore[assignment]
    customer_id: Ident | None = Field(
        default=None, description="The customer; else the one with the booking's phone, else a new one"
    )
    location_id: Ident | None = None


class UtmRule(Body):
    utm_source: UtmValue | None = None
    utm_medium: UtmValue | None = None
    utm_campaign: UtmValue | None = None
    campaign_id: Ident

    @model_validator(mode="after")
    def _some_utm(self) -> UtmRule:
        if not (self.utm_source or self.utm_medium or self.utm_campaign):
            raise ValueError("a rule needs at least one of utm_source, utm_medium, utm_campaign")
        return self


class OnlineBookingRulesIn(Body):
    rules: Annotated[list[UtmRule], Field(max_length=100, description="In order: the first match wins")]


def _booker() -> Principal:
    caller = principal(router)
    caller.require(Permission.MANAGE_LEADS)
    return caller


def _marketer() -> Principal:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return caller


@router.get(
    "/v1/bookings",
    operation_id="listBookings",
    tags=["Bookings"],
    responses=contract.returns(responses.BookingPage),
    summary="List the Bookings inbox, newest first",
    description=(
        "Leads from lead partners and online bookings from the website, by status (pending, converted, "
        "dismissed), source, partner, and whether flagged (a partner lead whose category has no mapping, "
        "for instance: kept, never dropped)."
    ),
)
def list_bookings(
    status: Annotated[Literal["pending", "converted", "dismissed"] | None, Query()] = None,
    source: Annotated[Literal["partner", "online"] | None, Query()] = None,
    partner: Annotated[str | None, Query(max_length=64)] = None,
    flagged: Annotated[bool | None, Query(description="Only flagged (true) or unflagged (false) bookings")] = None,
    limit: Limit = 50,
    next_token: NextToken = None,
) -> dict:
    return service.list_bookings(
        _booker().tenant_id,
        status=status,
        source=source,
        partner=partner,
        flagged=flagged,
        limit=limit,
        next_token=next_token,
    )


@router.get(
    "/v1/bookings/export",
    operation_id="exportOnlineBookings",
    tags=["Bookings"],
    responses=contract.csv_file("The online booking sessions, a line each, with a header line"),
    summary="Export online bookings as CSV",
    description=(
        "The online booking sessions received from one day to another (the company's days, both "
        "included), with their tracking parameters and the campaign each was attributed to."
    ),
)
def export_online_bookings(
    from_: day_query("YYYY-MM-DD", alias="from"),  # type: ignore[valid-type]
    to: Day,
):  # a CSV Response: no return annotation, which the OpenAPI validation would try to model
    caller = _marketer()
    body = online.export_csv(caller.tenant_id, from_, to)
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=body,
        headers={"Content-Disposition": f'attachment; filename="online-bookings-{from_}-{to}.csv"'},
    )


@router.get(
    "/v1/bookings/<booking_id>",
    operation_id="getBooking",
    tags=["Bookings"],
    responses=contract.returns(responses.Booking),
    summary="Get a booking",
    description=(
        "The booking with its customer, what the partner or website sent, its attribution, notes and history."
    ),
)
def get_booking(booking_id: str) -> dict:
    return service.get(_booker().tenant_id, booking_id)


@router.post(
    "/v1/bookings/<booking_id>/convert",
    operation_id="convertBooking",
    tags=["Bookings"],
    responses=contract.returns(responses.BookingConversion),
    summary="Convert a booking into a booked job",
    description=(
        "Books the job, carrying the booking's campaign, and marks the booking converted, in one step. "
        "The job type and business unit default to the partner category's mapping; the customer to the "
        "one with the booking's phone, else a new one."
    ),
)
def convert_booking(booking_id: str, body: BookingConvertIn) -> dict:
    caller = _booker()
    caller.require(Permission.BOOK_JOBS)
    return service.convert(caller.tenant_id, booking_id, body.model_dump(exclude_none=True), by=caller.employee_id)


@router.post(
    "/v1/bookings/<booking_id>/dismiss",
    operation_id="dismissBooking",
    tags=["Bookings"],
    responses=contract.returns(responses.Booking),
    summary="Dismiss a booking",
    description=(
        "With a reason code (the leads' reasons, see GET /v1/lead-dismiss-reasons) and an optional note; "
        "a pending booking only."
    ),
)
def dismiss_booking(booking_id: str, body: DismissIn) -> dict:
    caller = _booker()
    return service.dismiss(caller.tenant_id, booking_id, reason=body.reason, note=body.note, by=caller.employee_id)


@router.post(
    "/v1/bookings/<booking_id>/notes",
    operation_id="addBookingNote",
    tags=["Bookings"],
    responses=contract.returns(responses.Booking),
    summary="Add a note to a booking",
    description="The note is kept with who wrote it and when.",
)
def add_booking_note(booking_id: str, body: NoteIn) -> dict:
    caller = _booker()
    return service.add_note(caller.tenant_id, booking_id, body.text, by=caller.employee_id)


@router.get(
    "/v1/settings/online-bookings",
    operation_id="getOnlineBookingSettings",
    tags=["Bookings"],
    responses=contract.returns(responses.OnlineBookingSettings),
    summary="Get the online-booking settings",
    description=(
        "Whether the website has a key (and its last characters), and the UTM rules that attribute "
        "online bookings to campaigns."
    ),
)
def get_online_booking_settings() -> dict:
    return online.settings_view(_marketer().tenant_id)


@router.put(
    "/v1/settings/online-bookings",
    operation_id="updateOnlineBookingRules",
    tags=["Bookings"],
    responses=contract.returns(responses.OnlineBookingSettings),
    summary="Replace the online-booking attribution rules",
    description=(
        "The UTM rules, in order: a booking goes to the campaign of the first rule whose every field "
        "given matches its parameters, else to Unknown. Each rule's campaign must exist."
    ),
)
def put_online_booking_rules(body: OnlineBookingRulesIn) -> dict:
    caller = _marketer()
    return online.put_rules(caller.tenant_id, [r.model_dump() for r in body.rules])


@router.post(
    "/v1/settings/online-bookings/key",
    operation_id="rotateOnlineBookingKey",
    tags=["Bookings"],
    responses=contract.returns(responses.OnlineBookingKey),
    summary="Make a new website key",
    description=(
        "The key the website sends its online bookings with (X-Leadline-Key). Shown once: only its hash "
        "is kept, and the previous key stops working."
    ),
)
def rotate_online_booking_key() -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_INTEGRATIONS)
    return online.new_key(caller.tenant_id)
