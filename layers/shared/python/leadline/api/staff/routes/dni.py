"""Staff API: dynamic number insertion: the pool of tracking numbers, the website's domain, the session window,
the default number, the source rules, and how to install the snippet."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.schemas import DniConfigPut
from leadline.dni import service
from leadline.permissions import Permission

router = APIGatewayRouter()


@router.get(
    "/v1/dni",
    tags=["Dynamic number insertion"],
    summary="The DNI configuration and the snippet to install (configured: false until set)",
)
def get_dni() -> dict:
    return service.get_config(principal(router).tenant_id)


@router.put(
    "/v1/dni",
    tags=["Dynamic number insertion"],
    summary="Set the DNI pool, the website's domain, the session window, the default number and source rules",
)
def put_dni(body: DniConfigPut) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.put_config(caller.tenant_id, body.model_dump())
