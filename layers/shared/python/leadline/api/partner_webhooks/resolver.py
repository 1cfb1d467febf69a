"""Lead partners' webhooks (docs/partners.md): one route for every partner, `partners.webhook.PATH`, dispatched by
the partner's name through the registry (a name that can be no partner's is a 404 saying why). Each request is
authenticated by its partner's own scheme before anything is stored: missing or wrong credentials are a 401 that
leaves no trace but a log line, and an unknown company answers exactly as wrong credentials do. An authenticated
delivery we cannot read is a 400 naming what is wrong (kept, listed for staff and applied again after a fix:
`leadline.deliveries`, and the integration's last error); a lead is answered 200 only once it is stored, and a
duplicate is answered 200 with the booking already kept."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from leadline import deliveries
from leadline.api import http
from leadline.errors import DomainError, InvalidInput
from leadline.observability import logger, metrics
from leadline.partners import ingest, integrations, registry, webhook
from leadline.partners.partner import Partner

app = http.Resolver(invalid_input_status=HTTPStatus.BAD_REQUEST)  # what partners expect (docs/partners.md)


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(DomainError)
def refused(exc: DomainError) -> Response:
    response = app.domain_error(exc)
    logger.info("partner webhook refused", extra={"status": response.status_code, "reason": exc.message})
    metrics.add_metric(name="PartnerWebhooksRefused", unit=MetricUnit.Count, value=1)
    return response


def _raw_body() -> bytes:
    return http.raw_body(app.current_event)


def _header(name: str) -> str | None:
    return app.current_event.get_header_value(name, case_sensitive=False)


@app.post(webhook.PATH.replace("{", "<").replace("}", ">"))
def partner_webhook(partner: str, tenant_id: str) -> Response:
    sender = registry.find(partner)
    raw = _raw_body()
    verified = ingest.authenticate(tenant_id, sender, raw, _header)
    return _received(tenant_id, sender, raw, verified=verified)


def _received(tenant_id: str, partner: Partner, raw: bytes, *, verified: bool) -> Response:
    """An authenticated delivery, applied; or kept (`leadline.deliveries`) and refused. One we cannot read is kept
    `rejected` with the reason and answered 400 naming it; one we fail to store is kept for the scanner and answered
    5xx, so that a partner that retries does (its retry is the same booking). Either is the integration's last
    error (diagnostics)."""
    name = partner.name
    try:
        return _json(HTTPStatus.OK, ingest.apply(tenant_id, partner, raw, verified=verified))
    except InvalidInput as exc:
        _keep(tenant_id, name, raw, verified, error=exc.message)
        _keep_error(tenant_id, name, f"refused (400): {exc.message}")
        raise
    except DomainError:
        raise
    except Exception as exc:
        _keep(tenant_id, name, raw, verified, error=None)
        _keep_error(tenant_id, name, f"not stored, answered 5xx so that {name} retries: {type(exc).__name__}")
        raise


def _keep_error(tenant_id: str, partner: str, message: str) -> None:
    try:
        integrations.record_error(tenant_id, partner, message)
    except Exception:  # noqa: BLE001 - the delivery's own outcome matters more than its record
        logger.exception("could not keep the integration's last error", extra={"partner": partner})


def _keep(tenant_id: str, partner: str, raw: bytes, verified: bool, *, error: str | None) -> None:
    key = deliveries.unreadable_key(partner, "webhook", raw)
    text = raw.decode("utf-8", errors="replace")
    deliveries.keep(tenant_id, key, partner, text, kind="webhook", error=error, verified=verified)
