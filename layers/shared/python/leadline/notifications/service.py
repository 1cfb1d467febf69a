"""Telling employees of domain events: who (the catalog's audience permission), on which channels (each
employee's preferences), once.

Each (event, employee, channel) is one Notification item, and its conditional write is what makes the message go
once however often EventBridge delivers the event or the function is retried:
- in-app: the item is the message; written once, as sent.
- email and text: the item is claimed (status `sending`, with a short lease) before the send, and marked `sent`
  after it. A claim fails if the item is sent, skipped or held, or if another delivery holds a live lease; in
  that last case the event is raised too, since that delivery may have died before sending, and its retry after
  the lease sends or finds it sent. A failed send leaves it `failed`, claimable again, and the event is raised so
  that it is retried and, in the end, dead-lettered. The one window left: a send that succeeds and a process that
  dies before marking it.
- a channel that cannot be used (texts without the company's SMS registration, no address) is written as
  `skipped` with the reason, once, and the other channels still go.
Texts in the company's quiet hours are written `held` until they end; the scanner sends them.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.exceptions import PutError, UpdateError

from leadline import config, phones
from leadline.data import store
from leadline.data.models import Employee, Notification, NotificationPreferences, TenantSettings
from leadline.data.repositories import notifications as notification_items
from leadline.data.repositories import people, tracking_numbers
from leadline.data.repositories import settings as tenant_settings
from leadline.errors import InvalidInput, NotFound
from leadline.ids import utc_now
from leadline.notifications import channels
from leadline.notifications.catalog import KINDS, Kind
from leadline.observability import logger

IN_APP, EMAIL, SMS = "in_app", "email", "sms"
CHANNELS = (IN_APP, EMAIL, SMS)
SENDING, SENT, FAILED, SKIPPED, HELD = "sending", "sent", "failed", "skipped", "held"
LEASE = timedelta(minutes=2)
RETENTION = timedelta(days=90)


class DeliveryFailed(Exception):
    """Some sends failed (after the clients' own retries); the event must be retried, then dead-lettered."""


class SendInProgress(Exception):
    """Another delivery holds this send's lease. It may die before sending: this delivery is retried, not done."""


def notification_id(event_id: str, employee_id: str) -> str:
    return "ntf-" + hashlib.sha256(f"{event_id}|{employee_id}".encode()).hexdigest()[:24]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- who, and in what words ----------------------------------------------------------------------


def audience(tenant_id: str, permission: str) -> list[Employee]:
    """Active employees whose role or own grants give `permission`: one query and one batch read of roles."""
    employees = [e for e in people.employees.list_all(tenant_id) if e.active]
    roles = people.roles.batch_get(tenant_id, {e.role_id for e in employees})
    granted = []
    for employee in employees:
        role = roles.get(employee.role_id)
        permissions = set(role.permissions or ()) if role else set()
        if permission in permissions | set(employee.granted_permissions or ()):
            granted.append(employee)
    return granted


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    html: str
    sms: str
    link: str
    subject_id: str | None


def render(kind: Kind, detail: dict[str, Any], settings: TenantSettings) -> Message:
    phone = detail.get("phone") or detail.get("customer_phone")
    values = _Blank({k: "" if v is None else v for k, v in detail.items()})
    values |= {"caller": phones.readable(phone), "caller_masked": phones.last_four(phone), "company": settings.name}
    base = (settings.app_base_url or config.app_base_url()).rstrip("/")
    values["link"] = base + kind.link.format_map(values)
    text = kind.text.format_map(values)
    paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    body = (
        f"<!doctype html><html><body>{paragraphs}"
        f'<p><a href="{html.escape(values["link"], quote=True)}">Open in Leadline</a></p></body></html>'
    )
    return Message(
        title=kind.title.format_map(values),
        text=text,
        html=body,
        sms=kind.sms.format_map(values),
        link=values["link"],
        subject_id=detail.get(kind.subject_id),
    )


# --- preferences ---------------------------------------------------------------------------------


def preferences(tenant_id: str, employee: Employee, stored: NotificationPreferences | None = None) -> dict[str, Any]:
    p = stored or notification_items.get_preferences(tenant_id, employee.employee_id)
    return {
        "channels": {
            IN_APP: p.in_app_enabled if p else True,
            EMAIL: p.email_enabled if p else True,
            SMS: p.sms_enabled if p else False,
        },
        "email": (p.email if p else None) or employee.email,
        "mobile_phone": (p.mobile_phone if p else None) or employee.phone,
    }


def get_preferences(tenant_id: str, employee_id: str) -> dict[str, Any]:
    employee = people.employees.get_or_404(tenant_id, employee_id)
    return preferences(tenant_id, employee)


def put_preferences(tenant_id: str, employee_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    employee = people.employees.get_or_404(tenant_id, employee_id)
    p = notification_items.get_preferences(tenant_id, employee_id) or notification_items.new_preferences(
        tenant_id, employee_id
    )
    for channel, enabled in (changes.get("channels") or {}).items():
        setattr(p, f"{channel}_enabled", enabled)
    if "email" in changes:
        p.email = changes["email"]
    if "mobile_phone" in changes:
        p.mobile_phone = (
            phones.to_e164(changes["mobile_phone"], field="mobile_phone") if changes["mobile_phone"] else None
        )
    if p.sms_enabled and not (p.mobile_phone or employee.phone):
        raise InvalidInput("texts need a mobile_phone (your employee record has no phone)", field="mobile_phone")
    store.save(p, "your notification preferences")
    return preferences(tenant_id, employee, p)


# --- sending -------------------------------------------------------------------------------------


def _text_origin(tenant_id: str, settings: TenantSettings) -> tuple[str | None, str | None]:
    """(the number texts go from, None) or (None, why texts cannot go)."""
    if not settings.sms_registered:
        return None, "the company's SMS registration is not complete (settings: sms_registered)"
    numbers = tracking_numbers.registered_for_texts(tenant_id)
    if not numbers:
        return None, "no tracking number is registered for text messaging"
    return sorted(n.number for n in numbers)[0], None


def quiet_until(settings: TenantSettings, now: datetime) -> datetime | None:
    """When the company's quiet hours end, if `now` is inside them."""
    if not (settings.quiet_hours_start and settings.quiet_hours_end):
        return None
    zone = ZoneInfo(settings.time_zone)
    local = now.astimezone(zone)
    start, end = time.fromisoformat(settings.quiet_hours_start), time.fromisoformat(settings.quiet_hours_end)
    at = local.time()
    inside = (start <= at < end) if start < end else (at >= start or at < end)
    if not inside:
        return None
    end_day = local.date() if at < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)


def notify(detail_type: str, detail: dict[str, Any]) -> dict[str, int]:
    """Tell everyone who should hear of this event, on each of their channels, once. Counts by outcome."""
    kind = KINDS.get(detail_type)
    if kind is None or not kind.applies(detail):
        return {}
    tenant_id, event_id = detail["tenant_id"], detail["event_id"]
    settings = tenant_settings.get(tenant_id)
    if settings is None:
        return {}
    recipients = audience(tenant_id, kind.audience)
    stored = notification_items.preferences_of(tenant_id, [e.employee_id for e in recipients])
    message = render(kind, detail, settings)
    origin, no_texts = _text_origin(tenant_id, settings)
    sender = settings.notification_sender or config.notification_sender()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for employee in recipients:
        prefs = preferences(tenant_id, employee, stored.get(employee.employee_id))
        for channel in CHANNELS:
            if not prefs["channels"][channel]:
                continue
            item = _item(tenant_id, event_id, detail_type, employee.employee_id, channel, message)
            try:
                if channel == IN_APP:
                    counts[_in_app(item)] += 1
                elif channel == EMAIL:
                    counts[_email(item, message, sender, prefs["email"])] += 1
                else:
                    counts[_text(item, settings, message, origin, no_texts, prefs["mobile_phone"])] += 1
            except Exception as exc:  # noqa: BLE001 - every channel of every person is tried before raising
                logger.warning(
                    "a notification could not be sent",
                    extra={"channel": channel, "employee_id": employee.employee_id, "error": str(exc)},
                )
                failures.append(f"{channel} to {employee.employee_id}: {exc}")
                counts[FAILED] += 1
    if failures:
        raise DeliveryFailed(f"event {event_id}: {len(failures)} sends failed: " + "; ".join(failures))
    return dict(counts)


def _item(tenant_id: str, event_id: str, detail_type: str, employee_id: str, channel: str, m: Message) -> Notification:
    nid = notification_id(event_id, employee_id)
    item = notification_items.new(
        tenant_id,
        nid,
        channel,
        event_id=event_id,
        event_type=detail_type,
        employee_id=employee_id,
        status=SENDING,
        title=m.title,
        text=m.sms if channel == SMS else m.text,
        link=m.link,
        subject_id=m.subject_id,
    )
    item.expires_at = datetime.now(UTC) + RETENTION
    return item


def _claim(item: Notification) -> bool:
    """Write the item unless this person already has (or is being sent) this event on this channel."""
    now = utc_now()
    may_take = (
        Notification.pk.does_not_exist()
        | (Notification.status == FAILED)
        | ((Notification.status == SENDING) & (Notification.lease_until < now))
    )
    try:
        item.save(condition=may_take)
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _final(item: Notification, status: str, reason: str | None = None) -> str:
    item.status, item.reason = status, reason
    if status == SENT:
        item.sent_at = utc_now()
    return status if _claim(item) else "duplicate"


def _in_app(item: Notification) -> str:
    notification_items.put_in_inbox(item)
    return _final(item, SENT)


def _send(item: Notification, send) -> str:
    """Claim, send, mark: the three steps of an outside channel."""
    item.lease_until = _iso(datetime.now(UTC) + LEASE)
    if not _claim(item):
        held = notification_items.get(item.tenant_id, item.notification_id, item.channel, consistent=True)
        if held is not None and held.status == SENDING:
            raise SendInProgress(f"another delivery is sending it (lease until {held.lease_until}); retry after")
        return "duplicate"
    try:
        message_id = send()
    except Exception as exc:
        item.update(actions=[Notification.status.set(FAILED), Notification.reason.set(str(exc)[:500])])
        raise
    item.update(
        actions=[
            Notification.status.set(SENT),
            Notification.message_id.set(message_id),
            Notification.sent_at.set(utc_now()),
            *notification_items.out_of_held(),
        ]
    )
    return SENT


def _email(item: Notification, m: Message, sender: str, address: str | None) -> str:
    if not sender:
        return _final(item, SKIPPED, "the company has no notification sender (settings: notifications.sender)")
    if not address:
        return _final(item, SKIPPED, "no email address")
    item.address = address
    return _send(
        item, lambda: channels.send_email(sender=sender, to=address, subject=m.title, text=m.text, html=m.html)
    )


def _text(
    item: Notification,
    settings: TenantSettings,
    m: Message,
    origin: str | None,
    no_texts: str | None,
    phone: str | None,
) -> str:
    if no_texts:
        return _final(item, SKIPPED, no_texts)
    if not phone:
        return _final(item, SKIPPED, "no mobile phone number")
    item.address, item.reason = phone, origin  # a held text keeps the number it will go from
    held_until = quiet_until(settings, datetime.now(UTC))
    if held_until is not None:
        notification_items.hold(item, _iso(held_until))
        return _final(item, HELD, origin)
    return _send(item, lambda: channels.send_text(to=phone, text=m.sms, origination_number=origin))


def send_held(*, limit: int = 100) -> int:
    """The scanner: send the texts whose quiet hours are over. Its cost grows with the texts due."""
    now = _iso(datetime.now(UTC))
    sent = 0
    for shard in range(notification_items.HELD_SHARDS):
        for item in notification_items.held_due(shard, now, limit=limit):
            abandoned = item.status == SENDING and (item.lease_until or "") < now  # a sweep died sending it
            if item.status != HELD and not abandoned:
                continue
            try:
                item.update(
                    actions=[
                        Notification.status.set(SENDING),
                        Notification.lease_until.set(_iso(datetime.now(UTC) + LEASE)),
                    ],
                    condition=(Notification.status == HELD)
                    | ((Notification.status == SENDING) & (Notification.lease_until < now)),
                )
            except UpdateError:  # another sweep took it
                continue
            origin, phone, text = item.reason, item.address, item.text
            try:
                message_id = channels.send_text(to=phone, text=text, origination_number=origin)
            except Exception as exc:  # noqa: BLE001 - it stays held, and the next sweep tries again
                item.update(actions=[Notification.status.set(HELD), Notification.reason.set(origin)])
                logger.warning("a held text could not be sent; it stays held", extra={"error": str(exc)})
                continue
            item.update(
                actions=[
                    Notification.status.set(SENT),
                    Notification.message_id.set(message_id),
                    Notification.sent_at.set(utc_now()),
                    *notification_items.out_of_held(),
                ]
            )
            sent += 1
    return sent


# --- the in-app inbox ----------------------------------------------------------------------------


def inbox_view(item: Notification) -> dict[str, Any]:
    return {
        "notification_id": item.notification_id,
        "event_type": item.event_type,
        "title": item.title,
        "text": item.text,
        "link": item.link,
        "subject_id": item.subject_id,
        "created_at": item.created_at,
        "read": item.read_at is not None,
        "read_at": item.read_at,
    }


def inbox(tenant_id: str, employee_id: str, *, unread_only: bool, limit: int, next_token: str | None) -> dict[str, Any]:
    page = notification_items.inbox_page(
        tenant_id,
        employee_id,
        limit=limit,
        next_token=next_token,
        filter_condition=Notification.read_at.does_not_exist() if unread_only else None,
    )
    return {"items": [inbox_view(n) for n in page.items], "next_token": page.next_token}


def _own(tenant_id: str, employee_id: str, notification: str) -> Notification:
    item = notification_items.get(tenant_id, notification, IN_APP)
    if item is None or item.employee_id != employee_id or item.dismissed_at:
        raise NotFound(f"notification {notification} not found")
    return item


def mark_read(tenant_id: str, employee_id: str, notification: str) -> dict[str, Any]:
    item = _own(tenant_id, employee_id, notification)
    if item.read_at is None:
        item.update(actions=[Notification.read_at.set(utc_now())])
    return inbox_view(item)


def dismiss(tenant_id: str, employee_id: str, notification: str) -> dict[str, Any]:
    """Out of the list for good (the record of the send stays)."""
    item = _own(tenant_id, employee_id, notification)
    item.update(actions=[Notification.dismissed_at.set(utc_now()), *notification_items.out_of_inbox()])
    return {"notification_id": notification, "dismissed": True}


def deliveries(tenant_id: str, event_id: str, employee_id: str) -> list[Notification]:
    """Every channel's record for this person and event (diagnostics and tests)."""
    nid = notification_id(event_id, employee_id)
    return notification_items.of_notification(tenant_id, nid)
