"""A partner's lead, in our terms, into the Bookings inbox (`bookings.service.receive`, the one way in), with what
its integration says, counted once; and a partner's messages about a lead, as notes on its booking, kept until the
booking exists when they arrive first."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import DeleteError

from leadline.bookings import service as bookings
from leadline.bookings.service import Incoming, booking_id_for, booking_sk
from leadline.data import store
from leadline.data.models import Booking, PartnerMessage, tenant_pk
from leadline.errors import Conflict, NotFound
from leadline.observability import logger, metrics
from leadline.partners import integrations
from leadline.partners.thumbtack import Message


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


def message_sk(partner: str, negotiation_id: str, message_id: str = "") -> str:
    return f"PARTNERMSG#{partner}#{negotiation_id}#{message_id}"


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
    if store.get(Booking, tenant_id, booking_sk(booking_id), consistent=True) is not None:
        attach_waiting(tenant_id, partner, message.negotiation_id)
        return {"result": "attached", "booking_id": booking_id}
    metrics.add_metric(name="PartnerMessagesWaiting", unit=MetricUnit.Count, value=1)
    return {"result": "waiting", "negotiation_id": message.negotiation_id}


def _keep(tenant_id: str, partner: str, message: Message) -> None:
    item = store.new_item(
        PartnerMessage,
        tenant_id,
        message_sk(partner, message.negotiation_id, message.message_id),
        partner=partner,
        negotiation_id=message.negotiation_id,
        message_id=message.message_id,
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
    waiting = list(
        PartnerMessage.query(
            tenant_pk(tenant_id),
            PartnerMessage.sk.startswith(message_sk(partner, negotiation_id)),
            consistent_read=True,
        )
    )
    booking_id = booking_id_for("partner", partner, negotiation_id)
    for message in sorted(waiting, key=lambda m: (m.sent_at or m.created_at or "", m.message_id)):
        bookings.add_note(tenant_id, booking_id, message.text, by=partner, note_id=message.message_id)
        try:
            message.delete(condition=PartnerMessage.pk.exists())
        except DeleteError:  # deleted meanwhile by the other path; the note is there either way
            logger.debug("waiting message already attached", extra={"message_id": message.message_id})
    return len(waiting)
