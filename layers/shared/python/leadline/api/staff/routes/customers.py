from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import PhoneQuery
from leadline.api.staff.schemas import CustomerIn, CustomerPatch, LocationIn
from leadline.customers import service
from leadline.permissions import Permission
from leadline.phones import to_e164

router = APIGatewayRouter()


@router.post(
    "/v1/customers",
    operation_id="createCustomer",
    tags=["Customers"],
    status_code=201,
    responses=contract.returns(responses.CustomerWithLocations, 201),
    summary="Create a customer",
    description="A customer with their phone numbers (by which calls and bookings find them), emails and notes.",
)
def create_customer(body: CustomerIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.create_customer(caller.tenant_id, body.model_dump())


@router.get(
    "/v1/customers",
    operation_id="findCustomersByPhone",
    tags=["Customers"],
    responses=contract.returns(responses.CustomerList),
    summary="Find customers by phone number",
    description="The customers who have this number (as people write it, or E.164).",
)
def find_customers(phone: PhoneQuery) -> dict:
    tenant_id = principal(router).tenant_id
    return {"items": service.find_by_phone(tenant_id, to_e164(phone, field="phone"))}


@router.get(
    "/v1/customers/<customer_id>",
    operation_id="getCustomer",
    tags=["Customers"],
    responses=contract.returns(responses.CustomerWithLocations),
    summary="Get a customer and their locations",
    description="The customer with their phones, emails, notes and service locations.",
)
def get_customer(customer_id: str) -> dict:
    return service.get_customer(principal(router).tenant_id, customer_id)


@router.patch(
    "/v1/customers/<customer_id>",
    operation_id="updateCustomer",
    tags=["Customers"],
    responses=contract.returns(responses.Customer),
    summary="Change a customer",
    description="Only the fields given change; `phones` replaces the customer's numbers.",
)
def update_customer(customer_id: str, body: CustomerPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.update_customer(caller.tenant_id, customer_id, body.changes())


@router.post(
    "/v1/customers/<customer_id>/locations",
    operation_id="addCustomerLocation",
    tags=["Customers"],
    status_code=201,
    responses=contract.returns(responses.Location, 201),
    summary="Add a service location to a customer",
    description="A name, the address and notes.",
)
def add_location(customer_id: str, body: LocationIn) -> dict:
    caller = principal(router)
    caller.require(Permission.BOOK_JOBS)
    return service.add_location(caller.tenant_id, customer_id, body.model_dump())
