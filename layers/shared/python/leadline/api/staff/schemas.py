"""Request bodies. Unknown fields are refused (a typo must not pass silently); on PATCH bodies a field left out
is unchanged, and only fields that may be empty accept null.

What the document says a value looks like is what the API checks, with the same patterns: booleans and whole numbers
are JSON's own (never 0 for false, nor "5" for 5); text is within its lengths as sent and not blank (ASCII white
space only, which is also all that is trimmed); ids, emails, days and moments have the patterns below. What a
pattern cannot say is checked beyond it (422 naming the field): a phone number must be one in its country's
numbering plan, a domain a hostname, a day or a moment one of the calendar, a record an id names must exist."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from leadline import rules
from leadline.dni.rules import (
    DEFAULT_SESSION_MINUTES,
    MAX_POOL,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    check_domain,
    check_session_minutes,
)
from leadline.errors import InvalidInput
from leadline.permissions import ALL_PERMISSIONS
from leadline.phones import to_e164
from leadline.scl_statuses import LABELS as SCL_STATUSES

# The patterns are ECMA 262 and Python alike (no \s, \d or \w, whose meaning differs between them): what a client
# checks with the document is what the API checks.
# White space, Unicode's too (both languages' classes differ on it), and the invisible zero-width space and BOM.
BLANK = (
    " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_BLANK_CLASS = "".join(f"\\u{ord(c):04x}" for c in BLANK)  # as \u escapes: the document stays readable
NOT_BLANK = f"[^{_BLANK_CLASS}]"
IDENT = "^[A-Za-z0-9_-]{1,64}$"
_ADDRESS = f"[^@<>{_BLANK_CLASS}]+@[^@<>{_BLANK_CLASS}]+\\.[^@<>{_BLANK_CLASS}]+"
EMAIL = f"^{_ADDRESS}$"
SENDER = f"^(?:[^<>\\r\\n]{{1,100}}<{_ADDRESS}>|{_ADDRESS})$"
# A phone number as people write it, (512) 555-0100, +1 512-555-0100, ...: then its numbering plan decides. (A space
# first is a + sent unencoded in a query.)
PHONE = "^[+]?[0-9 ().-]*[0-9][0-9 ().-]*$"
PHONE_LENGTH = 40
DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MOMENT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.][0-9]{1,6})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
BASE_URL = "^(?:https://[A-Za-z0-9.-]+|http://(?:127[.]0[.]0[.]1|localhost))(?::[0-9]{1,5})?(?:/[^ \t\n\r\f\v]*)?$"


def _checked(pattern: str, message: str, then=None, *, min_length=None, max_length=None, **schema: Any) -> Any:
    """A string the document gives `pattern` (its lengths and `schema`), checked with them here (`message` when it
    does not match the pattern), then by `then`, which may refuse what a pattern cannot say and returns the value
    to use."""
    compiled = re.compile(pattern.removesuffix("$") + r"\Z" if pattern.endswith("$") else pattern)  # $: the end

    def check(value: str) -> str:
        if not compiled.search(value):
            raise ValueError(message)
        return then(value) if then else value

    extra = {"pattern": pattern, **schema}
    field = Field(min_length=min_length, max_length=max_length, json_schema_extra=extra)
    return Annotated[str, field, AfterValidator(check)]


def _text(max_length: int) -> Any:
    """Text of 1 to `max_length` characters as sent, not blank; kept without the white space around it."""
    return _checked(NOT_BLANK, "is blank", lambda value: value.strip(BLANK), min_length=1, max_length=max_length)


def _unique(max_items: int) -> Callable[[Any], Any]:
    def check(items: Any) -> Any:
        if not isinstance(items, list):
            return items
        if len(items) > max_items:  # before any item is read (a set's own maxItems counts them once deduplicated)
            raise ValueError(f"lists at most {max_items} items")
        seen = Counter(json.dumps(item, sort_keys=True) for item in items)
        repeated = sorted(str(json.loads(key))[:50] for key, count in seen.items() if count > 1)
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once")
        return items

    return check


def _json_whole_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a whole number")
    if isinstance(value, float) and not -(2**53) <= value <= 2**53:  # JSON's exact whole numbers, told in words
        raise ValueError("Input should be a whole number of at most 16 digits")
    return value


def whole_number(minimum: int, maximum: int, check: Callable[[int], int] | None = None) -> Any:
    """JSON's whole number, as JSON Schema's integer (5 or 5.0, never "5" nor true), from minimum to maximum; told
    in `check`'s words (a domain check that raises InvalidInput) if given."""
    if check is None:
        return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_json_whole_number)]  # Field first
    bounds = Field(json_schema_extra={"minimum": minimum, "maximum": maximum})
    return Annotated[int, bounds, BeforeValidator(_json_whole_number), AfterValidator(_in_words(check))]


