"""Telephony webhooks. Each request is authenticated by its vendor's own scheme before anything is stored:
a missing or wrong signature is refused and leaves no trace but a log line."""

from __future__ import annotations

import base64
import os
import time
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from leadline import credentials
from leadline.calls import service
from leadline.calls.events import CallEvent
from leadline.calls.vendors import callrail, native, twilio
from leadline.errors import DomainError, InvalidInput, NotFound
from leadline.observability import logger, metrics

app = APIGatewayRestResolver()


class Refused(DomainError):
    """The sender could not be authenticated."""

    status = 401
    code = "unauthenticated"


class TwilioRefused(Refused):
    status = 403  # what Twilio's documentation asks for


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(DomainError)
def domain_error(exc: DomainError) -> Response:
    status = HTTPStatus.BAD_REQUEST if isinstance(exc, InvalidInput) else exc.status  # what senders expect
    logger.info("webhook refused", extra={"status": status, "reason": exc.message})
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


def public_url() -> str:
    """The URL as the vendor called it: the configured public base URL, the path and the query string."""
    event = app.current_event
    base = os.environ["PUBLIC_API_BASE_URL"].rstrip("/")
    query = urlencode(event.multi_value_query_string_parameters or {}, doseq=True)
    return base + event.path + (f"?{query}" if query else "")


def _telephony(tenant_id: str, vendor: str) -> dict:
    configured = credentials.read(tenant_id, credentials.TELEPHONY).get(vendor) or {}
    if not configured:
        raise Refused(f"{vendor} is not configured for this company")
    return configured


def _apply(tenant_id: str, event: CallEvent, raw: bytes, *, already_kept: bool = False) -> Response:
    """Apply the event. If applying fails on our side, the delivery is kept for the sweep and still answered 200:
    the sender did nothing wrong, and CallRail never retries."""
    text = raw.decode("utf-8", errors="replace")
    try:
        outcome = service.ingest(tenant_id, event, raw=text, already_kept=already_kept)
    except NotFound:
        raise
    except Exception:  # noqa: BLE001 - kept, counted and logged; the sweep applies it later
        logger.exception("call event kept unapplied", extra={"vendor": event.vendor, "call_id": event.call_id})
        metrics.add_metric(name="CallEventsKeptUnapplied", unit=MetricUnit.Count, value=1)
        if not already_kept:
            service.keep(tenant_id, event.dedupe_key, event.vendor, text)
        return _json(HTTPStatus.OK, {"result": "kept", "call_id": event.call_id})
    applied = outcome.result == "applied"
    metrics.add_metric(name="CallEventsApplied" if applied else "CallEventsDuplicate", unit=MetricUnit.Count, value=1)
    return _json(HTTPStatus.OK, {"result": outcome.result, "call_id": outcome.call_id})


@app.post("/webhooks/twilio/<tenant_id>/<callback>")
def twilio_callback(tenant_id: str, callback: str) -> Response:
    parser = twilio.PARSERS.get(callback)
    if parser is None:
        raise NotFound(f"no Twilio callback '{callback}' (voice-status, recording-status, transcription)")
    account = _telephony(tenant_id, "twilio")
    raw = _raw_body()
    params = twilio.form_params(raw.decode("utf-8", errors="replace"))
    signature = _header("X-Twilio-Signature")
    if not signature:
        raise TwilioRefused("X-Twilio-Signature is missing")
    if not twilio.signature_is_valid(
        account.get("auth_token", ""), public_url(), params, signature, _header("X-Twilio-Webhooks-Signature-Settings")
    ):
        raise TwilioRefused("X-Twilio-Signature does not match this request")
    twilio.check_account(params, account.get("account_sid", ""))
    return _apply(tenant_id, parser(params), raw)


@app.post("/webhooks/callrail/<tenant_id>")
def callrail_webhook(tenant_id: str) -> Response:
    signing_key = _telephony(tenant_id, "callrail").get("signing_key", "")
    raw = _raw_body()
    signature = _header("Signature")
    if not signature:
        raise Refused("the Signature header is missing")
    if not callrail.signature_is_valid(signing_key, raw, signature):
        raise Refused("Signature does not match this body")
    try:
        payload = callrail.load(raw)
    except InvalidInput as exc:
        key = callrail.dedupe_key(raw)
        service.keep(tenant_id, key, callrail.VENDOR, raw.decode("utf-8", errors="replace"))
        service.mark_rejected(tenant_id, key, exc.message)
        raise
    try:
        callrail.check_replay(payload, datetime.now(UTC))
    except InvalidInput as exc:
        raise Refused(exc.message) from None
    key = callrail.dedupe_key(raw)
    if not service.keep(tenant_id, key, callrail.VENDOR, raw.decode("utf-8", errors="replace")):
        return _json(HTTPStatus.OK, {"result": "duplicate"})
    try:
        event = callrail.parse(payload, raw)
    except InvalidInput as exc:
        service.mark_rejected(tenant_id, key, exc.message)
        raise
    return _apply(tenant_id, event, raw, already_kept=True)


@app.post("/webhooks/calls/<tenant_id>")
def native_webhook(tenant_id: str) -> Response:
    secret = _telephony(tenant_id, "native").get("signing_secret", "")
    raw = _raw_body()
    header = _header(native.SIGNATURE_HEADER)
    if not header:
        raise Refused(f"the {native.SIGNATURE_HEADER} header is missing")
    if not native.signature_is_valid(secret, raw, header, time.time()):
        raise Refused(f"{native.SIGNATURE_HEADER} does not match this body, or its t is outside the tolerance window")
    event = native.parse(native.load(raw))
    return _apply(tenant_id, event, raw)
