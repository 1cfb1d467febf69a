"""The staff app on one machine: `web/staff` served as CloudFront serves it in AWS (the same files, every screen's
path answered with index.html, the same security headers), on its own origin, so that the browser calls the staff
API across origins as it does in AWS (CORS). Its `/config.json` says where the API is and that sign-in is local:
`/local/employees` lists the demo company's employees and `/local/sign-in` issues one of them a token (the local
runtime's token issuer; in AWS, Cognito's managed login)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from infra import app_hosting

log = logging.getLogger("leadline.local.app")
EMPLOYEES_PATH = "/local/employees"
SIGN_IN_PATH = "/local/sign-in"


class StaffApp:
    """What the app server answers; `employees()` lists who may sign in, `issue(employee_id)` signs one in (None:
    no such employee)."""

    def __init__(
        self,
        *,
        api_url: str,
        employees: Callable[[], list[dict]],
        issue: Callable[[str], str | None],
        company_name: str = "",
        app_dir: Path = app_hosting.APP_DIR,
    ) -> None:
        self.api_url = api_url
        self.employees = employees
        self.issue = issue
        self.company_name = company_name
        self.app_dir = app_dir.resolve()
        self.headers = app_hosting.security_headers(api_origin=api_url, https=False)

    def config(self) -> dict:
        return {
            "api_url": self.api_url,
            "company_name": self.company_name,
            "auth": {"kind": "local", "employees_url": EMPLOYEES_PATH, "sign_in_url": SIGN_IN_PATH},
        }

    def get(self, path: str) -> tuple[int, str, bytes]:
        if path == app_hosting.CONFIG_PATH:  # in AWS a file the deployment writes; here made from the runtime
            return 200, "application/json", json.dumps(self.config()).encode()
        if path == EMPLOYEES_PATH:
            return 200, "application/json", json.dumps(self.employees()).encode()
        if app_hosting.is_a_file(path):
            file = (self.app_dir / path.lstrip("/")).resolve()
            if not file.is_relative_to(self.app_dir) or not file.is_file():
                return 404, "text/plain; charset=utf-8", b"Not found"
            return 200, app_hosting.CONTENT_TYPES.get(file.suffix, "application/octet-stream"), file.read_bytes()
        return 200, app_hosting.CONTENT_TYPES[".html"], (self.app_dir / app_hosting.INDEX).read_bytes()

    def post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if path != SIGN_IN_PATH:
            return 404, "text/plain; charset=utf-8", b"Not found"
        try:
            employee_id = json.loads(body or b"{}").get("employee_id")
        except (ValueError, AttributeError):
            employee_id = None
        token = self.issue(employee_id) if isinstance(employee_id, str) else None
        if token is None:
            return 400, "application/json", json.dumps({"message": "No such employee to sign in"}).encode()
        return 200, "application/json", json.dumps({"token": token}).encode()


def serve(app: StaffApp, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", app_hosting.CACHE_CONTROL)
            for name, value in app.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self._answer(*app.get(urlsplit(self.path).path))

        do_HEAD = do_GET

        def do_POST(self) -> None:  # noqa: N802
            length = min(int(self.headers.get("Content-Length") or 0), 10_000)
            self._answer(*app.post(urlsplit(self.path).path, self.rfile.read(length) if length else b""))

        def log_message(self, fmt: str, *args) -> None:
            log.debug(fmt, *args)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    return Server((host, port), Handler)
