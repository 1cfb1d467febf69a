"""Lead partners' webhooks (docs/partners.md). Each request is authenticated by its partner's own scheme before
anything is stored: missing or wrong credentials are a 401 that leaves no trace but a log line, and an unknown
company answers exactly as wrong credentials do. An authenticated delivery we cannot read is a 400 naming what is
wrong (kept, listed for staff and applied again after a fix: `leadline.deliveries`, and the integration's last
error); a lead is answered 200 only once it is stored, and a duplicate is answered 200 with the booking already kept.

Routes are matched in the order they are declared: Thumbtack's and Angi's own before the generic `{partner}`."""

from __future__ import annotations

import base64
import time
from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from leadline import credentials, deliveries
from leadline.errors import DomainError, InvalidInput, NotFound
from leadline.observability import logger, metrics
from leadline.partners import angi, generic, integrations, thumbtack
from leadline.partners import deliveries as partner_deliveries
from leadline.partners.common import ANGI, CREDENTIALS_KIND, THUMBTACK, check_generic_name

app = APIGatewayRestResolver()

NOT_VALID = "the credentials are not valid for this URL"


class Refused(DomainError):
    """The sender could not be authenticated (or the company is unknown: the same answer)."""

    status = 401
    code = "unauthenticated"


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(DomainError)
def domain_error(exc: DomainError) -> Response:
    status = HTTPStatus.BAD_REQUEST if isinstance(exc, InvalidInput) else exc.status
    logger.info("partner webhook refused", extra={"status": status, "reason": exc.message})
    metrics.add_metric(name="PartnerWebhooksRefused", unit=MetricUnit.Count, value=1)
    body = {"code": exc.code, "message": exc.message}
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    return _json(status, body)


def _raw_body() -> bytes:
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


def _header(name: str) -> str | None:
    return app.current_event.get_header_value(name, case_sensitive=False)


def _partner_credentials(tenant_id: str) -> dict:
    try:
        return credentials.read(tenant_id, CREDENTIALS_KIND)
    except NotFound:  # not even the shape of a tenant id
        return {}


def _received(tenant_id: str, partner: str, raw: bytes, *, verified: bool = True) -> Response:
    """An authenticated delivery, applied; or kept (`leadline.deliveries`) and refused. One we cannot read is kept
    `rejected` with the reason and answered 400 naming it; one we fail to store is kept for the scanner and answered
    5xx, so that a partner that retries does (its retry is the same booking). Either is the integration's last
    error (diagnostics)."""
    try:
        return _json(HTTPStatus.OK, partner_deliveries.apply(tenant_id, partner, raw, verified=verified))
    except InvalidInput as exc:
        _keep(tenant_id, partner, raw, verified, error=exc.message)
        _keep_error(tenant_id, partner, f"refused (400): {exc.message}")
        raise
    except DomainError:
        raise
    except Exception as exc:
        _keep(tenant_id, partner, raw, verified, error=None)
        _keep_error(tenant_id, partner, f"not stored, answered 5xx so that {partner} retries: {type(exc).__name__}")
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


# --- Thumbtack -------------------------------------------------------------------------------------


def _thumbtack_sender(tenant_id: str) -> bool:
    """True when Thumbtack's HTTP Basic credentials were checked; False when the company set Thumbtack up without
    credentials (accepted, flagged `unverified_sender`, and said by the diagnostics)."""
    configured = _partner_credentials(tenant_id).get(THUMBTACK) or {}
    authorization = _header("Authorization")
    if configured.get("username") and configured.get("password"):
        if not authorization:
            raise Refused("HTTP Basic credentials are missing (Authorization: Basic ...)")
        if not thumbtack.credentials_valid(configured, authorization):
            raise Refused(NOT_VALID)
        return True
    if integrations.get_item(tenant_id, THUMBTACK) is not None:
        return False
    raise Refused(NOT_VALID if authorization else "HTTP Basic credentials are missing (Authorization: Basic ...)")


@app.post("/webhooks/partners/thumbtack/<tenant_id>")
def thumbtack_webhook(tenant_id: str) -> Response:
    verified = _thumbtack_sender(tenant_id)
    return _received(tenant_id, THUMBTACK, _raw_body(), verified=verified)


# --- Angi --------------------------------------------------------------------------------------------


@app.post("/webhooks/partners/angi/<tenant_id>")
def angi_webhook(tenant_id: str) -> Response:
    given = _header(angi.API_KEY_HEADER)
    if not given:
        raise Refused(f"the {angi.API_KEY_HEADER} header is missing")
    if not angi.api_key_valid(_partner_credentials(tenant_id).get(ANGI) or {}, given):
        raise Refused(f"{angi.API_KEY_HEADER}: {NOT_VALID}")
    return _received(tenant_id, ANGI, _raw_body())


# --- any other partner: our documented, signed JSON -------------------------------------------------


@app.post("/webhooks/partners/<partner>/<tenant_id>")
def generic_webhook(partner: str, tenant_id: str) -> Response:
    check_generic_name(partner)
    raw = _raw_body()
    header = _header(generic.SIGNATURE_HEADER)
    if not header:
        raise Refused(f"the {generic.SIGNATURE_HEADER} header is missing")
    configured = (_partner_credentials(tenant_id).get("generic") or {}).get(partner) or {}
    if not generic.signature_is_valid(configured.get("signing_secret", ""), raw, header, time.time()):
        raise Refused(
            f"{generic.SIGNATURE_HEADER} does not match this body with the signing secret of this URL, or its t is "
            f"more than {generic.TOLERANCE_SECONDS} seconds away"
        )
    return _received(tenant_id, partner, raw)
