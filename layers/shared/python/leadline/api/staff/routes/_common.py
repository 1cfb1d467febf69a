from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import AfterValidator

from leadline.api.staff.schemas import DAY, PHONE, PHONE_LENGTH, calendar_day, phone_as_written

Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
NextToken = Annotated[str | None, Query(max_length=2048, description="The next_token of the previous page")]


def day_query(description: str, *, alias: str | None = None, optional: bool = False) -> Any:
    """A day (YYYY-MM-DD) in the query, of the document's pattern and format (which the validator hides from the
    document unless told), and one the calendar has."""
    query = Query(
        alias=alias, pattern=DAY, description=description, json_schema_extra={"pattern": DAY, "format": "date"}
    )
    return Annotated[str | None if optional else str, query, AfterValidator(calendar_day)]


def phone_query(description: str, *, optional: bool = False) -> Any:
    """A phone number in the query, as people write it: the document's pattern, checked and told in words."""
    query = Query(max_length=PHONE_LENGTH, description=description, json_schema_extra={"pattern": PHONE})
    return Annotated[str | None if optional else str, query, AfterValidator(phone_as_written)]


PhoneQuery = phone_query("A phone number, as people write it")
