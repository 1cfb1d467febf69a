"""Request bodies. Unknown fields are refused (a typo must not pass silently); on PATCH bodies a field left out
is unchanged, and only fields that may be empty accept null."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from leadline.dni.rules import (
    DEFAULT_SESSION_MINUTES,
    MAX_POOL,
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    check_domain,
)
from leadline.errors import InvalidInput
from leadline.permissions import unknown_permissions
from leadline.phones import to_e164


def _e164(value: str) -> str:
    try:
        return to_e164(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an email address (expected name@example.com)")
    return value


def _ident(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", value):
        raise ValueError("not an id: letters, digits, '_' and '-' only, at most 64")
    return value


def _known_permissions(value: set[str]) -> set[str]:
    unknown = unknown_permissions(value)
    if unknown:
        raise ValueError(f"unknown permission(s): {', '.join(unknown)}; see GET /v1/permissions")
    return value


Phone = Annotated[str, AfterValidator(_e164)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Ident = Annotated[str, AfterValidator(_ident)]
Email = Annotated[str, AfterValidator(_email)]
Permissions = Annotated[set[str], AfterValidator(_known_permissions), Field(max_length=50)]
NumberType = Literal["tracking", "direct_dial"]
CallType = Literal["lead", "not_lead"]


class Body(BaseModel):
    # defer_build: a model is built at its route's first request (or with the document), not with its area
    model_config = ConfigDict(extra="forbid", defer_build=True)

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


class SclSettingsPatch(Body):
    enabled: bool = None  # type: ignore[assignment]
    after_call_work_minutes: int = None  # type: ignore[assignment]
    cold_lead_threshold_hours: Annotated[int, Field(ge=1, le=24 * 30)] = None  # type: ignore[assignment]


def _sender(value: str) -> str:
    """`leads@acme.example` or `Acme Leads <leads@acme.example>`: a verified SES identity."""
    found = re.fullmatch(r"\s*(?:([^<>\r\n]{1,100}?)\s*<([^<>\s]+)>|([^<>\s]+))\s*", value)
    address = found and (found.group(2) or found.group(3))
    if not address:
        raise ValueError("not a sender (expected leads@example.com or Name <leads@example.com>)")
    address = _email(address)
    return f"{found.group(1).strip()} <{address}>" if found.group(1) else address


def _base_url(value: str) -> str:
    value = value.strip().rstrip("/")
    local = re.fullmatch(r"http://(127\.0\.0\.1|localhost)(:\d+)?(/\S*)?", value)
    if not (local or re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?(/\S*)?", value)):
        raise ValueError("must be an https:// URL (the base of links to the app), e.g. https://app.example.com")
    return value


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class NotificationSettingsPatch(Body):
    sender: Annotated[str, AfterValidator(_sender)] | None = None
    app_base_url: Annotated[str, AfterValidator(_base_url)] | None = None
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
    sms_registered: bool = None  # type: ignore[assignment]
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
    in_app: bool = None  # type: ignore[assignment]
    email: bool = None  # type: ignore[assignment]
    sms: bool = None  # type: ignore[assignment]


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
    active: bool = True
    dnis: Phone | None = Field(default=None, description="The campaign's Advertised Number, E.164")


class CampaignPatch(Body):
    name: Name = None  # type: ignore[assignment]
    category: Name | None = None
    active: bool = None  # type: ignore[assignment]
    dnis: Phone | None = None


class TrackingNumberIn(Body):
    number: Phone
    number_type: NumberType = "tracking"
    label: Name | None = None
    forwarding_number: Phone | None = None
    default_call_type: CallType = "lead"
    sms_registered: bool = False
    campaign_id: Ident | None = None


class TrackingNumberPatch(Body):
    number_type: NumberType = None  # type: ignore[assignment]
    label: Name | None = None
    forwarding_number: Phone | None = None
    default_call_type: CallType = None  # type: ignore[assignment]
    sms_registered: bool = None  # type: ignore[assignment]
    campaign_id: Ident | None = None


class BusinessUnitIn(Body):
    name: Name
    active: bool = True


class BusinessUnitPatch(Body):
    name: Name = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


class JobTypeIn(Body):
    name: Name
    business_unit_ids: Annotated[set[Ident], Field(max_length=100)] = Field(default_factory=set)
    active: bool = True


class JobTypePatch(Body):
    name: Name = None  # type: ignore[assignment]
    business_unit_ids: Annotated[set[Ident], Field(max_length=100)] = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


class CallReasonIn(Body):
    name: Name
    is_lead: bool = False
    active: bool = True


class CallReasonPatch(Body):
    name: Name = None  # type: ignore[assignment]
    is_lead: bool = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


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
    active: bool = True


class EmployeePatch(Body):
    name: Name = None  # type: ignore[assignment]
    email: Email = None  # type: ignore[assignment]
    phone: Phone | None = None
    role_id: Ident = None  # type: ignore[assignment]
    granted_permissions: Permissions = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


class ClassificationIn(Body):
    call_reason_id: Ident
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None
    booked: bool | None = None
    job_id: Ident | None = None


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Priority = Literal["low", "normal", "high", "urgent"]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]


def _moment(value: str) -> str:
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("not an ISO 8601 date and time (e.g. 2026-11-24T09:00:00-06:00)") from None
    return value


Moment = Annotated[str, AfterValidator(_moment)]


class LeadIn(Body):
    customer_id: Ident
    location_id: Ident | None = None
    campaign_id: Ident | None = None
    business_unit_id: Ident | None = None
    job_type_id: Ident | None = None
    priority: Priority | None = None
    summary: Text | None = None
    notes: Text | None = None
    tags: Annotated[set[Tag], Field(max_length=20)] = Field(default_factory=set)
    follow_up_date: IsoDate | None = None


class LeadPatch(Body):
    campaign_id: Ident | None = None
    business_unit_id: Ident | None = None
    job_type_id: Ident | None = None
    priority: Priority | None = None
    summary: Text | None = None
    tags: Annotated[set[Tag], Field(max_length=20)] = None  # type: ignore[assignment]
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
        from datetime import datetime

        start = datetime.fromisoformat(self.appointment_start.replace("Z", "+00:00"))
        end = datetime.fromisoformat(self.appointment_end.replace("Z", "+00:00"))
        if (start.tzinfo is None) != (end.tzinfo is None) or end <= start:
            raise ValueError("appointment_end must come after appointment_start (both with or without an offset)")
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
    tags: Annotated[set[Tag], Field(max_length=20)] = Field(default_factory=set)


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
    status: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    why: Text | None = None


class SclDismissIn(Body):
    reason: Literal["not_a_lead", "lead_not_following_up"]


class SclNoteIn(Body):
    text: Text
    copy_to_customer_id: Ident | None = None
    copy_to_location_id: Ident | None = None


class SclSettingsPut(Body):
    enabled: bool = None  # type: ignore[assignment]
    after_call_work_minutes: int = None  # type: ignore[assignment]
    cold_lead_threshold_hours: Annotated[int, Field(ge=1, le=24 * 30)] = None  # type: ignore[assignment]


PartnerCategory = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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


def _dni_domain(value: str) -> str:
    try:
        return check_domain(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


UtmValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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


class DniConfigPut(Body):
    domain: Annotated[str, AfterValidator(_dni_domain)] = Field(
        description="The website's bare domain, e.g. acme-home.example (no http://, path or port)"
    )
    pool: Annotated[list[Phone], Field(max_length=100)] = Field(
        description=f"The company's tracking numbers shown to visitors, one per visitor session (1 to {MAX_POOL})"
    )
    session_minutes: int = Field(
        default=DEFAULT_SESSION_MINUTES,
        description=f"How long a number stays held for a visitor ({MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES})",
    )
    default_number: Phone = Field(description="The number the website shows without DNI (not a pool number)")
    source_rules: Annotated[list[DniSourceRule], Field(max_length=20)] = Field(default_factory=list)
