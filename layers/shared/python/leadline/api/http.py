"""The HTTP layer under every edge (the staff API, the call and partner webhooks, the public API): one error shape,
`{"code", "message", "errors": [{"field", "message"}]}`, with messages in words; JSON bodies read by their content
type; 404 and 405 for what API Gateway's `ANY` routes leave to the function; one access line per request. Each edge
makes its resolver here and keeps only what is its own: routes, its auth, what it stores."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from leadline.errors import DomainError, InvalidInput
from leadline.observability import logger

JSON = content_types.APPLICATION_JSON
_LOCATIONS = {"body", "query", "path", "header", "cookie"}  # the first part of a request validation error's `loc`
_ERROR_HEADERS = "error_headers"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def error_response(
    status: int, code: str, message: str, errors: Iterable[dict] = (), headers: Mapping[str, str] | None = None
) -> Response:
    """The one error shape; `errors` names the fields at fault, and is empty when no field is."""
    body = {"code": code, "message": message, "errors": list(errors)}
    return Response(status_code=status, content_type=JSON, body=body, headers=dict(headers or {}))


def raw_body(event: BaseProxyEvent) -> bytes:
    """The body's bytes as the sender sent them (API Gateway passes a body that is not UTF-8 base64-encoded)."""
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


def json_body(event: BaseProxyEvent) -> Any:
    """The body read as JSON; None when there is none. A body of another content type is a 415 (none given: read as
    JSON, as curl sends it); one that is not JSON, not UTF-8 or nested too deeply, an InvalidInput saying why."""
    if not event.body:
        return None
    content_type = event.get_header_value("content-type", case_sensitive=False) or ""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type and media_type != JSON and not media_type.endswith("+json"):
        raise UnsupportedMediaType(f"the body is {media_type[:100]}: this operation takes {JSON}")
    try:
        return event.json_body
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8 text: send JSON", field="body") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise InvalidInput(f"the body is not valid JSON ({where})", field="body") from None
    except RecursionError:
        raise InvalidInput("the body is JSON nested too deeply", field="body") from None


def add_headers_to_errors(app: Any, headers: Mapping[str, str]) -> None:
    """Headers that this request's error answers carry too: a browser reads a refusal only with its CORS headers.
    `app` is the resolver or a router of it."""
    app.append_context(**{_ERROR_HEADERS: dict(headers)})


def _field(loc: Iterable[Any]) -> str:
    """A request validation error's location as the sender names the field: `customer.phone`, `limit`, `body`."""
    parts = [str(part) for part in loc]
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or "body"


