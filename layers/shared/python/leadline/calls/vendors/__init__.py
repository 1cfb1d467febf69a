"""Each telephony vendor's format (Twilio, CallRail, native), read into the vendor-neutral CallEvent."""

from __future__ import annotations

from leadline.calls.events import CallEvent
from leadline.calls.vendors import callrail, native, twilio

VENDORS = (twilio.VENDOR, callrail.VENDOR, native.VENDOR)


def read(vendor: str, kind: str, raw_body: bytes, telephony: dict) -> CallEvent:
    """A delivery's body as the event it tells (InvalidInput naming what is wrong if it cannot be read). `kind` is the
    vendor's webhook it came to (Twilio's callback, CallRail's event); `telephony` the company's configuration of
    the vendor (Twilio's account must be the company's)."""
    if vendor == twilio.VENDOR:
        return twilio.parse(kind, raw_body, telephony.get("account_sid", ""))
    if vendor == callrail.VENDOR:
        return callrail.parse(callrail.load(raw_body), raw_body, kind)
    return native.parse(native.load(raw_body))
