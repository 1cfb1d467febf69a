"""The Bookings inbox: leads from partners and from the website, reviewed there and converted into a job (one
transaction: the job carrying the booking's campaign, and the booking `converted`) or dismissed with a reason.

`receive` is the one way in, for every sender: the booking's id derives from the source and the sender's own id,
so a duplicate delivery is refused by the write and answered with the booking already kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from leadline.customers import service as customers
from leadline.data import store
from leadline.data.models import Booking, Job
from leadline.data.repositories import bookings as booking_records
from leadline.data.store import TxStep
from leadline.errors import Conflict, InvalidInput
from leadline.events import outbox
from leadline.events.outbox import DomainEvent
from leadline.ids import utc_now
from leadline.leads import jobs
from leadline.leads import service as leads
from leadline.reports import projection

PENDING, CONVERTED, DISMISSED = "pending", "converted", "dismissed"
STATUSES = (PENDING, CONVERTED, DISMISSED)
PARTNER, ONLINE = "partner", "online"
SOURCES = (PARTNER, ONLINE)
MAX_ATTEMPTS = 5


def booking_id_for(source: str, partner: str | None, external_id: str) -> str:
    return "bk-" + hashlib.sha256(f"{source}|{partner or ''}|{external_id}".encode()).hexdigest()[:24]


@dataclass
class Incoming:
    """What a sender says about one lead, already checked and in our terms."""

    source: str  # partner | online
    external_id: str
    partner: str | None = None
    customer_name: str | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    address: dict[str, Any] | None = None
    category: str | None = None
    description: str | None = None
    details: list[dict[str, str]] = field(default_factory=list)
    requested_times: list[str] = field(default_factory=list)
    job_type_id: str | None = None
    business_unit_id: str | None = None
    campaign_id: str | None = None
    attribution: dict[str, Any] | None = None
    flags: list[str] = field(default_factory=list)
    lead_price: str | None = None
    received_at: str | None = None  # the sender's time of the lead; else now
    raw: str | None = None
    note: str | None = None  # a first note, e.g. the customer's own comments


def booking_view(b: Booking, *, full: bool = False) -> dict[str, Any]:
    view = {
        "booking_id": b.booking_id,
        "source": b.source,
        "partner": b.partner,
        "external_id": b.external_id,
        "status": b.status,
        "received_at": b.received_at,
        "customer_name": b.customer_name,
        "phone": b.phone,
        "email": b.email,
        "address": store.plain_map(b.address),
        "category": b.category,
        "description": b.description,
        "job_type_id": b.job_type_id,
        "business_unit_id": b.business_unit_id,
        "campaign_id": b.campaign_id,
        "attribution": store.plain_map(b.attribution),
        "flags": list(b.flags or []),
        "job_id": b.job_id,
        "dismiss_reason": b.dismiss_reason,
        "created_at": b.created_at,
    }
    if full:
        view |= {
            "details": [dict(d) for d in b.details or []],
            "requested_times": list(b.requested_times or []),
            "lead_price": b.lead_price,
            "notes": [dict(n) for n in b.notes or []],
            "history": [dict(h) for h in b.history or []],
        }
    return view


def _event(kind: str, b: Booking, **extra: Any) -> DomainEvent:
    return DomainEvent(
        kind,
        b.tenant_id,
        {
            "booking_id": b.booking_id,
            "source": b.source,
            "partner": b.partner,
            "status": b.status,
            "phone": b.phone,
            "customer_name": b.customer_name,
            "category": b.category,
            "campaign_id": b.campaign_id,
            "flags": list(b.flags or []),
            **extra,
        },
    )


def receive(tenant_id: str, incoming: Incoming) -> tuple[dict[str, Any], bool]:
    """(the booking, whether this delivery created it). A booking already kept is answered as it is."""
    if incoming.source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    booking_id = booking_id_for(incoming.source, incoming.partner, incoming.external_id)
    fields = {k: v for k, v in vars(incoming).items() if k not in ("note", "received_at")}
    booking = booking_records.new(tenant_id, booking_id, status=PENDING, **fields)
    booking.received_at = incoming.received_at or booking.created_at
    if incoming.note:
        booking.notes = [{"at": booking.created_at, "by": incoming.partner or incoming.source, "text": incoming.note}]
    why = f"received from {incoming.partner or incoming.source}"
    if booking.flags:
        why += f" (flagged: {', '.join(booking.flags)})"
    booking.history = [{"at": booking.created_at, "by": None, "from": None, "to": PENDING, "why": why}]
    booking_records.index(booking)
    event = _event("BookingReceived", booking)
    try:
        store.transact(
            [
                booking_records.create_step(booking),
                outbox.step(event),
                *projection.change(booking),
            ]
        )
    except Conflict:
        existing = booking_records.get(tenant_id, booking_id, consistent=True)
        if existing is None:  # pragma: no cover - a put refused for an item that is not there
            raise
        return booking_view(existing, full=True), False
    outbox.publish_after_commit([event])
    return booking_view(booking, full=True), True


def get(tenant_id: str, booking_id: str) -> dict[str, Any]:
    return booking_view(booking_records.get_or_404(tenant_id, booking_id), full=True)


def list_bookings(
    tenant_id: str,
    *,
    status: str | None,
    source: str | None,
    partner: str | None,
    flagged: bool | None,
    limit: int,
    next_token: str | None,
) -> dict[str, Any]:
    page = booking_records.list_by_status(
        tenant_id, status, source=source, partner=partner, flagged=bool(flagged), limit=limit, next_token=next_token
    )
    items = [booking_view(b) for b in page.items]
    if flagged is False:
        items = [i for i in items if not i["flags"]]
    return {"items": items, "next_token": page.next_token}


class _Changed(Conflict):
    pass


def _change(tenant_id: str, booking_id: str, apply) -> Booking:
    """Read, apply (returning the steps and events besides the booking), write; again if it changed meanwhile."""
    for _attempt in range(MAX_ATTEMPTS):
        b = booking_records.get_or_404(tenant_id, booking_id, consistent=True)
        steps, events = apply(b)
        store.touch(b)
        booking_records.index(b)
        step = TxStep.put(b, "the booking changed meanwhile")
        step.error = _Changed
        try:
            store.transact([step, *steps])
        except _Changed:
            continue
        outbox.publish_after_commit(events)
        return b
    raise Conflict(f"booking {booking_id} kept changing at the same time; retry")


def _refuse_unless_pending(b: Booking, action: str) -> None:
    if b.status != PENDING:
        raise Conflict(f"booking {b.booking_id} is {b.status}: only a pending booking can be {action}")


def _transition(b: Booking, to: str, by: str | None, why: str) -> None:
    b.history = [*(b.history or []), {"at": utc_now(), "by": by, "from": b.status, "to": to, "why": why}]
    b.status = to


def _customer_for(tenant_id: str, b: Booking, customer_id: str | None) -> str:
    """The customer the job is for: the one named, else the one with the booking's phone, else a new one."""
    if customer_id:
        return customer_id
    if b.phone:
        found = customers.find_by_phone(tenant_id, b.phone)
        if len(found) == 1:
            return found[0]["customer_id"]
    name = b.customer_name or (b.phone or b.email or "Online customer")
    created = customers.create_customer(
        tenant_id, {"name": name, "phones": [b.phone] if b.phone else [], "emails": [b.email] if b.email else []}
    )
    return created["customer_id"]


