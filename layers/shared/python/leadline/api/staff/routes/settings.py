from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.schemas import SettingsPatch
from leadline.permissions import Permission
from leadline.setup import service

router = APIGatewayRouter()


@router.get(
    "/v1/settings",
    operation_id="getSettings",
    tags=["Settings"],
    responses=contract.returns(responses.Settings),
    summary="Get the company's settings",
    description=(
        "The company's name, time zone and text-messaging registration; the Second Chance Leads settings "
        "(on or off, after-call-work minutes, cold-lead threshold); and the notifications' sender, link "
        "to the app and quiet hours."
    ),
)
def get_settings() -> dict:
    return service.get_settings(principal(router).tenant_id)


@router.patch(
    "/v1/settings",
    operation_id="updateSettings",
    tags=["Settings"],
    responses=contract.returns(responses.Settings),
    summary="Change the company's settings",
    description=(
        "Only the fields given change. The time zone is an IANA name (America/Chicago): it decides the "
        "company's days in lists and reports. Second Chance Leads are off until turned on; the "
        "after-call-work minutes are the time a CSR has to classify a call before it is evaluated. Texts "
        "are held during quiet hours (give both ends, or both null for none)."
    ),
)
def update_settings(body: SettingsPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_SETTINGS)
    return service.update_settings(caller.tenant_id, body.changes())
