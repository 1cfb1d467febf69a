"""DNI routes of the website's API: the snippet, the test page, and the sessions the snippet asks for.

Public: the company is the path's tenant id. The sessions endpoint answers browsers on the company's configured
domain (and its www twin, over https and http) with CORS headers for that origin only; the test page is served
by this API itself, so its own origin is allowed too. A request from any other origin is refused (403); one
with no Origin (not a browser) is answered without CORS headers."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from leadline.api import http
from leadline.dni import rules, service, snippet
from leadline.dni.rules import Visit
from leadline.errors import InvalidInput

router = APIGatewayRouter()

SNIPPET_MAX_AGE = 300  # seconds: a change of default number reaches the websites within 5 minutes
MAX_BODY = 16 * 1024
LIMITS = {
    "utm_source": 200,
    "utm_medium": 200,
    "utm_campaign": 200,
    "gclid": 200,
    "referrer": 2048,
    "landing_url": 2048,
    "session_id": 64,
}


def _base_url() -> str:
    """PUBLIC_API_BASE_URL (set by the stack and the local runtime); else this request's own host and stage."""
    configured = service.public_base_url()
    if configured:
        return configured
    event = router.current_event
    host = event.headers.get("host", "localhost")
    proto = event.headers.get("x-forwarded-proto", "https")
    stage = event.request_context.stage
    return f"{proto}://{host}" + (f"/{stage}" if stage and stage != "$default" else "")


@router.get("/dni/<tenant_id>/snippet.js")
def get_snippet(tenant_id: str) -> Response:
    config, _name = service.public_config(tenant_id)
    body = snippet.render_snippet(
        tenant_id=tenant_id,
        sessions_url=_base_url() + service.paths(tenant_id)["sessions"],
        default_number=config.default_number,
    )
    return Response(
        status_code=200,
        content_type="application/javascript; charset=utf-8",
        body=body,
        headers={"Cache-Control": f"public, max-age={SNIPPET_MAX_AGE}"},
    )


@router.get("/dni/<tenant_id>/test-page")
def get_test_page(tenant_id: str) -> Response:
    config, name = service.public_config(tenant_id)
    body = snippet.render_test_page(
        company=name or tenant_id,
        snippet_url=_base_url() + service.paths(tenant_id)["snippet"],
        default_number=config.default_number,
        domain=config.domain,
    )
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=body,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


def _cors(tenant_id: str) -> tuple[dict[str, str], str | None]:
    """CORS headers for this request's origin, or the refusal's reason. No Origin: no headers, no refusal."""
    origin = (router.current_event.headers.get("origin") or "").lower()
    if not origin:
        return {}, None
    domain = service.domain_of(tenant_id)
    own = rules.origin_of(_base_url())
    if origin in rules.allowed_origins(domain) or origin == own:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}, None
    return {"Vary": "Origin"}, (
        f"origin {origin[:200]} may not ask for DNI numbers: this company's DNI domain is {domain} "
        f"(https://{domain} and http://{domain} are allowed); set the domain of the website the snippet is on"
    )


@router.route("/dni/<tenant_id>/sessions", method="OPTIONS")
def preflight(tenant_id: str) -> Response:
    headers, refusal = _cors(tenant_id)
    if refusal:
        return http.error_response(403, "origin_not_allowed", refusal, headers={**headers, **NO_STORE})
    headers.update(
        {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
        }
    )
    return Response(status_code=204, headers=headers)


@router.post("/dni/<tenant_id>/sessions")
def open_session(tenant_id: str) -> Response:
    headers, refusal = _cors(tenant_id)
    if refusal:
        return http.error_response(403, "origin_not_allowed", refusal, headers={**headers, **NO_STORE})
    http.add_headers_to_errors(router, {**headers, **NO_STORE})  # the browser reads a refusal only with these
    session = service.open_session(tenant_id, _visit(router.current_event.body))
    return _json(200, session, headers)


def _visit(raw: str | None) -> Visit:
    """The visitor as the snippet describes them. Strings only; overlong values are cut; other fields are ignored
    (a newer snippet may send more)."""
    if raw and len(raw) > MAX_BODY:
        raise InvalidInput(f"the body is over {MAX_BODY} bytes")
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        raise InvalidInput("the body is not JSON") from None
    except RecursionError:
        raise InvalidInput("the body is JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body is not a JSON object")
    values: dict[str, str | None] = {}
    for name, limit in LIMITS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string", field=name)
        values[name] = (value.strip()[:limit] or None) if value else None
    return Visit(**values)


NO_STORE = {"Cache-Control": "no-store"}


def _json(status: int, body: dict, headers: dict[str, str]) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={**headers, **NO_STORE},
    )