def convert(tenant_id: str, booking_id: str, data: dict[str, Any], *, by: str) -> dict[str, Any]:
    """The job (with the booking's campaign, and its mapped job type and business unit unless given) and the
    booking `converted`, in one transaction."""
    current = booking_records.get_or_404(tenant_id, booking_id)
    _refuse_unless_pending(current, "converted")
    data = dict(data)
    for name in ("job_type_id", "business_unit_id"):
        data[name] = data.get(name) or getattr(current, name)
        if not data[name]:
            raise InvalidInput(f"{name} is required: the booking's category is not mapped to one", field=name)
    data["customer_id"] = _customer_for(tenant_id, current, data.get("customer_id"))
    jobs.check_references(tenant_id, data)
    holder: dict[str, Job] = {}

    def apply(b: Booking):
        _refuse_unless_pending(b, "converted")
        job = jobs.new_job(
            tenant_id,
            origin="booking",
            booking_id=b.booking_id,
            customer_phone=b.phone,
            campaign_id=b.campaign_id,
            booked_by=by,
            **data,
        )
        before = projection.counts(b)
        b.job_id = job.job_id
        _transition(b, CONVERTED, by, f"converted into job {job.job_id}")
        converted = _event("BookingConverted", b, job_id=job.job_id)
        holder["job"] = job
        return jobs.conversion(job, converted, b, before)

    b = _change(tenant_id, booking_id, apply)
    return {"booking": booking_view(b, full=True), "job": jobs.job_view(holder["job"])}


def dismiss(tenant_id: str, booking_id: str, *, reason: str, note: str | None, by: str) -> dict[str, Any]:
    label = leads.check_reason(tenant_id, reason)

    def apply(b: Booking):
        _refuse_unless_pending(b, "dismissed")
        b.dismiss_reason = reason
        if note:
            b.notes = [*(b.notes or []), {"at": utc_now(), "by": by, "text": note}]
        _transition(b, DISMISSED, by, label)
        event = _event("BookingDismissed", b, reason=reason)
        return [outbox.step(event)], [event]

    return booking_view(_change(tenant_id, booking_id, apply), full=True)


def add_note(tenant_id: str, booking_id: str, text: str, *, by: str, note_id: str | None = None) -> dict[str, Any]:
    """A note on the booking; with `note_id` (a partner's message id), the same note is added once."""

    def apply(b: Booking):
        if note_id and any(dict(n).get("id") == note_id for n in b.notes or []):
            return [], []
        note = {"at": utc_now(), "by": by, "text": text} | ({"id": note_id} if note_id else {})
        b.notes = [*(b.notes or []), note]
        return [], []

    return booking_view(_change(tenant_id, booking_id, apply), full=True)