def _in_words(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A domain check as a validator: its InvalidInput a ValueError, which names the field it checks."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None

    return validate


def unique_set(item: Any, max_items: int) -> Any:
    """A JSON array of distinct items (as the document's uniqueItems says), read as a set."""
    return Annotated[set[item], Field(max_length=max_items), BeforeValidator(_unique(max_items))]


def calendar_day(value: str | None) -> str | None:
    """A day (already of the pattern DAY) that the calendar has: not 2026-02-30."""
    try:
        value is None or date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a day of the calendar (YYYY-MM-DD)") from None
    return value


def _moment(value: str) -> str:
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("not a moment of the calendar (e.g. 2026-11-24T09:00:00-06:00)") from None
    return value


def _sender(value: str) -> str:
    """`leads@acme.example` or `Acme Leads <leads@acme.example>`: a verified SES identity; the address in lower case."""
    name, _, address = value.rpartition("<")
    address = address.removesuffix(">").lower()
    name = name.strip(BLANK)
    return f"{name} <{address}>" if name else address


_ID_MESSAGE = "not an id: letters, digits, '_' and '-' only, at most 64"
_MOMENT_MESSAGE = "not an ISO 8601 date and time with an offset (e.g. 2026-11-24T09:00:00-06:00)"

PHONE_MESSAGE = "phone numbers are digits, spaces, ( ) . - and a leading + only"
_PHONE_CHARACTERS = re.compile(PHONE.removesuffix("$") + r"\Z")


def phone_as_written(value: str | None) -> str | None:
    """A phone number in a query: of the pattern PHONE, told in words; its numbering plan is the route's to check."""
    if value is not None and not _PHONE_CHARACTERS.search(value):
        raise ValueError(PHONE_MESSAGE)
    return value


Phone = _checked(
    PHONE,
    PHONE_MESSAGE,
    _in_words(to_e164),
    max_length=PHONE_LENGTH,
    examples=["+15125550100"],
)
Name = _text(200)
Text = _text(5000)
Tag = _text(50)
Ident = _checked(IDENT, _ID_MESSAGE)
Email = _checked(EMAIL, "not an email address (expected name@example.com)", str.lower, max_length=254)
Sender = _checked(
    SENDER, "not a sender (expected leads@example.com or Name <leads@example.com>)", _sender, max_length=400
)
BaseUrl = _checked(
    BASE_URL,
    "must be an https:// URL (the base of links to the app), e.g. https://app.example.com",
    lambda value: value.rstrip("/"),
)
IsoDate = _checked(DAY, "not a day (YYYY-MM-DD)", calendar_day, format="date")
Moment = _checked(MOMENT, _MOMENT_MESSAGE, _moment, format="date-time")
PermissionName = Annotated[str, Field(json_schema_extra={"enum": sorted(ALL_PERMISSIONS)})]


def _known_permissions(value: set[str]) -> set[str]:
    unknown = sorted(value - ALL_PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permission(s): {', '.join(unknown)}; see GET /v1/permissions")
    return value


Permissions = Annotated[unique_set(PermissionName, 50), AfterValidator(_known_permissions)]
SclStatus = Literal[tuple(SCL_STATUSES)]
NumberType = Literal["tracking", "direct_dial"]
CallType = Literal["lead", "not_lead"]
AfterCallWorkMinutes = whole_number(rules.AFTER_CALL_WORK_MINUTES_MIN, rules.AFTER_CALL_WORK_MINUTES_MAX)
ColdLeadThresholdHours = whole_number(1, 24 * 30)


class Body(BaseModel):
    # defer_build: a model is built at its route's first request (or with the document), not with its area
    model_config = ConfigDict(extra="forbid", defer_build=True)

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


class SclSettingsPatch(Body):
    enabled: StrictBool = None  # type: ignore[assignment]
    after_call_work_minutes: AfterCallWorkMinutes = None  # type: ignore[assignment]
    cold_lead_threshold_hours: ColdLeadThresholdHours = None  # type: ignore[assignment]


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class NotificationSettingsPatch(Body):
    sender: Sender | None = None
    app_base_url: BaseUrl | None = None
    quiet_hours_start: ClockTime | None = Field(default=None, description="HH:MM, the company's time; texts wait")
    quiet_hours_end: ClockTime | None = Field(default=None, description="HH:MM, when held texts go")

    @model_validator(mode="after")
    def _both_or_neither(self) -> NotificationSettingsPatch:
        fields = self.model_fields_set & {"quiet_hours_start", "quiet_hours_end"}
        if len(fields) == 1:
            raise ValueError("set quiet_hours_start and quiet_hours_end together (both null for none)")
        if fields and (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValueError("quiet_hours_start and quiet_hours_end are both set or both null")
        if fields and self.quiet_hours_start is not None and self.quiet_hours_start == self.quiet_hours_end:
            raise ValueError("quiet hours that start when they end are empty: use null for none")
        return self


class SettingsPatch(Body):
    name: Name = None  # type: ignore[assignment]
    time_zone: str = None  # type: ignore[assignment]
    sms_registered: StrictBool = None  # type: ignore[assignment]
    second_chance_leads: SclSettingsPatch = None  # type: ignore[assignment]
    notifications: NotificationSettingsPatch = None  # type: ignore[assignment]

    def changes(self) -> dict:
        out = self.model_dump(exclude_unset=True, exclude={"second_chance_leads", "notifications"})
        if self.second_chance_leads is not None:
            out["second_chance_leads"] = self.second_chance_leads.changes()
        if self.notifications is not None:
            out["notifications"] = self.notifications.changes()
        return out


class NotificationChannels(Body):
    in_app: StrictBool = None  # type: ignore[assignment]
    email: StrictBool = None  # type: ignore[assignment]
    sms: StrictBool = None  # type: ignore[assignment]


class NotificationPreferencesPut(Body):
    channels: NotificationChannels = None  # type: ignore[assignment]
    email: Email | None = Field(default=None, description="Where emails go; null: the employee's own")
    mobile_phone: Phone | None = Field(default=None, description="Where texts go, E.164; null: the employee's phone")

    def changes(self) -> dict:
        out = self.model_dump(exclude_unset=True, exclude={"channels"})
        if self.channels is not None:
            out["channels"] = self.channels.changes()
        return out


class CampaignIn(Body):
    name: Name
    category: Name | None = None
    active: StrictBool = True
    dnis: Phone | None = Field(default=None, description="The campaign's Advertised Number, E.164")


class CampaignPatch(Body):
    name: Name = None  # type: ignore[assignment]
    category: Name | None = None
    active: StrictBool = None  # type: ignore[assignment]
    dnis: Phone | None = None


class TrackingNumberIn(Body):
    number: Phone
    number_type: NumberType = "tracking"
    label: Name | None = None
    forwarding_number: Phone | None = None
    default_call_type: CallType = "lead"
    sms_registered: StrictBool = False
    campaign_id: Ident | None = None


class TrackingNumberPatch(Body):
    number_type: NumberType = None  # type: ignore[assignment]
    label: Name | None = None
    forwarding_number: Phone | None = None
    default_call_type: CallType = None  # type: ignore[assignment]
    sms_registered: StrictBool = None  # type: ignore[assignment]
    campaign_id: Ident | None = None


class BusinessUnitIn(Body):
    name: Name
    active: StrictBool = True


class BusinessUnitPatch(Body):
    name: Name = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]


class JobTypeIn(Body):
    name: Name
    business_unit_ids: unique_set(Ident, 100) = Field(default_factory=set)
    active: StrictBool = True


class JobTypePatch(Body):
    name: Name = None  # type: ignore[assignment]
    business_unit_ids: unique_set(Ident, 100) = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]


class CallReasonIn(Body):
    name: Name
    is_lead: StrictBool = False
    active: StrictBool = True


class CallReasonPatch(Body):
    name: Name = None  # type: ignore[assignment]
    is_lead: StrictBool = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]


