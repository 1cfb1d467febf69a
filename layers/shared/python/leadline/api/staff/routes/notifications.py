"""The caller's own notifications: the in-app inbox and the channels they are notified on."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api.staff import contract, responses
from leadline.api.staff.auth import principal
from leadline.api.staff.routes._common import Limit, NextToken
from leadline.api.staff.schemas import NotificationPreferencesPut
from leadline.notifications import service

router = APIGatewayRouter()


@router.get(
    "/v1/notifications",
    operation_id="listNotifications",
    tags=["Notifications"],
    responses=contract.returns(responses.NotificationPage),
    summary="List your in-app notifications, newest first",
    description="Yours only; `unread=true` for those not read yet.",
)
def list_notifications(
    unread: Annotated[bool, Query(description="Only those not read yet")] = False,
    limit: Limit = 50,
    next_token: NextToken = None,
) -> dict:
    caller = principal(router)
    return service.inbox(caller.tenant_id, caller.employee_id, unread_only=unread, limit=limit, next_token=next_token)


@router.post(
    "/v1/notifications/<notification_id>/read",
    operation_id="markNotificationRead",
    tags=["Notifications"],
    responses=contract.returns(responses.Notification),
    summary="Mark a notification read",
    description="One of your own notifications.",
)
def mark_read(notification_id: str) -> dict:
    caller = principal(router)
    return service.mark_read(caller.tenant_id, caller.employee_id, notification_id)


@router.post(
    "/v1/notifications/<notification_id>/dismiss",
    operation_id="dismissNotification",
    tags=["Notifications"],
    responses=contract.returns(responses.NotificationDismissed),
    summary="Remove a notification from your list",
    description="For good; that it was sent stays on record.",
)
def dismiss(notification_id: str) -> dict:
    caller = principal(router)
    return service.dismiss(caller.tenant_id, caller.employee_id, notification_id)


@router.get(
    "/v1/me/notification-preferences",
    operation_id="getNotificationPreferences",
    tags=["Notifications"],
    responses=contract.returns(responses.NotificationPreferences),
    summary="Get your notification channels",
    description=("Whether you are told in-app, by email and by text, and the email address and mobile number used."),
)
def get_preferences() -> dict:
    caller = principal(router)
    return service.get_preferences(caller.tenant_id, caller.employee_id)


@router.put(
    "/v1/me/notification-preferences",
    operation_id="updateNotificationPreferences",
    tags=["Notifications"],
    responses=contract.returns(responses.NotificationPreferences),
    summary="Change your notification channels",
    description=(
        "Turn channels on or off, and say where emails and texts go (null: your own email and phone); a "
        "field left out is unchanged."
    ),
)
def put_preferences(body: NotificationPreferencesPut) -> dict:
    caller = principal(router)
    return service.put_preferences(caller.tenant_id, caller.employee_id, body.changes())
