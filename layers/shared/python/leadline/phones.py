"""Phone numbers: E.164 in storage, masked in logs.

`phonenumbers` is imported where a number is parsed, not with this module: every function imports this module for
its log masking, and phonenumbers is one of the heaviest imports of a cold start."""

import re

from leadline.errors import InvalidInput

DEFAULT_REGION = "US"
_QUOTED = 40  # characters of the input quoted back in a refusal
_NOT_PARSED = {  # by phonenumbers.NumberParseException's error type
    "INVALID_COUNTRY_CODE": "does not start with a known country code",
    "TOO_SHORT_AFTER_IDD": "is too short to be a phone number",
    "TOO_SHORT_NSN": "is too short to be a phone number",
    "TOO_LONG": "is too long to be a phone number",
}


def to_e164(raw: str, *, region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """Parse what a person or a vendor typed into E.164, or refuse it saying why. The message quotes the number as
    typed: it goes back to whoever typed it, and a log line that carries it is masked by the log formatter."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(f"{field} is empty", field=field)
    quoted = text if len(text) <= _QUOTED else text[: _QUOTED - 3] + "..."
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        kinds = [kind for kind in _NOT_PARSED if getattr(exc, kind) == exc.error_type]
        why = _NOT_PARSED[kinds[0]] if kinds else "is not a phone number"
        raise InvalidInput(f"{field} '{quoted}' {why}", field=field) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"{field} '{quoted}' is not a valid phone number", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(number: str) -> str:
    """Keep the last two digits: enough to tell calls apart in a log, not to call anyone."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) <= 2:
        return "*" * len(digits)
    return ("+" if (number or "").strip().startswith("+") else "") + "*" * (len(digits) - 2) + digits[-2:]


# A phone number as it is written in a log line: E.164 (+ and 8 to 15 digits, or %2B and the digits in a URL), also
# inside an id a PBX made of it (pbx-+15125550100-1); an international number in groups (+44 20 7946 0958); a NANP
# number written any usual way ((512) 555-0100, 512.555.0100, 1-512-555-0100, +1 512 555 0100, 5125550100), whose
# area code and exchange start with 2-9 (no epoch in seconds of this century does). Never digits glued to a letter
# or a digit, nor, without a +, to a hyphen or a decimal point: UUIDs, hex ids, Twilio SIDs, tenant ids, epochs in
# milliseconds, times, dates and decimals are not numbers anyone can call.
_ESCAPE = r"(?<=\\[nrt])"  # a line, tab or return just before, as a JSON log line writes them: \n+15125550100
_PHONE_LIKE = re.compile(
    rf"""
        (?:(?:(?<!\w)|{_ESCAPE})\+|(?<=%2[Bb]))                       # E.164
        [1-9]\d{{7,14}}(?!\w|\.\d)
      | (?:(?<!\w)|{_ESCAPE})\+                                      # international, in groups
        [2-9]\d{{0,2}}(?=(?:[\s.-]?\d){{7}})(?:[\s.-]\d{{1,8}}){{1,5}}(?!\w|\.\d)
      | (?:(?<![\w+-])(?<!\d\.)|{_ESCAPE})                            # NANP
        (?:\+?1[\s.-]?)?(?:\([2-9]\d\d\)|[2-9]\d\d)[\s.-]?[2-9]\d\d[\s.-]?\d{{4}}(?![\w-]|\.\d)
    """,
    re.VERBOSE,
)


def mask_in_text(text: str) -> str:
    """Mask every phone-number-like run of digits in free text (log lines)."""
    return _PHONE_LIKE.sub(lambda m: mask(m.group(0)), text)


def readable(number: str | None) -> str:
    """(512) 555-0555 for a US number, the international form for others; what a person reads in an email."""
    if not number:
        return "unknown number"
    import phonenumbers

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
