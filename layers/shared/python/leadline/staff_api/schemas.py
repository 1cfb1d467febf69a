"""Request bodies. Unknown fields are refused (a typo must not pass silently); on PATCH bodies a field left out
is unchanged, and only fields that may be empty accept null."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


class SclSettingsPatch(Body):
    enabled: bool = None  # type: ignore[assignment]
    after_call_work_minutes: int = None  # type: ignore[assignment]
    cold_lead_threshold_hours: Annotated[int, Field(ge=1, le=24 * 30)] = None  # type: ignore[assignment]


class SettingsPatch(Body):
    name: Name = None  # type: ignore[assignment]
    time_zone: str = None  # type: ignore[assignment]
    sms_registered: bool = None  # type: ignore[assignment]
    second_chance_leads: SclSettingsPatch = None  # type: ignore[assignment]

    def changes(self) -> dict:
        out = self.model_dump(exclude_unset=True, exclude={"second_chance_leads"})
        if self.second_chance_leads is not None:
            out["second_chance_leads"] = self.second_chance_leads.changes()
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
