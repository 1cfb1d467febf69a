"""What each staff API operation answers on success, as models for the OpenAPI document.

They describe the dicts the services build (`lead_view`, `job_view`, `call_view`, ...) field by field; nothing
validates or re-serializes an answer with them at runtime. Each route declares its model in its decorator
(`responses=contract.returns(...)`), and tests/support/api.py holds every answer the integration tests get to its
documented schema: a field a service adds, drops or retypes fails there until it is written here. Every model
forbids fields it does not list, so the document lists all of them.

Moments are ISO 8601 in UTC, days the company's own (`YYYY-MM-DD`) and phone numbers E.164 unless a field says
otherwise (the API's description says so once)."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, RootModel

from leadline import rules
from leadline.api.staff.schemas import CallType, NumberType, Priority
from leadline.bookings import service as bookings
from leadline.calls.events import STATUS_RANK
from leadline.calls.vendors import VENDORS
from leadline.data.repositories.deliveries import PROCESSED, RECEIVED, REJECTED
from leadline.leads import service as leads
from leadline.notifications.catalog import KINDS
from leadline.partners import integrations
from leadline.permissions import Permission
from leadline.scl_statuses import LABELS as SCL_STATUS_LABELS
from leadline.setup.attribution import ATTRIBUTED, DIRECT, UNKNOWN


def one_of(values: Any) -> Any:
    """A Literal of the domain's own tuple of names, so the document's enum is the code's."""
    return Literal[tuple(values)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def sometimes(description: str) -> Any:
    """A field present only in some answers (never null when present)."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


class ResponseModel(BaseModel):
    # Built only when the document is made, so defining them costs the staff API's cold start little.
    model_config = ConfigDict(extra="forbid", defer_build=True)


T = TypeVar("T")

Moment = Annotated[str, Field(description="A moment, ISO 8601 in UTC", json_schema_extra={"format": "date-time"})]
Day = Annotated[str, Field(description="A day of the company's, YYYY-MM-DD", json_schema_extra={"format": "date"})]
Rate = Annotated[
    float | None, Field(description="A share from 0 to 1, to 4 decimals; null when there is nothing to divide by")
]
AttributionKind = Literal[ATTRIBUTED, UNKNOWN, DIRECT]


# --- shared pieces ----------------------------------------------------------------------------------------------


class Page(ResponseModel, Generic[T]):
    items: list[T]
    next_token: str | None = Field(
        description="Send it back as the `next_token` parameter, with the same filters, for the next page; null: "
        "there is no more"
    )


class Note(ResponseModel):
    """A note, kept with who wrote it and when."""

    at: Moment
    by: str | None = Field(description="The employee who wrote it")
    text: str


class HistoryEntry(ResponseModel):
    """A change of status: who, when, from what to what, and why."""

    at: Moment
    by: str | None = Field(description="The employee who made the change; null for a change the system made")
    from_: str | None = Field(alias="from", description="The status before; null when the record was created")
    to: str = Field(description="The status after")
    why: str | None = Field(description="Why, in words")


# --- settings ---------------------------------------------------------------------------------------------------


class SecondChanceLeadSwitches(ResponseModel):
    """Second Chance Leads: on or off, and their timing."""

    enabled: bool
    after_call_work_minutes: int = Field(
        description="Minutes a CSR has to classify an inbound call after it ends, before it is evaluated"
    )
    cold_lead_threshold_hours: int = Field(description="Hours after which an open Second Chance Lead is Cold")


class NotificationSettings(ResponseModel):
    """How the company's notifications are sent."""

    sender: str | None = Field(description="The From of emails (a verified SES identity); null: no emails are sent")
    app_base_url: str | None = Field(description="The base of links to the app in notifications")
    quiet_hours_start: str | None = Field(description="HH:MM, the company's time: texts wait from then")
    quiet_hours_end: str | None = Field(description="HH:MM, the company's time: held texts go then")


class Settings(ResponseModel):
    """The company's settings."""

    tenant_id: str = Field(description="The company's id")
    name: str
    time_zone: str = Field(description="An IANA time zone (America/Chicago): it decides the company's days")
    sms_registered: bool = Field(description="Whether the company's registration for text messaging is complete")
    second_chance_leads: SecondChanceLeadSwitches
    notifications: NotificationSettings
    updated_at: Moment


# --- campaigns and tracking numbers -----------------------------------------------------------------------------


class Campaign(ResponseModel):
    """A marketing campaign."""

    campaign_id: str
    name: str
    category: str | None
    active: bool
    dnis: str | None = Field(description="The campaign's advertised number (DNIS)")
    created_at: Moment
    updated_at: Moment


class CampaignWithNumbers(Campaign):
    """A marketing campaign, with the tracking numbers assigned to it."""

    tracking_numbers: list[str]


class CampaignPage(Page[Campaign]):
    """A page of campaigns."""


class TrackingNumber(ResponseModel):
    """A number the company advertises."""

    number: str
    number_type: NumberType = Field(description="tracking numbers attribute calls; direct_dial numbers never do")
    label: str | None
    forwarding_number: str | None = Field(description="Where calls to the number are forwarded")
    default_call_type: CallType = Field(description="The call type a call to the number starts with")
    sms_registered: bool = Field(description="Whether the number is registered for text messaging")
    campaign_id: str | None
    created_at: Moment
    updated_at: Moment


class TrackingNumberPage(Page[TrackingNumber]):
    """A page of tracking numbers."""


class NumberProblem(ResponseModel):
    """A problem of a tracking number's set-up, by name."""

    code: Literal[
        "number_not_configured",
        "direct_dial_number",
        "no_campaign_assigned",
        "campaign_not_found",
        "campaign_inactive",
        "campaign_dnis_mismatch",
        "no_forwarding_number",
        "sms_not_registered",
    ]
    severity: Literal["error", "warning"] = Field(
        description="error: calls to the number lose their attribution; warning: something else will fail"
    )
    message: str = Field(description="What is wrong and what to fix, in words")


class TrackingNumberDiagnostics(ResponseModel):
    """Whether calls to a number will be attributed to a campaign, and each set-up problem."""

    number: str
    attribution: AttributionKind = Field(description="What a call to the number gets now")
    campaign_id: str | None = Field(description="The campaign a call to the number is attributed to now")
    ok: bool = Field(description="No problem at all")
    problems: list[NumberProblem]


# --- business units, job types, call reasons --------------------------------------------------------------------


class BusinessUnit(ResponseModel):
    """A division of the company."""

    business_unit_id: str
    name: str
    active: bool
    created_at: Moment
    updated_at: Moment


class BusinessUnitPage(Page[BusinessUnit]):
    """A page of business units."""


class JobType(ResponseModel):
    """A kind of job."""

    job_type_id: str
    name: str
    business_unit_ids: list[str] = Field(description="The business units that offer it; none: every unit does")
    active: bool
    created_at: Moment
    updated_at: Moment


class JobTypePage(Page[JobType]):
    """A page of job types."""


class CallReason(ResponseModel):
    """A reason a CSR picks to classify a call."""

    call_reason_id: str
    name: str
    is_lead: bool = Field(description="A call classified with it captures a lead")
    active: bool
    created_at: Moment
    updated_at: Moment


class CallReasonPage(Page[CallReason]):
    """A page of call reasons."""


# --- people -----------------------------------------------------------------------------------------------------


class Employee(ResponseModel):
    """An employee."""

    employee_id: str
    name: str
    email: str
    phone: str | None
    role_id: str
    granted_permissions: list[Permission] = Field(description="Their own grants, on top of their role's")
    active: bool = Field(description="false: shut out")
    created_at: Moment
    updated_at: Moment


class EmployeePage(Page[Employee]):
    """A page of employees."""


class Me(Employee):
    """Your employee record, your company and every permission you hold now."""

    tenant_id: str = Field(description="Your company's id")
    permissions: list[Permission] = Field(description="Your role's permissions and your own grants")


class Role(ResponseModel):
    """A role and the permissions it gives."""

    role_id: str
    name: str
    permissions: list[Permission]
    created_at: Moment
    updated_at: Moment


class RolePage(Page[Role]):
    """A page of roles."""


class PermissionDescribed(ResponseModel):
    name: Permission
    description: str = Field(description="What it allows")


class PermissionList(ResponseModel):
    """Every permission a role or an employee can be given."""

    items: list[PermissionDescribed]


# --- calls ------------------------------------------------------------------------------------------------------


class CallClassification(ResponseModel):
    """A CSR's classification of the call: null until it is classified, but for the lead of an abandoned call."""

    call_reason_id: str | None
    is_lead: bool | None = Field(description="Whether the call reason is marked as lead")
    lead_id: str | None = Field(description="The lead captured from the call: by its call reason, or as abandoned")
    notes: str | None
    booked: bool | None = Field(description="Whether the CSR booked a job on the call")
    job_id: str | None
    classified_by: str | None = Field(description="The employee who classified it last")
    classified_at: Moment | None


class DniVisit(ResponseModel):
    """The website visitor session that was shown the number when the call began."""

    session_id: str
    source: dict[str, str] = Field(
        description="Where the visitor came from: utm_source, utm_medium, utm_campaign, gclid, referrer, "
        "landing_url as sent, and `source` and `medium` worked out from them"
    )
    campaign_rule: str = Field(
        description="How the session's campaign was chosen: `rule:<n>` (the n-th source rule, from 0), "
        "`number_campaign` (the number's own campaign) or `unknown`"
    )
    held_from: Moment = Field(description="When the session took the number")
    held_until: Moment = Field(description="Until when the session held it")


class CallAnalysis(ResponseModel):
    """What the call analyser made of the call's transcript."""

    is_prospect: bool
    confidence: float = Field(description="0 to 1: how sure the analyser is of its verdict")
    summary: str = Field(description="One or two sentences on what the call was about")
    reasons: list[str] = Field(description="Short reasons, those for the verdict first")


class Call(ResponseModel):
    """A call, with its attribution and classification."""

    call_id: str
    vendor: one_of(VENDORS) = Field(description="The telephony vendor that reported it")
    direction: Literal["inbound", "outbound"] | None
    from_number: str | None
    to_number: str | None
    status: one_of(STATUS_RANK) | None = Field(description="The call's status as its vendor last reported it")
    answered: bool
    started_at: Moment | None
    ended_at: Moment | None
    duration_seconds: int
    agent: str | None = Field(description="Who answered, as the vendor names them")
    attribution: AttributionKind | None = Field(
        description="attributed to a campaign, unknown (the Unknown campaign) or direct (a direct-dial number or "
        "an outbound call); null until the number called is known"
    )
    campaign_id: str | None
    call_type: CallType | None = Field(description="The number's default call type")
    recording_url: str | None
    recording_status: str | None = Field(description="The recording's state as the vendor says it (completed, ...)")
    transcript: str | None
    dni_session: DniVisit | None = Field(description="For a call to a DNI pool number inside a visitor's session")
    vendor_details: dict[str, str | None] = Field(
        description="What the vendor said beyond the call itself, e.g. CallRail's own source and campaign names"
    )
    classification: CallClassification
    after_call_work_started_at: Moment | None = Field(
        description="When the inbound call's after-call work began (it ended): the CSR's time to classify it"
    )
    scl_evaluation: str | None = Field(
        description="How the Second Chance Leads evaluation ended for the call (created, not-a-prospect, booked, "
        "disabled, no-recording, ...), or where it stands; null when it was never evaluated"
    )
    analysis: CallAnalysis | None = Field(description="The analyser's verdict, when it judged the call")
    updated_at: Moment


class CallPage(Page[Call]):
    """A page of calls, newest first."""


# --- leads and jobs ---------------------------------------------------------------------------------------------


class Lead(ResponseModel):
    """A lead, with its notes and history."""

    lead_id: str
    source: one_of(leads.SOURCES) = Field(description="Where it was captured")
    status: Literal[leads.OPEN, leads.CONVERTED, leads.DISMISSED]
    customer_id: str | None
    location_id: str | None
    customer_phone: str | None
    campaign_id: str | None
    business_unit_id: str | None
    job_type_id: str | None
    priority: Priority | None
    summary: str | None
    tags: list[str]
    notes: list[Note]
    follow_up_date: str | None = Field(description="YYYY-MM-DD, as given")
    call_id: str | None = Field(description="The call it was captured from")
    call_reason_id: str | None = Field(description="The call reason that captured it")
    origin_job_id: str | None = Field(description="The job it was raised from (a job-generated lead)")
    lead_setting_employee_id: str | None = Field(description="Who set a job-generated lead")
    technician_id: str | None
    start: str | None = Field(description="When the work a job-generated lead is for starts, ISO 8601 as given")
    job_id: str | None = Field(description="The job it was converted into")
    dismiss_reason: str | None = Field(description="The reason's code (see GET /v1/lead-dismiss-reasons)")
    history: list[HistoryEntry]
    created_by: str | None = Field(description="The employee who captured it; null when the system did")
    created_at: Moment
    updated_at: Moment


class LeadListed(Lead):
    """A lead in a list, with its customer's name."""

    customer_name: str | None = Field(
        description="The customer's name; null when the lead has no customer or it is not found"
    )


class LeadPage(Page[LeadListed]):
    """A page of leads, newest first, each with its customer's name."""


class Job(ResponseModel):
    """A booked job."""

    job_id: str
    status: Literal["booked"]
    origin: Literal["lead", "booking", "call", "direct"] = Field(
        description="lead or booking: converted from one; call: booked from a call; direct: booked on its own"
    )
    customer_id: str | None
    location_id: str | None
    customer_phone: str | None
    job_type_id: str
    business_unit_id: str
    appointment_start: str = Field(description="ISO 8601, as given")
    appointment_end: str = Field(description="ISO 8601, as given")
    technician_id: str | None
    priority: Priority | None
    campaign_id: str | None
    summary: str | None
    lead_id: str | None = Field(description="The lead it converted")
    call_id: str | None = Field(description="The call it was booked from")
    booked_by: str | None = Field(description="The employee who booked it")
    created_at: Moment


class LeadConversion(ResponseModel):
    """The converted lead and the job it was converted into."""

    lead: Lead
    job: Job


class OpenLead(ResponseModel):
    """An open lead of the customer's, to offer to convert."""

    lead_id: str
    source: one_of(leads.SOURCES)
    campaign_id: str | None
    created_at: Moment
    customer_phone: str | None


class JobBooked(ResponseModel):
    """The job booked, and the customer's open leads (none was converted)."""

    job: Job
    open_leads_for_customer: list[OpenLead] = Field(
        description="The open leads of the customer's phone numbers and the call's: convert one with POST "
        "/v1/leads/{lead_id}/convert"
    )


class DismissReason(ResponseModel):
    """A reason to dismiss leads and bookings."""

    code: str
    label: str
    standard: bool = Field(description="One of the standard reasons (else the company's own)")


class DismissReasonList(ResponseModel):
    """The standard reasons, then the company's own."""

    items: list[DismissReason]


# --- customers --------------------------------------------------------------------------------------------------


class Customer(ResponseModel):
    """A customer."""

    customer_id: str
    name: str
    phones: list[str]
    emails: list[str]
    notes: str | None
    created_at: Moment
    updated_at: Moment


class CustomerList(ResponseModel):
    """The customers who have the number."""

    items: list[Customer]


class ServiceAddress(ResponseModel):
    street: str
    unit: str | None
    city: str
    state: str
    zip: str


class Location(ResponseModel):
    """A customer's service location."""

    location_id: str
    customer_id: str
    name: str | None
    address: ServiceAddress
    notes: str | None
    created_at: Moment


class CustomerWithLocations(Customer):
    """A customer, with their service locations."""

    locations: list[Location]


# --- Second Chance Leads ----------------------------------------------------------------------------------------

SclStatus = one_of(SCL_STATUS_LABELS)


class SecondChanceLeadSummary(ResponseModel):
    """A Second Chance Lead as the queue lists it."""

    scl_id: str
    call_id: str
    phone: str = Field(description="The caller's number")
    status: SclStatus
    status_label: one_of(SCL_STATUS_LABELS.values()) = Field(description="The status as people read it")
    tab: Literal["open", "cold", "done"] = Field(
        description="open: New or Call Back Attempted, younger than the cold-lead threshold; cold: open and older; "
        "done: any other status"
    )
    summary: str = Field(description="What the call was about, for whoever calls back")
    reasons: list[str] = Field(description="Why the call looked like a real prospect")
    confidence: float = Field(description="How sure the analysis was, from 0 to 1")
    call_started_at: Moment | None
    call_type: CallType | None
    campaign_id: str | None
    job_id: str | None = Field(description="The job whose booking ended it")
    created_at: Moment
    updated_at: Moment


class SecondChanceLead(SecondChanceLeadSummary):
    """A Second Chance Lead with the call's details, its notes and history."""

    call_ended_at: Moment | None
    agent: str | None = Field(description="Who took the call (the vendor's agent, or the CSR who classified it)")
    csr_notes: str | None = Field(description="The CSR's notes on the call")
    transcript: str | None
    recording_url: str | None
    notes: list[Note]
    history: list[HistoryEntry]


class SecondChanceLeadPage(Page[SecondChanceLeadSummary]):
    """A page of the queue, newest first."""


class SecondChanceLeadCounts(ResponseModel):
    """How many SCLs each tab of the queue holds."""

    open: int = Field(description="New and Call Back Attempted, younger than the cold-lead threshold")
    cold: int = Field(description="Open, and older than the cold-lead threshold")
    done: int = Field(description="Every SCL that ended")


class SecondChanceLeadBanner(ResponseModel):
    """The caller's open Second Chance Lead, if any."""

    phone: str
    second_chance_lead: SecondChanceLeadSummary | None = Field(
        description=f"The caller's SCL in Open or Cold from {rules.SCL_RECENT_TEXT}; null: none"
    )


class EmployeeWithAccess(ResponseModel):
    employee_id: str
    name: str
    role_id: str
    access_by: Literal["role", "employee grant"] = Field(
        description="Whether the access is their role's, or a permission granted to them"
    )


class SecondChanceLeadSettings(ResponseModel):
    """The Second Chance Leads settings, and who has access."""

    enabled: bool
    after_call_work_minutes: int = Field(
        description="Minutes a CSR has to classify an inbound call after it ends, before it is evaluated"
    )
    cold_lead_threshold_hours: int = Field(description="Hours after which an open Second Chance Lead is Cold")
    employees_with_access: list[EmployeeWithAccess] = Field(
        description="The active employees who hold view_second_chance_leads"
    )


# --- notifications ----------------------------------------------------------------------------------------------


class Notification(ResponseModel):
    """An in-app notification of yours."""

    notification_id: str
    event_type: one_of(KINDS) = Field(description="What happened")
    title: str | None
    text: str | None
    link: str | None = Field(description="The app's page for what it is about")
    subject_id: str | None = Field(description="What it is about: the Second Chance Lead's or the booking's id")
    created_at: Moment
    read: bool
    read_at: Moment | None


class NotificationPage(Page[Notification]):
    """A page of your notifications, newest first."""


class NotificationDismissed(ResponseModel):
    """The notification is out of your list."""

    notification_id: str
    dismissed: Literal[True]


class ChannelsOn(ResponseModel):
    """Whether you are told on each channel."""

    in_app: bool
    email: bool
    sms: bool = Field(description="Texts")


class NotificationPreferences(ResponseModel):
    """The channels you are told on, and where."""

    channels: ChannelsOn
    email: str | None = Field(description="Where emails go: the one you set, else your employee record's")
    mobile_phone: str | None = Field(description="Where texts go: the one you set, else your employee record's")


# --- bookings ---------------------------------------------------------------------------------------------------


class BookingAddress(ResponseModel):
    """The address as the partner or the website gave it: only the parts it gave."""

    address1: str = sometimes("Street and number")
    address2: str = sometimes("Unit, suite, ...")
    city: str = sometimes("City")
    state: str = sometimes("State or province")
    postal_code: str = sometimes("Postal code")


class OnlineAttribution(ResponseModel):
    """How an online booking's campaign was chosen."""

    campaign_id: str | None = Field(description="null: the Unknown campaign")
    matched_by: Literal["campaign", "utm_rule"] | None = Field(
        description="campaign: the `campaign` parameter named one; utm_rule: a UTM rule matched; null: neither"
    )
    rule: int | None = Field(description="The UTM rule that matched, from 1")
    parameters: dict[str, str] = Field(description="The tracking parameters the website sent")
    reason: str | None = Field(description="Why the booking went to Unknown, in words")


class BookingSummary(ResponseModel):
    """A booking as the inbox lists it."""

    booking_id: str
    source: one_of(bookings.SOURCES) = Field(description="partner: a lead partner's lead; online: the website's")
    partner: str | None = Field(description="The lead partner; null for an online booking")
    external_id: str = Field(description="The partner's lead id, or the website's booking id")
    status: one_of(bookings.STATUSES)
    received_at: Moment = Field(description="When the partner or the website took it")
    customer_name: str | None
    phone: str | None
    email: str | None
    address: BookingAddress | None
    category: str | None = Field(description="The service asked for, as the partner or the website named it")
    description: str | None = Field(description="The customer's own words")
    job_type_id: str | None
    business_unit_id: str | None
    campaign_id: str | None
    attribution: OnlineAttribution | None = Field(description="An online booking's; null for a partner's")
    flags: list[str] = Field(
        description="Reasons to look twice, never to drop it: unmapped_category, integration_error, "
        "integration_disconnected, unverified_sender, invalid_phone, unknown_campaign"
    )
    job_id: str | None = Field(description="The job it was converted into")
    dismiss_reason: str | None = Field(description="The reason's code (see GET /v1/lead-dismiss-reasons)")
    created_at: Moment


class QuestionAnswer(ResponseModel):
    question: str
    answer: str


class BookingNote(Note):
    """A note on a booking: a person's, or a message or comment from the partner or the website."""

    by: str | None = Field(description="The employee who wrote it, or the partner (or `online`) it came from")
    id: str = sometimes("The partner's message id, for a partner's message")


class Booking(BookingSummary):
    """A booking with what the partner or website sent, its notes and history."""

    details: list[QuestionAnswer] = Field(description="The partner's questions and the customer's answers")
    requested_times: list[str] = Field(description="Times the customer asked for, each `start/end` in ISO 8601")
    lead_price: str | None = Field(description="What the partner charged for the lead, e.g. 12.50")
    notes: list[BookingNote]
    history: list[HistoryEntry]


class BookingPage(Page[BookingSummary]):
    """A page of the Bookings inbox, newest first."""


class BookingConversion(ResponseModel):
    """The converted booking and the job it was converted into."""

    booking: Booking
    job: Job


class OnlineBookingRule(ResponseModel):
    """Online bookings whose parameters match every field set go to the campaign."""

    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    campaign_id: str


class OnlineBookingSettings(ResponseModel):
    """The website's key (whether there is one) and the attribution rules."""

    key_configured: bool
    key_hint: str | None = Field(description="The key's last 4 characters, to tell keys apart")
    rules: list[OnlineBookingRule] = Field(description="In order: the first match wins")


class OnlineBookingKey(ResponseModel):
    """The website's new key: shown this once."""

    key: str = Field(description="For the website's X-Leadline-Key header")
    key_hint: str = Field(description="The key's last 4 characters, as the settings show it")


# --- integrations and deliveries --------------------------------------------------------------------------------


class CategoryMapping(ResponseModel):
    job_type_id: str
    business_unit_id: str


class IntegrationCounters(ResponseModel):
    """The leads received from the partner, each counted once."""

    leads_received: int
    leads_unmapped: int = Field(description="Received with a category that had no mapping")
    leads_while_error: int = Field(description="Received while the status was error")
    leads_while_disconnected: int = Field(description="Received while the status was disconnected")


class LastLead(ResponseModel):
    at: Moment
    booking_id: str


class LastError(ResponseModel):
    at: Moment
    message: str = Field(description="The last delivery refused or not stored, and why")


IntegrationStatus = one_of(integrations.STATUSES)
WEBHOOK_PATH = "The path (on the partner webhooks' API) the partner sends its leads to"


class Integration(ResponseModel):
    """A lead partner's integration."""

    partner: str
    status: IntegrationStatus
    status_changed_at: Moment | None
    campaign_id: str | None = Field(description="The campaign the partner's leads carry")
    category_map: dict[str, CategoryMapping] = Field(
        description="The partner's category -> the job type and business unit its leads get"
    )
    webhook_path: str = Field(description=WEBHOOK_PATH)
    counters: IntegrationCounters
    last_lead: LastLead | None
    last_error: LastError | None
    updated_by: str | None = Field(description="The employee who set it up last")
    created_at: Moment
    updated_at: Moment


class IntegrationList(ResponseModel):
    """The company's lead partners."""

    items: list[Integration]


IntegrationProblemCode = Literal[
    "not_set_up",
    "credentials_not_configured",
    "status_error",
    "status_disconnected",
    "no_campaign",
    "campaign_not_found",
    "campaign_inactive",
    "nothing_mapped",
    "mapping_job_type_unusable",
    "mapping_business_unit_unusable",
    "unmapped_category",
    "last_delivery_failed",
    "messages_waiting",
    "no_leads_yet",
]


class IntegrationProblem(ResponseModel):
    """A problem of a lead partner's set-up, by name."""

    code: IntegrationProblemCode
    severity: Literal["error", "warning", "info"] = Field(
        description="error: leads are refused or unusable; warning: they arrive flagged or unattributed; info: "
        "worth knowing"
    )
    message: str = Field(description="What is wrong and what to fix, in words")


class CategorySeen(ResponseModel):
    category: str = Field(description="As received; `(no category)` for leads without one")
    leads: int
    unmapped_leads: int = Field(description="Those that had no mapping when they arrived")
    mapped: bool = Field(description="Mapped now")


class UnmappedCategory(ResponseModel):
    category: str
    leads: int = Field(description="Leads that arrived with it unmapped")


class IntegrationDiagnostics(Integration):
    """A set-up partner's integration, and whether its leads will arrive ready to book."""

    ok: bool = Field(description="No error and no warning")
    credentials_configured: bool = Field(description="Whether the operator stored the partner's credentials")
    categories: list[CategorySeen] = Field(description="Every category its leads came with, most leads first")
    unmapped_categories: list[UnmappedCategory]
    messages_waiting: int = Field(description="The partner's messages that arrived before their lead")
    problems: list[IntegrationProblem]


class IntegrationNotSetUp(ResponseModel):
    """A partner that is not set up, and why its leads would not arrive."""

    partner: str
    status: None
    ok: Literal[False]
    credentials_configured: bool = Field(description="Whether the operator stored the partner's credentials")
    webhook_path: str = Field(description=WEBHOOK_PATH)
    problems: list[IntegrationProblem]


class IntegrationCheck(RootModel[IntegrationDiagnostics | IntegrationNotSetUp]):
    """Whether the partner's leads will arrive ready to book, and each problem by name."""

    model_config = ConfigDict(defer_build=True)


class Delivery(ResponseModel):
    """A delivery of a partner or telephony vendor, kept as received."""

    delivery_id: str
    vendor: str = Field(description="The sender: a lead partner or a telephony vendor")
    kind: str | None = Field(description="Which of the sender's webhooks it came to")
    state: Literal[RECEIVED, PROCESSED, REJECTED] = Field(
        description="received: waiting to be applied; processed: applied; rejected: could not be, see reason"
    )
    reason: str | None = Field(description="Why it was not applied")
    call_id: str | None
    received_at: Moment
    updated_at: Moment
    attempts: int = Field(description="How many times staff asked to apply it again")


class DeliveryWithBody(Delivery):
    """A delivery with its body as it was received."""

    body: str | None = Field(description="The body as received")


class DeliveryPage(Page[Delivery]):
    """A page of a sender's deliveries, newest first."""


# --- dynamic number insertion -----------------------------------------------------------------------------------


class DniRule(ResponseModel):
    """Visitors whose source matches every field it has (without case) belong to the campaign."""

    utm_source: str = sometimes("e.g. google")
    utm_medium: str = sometimes("e.g. cpc")
    utm_campaign: str = sometimes("The campaign's UTM name")
    campaign_id: str


class DniInstall(ResponseModel):
    """Where the snippet and its test page are, and the tag that installs it."""

    snippet_path: str
    test_page_path: str
    sessions_path: str
    snippet_url: str | None = Field(description="null until the public API's address is known")
    test_page_url: str | None
    html: str | None = Field(description="The <script> tag for the <head> of every page of the website")


class DniConfig(ResponseModel):
    """The company's dynamic number insertion, and how to install it."""

    configured: bool = Field(description="false until set; then the other fields are the defaults")
    domain: str | None = Field(description="The website's bare domain")
    pool: list[str] = Field(description="The tracking numbers shown to visitors, one per visitor session")
    session_minutes: int = Field(description="How long a number stays held for a visitor, in minutes")
    default_number: str | None = Field(description="The number the website shows without DNI")
    source_rules: list[DniRule] = Field(description="In order: the first match wins")
    install: DniInstall
    updated_at: Moment | None


# --- reports ----------------------------------------------------------------------------------------------------


class Report(ResponseModel):
    from_: Day = Field(alias="from", description="The first day, YYYY-MM-DD")
    to: Day = Field(description="The last day (included), YYYY-MM-DD")


class CampaignSummaryCounts(ResponseModel):
    calls: int
    lead_calls: int = Field(description="Calls of the lead call type")
    leads: int
    leads_converted: int
    booked_jobs: int
    lead_to_booking_rate: Rate
    scls_created: int
    scls_saved: int = Field(description="Second Chance Leads that ended with a job they brought")


class CampaignSummaryRow(CampaignSummaryCounts):
    campaign_id: str = Field(description="The campaign's id, or unknown, or direct")
    campaign: str = Field(description="Its name (Unknown, Direct)")


class CampaignSummaryReport(Report):
    """A row per campaign, the Unknown row always, and the totals."""

    rows: list[CampaignSummaryRow]
    totals: CampaignSummaryCounts
    attribution_rate: Rate = Field(description="The share of calls attributed to a campaign")


class LeadVolumeDay(ResponseModel):
    day: Day
    leads: int
    by_source: dict[str, int] = Field(description="Leads by source (only the sources with leads)")
    leads_converted: int = Field(description="Of the day's leads, those converted")
    lead_to_booking_rate: Rate


class LeadVolumeReport(Report):
    """Leads by day and source."""

    sources: list[str] = Field(description="The lead sources seen over the days")
    days: list[LeadVolumeDay]


class SclRecoveryDay(ResponseModel):
    day: Day
    scls_created: int
    scls_followed_up: int = Field(description="Of those, called back or saved")
    scls_saved: int


class SclOutcome(ResponseModel):
    status: SclStatus
    label: str
    scls: int


class SclRecoveryReport(Report):
    """Of the Second Chance Leads created each day: followed up and saved; and the outcome mix."""

    scls_created: int
    scls_followed_up: int
    scls_saved: int
    follow_up_rate: Rate
    save_rate: Rate
    outcome_mix: list[SclOutcome] = Field(description="The SCLs of the days by their status now")
    days: list[SclRecoveryDay]


class CsrPerformanceRow(ResponseModel):
    employee_id: str
    name: str
    calls_handled: int = Field(description="Calls they classified")
    booked_jobs: int
    booking_rate: Rate
    scls_raised: int = Field(description="Second Chance Leads raised from their calls")
    scls_saved: int = Field(description="Second Chance Leads they saved")


class CsrPerformanceReport(Report):
    """A row per CSR."""

    rows: list[CsrPerformanceRow]
