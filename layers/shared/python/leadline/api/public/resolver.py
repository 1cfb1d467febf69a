"""The website's API: one resolver, public (each route authenticates its caller its own way). Errors are answered by
the HTTP layer (leadline/api/http.py), an invalid input with a 400 as for the webhooks."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from leadline.api import http
from leadline.api.public import dni as dni_routes
from leadline.api.public import online_bookings
from leadline.errors import DomainError
from leadline.observability import logger

app = http.Resolver(invalid_input_status=HTTPStatus.BAD_REQUEST)
app.include_router(online_bookings.router)
app.include_router(dni_routes.router)


@app.exception_handler(DomainError)
def refused(exc: DomainError) -> Response:
    response = app.domain_error(exc)
    logger.info("website request refused", extra={"status": response.status_code, "reason": exc.message})
    return response
