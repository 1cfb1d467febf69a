"""The website's API: one resolver, public (each route authenticates its caller its own way), and the one
place where errors become HTTP responses."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from leadline.api.public import dni as dni_routes
from leadline.api.public import online_bookings
from leadline.errors import DomainError, InvalidInput
from leadline.observability import logger

app = APIGatewayRestResolver()
app.include_router(online_bookings.router)
app.include_router(dni_routes.router)


@app.exception_handler(DomainError)
def domain_error(exc: DomainError) -> Response:
    status = HTTPStatus.BAD_REQUEST if isinstance(exc, InvalidInput) else exc.status  # what senders expect
    logger.info("website request refused", extra={"status": status, "reason": exc.message})
    body: dict = {"code": exc.code, "message": exc.message}
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    headers = online_bookings.CORS if app.current_event.path == "/v1/online-bookings" else None
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


@app.not_found
def not_found(_exc: Exception) -> Response:
    event = app.current_event
    return Response(
        status_code=404,
        content_type=content_types.APPLICATION_JSON,
        body={"code": "no_such_route", "message": f"no route {event.http_method} {event.path}"},
    )
