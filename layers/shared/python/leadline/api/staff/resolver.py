"""The staff API: one resolver, its routers, and the one place where errors become HTTP responses."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from leadline.api.staff import contract
from leadline.api.staff.routes import (
    bookings,
    calls,
    customers,
    dni,
    integrations,
    leads,
    marketing,
    notifications,
    operations,
    people,
    reports,
    scl,
    settings,
)
from leadline.errors import DomainError

app = APIGatewayRestResolver(enable_validation=True)
contract.describe(app)
for router in (
    settings.router,
    marketing.router,
    operations.router,
    people.router,
    calls.router,
    leads.router,
    customers.router,
    scl.router,
    notifications.router,
    bookings.router,
    integrations.router,
    dni.router,
    reports.router,
):
    app.include_router(router)


def _error(status: int, code: str, message: str, errors: list[dict] | None = None) -> Response:
    body: dict = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(DomainError)
def domain_error(exc: DomainError) -> Response:
    return _error(
        exc.status, exc.code, exc.message, [{"field": exc.field, "message": exc.message}] if exc.field else None
    )


@app.exception_handler(RequestValidationError)
def validation_error(exc: RequestValidationError) -> Response:
    errors = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "body" or len(error["loc"]) == 1)
        message = str(error.get("msg", error.get("type", "invalid"))).removeprefix("Value error, ")
        errors.append({"field": field, "message": message})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "the request is not valid"
    return _error(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", summary, errors)


UNREADABLE_BODY = {
    UnicodeDecodeError: "the body is not UTF-8 text: send JSON",  # API Gateway passes such a body base64-encoded
    RecursionError: "the body is JSON nested too deeply",
}


@app.exception_handler(list(UNREADABLE_BODY))
def unreadable_body(exc: Exception) -> Response:
    """A body the validation could not read as JSON; these errors raised by anything else are re-raised (a 5xx)."""
    try:
        _ = app.current_event.json_body
    except (UnicodeDecodeError, RecursionError) as unreadable:
        message = UNREADABLE_BODY[type(unreadable)]
        errors = [{"field": "body", "message": message}]
        return _error(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", message, errors)
    except ValueError:
        pass
    raise exc


@app.not_found
def not_found(_exc: Exception) -> Response:
    return _error(
        HTTPStatus.NOT_FOUND, "no_such_route", f"no route {app.current_event.http_method} {app.current_event.path}"
    )


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi_json():  # no return annotation: Powertools would try to model Response
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=contract.document(app))
