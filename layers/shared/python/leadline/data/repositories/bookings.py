"""Bookings: one item per lead from a partner or the website, listed by status, all by time, and by the phone; and
the company's online-booking settings (one item)."""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.expressions.condition import Condition

from leadline.data import keys, store
from leadline.data.models import Booking, OnlineBookingConfig
from leadline.data.store import Page, TxStep


def key(booking_id: str) -> str:
    """The booking's sort key, for batch reads that fetch it with other items."""
    return keys.booking(booking_id)


def get(tenant_id: str, booking_id: str, *, consistent: bool = False) -> Booking | None:
    return store.get(Booking, tenant_id, keys.booking(booking_id), consistent=consistent)


def get_or_404(tenant_id: str, booking_id: str, *, consistent: bool = False) -> Booking:
    return store.get_or_404(
        Booking, tenant_id, keys.booking(booking_id), f"booking {booking_id}", consistent=consistent
    )


def new(tenant_id: str, booking_id: str, **attributes) -> Booking:
    """A new booking; index it once its `received_at` and status are set."""
    return store.new_item(Booking, tenant_id, keys.booking(booking_id), booking_id=booking_id, **attributes)


def index(booking: Booking) -> None:
    """The listings a booking appears in, by the time it was received: by status, all, by the phone."""
    order = keys.in_order(booking.received_at, booking.booking_id)
    booking.gsi1pk, booking.gsi1sk = keys.bookings_by_status(booking.tenant_id, booking.status), order
    booking.gsi2pk, booking.gsi2sk = keys.bookings_by_time(booking.tenant_id), order
    if booking.phone:
        booking.gsi3pk, booking.gsi3sk = keys.bookings_by_caller(booking.tenant_id, booking.phone), order


def create_step(booking: Booking) -> TxStep:
    """The put of a new booking, refused if it exists (its derived id makes a second delivery fail here)."""
    return TxStep.put(booking, "booking exists", condition=Booking.pk.does_not_exist())


def list_by_status(
    tenant_id: str,
    status: str | None,
    *,
    source: str | None = None,
    partner: str | None = None,
    flagged: bool = False,
    limit: int,
    next_token: str | None,
) -> Page:
    """Newest first, of one status or (None) all; source, partner and `flagged` (only those with flags) filter what
    the page reads."""
    if status:
        index_, index_pk = Booking.by_parent, keys.bookings_by_status(tenant_id, status)
    else:
        index_, index_pk = Booking.by_time, keys.bookings_by_time(tenant_id)
    condition: Condition | None = None
    for present in (
        Booking.source == source if source else None,
        Booking.partner == partner if partner else None,
        (Booking.flags.exists() & (Booking.flags != [])) if flagged else None,
    ):
        if present is not None:
            condition = present if condition is None else condition & present
    return store.query_index(
        index_, index_pk, None, limit=limit, next_token=next_token, newest_first=True, filter_condition=condition
    )


def received_between(tenant_id: str, start: str, end: str, *, source: str | None = None) -> Iterator[Booking]:
    """Every booking received from `start` to `end` (ISO instants), oldest first, of one source or all; the Query
    goes on page after page as the caller iterates."""
    return Booking.by_time.query(
        keys.bookings_by_time(tenant_id),
        Booking.gsi2sk.between(start, end),
        filter_condition=Booking.source == source if source else None,
    )


def all_of(tenant_id: str, *, consistent: bool = True) -> list[Booking]:
    """Every booking of the tenant, in key order: all of them, so for checks and maintenance, not for a request."""
    return list(Booking.query(keys.tenant(tenant_id), Booking.sk.startswith(keys.BOOKINGS), consistent_read=consistent))


# --- the online-booking settings -----------------------------------------------------------------


def online_config(tenant_id: str) -> OnlineBookingConfig | None:
    return store.get(OnlineBookingConfig, tenant_id, keys.ONLINE_BOOKING_CONFIG)


def new_online_config(tenant_id: str) -> OnlineBookingConfig:
    return store.new_item(OnlineBookingConfig, tenant_id, keys.ONLINE_BOOKING_CONFIG)
