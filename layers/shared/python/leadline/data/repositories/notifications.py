"""Notifications: each employee's preferences, and one item per event, employee and channel; in-app ones listed in
the employee's inbox, texts held for quiet hours listed (across tenants, sharded) for the scanner."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.expressions.condition import Condition

from leadline.data import keys, store
from leadline.data.models import Notification, NotificationPreferences
from leadline.data.store import Page

HELD_SHARDS = 4


# --- preferences ---------------------------------------------------------------------------------


def get_preferences(tenant_id: str, employee_id: str) -> NotificationPreferences | None:
    return store.get(NotificationPreferences, tenant_id, keys.notification_preferences(employee_id))


def new_preferences(tenant_id: str, employee_id: str) -> NotificationPreferences:
    return store.new_item(
        NotificationPreferences, tenant_id, keys.notification_preferences(employee_id), employee_id=employee_id
    )


def preferences_of(tenant_id: str, employee_ids: Iterable[str]) -> dict[str, NotificationPreferences]:
    """The preferences these employees have stored, by employee id (one BatchGetItem, up to 100)."""
    found = store.batch_get(
        NotificationPreferences, tenant_id, [keys.notification_preferences(e) for e in employee_ids]
    )
    return {p.employee_id: p for p in found.values()}


# --- notifications -------------------------------------------------------------------------------


def new(tenant_id: str, notification_id: str, channel: str, **attributes) -> Notification:
    return store.new_item(
        Notification,
        tenant_id,
        keys.notification(notification_id, channel),
        notification_id=notification_id,
        channel=channel,
        **attributes,
    )


def get(tenant_id: str, notification_id: str, channel: str, *, consistent: bool = False) -> Notification | None:
    return store.get(Notification, tenant_id, keys.notification(notification_id, channel), consistent=consistent)


def of_notification(tenant_id: str, notification_id: str) -> list[Notification]:
    """Every channel's item of one notification."""
    return list(
        Notification.query(keys.tenant(tenant_id), Notification.sk.startswith(keys.notifications_of(notification_id)))
    )


def put_in_inbox(item: Notification) -> None:
    """List an in-app notification in its employee's inbox, newest last."""
    item.gsi1pk = keys.inbox(item.tenant_id, item.employee_id)
    item.gsi1sk = keys.in_order(item.created_at, item.notification_id)


def out_of_inbox() -> list:
    """The update actions that take a notification out of its employee's inbox."""
    return [Notification.gsi1pk.remove(), Notification.gsi1sk.remove()]


def inbox_page(
    tenant_id: str, employee_id: str, *, limit: int, next_token: str | None, filter_condition: Condition | None = None
) -> Page:
    """A page of the employee's inbox, newest first."""
    return store.query_index(
        Notification.by_parent,
        keys.inbox(tenant_id, employee_id),
        None,
        limit=limit,
        next_token=next_token,
        newest_first=True,
        filter_condition=filter_condition,
    )


def hold(item: Notification, send_after: str) -> None:
    """List a text held until `send_after` where the scanner looks for the texts due."""
    item.send_after = send_after
    shard = keys.shard_of(item.sk, HELD_SHARDS)
    item.gsi2pk, item.gsi2sk = keys.held_notifications(shard), f"{send_after}#{item.tenant_id}#{item.sk}"


def out_of_held() -> list:
    """The update actions that take a text off the scanner's list of held texts."""
    return [Notification.gsi2pk.remove(), Notification.gsi2sk.remove()]


def held_due(shard: int, now: str, *, limit: int) -> Iterable[Notification]:
    """The held texts of one shard whose time to be sent has come, across tenants."""
    return Notification.by_time.query(keys.held_notifications(shard), Notification.gsi2sk < now, limit=limit)
