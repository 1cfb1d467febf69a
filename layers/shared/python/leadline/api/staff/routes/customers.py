from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.schemas import CustomerIn, CustomerPatch, LocationIn
from leadline.customers import service
from leadline.permissions import Permission
from leadline.phones import to_e164

router = APIGatewayRouter()


@router.post("/v1/customers", tags=["Customers"], status_code=201)
def create_customer(body: CustomerIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.create_customer(caller.tenant_id, body.model_dump())


@router.get("/v1/customers", tags=["Customers"], summary="Find customers by phone number")
def find_customers(phone: Annotated[str, Query(max_length=40)]) -> dict:
    tenant_id = principal(router).tenant_id
    return {"items": service.find_by_phone(tenant_id, to_e164(phone, field="phone"))}


@router.get("/v1/customers/<customer_id>", tags=["Customers"], summary="A customer and their locations")
def get_customer(customer_id: str) -> dict:
    return service.get_customer(principal(router).tenant_id, customer_id)


@router.patch("/v1/customers/<customer_id>", tags=["Customers"])
def update_customer(customer_id: str, body: CustomerPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.update_customer(caller.tenant_id, customer_id, body.changes())


@router.post("/v1/customers/<customer_id>/locations", tags=["Customers"], status_code=201)
def add_location(customer_id: str, body: LocationIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.add_location(caller.tenant_id, customer_id, body.model_dump())
