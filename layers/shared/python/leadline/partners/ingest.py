"""A partner's delivery into the Bookings inbox, the one path both the webhook and a reprocess of a kept delivery
take (so that applying a delivery again is exactly applying it): its lead through `bookings.service.receive` (the
one way in) with what its integration says, counted once; its message as a note on its lead's booking, kept until
the booking exists when it arrives first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import DeleteError

from leadline.bookings import service as bookings
from leadline.bookings.service import Incoming, booking_id_for
from leadline.data import store
from leadline.data.models import PartnerMessage
from leadline.data.repositories import bookings as booking_records
from leadline.data.repositories import integrations as records
from leadline.errors import Conflict, NotFound
from leadline.observability import logger, metrics
from leadline.partners import integrations
from leadline.partners.partner import Lead, Message, Partner, Request


def authenticate(tenant_id: str, partner: Partner, raw: bytes, header: Callable[[str], str | None]) -> bool:
    """The partner's check of who sent a delivery, with the company's credentials for it (read if the partner asks):
    True if checked, False if the company takes the partner's deliveries unchecked; Refused (401) otherwise."""
    return partner.authenticate(
        Request(
            body=raw,
            header=header,
            credentials=lambda: partner.credentials_in(integrations.stored_credentials(tenant_id)),
            set_up=lambda: integrations.get_item(tenant_id, partner.name) is not None,
        )
    )


def apply(tenant_id: str, partner: Partner, raw: bytes, *, verified: bool = True) -> dict[str, Any]:
    """What the delivery did, as the partner is answered. InvalidInput (naming what is wrong) if it cannot be read."""
    reading = partner.read(raw)
    if isinstance(reading, Lead):
        booking, created = receive_lead(tenant_id, partner.name, reading.incoming, verified=verified)
        attached = 0
        if partner.messages_before_leads:
            attached = attach_waiting(tenant_id, partner.name, reading.incoming.external_id)
        return partner.answer(booking, created, attached)
    if isinstance(reading, Message):
        return receive_message(tenant_id, partner.name, reading)
    return reading.answer


def receive_lead(tenant_id: str, partner: str, incoming: Incoming, *, verified: bool = True) -> tuple[dict, bool]:
    """(the booking, whether this delivery created it). A duplicate delivery is answered with the booking kept."""
    prepared = integrations.prepare(tenant_id, partner, incoming, verified=verified)
    booking, created = bookings.receive(tenant_id, prepared)
    integrations.count(tenant_id, partner, booking)
    metrics.add_metric(
        name="PartnerLeadsCreated" if created else "PartnerLeadsDuplicate", unit=MetricUnit.Count, value=1
    )
    if created and booking["flags"]:
        logger.info("partner lead flagged", extra={"partner": partner, "flags": booking["flags"]})
    return booking, created


def receive_message(tenant_id: str, partner: str, message: Message) -> dict[str, Any]:
    """The message as a note on its lead's booking (once per message id). If the lead has not arrived yet, the
    message waits for it; and if the lead arrived while the message was being kept, it is attached now."""
    booking_id = booking_id_for("partner", partner, message.negotiation_id)
    try:
        bookings.add_note(tenant_id, booking_id, message.note(), by=partner, note_id=message.message_id)
        return {"result": "attached", "booking_id": booking_id}
    except NotFound:
        pass
    _keep(tenant_id, partner, message)
    # The lead may have been received between the note's NotFound and the write above, and have looked for waiting
    # messages before this one was kept: look again, now that it is.
    if booking_records.get(tenant_id, booking_id, consistent=True) is not None:
        attach_waiting(tenant_id, partner, message.negotiation_id)
        return {"result": "attached", "booking_id": booking_id}
    metrics.add_metric(name="PartnerMessagesWaiting", unit=MetricUnit.Count, value=1)
    return {"result": "waiting", "negotiation_id": message.negotiation_id}


def _keep(tenant_id: str, partner: str, message: Message) -> None:
    item = records.new_message(
        tenant_id,
        partner,
        message.negotiation_id,
        message.message_id,
        sender=message.sender,
        text=message.note(),
        sent_at=message.sent_at,
        raw=message.raw,
    )
    try:
        store.create(item, "waiting message")
    except Conflict:  # the same message delivered again: it is already waiting
        pass


def attach_waiting(tenant_id: str, partner: str, negotiation_id: str) -> int:
    """Add the messages that arrived before the lead to its booking (in the order they were sent), then forget
    them. Safe to run twice at once: a note is added once per message id."""
    waiting = records.waiting_for(tenant_id, partner, negotiation_id)
    booking_id = booking_id_for("partner", partner, negotiation_id)
    for message in sorted(waiting, key=lambda m: (m.sent_at or m.created_at or "", m.message_id)):
        bookings.add_note(tenant_id, booking_id, message.text, by=partner, note_id=message.message_id)
        try:
            message.delete(condition=PartnerMessage.pk.exists())
        except DeleteError:  # deleted meanwhile by the other path; the note is there either way
            logger.debug("waiting message already attached", extra={"message_id": message.message_id})
    return len(waiting)
