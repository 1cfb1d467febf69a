"""What API Gateway does in front of the functions, on 127.0.0.1: match the route, check the staff token,
turn the HTTP request into a REST API proxy event, invoke the handler, and turn its answer back into HTTP."""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from infra import app_hosting
from infra.local import tokens
from infra.topology import FunctionSpec, Route, Topology
from leadline import config

log = logging.getLogger("leadline.local.gateway")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
STAGE = "local"


@dataclass(frozen=True)
class CompiledRoute:
    route: Route
    function: str
    pattern: re.Pattern
    param_names: tuple[str, ...]

    @property
    def specificity(self) -> tuple[int, int]:
        # API Gateway prefers literal paths over {param} over {proxy+}.
        greedy = "+}" in self.route.path
        return (1 if greedy else 0, -self.route.path.count("/"))


def compile_route(route: Route, function: str) -> CompiledRoute:
    names: list[str] = []
    regex = "^"
    for segment in route.path.strip("/").split("/"):
        regex += "/"
        if m := re.fullmatch(r"\{(\w+)\+\}", segment):
            names.append(m.group(1))
            regex += f"(?P<{m.group(1)}>.+)"
        elif m := re.fullmatch(r"\{(\w+)\}", segment):
            names.append(m.group(1))
            regex += f"(?P<{m.group(1)}>[^/]+)"
        else:
            regex += re.escape(segment)
    return CompiledRoute(route, function, re.compile(regex + r"\Z", re.DOTALL), tuple(names))  # ids may hold %0A


class LambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_seconds: int, memory_mb: int):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Functions:
    """The handlers, one 'instance' each: like a Lambda function with reserved concurrency 1, a handler
    never runs two events at once (Powertools' resolver keeps the current event on the app).

    `environment(spec)`: what the function reads through `leadline.config` while it runs, its own and nothing
    else, as in AWS; None leaves it the process's environment (for tests of the gateway with stand-in handlers).
    """

    def __init__(
        self,
        topology: Topology,
        load: Callable[[str], Callable],
        environment: Callable[[FunctionSpec], Mapping[str, str]] | None = None,
    ):
        self._specs = {f.name: f for f in topology.functions}
        self._environment = environment
        self._handlers = {name: load(spec.handler_module) for name, spec in self._specs.items()}
        # Powertools keeps the current event on a class attribute (BaseRouter.current_event), shared by every
        # resolver in the process: in AWS each function has its own process, here the HTTP functions take turns.
        resolvers = threading.Lock()
        self._locks = {name: resolvers if spec.routes else threading.Lock() for name, spec in self._specs.items()}

    def invoke(self, name: str, event: dict) -> dict:
        spec = self._specs[name]
        own = nullcontext() if self._environment is None else config.invocation_environment(self._environment(spec))
        with self._locks[name], own:
            return self._handlers[name](event, LambdaContext(name, spec.timeout_seconds, spec.memory_mb))


# The methods API Gateway routes (`ANY` is these); another reaches no route, and is answered as an unknown route is.
API_GATEWAY_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class Gateway:
    def __init__(
        self, topology: Topology, functions: Functions, signing_key: str, cors_origins: dict[str, str] | None = None
    ):
        self.functions = functions
        self.signing_key = signing_key
        self.cors_origins = cors_origins or {}  # function name: the one browser origin its staff routes answer
        self.routes = sorted(
            (compile_route(r, f.name) for f in topology.functions for r in f.routes), key=lambda c: c.specificity
        )

    def match(self, method: str, path: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        for compiled in self.routes:
            if compiled.route.method not in ("ANY", method):
                continue
            if m := compiled.pattern.match(path):
                return compiled, m.groupdict()
        return None

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict, bytes]:
        split = urlsplit(raw_path)
        path = unquote(split.path) or "/"
        found = self.match(method, path) if method in API_GATEWAY_METHODS else None
        if found is None:
            return _json(403 if method != "OPTIONS" else 404, {"message": "Missing Authentication Token"})
        compiled, params = found
        claims = None
        origin = self.cors_origins.get(compiled.function) if compiled.route.auth == "staff" else None
        cors = {app_hosting.ALLOW_ORIGIN: origin} if origin else {}
        if origin and method == "OPTIONS":  # API Gateway's preflight of the staff app (a mock: no token, no function)
            return app_hosting.PREFLIGHT_STATUS, app_hosting.preflight_headers(origin), b""
        if compiled.route.auth == "staff":
            claims = tokens.verify(self.signing_key, _header(headers, "authorization"))
            if claims is None:  # the gateway's own 4xx carry the CORS header, as the stack's gateway responses do
                status, answer_headers, body = _json(401, {"message": "Unauthorized"})
                return status, answer_headers | cors, body
        event = proxy_event(
            method=method,
            path=path,
            query=split.query,
            headers=headers,
            body=body,
            source_ip=source_ip,
            resource=compiled.route.path,
            path_params=params,
            claims=claims,
        )
        try:
            result = self.functions.invoke(compiled.function, event)
        except Exception:  # noqa: BLE001 - a crashed function: API Gateway answers 502, the error is logged
            log.error("function %s failed:\n%s", compiled.function, traceback.format_exc())
            return _json(502, {"message": "Internal server error"})
        return _http_response(result)


def proxy_event(
    *,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str,
    resource: str,
    path_params: dict[str, str],
    claims: dict | None,
) -> dict:
    multi_query = parse_qs(query, keep_blank_values=True) if query else {}
    text_body: str | None
    is_b64 = False
    if not body:
        text_body = None
    else:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_b64 = base64.b64encode(body).decode(), True
    now_ms = int(time.time() * 1000)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": dict(headers),
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": now_ms,
            "identity": {"sourceIp": source_ip, "userAgent": _header(headers, "user-agent")},
            "authorizer": {"claims": claims} if claims is not None else None,
        },
        "body": text_body,
        "isBase64Encoded": is_b64,
    }


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _json(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _http_response(result: dict) -> tuple[int, dict, bytes]:
    headers = dict(result.get("headers") or {})
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return int(result.get("statusCode", 200)), headers, raw


def serve(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                status, headers, body = _json(413, {"message": "Request Too Long"})
            else:
                payload = self.rfile.read(length) if length else b""
                status, headers, body = gateway.handle(
                    self.command, self.path, dict(self.headers.items()), payload, self.client_address[0]
                )
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def __getattr__(self, name: str):
            if name.startswith("do_"):  # any method (TRACE, CONNECT, ...) reaches the gateway, as in API Gateway
                return self._any
            raise AttributeError(name)

        def log_message(self, fmt: str, *args) -> None:
            log.debug(fmt, *args)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # the default listen backlog (5) resets connections under a burst of callbacks

        def handle_error(self, request, client_address) -> None:
            error = sys.exception()
            if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
                log.debug("client %s went away: %s", client_address[0], error)  # a closed tab, a timed-out caller
            else:
                log.exception("request from %s failed", client_address[0])

    return Server((host, port), Handler)