class RoleIn(Body):
    name: Name
    permissions: Permissions = Field(default_factory=set)


class RolePatch(Body):
    name: Name = None  # type: ignore[assignment]
    permissions: Permissions = None  # type: ignore[assignment]


class EmployeeIn(Body):
    name: Name
    email: Email
    phone: Phone | None = None
    role_id: Ident
    granted_permissions: Permissions = Field(default_factory=set)
    active: StrictBool = True


class EmployeePatch(Body):
    name: Name = None  # type: ignore[assignment]
    email: Email = None  # type: ignore[assignment]
    phone: Phone | None = None
    role_id: Ident = None  # type: ignore[assignment]
    granted_permissions: Permissions = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]


class ClassificationIn(Body):
    call_reason_id: Ident
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None
    booked: StrictBool | None = None
    job_id: Ident | None = None


Priority = Literal["low", "normal", "high", "urgent"]


class LeadIn(Body):
    customer_id: Ident
    location_id: Ident | None = None
    campaign_id: Ident | None = None
    business_unit_id: Ident | None = None
    job_type_id: Ident | None = None
    priority: Priority | None = None
    summary: Text | None = None
    notes: Text | None = None
    tags: unique_set(Tag, 20) = Field(default_factory=set)
    follow_up_date: IsoDate | None = None


