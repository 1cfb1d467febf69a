"""Set-up operations and their rules. Inputs are already shaped by the API edge; the rules that need the
tenant's data (uniqueness, references between records) are enforced here, race-free, in DynamoDB."""

from __future__ import annotations

from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadline import rules
from leadline.data import store
from leadline.data.models import Campaign, Employee, RecordModel, TenantSettings, TrackingNumber
from leadline.data.repositories import campaigns, operations, people, settings, tracking_numbers
from leadline.data.repositories.by_id import RecordsById
from leadline.data.store import Page, TxStep
from leadline.errors import Conflict, Forbidden, InvalidInput
from leadline.ids import new_id
from leadline.permissions import DEFAULT_ROLES, Permission, unknown_permissions
from leadline.setup.attribution import diagnose


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
    if minutes < rules.AFTER_CALL_WORK_MINUTES_MIN:
        raise InvalidInput(
            f"after_call_work_minutes must be at least {rules.AFTER_CALL_WORK_MINUTES_MIN}: the CSR needs time to "
            "classify the call before it is evaluated, and under "
            f"{rules.AFTER_CALL_WORK_MINUTES_DEFAULT} minutes often raises Second Chance Leads for calls still "
            "being booked",
            field="second_chance_leads.after_call_work_minutes",
        )
    if minutes > rules.AFTER_CALL_WORK_MINUTES_MAX:
        raise InvalidInput(
            f"after_call_work_minutes must be at most {rules.AFTER_CALL_WORK_MINUTES_MAX}: after that the caller has "
            "likely found another company, and the Second Chance Lead comes too late to save",
            field="second_chance_leads.after_call_work_minutes",
        )
    return minutes


def create_tenant(tenant_id: str, *, name: str, time_zone: str) -> TenantSettings:
    """A new tenant with default settings (SCL off, the default minutes of after-call work) and the default roles."""
    item = settings.new(tenant_id, name=name, time_zone=check_time_zone(time_zone))
    store.create(item, "tenant")
    for role_id, (role_name, permissions) in DEFAULT_ROLES.items():
        store.create(
            people.roles.new(tenant_id, role_id, name=role_name, permissions=set(permissions)), f"role {role_id}"
        )
    return item


def get_settings(tenant_id: str) -> dict[str, Any]:
    return settings_view(settings.get_or_404(tenant_id))


