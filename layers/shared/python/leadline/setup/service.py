"""Set-up operations and their rules. Inputs are already shaped by the API edge; the rules that need the
tenant's data (uniqueness, references between records) are enforced here, race-free, in DynamoDB."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadline.data import store
from leadline.data.models import (
    BusinessUnit,
    CallReason,
    Campaign,
    DnisClaim,
    EmailClaim,
    Employee,
    JobType,
    RecordModel,
    Role,
    TenantSettings,
    TrackingNumber,
    tenant_pk,
)
from leadline.data.store import Page, TxStep
from leadline.errors import Forbidden, InvalidInput
from leadline.ids import new_id
from leadline.permissions import DEFAULT_ROLES, unknown_permissions
from leadline.setup.attribution import diagnose

SETTINGS_SK = "SETTINGS"
MAX_AFTER_CALL_WORK_MINUTES = 120


def _sk(kind: str, ident: str) -> str:
    return f"{kind}#{ident}"


def _view(item: RecordModel, *fields: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(item, name)
        out[name] = sorted(value) if isinstance(value, set) else value
    out["created_at"] = item.created_at
    out["updated_at"] = item.updated_at
    return out


def _apply(item: RecordModel, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(item, name, value)


def _page_view(page: Page, view) -> dict[str, Any]:
    return {"items": [view(i) for i in page.items], "next_token": page.next_token}


# --- tenant settings ---------------------------------------------------------------------------


def settings_view(s: TenantSettings) -> dict[str, Any]:
    return {
        "tenant_id": s.tenant_id,
        "name": s.name,
        "time_zone": s.time_zone,
        "sms_registered": s.sms_registered,
        "second_chance_leads": {
            "enabled": s.scl_enabled,
            "after_call_work_minutes": int(s.after_call_work_minutes),
            "cold_lead_threshold_hours": int(s.cold_lead_threshold_hours),
        },
        "notifications": {
            "sender": s.notification_sender,
            "app_base_url": s.app_base_url,
            "quiet_hours_start": s.quiet_hours_start,
            "quiet_hours_end": s.quiet_hours_end,
        },
        "updated_at": s.updated_at,
    }


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"time_zone '{name}' is not an IANA time zone (e.g. America/Chicago)", field="time_zone"
        ) from None
    return name


def check_after_call_work_minutes(minutes: int) -> int:
    if minutes < 1:
        raise InvalidInput(
            "after_call_work_minutes must be at least 1: the CSR needs time to classify the call before it is "
            "evaluated, and under 5 minutes often raises Second Chance Leads for calls still being booked",
            field="second_chance_leads.after_call_work_minutes",
        )
    if minutes > MAX_AFTER_CALL_WORK_MINUTES:
        raise InvalidInput(
            f"after_call_work_minutes must be at most {MAX_AFTER_CALL_WORK_MINUTES}: after that the caller has "
            "likely found another company, and the Second Chance Lead comes too late to save",
            field="second_chance_leads.after_call_work_minutes",
        )
    return minutes


def create_tenant(tenant_id: str, *, name: str, time_zone: str) -> TenantSettings:
    """A new tenant with default settings (SCL off, 5 minutes of after-call work) and the default roles."""
    settings = store.new_item(TenantSettings, tenant_id, SETTINGS_SK, name=name, time_zone=check_time_zone(time_zone))
    store.create(settings, "tenant")
    for role_id, (role_name, permissions) in DEFAULT_ROLES.items():
        store.create(
            store.new_item(
                Role, tenant_id, _sk("ROLE", role_id), role_id=role_id, name=role_name, permissions=set(permissions)
            ),
            f"role {role_id}",
        )
    return settings


def get_settings(tenant_id: str) -> dict[str, Any]:
    return settings_view(store.get_or_404(TenantSettings, tenant_id, SETTINGS_SK, "tenant"))


def update_settings(tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    settings = store.get_or_404(TenantSettings, tenant_id, SETTINGS_SK, "tenant")
    scl = changes.pop("second_chance_leads", None) or {}
    notifications = changes.pop("notifications", None) or {}
    if "time_zone" in changes:
        check_time_zone(changes["time_zone"])
    if "after_call_work_minutes" in scl:
        check_after_call_work_minutes(scl["after_call_work_minutes"])
    _apply(settings, changes)
    renamed = {"enabled": "scl_enabled"}
    _apply(settings, {renamed.get(k, k): v for k, v in scl.items()})
    _apply(settings, {{"sender": "notification_sender"}.get(k, k): v for k, v in notifications.items()})
    store.save(settings, "settings")
    return settings_view(settings)


# --- campaigns and tracking numbers ------------------------------------------------------------


def campaign_view(c: Campaign) -> dict[str, Any]:
    return _view(c, "campaign_id", "name", "category", "active", "dnis")


def tracking_number_view(n: TrackingNumber) -> dict[str, Any]:
    return _view(
        n, "number", "number_type", "label", "forwarding_number", "default_call_type", "sms_registered", "campaign_id"
    )


def _campaign_sk(campaign_id: str) -> str:
    return _sk("CAMPAIGN", campaign_id)


def _number_sk(number: str) -> str:
    return _sk("NUMBER", number)


def _dnis_steps(tenant_id: str, campaign_id: str, old: str | None, new: str | None) -> list[TxStep]:
    """Claim the campaign's new advertised number (unique per tenant) and release the old one."""
    if old == new:
        return []
    steps: list[TxStep] = []
    if old:
        steps.append(
            TxStep.delete(
                DnisClaim(tenant_pk(tenant_id), _sk("DNIS", old)),
                DnisClaim.campaign_id == campaign_id,
                "the campaign's advertised number changed at the same time; retry",
            )
        )
    if new:
        claim = store.new_item(DnisClaim, tenant_id, _sk("DNIS", new), number=new, campaign_id=campaign_id)
        steps.append(
            TxStep.put(
                claim,
                f"{new} is already the advertised number (DNIS) of another campaign; "
                "never reuse a tracking number across campaigns",
                condition=DnisClaim.pk.does_not_exist(),
            )
        )
        steps.append(
            TxStep.check(
                TrackingNumber,
                tenant_id,
                _number_sk(new),
                TrackingNumber.pk.does_not_exist()
                | TrackingNumber.campaign_id.does_not_exist()
                | (TrackingNumber.campaign_id == campaign_id),
                f"tracking number {new} is assigned to another campaign; "
                "never reuse a tracking number across campaigns",
            )
        )
    return steps


