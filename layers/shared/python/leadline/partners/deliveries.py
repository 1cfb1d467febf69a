"""A partner's delivery, authenticated, into the Bookings inbox: the one path both the webhook and a reprocess of a
kept delivery take, so that applying a delivery again is exactly applying it."""

from __future__ import annotations

from typing import Any

from leadline.partners import angi, generic, ingest, thumbtack
from leadline.partners.common import ANGI, THUMBTACK


def apply(tenant_id: str, partner: str, raw: bytes, *, verified: bool = True) -> dict[str, Any]:
    """What the delivery did, as the partner is answered. InvalidInput (naming what is wrong) if it cannot be read."""
    if partner == THUMBTACK:
        return _thumbtack(tenant_id, raw, verified)
    if partner == ANGI:
        booking, created = ingest.receive_lead(tenant_id, ANGI, angi.parse(angi.load(raw), raw))
        return {
            "status": "success",  # what Angi's "success string" can look for
            **_outcome(booking, created),
            "external_id": booking["external_id"],
        }
    booking, created = ingest.receive_lead(tenant_id, partner, generic.parse(partner, generic.load(raw), raw))
    return _outcome(booking, created)


def _outcome(booking: dict, created: bool) -> dict[str, Any]:
    return {"result": "created" if created else "duplicate", "booking_id": booking["booking_id"]}


def _thumbtack(tenant_id: str, raw: bytes, verified: bool) -> dict[str, Any]:
    event_type, data = thumbtack.load(raw)
    if thumbtack.is_lead(event_type):
        incoming = thumbtack.parse_negotiation(data, raw)
        booking, created = ingest.receive_lead(tenant_id, THUMBTACK, incoming, verified=verified)
        attached = ingest.attach_waiting(tenant_id, THUMBTACK, incoming.external_id)
        return {**_outcome(booking, created), "messages_attached": attached}
    if thumbtack.is_message(event_type):
        return ingest.receive_message(tenant_id, THUMBTACK, thumbtack.parse_message(data, raw))
    return {"result": "ignored", "event_type": event_type, "reason": "only new leads and their messages are read"}
