"""What every partner format shares: the credentials secret, reading a JSON body against a schema with a message
that names what is wrong, and turning the partner's phone, dates and prices into ours."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.validation import SchemaValidationError

from leadline.errors import InvalidInput
from leadline.json_schema import validate
from leadline.phones import to_e164

# A company's partner credentials are one secret, <prefix><tenant>/partners: each registered partner's under its
# name ({"thumbtack": {...}, "angi": {...}}), and generic partners' under "generic" ({"generic": {"<name>": {...}}}).
CREDENTIALS_KIND = "partners"
MAX_BODY_BYTES = 256 * 1024


def load_json(raw_body: bytes, schema: dict, what: str) -> dict:
    """The body as JSON, checked against the schema (Powertools validation); a 400 naming the field if not."""
    if len(raw_body) > MAX_BODY_BYTES:
        raise InvalidInput(f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
    try:
        payload = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not JSON") from None
    except RecursionError:
        raise InvalidInput("the body is JSON nested too deeply") from None
    return check(payload, schema, what)


def check(payload: Any, schema: dict, what: str) -> Any:
    try:
        validate(event=payload, schema=schema)
    except SchemaValidationError as exc:
        message, name = describe(exc)
        raise InvalidInput(f"{what}: {message}", field=name) from None
    return payload


def describe(exc: SchemaValidationError) -> tuple[str, str | None]:
    """fastjsonschema's message in the sender's terms: `customer.phone must be string`, `missing customer`."""
    path = (exc.name or "data").removeprefix("data").lstrip(".")
    where = path or "the body"
    message = exc.validation_message or str(exc)
    if exc.rule == "required" and isinstance(exc.value, dict):
        missing = [name for name in exc.rule_definition or [] if name not in exc.value]
        names = ", ".join(f"{path}.{m}" if path else m for m in missing)
        return f"missing required field(s): {names}", (f"{path}.{missing[0]}" if path else missing[0])
    if exc.rule == "additionalProperties" and isinstance(exc.value, dict):
        allowed = set((exc.definition or {}).get("properties", {}))
        unknown = sorted(k for k in exc.value if k not in allowed)
        names = ", ".join(f"{path}.{u}" if path else u for u in unknown)
        return f"unknown field(s): {names} (see the documented format; misspelt fields are refused)", path or None
    message = re.sub(r"^data(\.|\b)", "", message).strip()
    return (f"{message}" if path and message.startswith(path) else f"{where} {message}"), path or None


def text(value: Any, limit: int = 5000) -> str | None:
    """A string field as given, trimmed; None when empty. Numbers (ids) become their decimal text."""
    if value is None or isinstance(value, bool):
        return None
    cleaned = str(value).strip()
    return cleaned[:limit] or None


def ident(value: Any, field_name: str, limit: int = 128) -> str:
    """The sender's id of something (a lead, a message): required, and what makes a retry a duplicate."""
    found = text(value, limit)
    if found is None:
        raise InvalidInput(
            f"{field_name} is empty: it identifies the lead, so that a retry is not a second one", field=field_name
        )
    return found


def moment(value: Any, field_name: str) -> str | None:
    """An ISO 8601 date and time, as UTC with milliseconds and Z (the form every stored time has)."""
    raw = text(value, 64)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 with an offset has no UTC time
        raise InvalidInput(
            f"{field_name} '{raw}' is not an ISO 8601 date and time (e.g. 2026-11-23T15:04:00Z)", field=field_name
        ) from None


def price(value: Any) -> str | None:
    """ "$25.00", "25", 25.5 -> "25.00"; anything else is kept as given."""
    raw = text(value, 32)
    if raw is None:
        return None
    cleaned = raw.replace("$", "").replace(",", "").strip()
    try:
        return f"{float(cleaned):.2f}"
    except ValueError:
        return raw


@dataclass
class Contact:
    """The customer's phone, in E.164, and what to flag: a number that does not parse is kept for a person to
    read (in the details) and flagged, never a reason to refuse the lead."""

    phone: str | None = None
    flags: list[str] = field(default_factory=list)
    details: list[dict[str, str]] = field(default_factory=list)


def contact(raw_phone: Any, label: str = "Phone as given") -> Contact:
    raw = text(raw_phone, 40)
    if raw is None:
        return Contact()
    try:
        return Contact(phone=to_e164(raw))
    except InvalidInput:
        return Contact(flags=["invalid_phone"], details=[{"question": label, "answer": raw}])


def qa_list(items: Any) -> list[dict[str, str]]:
    """[{question, answer}] with both as strings; entries without a question are dropped."""
    out = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        question = text(item.get("question"), 500)
        if question:
            out.append({"question": question, "answer": text(item.get("answer"), 2000) or ""})
    return out


def full_name(first: Any, last: Any, whole: Any = None) -> str | None:
    return text(whole, 200) or text(" ".join(p for p in (text(first, 100), text(last, 100)) if p), 200)


def address(address1: Any, address2: Any, city: Any, state: Any, postal_code: Any) -> dict[str, str] | None:
    parts = {
        "address1": text(address1, 200),
        "address2": text(address2, 200),
        "city": text(city, 100),
        "state": text(state, 50),
        "postal_code": text(postal_code, 12),
    }
    kept = {k: v for k, v in parts.items() if v}
    return kept or None
