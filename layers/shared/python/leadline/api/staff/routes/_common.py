from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import AfterValidator

from leadline.api.staff.schemas import DAY, PHONE, PHONE_LENGTH, calendar_day

Limit = Annotated[int, Query(ge=1, le=200, description="Page size")]
NextToken = Annotated[str | None, Query(max_length=2048, description="The next_token of the previous page")]
PhoneQuery = Annotated[
    str, Query(pattern=PHONE, max_length=PHONE_LENGTH, description="A phone number, as people write it")
]


def day_query(description: str, *, alias: str | None = None, optional: bool = False) -> Any:
    """A day (YYYY-MM-DD) in the query, of the document's pattern and format (which the validator hides from the
    document unless told), and one the calendar has."""
    query = Query(
        alias=alias, pattern=DAY, description=description, json_schema_extra={"pattern": DAY, "format": "date"}
    )
    return Annotated[str | None if optional else str, query, AfterValidator(calendar_day)]
