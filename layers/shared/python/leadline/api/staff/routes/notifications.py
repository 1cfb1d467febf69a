"""The caller's own notifications: the in-app inbox and the channels they are notified on."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import NotificationPreferencesPut
from leadline.notifications import service

router = APIGatewayRouter()


@router.get("/v1/notifications", tags=["Notifications"], summary="Your in-app notifications, newest first")
def list_notifications(
    unread: Annotated[bool, Query(description="Only those not read yet")] = False,
    limit: Limit = 50,
    next_token: NextToken = None,
) -> dict:
    caller = principal(router)
    return service.inbox(caller.tenant_id, caller.employee_id, unread_only=unread, limit=limit, next_token=next_token)


@router.post("/v1/notifications/<notification_id>/read", tags=["Notifications"], summary="Mark one read")
def mark_read(notification_id: str) -> dict:
    caller = principal(router)
    return service.mark_read(caller.tenant_id, caller.employee_id, notification_id)


@router.post("/v1/notifications/<notification_id>/dismiss", tags=["Notifications"], summary="Remove one from the list")
def dismiss(notification_id: str) -> dict:
    caller = principal(router)
    return service.dismiss(caller.tenant_id, caller.employee_id, notification_id)


@router.get(
    "/v1/me/notification-preferences",
    tags=["Notifications"],
    summary="The channels you are notified on (in-app, email, text) and where",
)
def get_preferences() -> dict:
    caller = principal(router)
    return service.get_preferences(caller.tenant_id, caller.employee_id)


@router.put("/v1/me/notification-preferences", tags=["Notifications"], summary="Change your channels")
def put_preferences(body: NotificationPreferencesPut) -> dict:
    caller = principal(router)
    return service.put_preferences(caller.tenant_id, caller.employee_id, body.changes())
