"""Phone numbers: E.164 in storage, masked in logs."""

import re

import phonenumbers

from leadline.errors import InvalidInput

DEFAULT_REGION = "US"


def to_e164(raw: str, *, region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """Parse what a person or a vendor typed into E.164, or refuse it saying why."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(f"{field} is empty", field=field)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"{field} '{mask(text)}' is not a phone number: {exc._msg}", field=field) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"{field} '{mask(text)}' is not a valid phone number", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(number: str) -> str:
    """Keep the last two digits: enough to tell calls apart in a log, not to call anyone."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) <= 2:
        return "*" * len(digits)
    return ("+" if (number or "").strip().startswith("+") else "") + "*" * (len(digits) - 2) + digits[-2:]


# E.164, or a NANP number written any usual way; not digits glued to a word (ids) or to more digits (epochs).
_PHONE_LIKE = re.compile(
    r"(?:(?<![\w+])|(?<=%2B)|(?<=%2b))(?:\+\d{10,15}|(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})(?!\d)"
)


def mask_in_text(text: str) -> str:
    """Mask every phone-number-like run of digits in free text (log lines)."""
    return _PHONE_LIKE.sub(lambda m: mask(m.group(0)), text)


def readable(number: str | None) -> str:
    """(512) 555-0555 for a US number, the international form for others; what a person reads in an email."""
    if not number:
        return "unknown number"
    try:
        parsed = phonenumbers.parse(number, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return number
    region_format = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, region_format)


def last_four(number: str | None) -> str:
    """Only the last 4 digits, for a text message: enough for the reader to recognise a caller."""
    digits = re.sub(r"\D", "", number or "")
    return f"***-{digits[-4:]}" if len(digits) >= 4 else "unknown number"  # plain ASCII: one GSM-7 segment
