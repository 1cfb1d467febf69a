"""Telephony webhooks. Each request is authenticated by its vendor's own scheme before anything is stored: a
missing or wrong signature is refused and leaves no trace but a log line. Once authenticated, nothing refuses a
delivery without keeping it (`leadline.deliveries`)."""

from __future__ import annotations

import time
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from leadline import credentials, deliveries
from leadline.api import http
from leadline.calls import vendors
from leadline.calls.events import CallEvent
from leadline.calls.vendors import callrail, native, twilio
from leadline.config import public_api_base_url
from leadline.errors import DomainError, InvalidInput, NotFound
from leadline.observability import logger, metrics
from leadline.workflows import after_call_work

app = http.Resolver(invalid_input_status=HTTPStatus.BAD_REQUEST)  # what senders expect (docs/webhooks.md)


class Refused(DomainError):
    """The sender could not be authenticated."""

    status = 401
    code = "unauthenticated"


class TwilioRefused(Refused):
    status = 403  # what Twilio's documentation asks for


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(DomainError)
def refused(exc: DomainError) -> Response:
    response = app.domain_error(exc)
    logger.info("webhook refused", extra={"status": response.status_code, "reason": exc.message})
    return response


def _raw_body() -> bytes:
    return http.raw_body(app.current_event)


def _header(name: str) -> str | None:
    return app.current_event.get_header_value(name, case_sensitive=False)


def public_url() -> str:
    """The URL as the vendor called it, without its query: the configured public base URL and the path."""
    return public_api_base_url() + app.current_event.path


def _query_pairs() -> list[tuple[str, str]]:
    multi = app.current_event.multi_value_query_string_parameters or {}
    return [(name, value) for name, values in multi.items() for value in values or []]


def _telephony(tenant_id: str, vendor: str) -> dict:
    configured = credentials.read(tenant_id, credentials.TELEPHONY).get(vendor) or {}
    if not configured:
        raise Refused(f"{vendor} is not configured for this company")
    return configured


def _received(tenant_id: str, vendor: str, kind: str, raw: bytes, telephony: dict, *, store_first: bool) -> Response:
    """An authenticated delivery: read, kept, applied. One we cannot read is kept `rejected` with the reason and
    answered 400 saying why; one we fail to apply is kept for the scanner and answered 200. `store_first` (CallRail,
    which never retries) keeps the raw body before applying it, and a body kept before is a duplicate."""
    text = raw.decode("utf-8", errors="replace")
    try:
        event = vendors.read(vendor, kind, raw, telephony)
    except InvalidInput as exc:
        deliveries.keep(
            tenant_id, deliveries.unreadable_key(vendor, kind, raw), vendor, text, kind=kind, error=exc.message
        )
        metrics.add_metric(name="CallEventsRejected", unit=MetricUnit.Count, value=1)
        raise
    if store_first and not deliveries.keep(tenant_id, event.dedupe_key, vendor, text, kind=kind):
        return _json(HTTPStatus.OK, {"result": "duplicate", "call_id": event.call_id})
    return _apply(tenant_id, event, text, already_kept=store_first)


def _apply(tenant_id: str, event: CallEvent, text: str, *, already_kept: bool) -> Response:
    """Apply the event. If applying fails on our side, the delivery is kept for the sweep and still answered 200:
    the sender did nothing wrong, and neither Twilio nor CallRail retries."""
    try:
        outcome = after_call_work.ingest(tenant_id, event, raw=text, already_kept=already_kept)
    except NotFound:
        raise
    except Exception:  # noqa: BLE001 - kept, counted and logged; the sweep applies it later
        logger.exception("call event kept unapplied", extra={"vendor": event.vendor, "call_id": event.call_id})
        metrics.add_metric(name="CallEventsKeptUnapplied", unit=MetricUnit.Count, value=1)
        if not already_kept:
            deliveries.keep(tenant_id, event.dedupe_key, event.vendor, text, kind=event.kind)
        return _json(HTTPStatus.OK, {"result": "kept", "call_id": event.call_id})
    applied = outcome.result == "applied"
    metrics.add_metric(name="CallEventsApplied" if applied else "CallEventsDuplicate", unit=MetricUnit.Count, value=1)
    return _json(HTTPStatus.OK, {"result": outcome.result, "call_id": outcome.call_id})


@app.post("/webhooks/twilio/<tenant_id>/<callback>")
def twilio_callback(tenant_id: str, callback: str) -> Response:
    if callback not in twilio.PARSERS:
        raise NotFound(f"no Twilio callback '{callback}' (voice-status, recording-status, transcription)")
    account = _telephony(tenant_id, twilio.VENDOR)
    raw = _raw_body()
    params = twilio.form_params(raw.decode("utf-8", errors="replace"))
    signature = _header("X-Twilio-Signature")
    if not signature:
        raise TwilioRefused("X-Twilio-Signature is missing")
    settings = _header("X-Twilio-Webhooks-Signature-Settings")
    urls = twilio.signed_urls(public_url(), None, _query_pairs())
    if not any(
        twilio.signature_is_valid(account.get("auth_token", ""), url, params, signature, settings) for url in urls
    ):
        raise TwilioRefused("X-Twilio-Signature does not match this request")
    return _received(tenant_id, twilio.VENDOR, callback, raw, account, store_first=False)


@app.post("/webhooks/callrail/<tenant_id>")
def callrail_webhook(tenant_id: str) -> Response:
    return callrail_event(tenant_id, callrail.POST_CALL)


@app.post("/webhooks/callrail/<tenant_id>/<event>")
def callrail_event(tenant_id: str, event: str) -> Response:
    if event not in callrail.EVENTS:
        raise NotFound(f"no CallRail webhook '{event}' ({', '.join(callrail.EVENTS)})")
    configured = _telephony(tenant_id, callrail.VENDOR)
    raw = _raw_body()
    signature = _header("Signature")
    if not signature:
        raise Refused("the Signature header is missing")
    if not callrail.signature_is_valid(configured.get("signing_key", ""), raw, signature):
        raise Refused("Signature does not match this body")
    return _received(tenant_id, callrail.VENDOR, event, raw, configured, store_first=True)


@app.post("/webhooks/calls/<tenant_id>")
def native_webhook(tenant_id: str) -> Response:
    configured = _telephony(tenant_id, native.VENDOR)
    raw = _raw_body()
    header = _header(native.SIGNATURE_HEADER)
    if not header:
        raise Refused(f"the {native.SIGNATURE_HEADER} header is missing")
    if not native.signature_is_valid(configured.get("signing_secret", ""), raw, header, time.time()):
        raise Refused(f"{native.SIGNATURE_HEADER} does not match this body, or its t is outside the tolerance window")
    return _received(tenant_id, native.VENDOR, "call-event", raw, configured, store_first=False)
