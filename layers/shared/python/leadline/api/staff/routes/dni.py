"""Staff API: dynamic number insertion: the pool of tracking numbers, the website's domain, the session window,
the default number, the source rules, and how to install the snippet."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.schemas import DniConfigPut
from leadline.dni import service
from leadline.permissions import Permission

router = APIGatewayRouter()


@router.get(
    "/v1/dni",
    operation_id="getDniConfig",
    tags=["DNI"],
    responses=contract.returns(responses.DniConfig),
    summary="Get the DNI configuration",
    description=(
        "The pool of numbers, the website's domain, the session window, the default number and the "
        "source rules, with the snippet to install and its test page; `configured: false` until set."
    ),
)
def get_dni() -> dict:
    return service.get_config(principal(router).tenant_id)


@router.put(
    "/v1/dni",
    operation_id="updateDniConfig",
    tags=["DNI"],
    responses=contract.returns(responses.DniConfig),
    summary="Set the DNI configuration",
    description=(
        "The whole configuration: the pool (tracking numbers of type tracking that no campaign "
        "advertises), the website's bare domain, how long a visitor keeps a number, the number shown "
        "without DNI, and the rules that give each visitor's source a campaign."
    ),
)
def put_dni(body: DniConfigPut) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_MARKETING)
    return service.put_config(caller.tenant_id, body.model_dump())
