"""The staff API: one resolver and its routers. Errors, bodies, 404 and 405 are the HTTP layer's
(leadline/api/http.py); an invalid input is a 422 here."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types

from leadline import config
from leadline.api import http
from leadline.api.staff import auth, contract
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

app = http.Resolver(
    invalid_input_status=HTTPStatus.UNPROCESSABLE_ENTITY,
    tenant_claim=auth.TENANT_CLAIM,
    enable_validation=True,
    cors_origin=config.staff_app_origin,
)
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


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi_json():  # no return annotation: Powertools would try to model Response
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=contract.document(app))