def create_campaign(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    campaign_id = new_id("cmp")
    campaign = store.new_item(Campaign, tenant_id, _campaign_sk(campaign_id), campaign_id=campaign_id, **data)
    steps = [TxStep.put(campaign, "campaign already exists", condition=Campaign.pk.does_not_exist())]
    store.transact(steps + _dnis_steps(tenant_id, campaign_id, None, campaign.dnis))
    return campaign_view(campaign)


def get_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    view = campaign_view(store.get_or_404(Campaign, tenant_id, _campaign_sk(campaign_id), "campaign"))
    numbers = store.query_index_page(
        TrackingNumber, _campaign_numbers_key(tenant_id, campaign_id), limit=store.MAX_PAGE, next_token=None
    )
    view["tracking_numbers"] = [n.number for n in numbers.items]
    return view


def list_campaigns(tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    page = store.query_page(Campaign, tenant_id, sk_prefix="CAMPAIGN#", limit=limit, next_token=next_token)
    return _page_view(page, campaign_view)


def update_campaign(tenant_id: str, campaign_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    campaign = store.get_or_404(Campaign, tenant_id, _campaign_sk(campaign_id), "campaign")
    old_dnis = campaign.dnis
    _apply(campaign, changes)
    store.touch(campaign)
    steps = [TxStep.put(campaign, "the campaign was changed by someone else at the same time; retry")]
    store.transact(steps + _dnis_steps(tenant_id, campaign_id, old_dnis, campaign.dnis))
    return campaign_view(campaign)


def _campaign_numbers_key(tenant_id: str, campaign_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#CAMPAIGN#{campaign_id}#NUMBERS"


def _index_under_campaign(number: TrackingNumber) -> None:
    if number.campaign_id:
        number.gsi1pk = _campaign_numbers_key(number.tenant_id, number.campaign_id)
        number.gsi1sk = number.number
    else:
        number.gsi1pk = number.gsi1sk = None


def _assignment_steps(tenant_id: str, number: str, campaign_id: str | None) -> list[TxStep]:
    """A number can only be assigned to an existing campaign, and not to one while another advertises it."""
    if not campaign_id:
        return []
    return [
        TxStep.check(
            Campaign,
            tenant_id,
            _campaign_sk(campaign_id),
            Campaign.pk.exists(),
            f"campaign {campaign_id} does not exist",
            InvalidInput,
        ),
        TxStep.check(
            DnisClaim,
            tenant_id,
            _sk("DNIS", number),
            DnisClaim.pk.does_not_exist() | (DnisClaim.campaign_id == campaign_id),
            f"{number} is the advertised number (DNIS) of another campaign; "
            "never reuse a tracking number across campaigns",
        ),
    ]


def create_tracking_number(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    number = store.new_item(TrackingNumber, tenant_id, _number_sk(data["number"]), **data)
    _index_under_campaign(number)
    steps = [
        TxStep.put(
            number, f"tracking number {number.number} already exists", condition=TrackingNumber.pk.does_not_exist()
        )
    ]
    store.transact(steps + _assignment_steps(tenant_id, number.number, number.campaign_id))
    return tracking_number_view(number)


def _get_number(tenant_id: str, number: str) -> TrackingNumber:
    return store.get_or_404(TrackingNumber, tenant_id, _number_sk(number), f"tracking number {number}")


def get_tracking_number(tenant_id: str, number: str) -> dict[str, Any]:
    return tracking_number_view(_get_number(tenant_id, number))


def list_tracking_numbers(tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    page = store.query_page(TrackingNumber, tenant_id, sk_prefix="NUMBER#", limit=limit, next_token=next_token)
    return _page_view(page, tracking_number_view)


def update_tracking_number(tenant_id: str, number: str, changes: dict[str, Any]) -> dict[str, Any]:
    item = _get_number(tenant_id, number)
    _apply(item, changes)
    _index_under_campaign(item)
    store.touch(item)
    steps = [TxStep.put(item, "the tracking number was changed by someone else at the same time; retry")]
    if "campaign_id" in changes:
        steps += _assignment_steps(tenant_id, item.number, item.campaign_id)
    store.transact(steps)
    return tracking_number_view(item)


def diagnose_tracking_number(tenant_id: str, number: str) -> dict[str, Any]:
    item = store.get(TrackingNumber, tenant_id, _number_sk(number))
    campaign = store.get(Campaign, tenant_id, _campaign_sk(item.campaign_id)) if item and item.campaign_id else None
    result = diagnose(item, campaign, called=number)
    return {
        "number": number,
        "attribution": result.kind,
        "campaign_id": result.campaign_id,
        "ok": not result.problems,
        "problems": [{"code": p.code, "severity": p.severity, "message": p.message} for p in result.problems],
    }


# --- business units, job types, call reasons ---------------------------------------------------


class SimpleRecords:
    """Create / read / update / list for a set-up record that is only its own fields."""

    def __init__(
        self, model: type[RecordModel], kind: str, id_field: str, id_prefix: str, what: str, fields: tuple[str, ...]
    ):
        self.model, self.kind, self.id_field, self.id_prefix, self.what, self.fields = (
            model,
            kind,
            id_field,
            id_prefix,
            what,
            fields,
        )

    def view(self, item: RecordModel) -> dict[str, Any]:
        return _view(item, self.id_field, *self.fields)

    def _get(self, tenant_id: str, ident: str) -> RecordModel:
        return store.get_or_404(self.model, tenant_id, _sk(self.kind, ident), self.what)

    def create(self, tenant_id: str, data: dict[str, Any], ident: str | None = None) -> dict[str, Any]:
        ident = ident or new_id(self.id_prefix)
        item = store.new_item(self.model, tenant_id, _sk(self.kind, ident), **{self.id_field: ident}, **data)
        store.create(item, f"{self.what} {ident}")
        return self.view(item)

    def get(self, tenant_id: str, ident: str) -> dict[str, Any]:
        return self.view(self._get(tenant_id, ident))

    def list(self, tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
        page = store.query_page(self.model, tenant_id, sk_prefix=f"{self.kind}#", limit=limit, next_token=next_token)
        return _page_view(page, self.view)

    def update(self, tenant_id: str, ident: str, changes: dict[str, Any]) -> dict[str, Any]:
        item = self._get(tenant_id, ident)
        _apply(item, changes)
        store.save(item, self.what)
        return self.view(item)


business_units = SimpleRecords(BusinessUnit, "BU", "business_unit_id", "bu", "business unit", ("name", "active"))
call_reasons = SimpleRecords(
    CallReason, "CALLREASON", "call_reason_id", "cr", "call reason", ("name", "is_lead", "active")
)
roles = SimpleRecords(Role, "ROLE", "role_id", "role", "role", ("name", "permissions"))
_job_types = SimpleRecords(JobType, "JOBTYPE", "job_type_id", "jt", "job type", ("name", "business_unit_ids", "active"))


def _check_business_units(tenant_id: str, ids: set[str] | None) -> None:
    if not ids:
        return
    found = store.batch_get(BusinessUnit, tenant_id, [_sk("BU", i) for i in ids])
    missing = sorted(i for i in ids if _sk("BU", i) not in found)
    if missing:
        raise InvalidInput(f"business unit(s) not found: {', '.join(missing)}", field="business_unit_ids")


class JobTypes:
    view = staticmethod(_job_types.view)
    get = staticmethod(_job_types.get)
    list = staticmethod(_job_types.list)

    @staticmethod
    def create(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
        _check_business_units(tenant_id, data.get("business_unit_ids"))
        return _job_types.create(tenant_id, data)

    @staticmethod
    def update(tenant_id: str, ident: str, changes: dict[str, Any]) -> dict[str, Any]:
        _check_business_units(tenant_id, changes.get("business_unit_ids"))
        return _job_types.update(tenant_id, ident, changes)


job_types = JobTypes()


def check_permission_names(names: set[str] | None) -> None:
    unknown = unknown_permissions(names or set())
    if unknown:
        raise InvalidInput(f"unknown permission(s): {', '.join(unknown)}; see GET /v1/permissions", field="permissions")


# --- employees ---------------------------------------------------------------------------------


def employee_view(e: Employee) -> dict[str, Any]:
    return _view(e, "employee_id", "name", "email", "phone", "role_id", "granted_permissions", "active")


def _employee_sk(employee_id: str) -> str:
    return _sk("EMPLOYEE", employee_id)


def _role_exists_step(tenant_id: str, role_id: str) -> TxStep:
    return TxStep.check(
        Role,
        tenant_id,
        _sk("ROLE", role_id),
        Role.pk.exists(),
        f"role {role_id} does not exist; see GET /v1/roles",
        InvalidInput,
    )


def _email_steps(tenant_id: str, employee_id: str, old: str | None, new: str) -> list[TxStep]:
    if old == new:
        return []
    claim = store.new_item(EmailClaim, tenant_id, _sk("EMAIL", new), email=new, employee_id=employee_id)
    steps = [
        TxStep.put(claim, f"another employee already uses the email {new}", condition=EmailClaim.pk.does_not_exist())
    ]
    if old:
        steps.append(
            TxStep.delete(
                EmailClaim(tenant_pk(tenant_id), _sk("EMAIL", old)),
                EmailClaim.employee_id == employee_id,
                "the employee's email changed at the same time; retry",
            )
        )
    return steps


def create_employee(tenant_id: str, data: dict[str, Any], employee_id: str | None = None) -> dict[str, Any]:
    check_permission_names(data.get("granted_permissions"))
    employee_id = employee_id or new_id("emp")
    employee = store.new_item(Employee, tenant_id, _employee_sk(employee_id), employee_id=employee_id, **data)
    store.transact(
        [
            TxStep.put(employee, "employee already exists", condition=Employee.pk.does_not_exist()),
            _role_exists_step(tenant_id, employee.role_id),
            *_email_steps(tenant_id, employee_id, None, employee.email),
        ]
    )
    return employee_view(employee)


def get_employee(tenant_id: str, employee_id: str) -> dict[str, Any]:
    return employee_view(store.get_or_404(Employee, tenant_id, _employee_sk(employee_id), "employee"))


def list_employees(tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    page = store.query_page(Employee, tenant_id, sk_prefix="EMPLOYEE#", limit=limit, next_token=next_token)
    return _page_view(page, employee_view)


def update_employee(tenant_id: str, employee_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    check_permission_names(changes.get("granted_permissions"))
    employee = store.get_or_404(Employee, tenant_id, _employee_sk(employee_id), "employee")
    old_email = employee.email
    _apply(employee, changes)
    store.touch(employee)
    steps = [TxStep.put(employee, "the employee was changed by someone else at the same time; retry")]
    if "role_id" in changes:
        steps.append(_role_exists_step(tenant_id, employee.role_id))
    store.transact(steps + _email_steps(tenant_id, employee_id, old_email, employee.email))
    return employee_view(employee)


# --- who may do what ---------------------------------------------------------------------------


def effective_permissions(tenant_id: str, employee_id: str, role_hint: str | None) -> tuple[Employee, frozenset[str]]:
    """The employee's role permissions plus their own grants; one BatchGetItem when the token's role is current."""
    employee_sk = _employee_sk(employee_id)
    found = store.batch_get_raw(tenant_id, [employee_sk] + ([_sk("ROLE", role_hint)] if role_hint else []))
    if employee_sk not in found:
        raise Forbidden("your employee record does not exist in this company")
    employee = Employee.from_raw_data(found[employee_sk])
    if not employee.active:
        raise Forbidden("your employee record is deactivated")
    role_sk = _sk("ROLE", employee.role_id)
    raw_role = found.get(role_sk) or store.batch_get_raw(tenant_id, [role_sk]).get(role_sk)
    role_permissions = set(Role.from_raw_data(raw_role).permissions or ()) if raw_role else set()
    return employee, frozenset(role_permissions | set(employee.granted_permissions or ()))