class LeadPatch(Body):
    campaign_id: Ident | None = None
    business_unit_id: Ident | None = None
    job_type_id: Ident | None = None
    priority: Priority | None = None
    summary: Text | None = None
    tags: unique_set(Tag, 20) = None  # type: ignore[assignment]
    follow_up_date: IsoDate | None = None


class NoteIn(Body):
    text: Text


class JobDetails(Body):
    job_type_id: Ident
    business_unit_id: Ident
    appointment_start: Moment
    appointment_end: Moment
    technician_id: Ident | None = None
    priority: Priority | None = None
    summary: Text | None = None

    @model_validator(mode="after")
    def _window(self):
        start = datetime.fromisoformat(self.appointment_start.upper().replace("Z", "+00:00"))
        end = datetime.fromisoformat(self.appointment_end.upper().replace("Z", "+00:00"))
        if end <= start:  # an InvalidInput, not a ValueError: it names the field, not the body
            raise InvalidInput("appointment_end must come after appointment_start", field="appointment_end")
        return self


class ConvertIn(JobDetails):
    customer_id: Ident | None = Field(
        default=None,
        description="For a lead without a customer (one captured from a call): the customer the job, and the lead, "
        "are for. A lead that has a customer keeps it: naming another is refused.",
    )


class JobIn(JobDetails):
    customer_id: Ident
    location_id: Ident | None = None
    campaign_id: Ident | None = None
    call_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


class JobLeadIn(Body):
    business_unit_id: Ident
    job_type_id: Ident
    priority: Priority | None = None
    start: Moment | None = Field(default=None, description="Start date and time of the work the lead is for")
    lead_setting_employee_id: Ident
    technician_id: Ident | None = None
    summary: Text
    tags: unique_set(Tag, 20) = Field(default_factory=set)


class DismissIn(Body):
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,50}$")]
    note: Text | None = None


class ReopenIn(Body):
    why: Text | None = None


class DismissReasonIn(Body):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,50}$")]
    label: Name


class Address(Body):
    street: Name
    unit: Annotated[str, StringConstraints(max_length=50)] | None = None
    city: Name
    state: Annotated[str, StringConstraints(min_length=2, max_length=50)]
    zip: Annotated[str, StringConstraints(min_length=3, max_length=12)]


