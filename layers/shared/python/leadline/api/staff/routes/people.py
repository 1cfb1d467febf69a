"""Employees, roles and the permission catalog."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import EmployeeIn, EmployeePatch, RoleIn, RolePatch
from leadline.permissions import DESCRIPTIONS, Permission
from leadline.setup import service

router = APIGatewayRouter()


@router.get("/v1/me", tags=["People"], summary="The calling employee and the permissions they hold")
def me() -> dict:
    caller = principal(router)
    view = service.get_employee(caller.tenant_id, caller.employee_id)
    view["tenant_id"] = caller.tenant_id
    view["permissions"] = sorted(caller.permissions)
    return view


@router.get("/v1/permissions", tags=["People"], summary="Every permission a role or an employee can be given")
def list_permissions() -> dict:
    principal(router)
    return {"items": [{"name": p.value, "description": DESCRIPTIONS[p]} for p in Permission]}


@router.post("/v1/employees", tags=["People"], status_code=201)
def create_employee(body: EmployeeIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.create_employee(caller.tenant_id, body.model_dump())


@router.get("/v1/employees", tags=["People"])
def list_employees(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.list_employees(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/employees/<employee_id>", tags=["People"])
def get_employee(employee_id: str) -> dict:
    return service.get_employee(principal(router).tenant_id, employee_id)


@router.patch("/v1/employees/<employee_id>", tags=["People"], summary="Change an employee, their role or grants")
def update_employee(employee_id: str, body: EmployeePatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.update_employee(caller.tenant_id, employee_id, body.changes())


@router.post("/v1/roles", tags=["People"], status_code=201)
def create_role(body: RoleIn) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.roles.create(caller.tenant_id, body.model_dump())


@router.get("/v1/roles", tags=["People"])
def list_roles(limit: Limit = 50, next_token: NextToken = None) -> dict:
    return service.roles.list(principal(router).tenant_id, limit=limit, next_token=next_token)


@router.get("/v1/roles/<role_id>", tags=["People"])
def get_role(role_id: str) -> dict:
    return service.roles.get(principal(router).tenant_id, role_id)


@router.patch("/v1/roles/<role_id>", tags=["People"])
def update_role(role_id: str, body: RolePatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_EMPLOYEES)
    return service.roles.update(caller.tenant_id, role_id, body.changes())
