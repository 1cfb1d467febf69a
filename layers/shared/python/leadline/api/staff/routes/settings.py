from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.schemas import SettingsPatch
from leadline.permissions import Permission
from leadline.setup import service

router = APIGatewayRouter()


@router.get("/v1/settings", tags=["Settings"], summary="The company's settings, Second Chance Leads included")
def get_settings() -> dict:
    return service.get_settings(principal(router).tenant_id)


@router.patch("/v1/settings", tags=["Settings"], summary="Change the company's settings")
def update_settings(body: SettingsPatch) -> dict:
    caller = principal(router)
    caller.require(Permission.MANAGE_SETTINGS)
    return service.update_settings(caller.tenant_id, body.changes())