class CustomerIn(Body):
    name: Name
    phones: Annotated[list[Phone], Field(max_length=10)] = Field(default_factory=list)
    emails: Annotated[list[Email], Field(max_length=10)] = Field(default_factory=list)
    notes: Text | None = None


class CustomerPatch(Body):
    name: Name = None  # type: ignore[assignment]
    phones: Annotated[list[Phone], Field(max_length=10)] = None  # type: ignore[assignment]
    emails: Annotated[list[Email], Field(max_length=10)] = None  # type: ignore[assignment]
    notes: Text | None = None


class LocationIn(Body):
    name: Name | None = None
    address: Address
    notes: Text | None = None


class SclStatusIn(Body):
    status: SclStatus
    why: Text | None = None


class SclDismissIn(Body):
    reason: Literal["not_a_lead", "lead_not_following_up"]


class SclNoteIn(Body):
    text: Text
    copy_to_customer_id: Ident | None = None
    copy_to_location_id: Ident | None = None


class SclSettingsPut(Body):
    enabled: StrictBool = None  # type: ignore[assignment]
    after_call_work_minutes: AfterCallWorkMinutes = None  # type: ignore[assignment]
    cold_lead_threshold_hours: ColdLeadThresholdHours = None  # type: ignore[assignment]


PartnerCategory = _text(200)


class CategoryTarget(Body):
    job_type_id: Ident
    business_unit_id: Ident


class IntegrationPut(Body):
    """A lead partner's set-up; a field left out is unchanged."""

    status: Literal["active", "error", "disconnected"] = None  # type: ignore[assignment]
    campaign_id: Ident | None = Field(default=None, description="The campaign the partner's leads carry")
    category_map: Annotated[dict[PartnerCategory, CategoryTarget], Field(max_length=300)] = Field(
        default=None,  # type: ignore[arg-type]
        description="The partner's category (as it sends it; case and spacing do not matter) -> job type and "
        "business unit. The whole map: a category left out is unmapped.",
    )


# --- dynamic number insertion -------------------------------------------------------------------


UtmValue = _text(200)


class DniSourceRule(Body):
    """Visitors whose source matches every field given (without case) belong to the campaign; first match wins."""

    utm_source: UtmValue | None = Field(default=None, description="e.g. google; gclid visits are google")
    utm_medium: UtmValue | None = Field(default=None, description="e.g. cpc; referrals are referral or organic")
    utm_campaign: UtmValue | None = None
    campaign_id: Ident

    @model_validator(mode="after")
    def _matches_something(self) -> DniSourceRule:
        if not (self.utm_source or self.utm_medium or self.utm_campaign):
            raise ValueError("a source rule names at least one of utm_source, utm_medium, utm_campaign")
        return self


def _pool_size(pool: Any) -> Any:
    """Before the numbers are read, so that a pool too long is refused at once."""
    if isinstance(pool, list) and not pool:
        raise ValueError("the pool needs at least one tracking number: each visitor is shown one")
    if isinstance(pool, list) and len(pool) > MAX_POOL:
        raise ValueError(f"the pool holds at most {MAX_POOL} numbers")
    return pool


class DniConfigPut(Body):
    domain: Annotated[str, AfterValidator(_in_words(check_domain))] = Field(
        description="The website's bare domain, e.g. acme-home.example (no http://, path or port)",
        examples=["acme-home.example"],
    )
    pool: Annotated[list[Phone], BeforeValidator(_pool_size)] = Field(
        description="The company's tracking numbers shown to visitors, one per visitor session",
        json_schema_extra={"minItems": 1, "maxItems": MAX_POOL},
    )
    session_minutes: whole_number(MIN_SESSION_MINUTES, MAX_SESSION_MINUTES, check_session_minutes) = Field(  # type: ignore[valid-type]
        default=DEFAULT_SESSION_MINUTES,
        description="How long a number stays held for a visitor, in minutes",
    )
    default_number: Phone = Field(description="The number the website shows without DNI (not a pool number)")
    source_rules: Annotated[list[DniSourceRule], Field(max_length=20)] = Field(default_factory=list)
