"""Employees, roles and the permission catalog."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import EmployeeIn, EmployeePatch, RoleIn, RolePatch
from leadline.permissions import DESCRIPTIONS, Permission
from leadline.setup import service

router = APIGatewayRouter()


@router.get(
    "/v1/me",
    operation_id="getMe",
    tags=["People"],
    responses=contract.returns(responses.Me),
    summary="Who you are",
    description=(
        "Your employee record, your company (tenant_id) and every permission you hold now: your role's "
        "plus your own grants. A client shows or hides what you may do from this."
    ),
)
def me() -> dict:
    caller = principal(router)
    view = service.get_employee(caller.tenant_id, caller.employee_id)
    view["tenant_id"] = caller.tenant_id
    view["permissions"] = sorted(caller.permissions)
    return view


@router.get(
    "/v1/permissions",
    operation_id="listPermissions",
    tags=["People"],
    responses=contract.returns(responses.PermissionList),
    summary="List the permissions",
    description="Every permission a role or an employee can be given, with what it allows.",
)
def list_permissions() -> dict:
    principal(router)
    return {"items": [{"name": p.value, "description": DESCRIPTIONS[p]} for p in Permission]}


@router.post(
    "/v1/employees",
    operation_id="createEmployee",
    tags=["People"],
    status_code=201,
    responses=contract.returns(responses.Employee, 201),
    summary="Add an employee",
    description=(
        "An employee with their email (unique in the company), phone, role and own grants (permissions "
        "on top of the role's)."
    ),
)
def create_employee(body: EmployeeIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.create_employee(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/employees",
    operation_id="listEmployees",
    tags=["People"],
    responses=contract.returns(responses.EmployeePage),
    summary="List the employees",
    description="The company's employees, a page at a time.",
)
def list_employees(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.list_employees(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/employees/<employee_id>",
    operation_id="getEmployee",
    tags=["People"],
    responses=contract.returns(responses.Employee),
    summary="Get an employee",
    description="The employee, with their role and own grants.",
)
def get_employee(employee_id: str) -> dict:
    return service.get_employee(principal(router).tenant_id, employee_id)


@router.patch(
    "/v1/employees/<employee_id>",
    operation_id="updateEmployee",
    tags=["People"],
    responses=contract.returns(responses.Employee),
    summary="Change an employee, their role or grants",
    description=(
        "Only the fields given change, and apply at the employee's next request; `active: false` shuts them out."
    ),
)
def update_employee(employee_id: str, body: EmployeePatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.update_employee(caller.tenant_id, employee_id, body.changes(), changed_by=caller.employee_id)


@router.post(
    "/v1/roles",
    operation_id="createRole",
    tags=["People"],
    status_code=201,
    responses=contract.returns(responses.Role, 201),
    summary="Create a role",
    description="A role and the permissions it gives (see GET /v1/permissions).",
)
def create_role(body: RoleIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.roles.create(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/roles",
    operation_id="listRoles",
    tags=["People"],
    responses=contract.returns(responses.RolePage),
    summary="List the roles",
    description="The company's roles (the defaults and its own), a page at a time.",
)
def list_roles(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.roles.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get(
    "/v1/roles/<role_id>",
    operation_id="getRole",
    tags=["People"],
    responses=contract.returns(responses.Role),
    summary="Get a role",
    description="The role and the permissions it gives.",
)
def get_role(role_id: str) -> dict:
    return service.roles.get(principal(router).tenant_id, role_id)


@router.patch(
    "/v1/roles/<role_id>",
    operation_id="updateRole",
    tags=["People"],
    responses=contract.returns(responses.Role),
    summary="Change a role",
    description=(
        "Only the fields given change; `permissions` replaces the role's, for every employee of the role at once."
    ),
)
def update_role(role_id: str, body: RolePatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.update_role(caller.tenant_id, role_id, body.changes(), changed_by=caller.employee_id)
