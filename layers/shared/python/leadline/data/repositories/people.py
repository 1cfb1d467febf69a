"""Roles and employees (records keyed by their id, see `by_id.RecordsById`), and the claims that keep an email
address to one employee."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import EmailClaim, Employee, Role
from leadline.data.repositories.by_id import RecordsById
from leadline.data.store import TxStep

roles = RecordsById(Role, keys.role, keys.ROLES, "role_id", "role")
employees = RecordsById(Employee, keys.employee, keys.EMPLOYEES, "employee_id", "employee")


def employee_with_role(tenant_id: str, employee_id: str, role_hint: str | None) -> tuple[Employee | None, Role | None]:
    """An employee and their role: one BatchGetItem when `role_hint` is their role, a second one when it is not."""
    employee_key = keys.employee(employee_id)
    found = store.batch_get_raw(tenant_id, [employee_key] + ([keys.role(role_hint)] if role_hint else []))
    if employee_key not in found:
        return None, None
    employee = Employee.from_raw_data(found[employee_key])
    role_key = keys.role(employee.role_id)
    raw_role = found.get(role_key) or store.batch_get_raw(tenant_id, [role_key]).get(role_key)
    return employee, Role.from_raw_data(raw_role) if raw_role else None


def email_claim_step(tenant_id: str, email: str, employee_id: str, message: str) -> TxStep:
    """Claim `email` for the employee; the step fails if another employee claims it already."""
    claim = store.new_item(EmailClaim, tenant_id, keys.email(email), email=email, employee_id=employee_id)
    return TxStep.put(claim, message, condition=EmailClaim.pk.does_not_exist())


def email_release_step(tenant_id: str, email: str, employee_id: str, message: str) -> TxStep:
    """Release the employee's claim on `email`; the step fails if the claim is another employee's."""
    return TxStep.delete(
        EmailClaim(keys.tenant(tenant_id), keys.email(email)), EmailClaim.employee_id == employee_id, message
    )


def role_grants_check(tenant_id: str, role_id: str, permission: str, message: str) -> TxStep:
    """A transaction step that holds while the role grants `permission`."""
    return TxStep.check(Role, tenant_id, keys.role(role_id), Role.permissions.contains(permission), message)


def active_check(tenant_id: str, employee_id: str, message: str) -> TxStep:
    """A transaction step that holds while the employee is active."""
    return TxStep.check(Employee, tenant_id, keys.employee(employee_id), Employee.active == True, message)  # noqa: E712


def manages_without_role_check(tenant_id: str, employee_id: str, role_id: str, permission: str, message: str) -> TxStep:
    """A transaction step that holds while the employee is active and does not owe `permission` to `role_id`: in
    another role, or granted it themselves."""
    own = (Employee.role_id != role_id) | Employee.granted_permissions.contains(permission)
    return TxStep.check(Employee, tenant_id, keys.employee(employee_id), (Employee.active == True) & own, message)  # noqa: E712