def update_settings(tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    item = settings.get_or_404(tenant_id)
    scl = changes.pop("second_chance_leads", None) or {}
    notifications = changes.pop("notifications", None) or {}
    if "time_zone" in changes:
        check_time_zone(changes["time_zone"])
    if "after_call_work_minutes" in scl:
        check_after_call_work_minutes(scl["after_call_work_minutes"])
    _apply(item, changes)
    renamed = {"enabled": "scl_enabled"}
    _apply(item, {renamed.get(k, k): v for k, v in scl.items()})
    _apply(item, {{"sender": "notification_sender"}.get(k, k): v for k, v in notifications.items()})
    store.save(item, "settings")
    return settings_view(item)


# --- campaigns and tracking numbers ------------------------------------------------------------

NUMBER_REUSED = "never reuse a tracking number across campaigns"


def campaign_view(c: Campaign) -> dict[str, Any]:
    return _view(c, "campaign_id", "name", "category", "active", "dnis")


def tracking_number_view(n: TrackingNumber) -> dict[str, Any]:
    return _view(
        n, "number", "number_type", "label", "forwarding_number", "default_call_type", "sms_registered", "campaign_id"
    )


def _dnis_steps(tenant_id: str, campaign_id: str, old: str | None, new: str | None) -> list[TxStep]:
    """Claim the campaign's new advertised number (unique per tenant) and release the old one."""
    if old == new:
        return []
    steps: list[TxStep] = []
    if old:
        steps.append(
            campaigns.dnis_release_step(
                tenant_id, old, campaign_id, "the campaign's advertised number changed at the same time; retry"
            )
        )
    if new:
        steps.append(
            campaigns.dnis_claim_step(
                tenant_id,
                new,
                campaign_id,
                f"{new} is already the advertised number (DNIS) of another campaign; {NUMBER_REUSED}",
            )
        )
        steps.append(
            tracking_numbers.free_or_of_campaign_check(
                tenant_id, new, campaign_id, f"tracking number {new} is assigned to another campaign; {NUMBER_REUSED}"
            )
        )
    return steps


def create_campaign(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    campaign_id = new_id("cmp")
    campaign = campaigns.new(tenant_id, campaign_id, **data)
    steps = [TxStep.put(campaign, "campaign already exists", condition=Campaign.pk.does_not_exist())]
    store.transact(steps + _dnis_steps(tenant_id, campaign_id, None, campaign.dnis))
    return campaign_view(campaign)


def get_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    view = campaign_view(campaigns.get_or_404(tenant_id, campaign_id))
    view["tracking_numbers"] = [n.number for n in tracking_numbers.of_campaign(tenant_id, campaign_id)]
    return view


def list_campaigns(tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    return _page_view(campaigns.list_page(tenant_id, limit=limit, next_token=next_token), campaign_view)


def update_campaign(tenant_id: str, campaign_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    campaign = campaigns.get_or_404(tenant_id, campaign_id)
    old_dnis = campaign.dnis
    _apply(campaign, changes)
    store.touch(campaign)
    steps = [TxStep.put(campaign, "the campaign was changed by someone else at the same time; retry")]
    store.transact(steps + _dnis_steps(tenant_id, campaign_id, old_dnis, campaign.dnis))
    return campaign_view(campaign)


def _assignment_steps(tenant_id: str, number: str, campaign_id: str | None) -> list[TxStep]:
    """A number can only be assigned to an existing campaign, and not to one while another advertises it."""
    if not campaign_id:
        return []
    return [
        campaigns.exists_check(
            tenant_id, campaign_id, f"campaign {campaign_id} does not exist", partial(InvalidInput, field="campaign_id")
        ),
        campaigns.dnis_free_check(
            tenant_id,
            number,
            campaign_id,
            f"{number} is the advertised number (DNIS) of another campaign; {NUMBER_REUSED}",
        ),
    ]


def create_tracking_number(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    number = tracking_numbers.new(tenant_id, fields.pop("number"), **fields)
    tracking_numbers.index(number)
    steps = [
        TxStep.put(
            number, f"tracking number {number.number} already exists", condition=TrackingNumber.pk.does_not_exist()
        )
    ]
    store.transact(steps + _assignment_steps(tenant_id, number.number, number.campaign_id))
    return tracking_number_view(number)


def get_tracking_number(tenant_id: str, number: str) -> dict[str, Any]:
    return tracking_number_view(tracking_numbers.get_or_404(tenant_id, number))


def list_tracking_numbers(tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    return _page_view(tracking_numbers.list_page(tenant_id, limit=limit, next_token=next_token), tracking_number_view)


def update_tracking_number(tenant_id: str, number: str, changes: dict[str, Any]) -> dict[str, Any]:
    item = tracking_numbers.get_or_404(tenant_id, number)
    _apply(item, changes)
    tracking_numbers.index(item)
    store.touch(item)
    steps = [TxStep.put(item, "the tracking number was changed by someone else at the same time; retry")]
    if "campaign_id" in changes:
        steps += _assignment_steps(tenant_id, item.number, item.campaign_id)
    store.transact(steps)
    return tracking_number_view(item)


def diagnose_tracking_number(tenant_id: str, number: str) -> dict[str, Any]:
    item = tracking_numbers.get(tenant_id, number)
    campaign = campaigns.get(tenant_id, item.campaign_id) if item and item.campaign_id else None
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

    def __init__(self, records: RecordsById, id_prefix: str, fields: tuple[str, ...]):
        self.records, self.id_prefix, self.fields = records, id_prefix, fields

    def view(self, item: RecordModel) -> dict[str, Any]:
        return _view(item, self.records.id_field, *self.fields)

    def create(self, tenant_id: str, data: dict[str, Any], ident: str | None = None) -> dict[str, Any]:
        ident = ident or new_id(self.id_prefix)
        item = self.records.new(tenant_id, ident, **data)
        store.create(item, f"{self.records.what} {ident}")
        return self.view(item)

    def get(self, tenant_id: str, ident: str) -> dict[str, Any]:
        return self.view(self.records.get_or_404(tenant_id, ident))

    def list(self, tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
        return _page_view(self.records.list_page(tenant_id, limit=limit, next_token=next_token), self.view)

    def update(self, tenant_id: str, ident: str, changes: dict[str, Any]) -> dict[str, Any]:
        item = self.records.get_or_404(tenant_id, ident)
        _apply(item, changes)
        store.save(item, self.records.what)
        return self.view(item)


business_units = SimpleRecords(operations.business_units, "bu", ("name", "active"))
call_reasons = SimpleRecords(operations.call_reasons, "cr", ("name", "is_lead", "active"))
roles = SimpleRecords(people.roles, "role", ("name", "permissions"))
_job_types = SimpleRecords(operations.job_types, "jt", ("name", "business_unit_ids", "active"))


def _check_business_units(tenant_id: str, ids: set[str] | None) -> None:
    if not ids:
        return
    found = operations.business_units.batch_get(tenant_id, ids)
    missing = sorted(i for i in ids if i not in found)
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


def _role_exists_step(tenant_id: str, role_id: str) -> TxStep:
    return people.roles.exists_check(
        tenant_id, role_id, f"role {role_id} does not exist; see GET /v1/roles", partial(InvalidInput, field="role_id")
    )


def _email_steps(tenant_id: str, employee_id: str, old: str | None, new: str) -> list[TxStep]:
    if old == new:
        return []
    steps = [people.email_claim_step(tenant_id, new, employee_id, f"another employee already uses the email {new}")]
    if old:
        steps.append(
            people.email_release_step(
                tenant_id, old, employee_id, "the employee's email changed at the same time; retry"
            )
        )
    return steps


def create_employee(tenant_id: str, data: dict[str, Any], employee_id: str | None = None) -> dict[str, Any]:
    check_permission_names(data.get("granted_permissions"))
    employee_id = employee_id or new_id("emp")
    employee = people.employees.new(tenant_id, employee_id, **data)
    store.transact(
        [
            TxStep.put(employee, "employee already exists", condition=Employee.pk.does_not_exist()),
            _role_exists_step(tenant_id, employee.role_id),
            *_email_steps(tenant_id, employee_id, None, employee.email),
        ]
    )
    return employee_view(employee)


def get_employee(tenant_id: str, employee_id: str) -> dict[str, Any]:
    return employee_view(people.employees.get_or_404(tenant_id, employee_id))


def list_employees(tenant_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    return _page_view(people.employees.list_page(tenant_id, limit=limit, next_token=next_token), employee_view)


# The one who changes employees cannot take that away from themselves, and stays active while changing others: someone
# able to manage employees is always left (the caller), so a company never locks itself out of its own set-up. The
# checks hold in the transaction that writes the change, so two changes at the same time cannot both pass them.
_MANAGE = Permission.MANAGE_EMPLOYEES.value
_KEEP_MANAGING = (
    "you cannot take away your own permission to manage employees ({how}): ask another employee who can manage "
    "employees, so that the company always keeps someone who can"
)
_CHANGED_MEANWHILE = "{what} changed at the same time as this change; look again and retry"


def update_employee(
    tenant_id: str, employee_id: str, changes: dict[str, Any], *, changed_by: str | None = None
) -> dict[str, Any]:
    """`changed_by`: the employee making the change; changing themselves, they must keep manage_employees, and
    changing another, they must still be active when it is written."""
    check_permission_names(changes.get("granted_permissions"))
    employee = people.employees.get_or_404(tenant_id, employee_id)
    old_email = employee.email
    _apply(employee, changes)
    store.touch(employee)
    steps = [TxStep.put(employee, "the employee was changed by someone else at the same time; retry")]
    keep = _keep_managing_employees(tenant_id, employee, changes) if changed_by == employee_id else []
    if "role_id" in changes and not keep:  # a check that the role grants manage_employees holds that it exists too
        steps.append(_role_exists_step(tenant_id, employee.role_id))
    if changed_by and changed_by != employee_id:
        steps.append(people.active_check(tenant_id, changed_by, _CHANGED_MEANWHILE.format(what="your own record")))
    steps += keep
    store.transact(steps + _email_steps(tenant_id, employee_id, old_email, employee.email))
    return employee_view(employee)


def _keep_managing_employees(tenant_id: str, employee: Employee, changes: dict[str, Any]) -> list[TxStep]:
    """The steps that hold the employee, changing themselves, to managing employees (by their grants, which their
    own record's version holds, or by their role, which a check holds); a Conflict if the change takes it away."""
    if not employee.active:
        raise Conflict(_KEEP_MANAGING.format(how="by deactivating yourself"), field="active")
    if _MANAGE in (employee.granted_permissions or ()):
        return []
    role = people.roles.get(tenant_id, employee.role_id)
    if role is None:
        return []  # no such role: its own step refuses the change (422)
    if _MANAGE not in (role.permissions or ()):
        field = "role_id" if "role_id" in changes else "granted_permissions"
        how = "by moving to a role without it" if field == "role_id" else "by removing it from your grants"
        raise Conflict(_KEEP_MANAGING.format(how=how), field=field)
    return [people.role_grants_check(tenant_id, role.role_id, _MANAGE, _CHANGED_MEANWHILE.format(what="your role"))]


def update_role(
    tenant_id: str, role_id: str, changes: dict[str, Any], *, changed_by: str | None = None
) -> dict[str, Any]:
    """`changed_by`: the employee making the change; changing their own role, they must keep manage_employees."""
    if not changed_by or "permissions" not in changes or _MANAGE in (changes["permissions"] or ()):
        return roles.update(tenant_id, role_id, changes)
    me = people.employees.get(tenant_id, changed_by)
    if me is not None and me.role_id == role_id and _MANAGE not in (me.granted_permissions or ()):
        raise Conflict(_KEEP_MANAGING.format(how="by taking it from your own role"), field="permissions")
    role = people.roles.get_or_404(tenant_id, role_id)
    _apply(role, changes)
    store.touch(role)
    steps = [TxStep.put(role, "the role was changed by someone else at the same time; retry")]
    if me is not None:  # taking manage_employees from a role: the caller must not have come to rely on it meanwhile
        held = _CHANGED_MEANWHILE.format(what="your own record")
        steps.append(people.manages_without_role_check(tenant_id, changed_by, role_id, _MANAGE, held))
    store.transact(steps)
    return roles.view(role)


# --- who may do what ---------------------------------------------------------------------------


def effective_permissions(tenant_id: str, employee_id: str, role_hint: str | None) -> tuple[Employee, frozenset[str]]:
    """The employee's role permissions plus their own grants; one BatchGetItem when the token's role is current."""
    employee, role = people.employee_with_role(tenant_id, employee_id, role_hint)
    if employee is None:
        raise Forbidden("your employee record does not exist in this company")
    if not employee.active:
        raise Forbidden("your employee record is deactivated")
    role_permissions = set(role.permissions or ()) if role else set()
    return employee, frozenset(role_permissions | set(employee.granted_permissions or ()))