class Resolver(APIGatewayRestResolver):
    """An edge's resolver. `invalid_input_status`: what an InvalidInput is answered with on this edge (senders of
    webhooks expect a 400). `tenant_claim`: the staff claim naming the tenant; otherwise a route's `tenant_id` path
    parameter does, for the access line and the logger's keys. `cors_origin`: the one browser origin whose requests
    get CORS headers (read per request; API Gateway answers the preflights)."""

    def __init__(
        self,
        *,
        invalid_input_status: int,
        tenant_claim: str | None = None,
        enable_validation: bool = False,
        cors_origin: Callable[[], str | None] | None = None,
    ) -> None:
        # Validation's middlewares are made at the first request of a route that validates (below), not here as
        # Powertools would: importing them (pydantic among them) is a fifth of the staff API's cold start.
        super().__init__()
        self._enable_validation = enable_validation
        self.invalid_input_status = invalid_input_status
        self.tenant_claim = tenant_claim
        self.cors_origin = cors_origin
        self.exception_handler(DomainError)(self.domain_error)
        self.exception_handler(RequestValidationError)(self._request_not_valid)
        self.not_found(self._no_route)

    # Powertools makes a route's middlewares at its first request, and takes these when the resolver has them.
    @cached_property
    def _request_validation_middleware(self) -> Any:
        from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
            OpenAPIRequestValidationMiddleware,
        )

        middleware = OpenAPIRequestValidationMiddleware()
        # Powertools reads form and multipart bodies too (and raises a bare ValueError, a 5xx, on a multipart type
        # without a boundary); every operation here takes JSON.
        middleware._get_body = lambda app: json_body(app.current_event)
        validate = middleware.handler

        def refuse_unknown_parameters(app: Any, next_middleware: Any) -> Response:
            # As a body's unknown field is refused: a mistyped filter must not pass silently as no filter. Only on a
            # documented operation's route: not on /swagger's, nor on the one Powertools makes for a request no
            # route takes (a 404 or a 405).
            route = app.context["_route"]
            declared = {param.alias for param in route.dependant.query_params}
            unknown = sorted(set(app.current_event.query_string_parameters or {}) - declared)
            routed = route in self._static_routes or route in self._dynamic_routes
            if unknown and routed and route.include_in_schema:
                raise RequestValidationError(
                    [{"loc": ("query", name), "msg": "is not a parameter of this operation"} for name in unknown]
                )
            return validate(app, next_middleware)

        middleware.handler = refuse_unknown_parameters
        return middleware

    @cached_property
    def _response_validation_middleware(self) -> Any:
        from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
            OpenAPIResponseValidationMiddleware,
        )

        return OpenAPIResponseValidationMiddleware(has_response_validation_error=self._has_response_validation_error)

    def domain_error(self, exc: DomainError) -> Response:
        status = self.invalid_input_status if isinstance(exc, InvalidInput) else exc.status
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
        return error_response(status, exc.code, exc.message, errors, self.context.get(_ERROR_HEADERS))

    def _request_not_valid(self, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": _field(error.get("loc", ())),
                "message": str(error.get("msg") or "is not valid").removeprefix("Value error, "),
            }
            for error in exc.errors()
        ]
        message = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "the request is not valid"
        return error_response(self.invalid_input_status, "invalid_input", message, errors)

    def _no_route(self, _exc: Exception) -> Response:
        event = self.current_event
        allowed = sorted({route.method for route in self._routes_at(event.path)})
        if allowed:
            message = f"{event.http_method} is not a method of {event.path}: it takes {', '.join(allowed)}"
            headers = {"Allow": ", ".join(allowed)}
            return error_response(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", message, headers=headers)
        return error_response(HTTPStatus.NOT_FOUND, "no_such_route", f"no route {event.http_method} {event.path}")

    def _routes_at(self, path: str) -> list[Route]:
        return [route for route in self._static_routes + self._dynamic_routes if route.rule.match(path)]

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        """The request answered, and its access line: method, route template, status, milliseconds, tenant."""
        started = time.perf_counter()
        method, path = str(event.get("httpMethod") or "").upper(), str(event.get("path") or "")
        routes = self._routes_at(path)
        route = next((r for r in routes if r.method == method), routes[0] if routes else None)
        tenant_id = self._tenant_of(event, route, path)
        if tenant_id:
            logger.append_keys(tenant_id=tenant_id)
        status = HTTPStatus.BAD_GATEWAY  # what API Gateway answers when the function fails
        try:
            answer = super().resolve(event, context)
            status = answer["statusCode"]
            self._allow_origin(event, answer)
            return answer
        finally:
            ms = round((time.perf_counter() - started) * 1000)
            route_template = route.openapi_path if route else None
            logger.info("request", extra={"method": method, "route": route_template, "status": int(status), "ms": ms})
            if tenant_id:
                logger.remove_keys(["tenant_id"])

    def _allow_origin(self, event: Mapping[str, Any], answer: dict[str, Any]) -> None:
        origin = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == "origin"), None)
        if not origin or self.cors_origin is None or origin != (allowed := self.cors_origin()):
            return
        cors = {"Access-Control-Allow-Origin": allowed, "Vary": "Origin"}
        if "multiValueHeaders" in answer:
            answer["multiValueHeaders"].update({name: [value] for name, value in cors.items()})
        else:
            answer.setdefault("headers", {}).update(cors)

    def _tenant_of(self, event: Mapping[str, Any], route: Route | None, path: str) -> str | None:
        if self.tenant_claim:
            authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
            return (authorizer.get("claims") or {}).get(self.tenant_claim) or None
        match = route.rule.match(path) if route else None
        return match.groupdict().get("tenant_id") if match else None
