"""A small HTTP client for the local runtime, and fresh tenants to test isolation with. Every answer it gets from a
staff API operation is held to the committed document (docs/openapi.json): its status and media type must be ones
the operation documents, and a JSON body must fit that status's schema, or the test fails saying where."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from infra.local import tokens
from leadline.permissions import Permission
from leadline.setup import service
from tests.support.webhooks import Vendors

DOCUMENT = Path(__file__).resolve().parents[2] / "docs/openapi.json"
JSON = "application/json"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@cache
def _document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@cache
def _operations() -> list[Operation]:
    """The document's operations, those with fewer path parameters first: a literal segment
    (/v1/bookings/export) wins over a parameter (/v1/bookings/{booking_id}), as the API routes them."""
    found = []
    for template, item in _document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in item.items():
            found.append(Operation(operation["operationId"], method.upper(), template, pattern, operation["responses"]))
    return sorted(found, key=lambda o: o.template.count("{"))


def documented_operation(method: str, path: str) -> Operation | None:
    """The documented operation a request reaches (None: not a staff API operation, e.g. a webhook, /dni, a method
    the path does not take)."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return next((o for o in _operations() if o.method == method.upper() and o.pattern.match(path)), None)


@cache
def _validator(operation_id: str, status: str) -> jsonschema.protocols.Validator:
    operation = next(o for o in _operations() if o.operation_id == operation_id)
    schema = operation.responses[status]["content"][JSON]["schema"]
    root = {**schema, "components": _document()["components"]}  # the schema's $refs point into the document
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def check_documented(method: str, path: str, response: requests.Response) -> None:
    """Fail the test unless the answer is one its operation documents: its status, its media type, and for JSON
    its schema."""
    operation = documented_operation(method, path)
    if operation is None:
        return
    status = str(response.status_code)
    said = f"{operation.operation_id} ({method.upper()} {operation.template}) answered {status}"
    documented = operation.responses.get(status)
    if documented is None:
        pytest.fail(
            f"{said}, which it does not document (it documents {', '.join(sorted(operation.responses))}): "
            f"{response.text[:300]}"
        )
    media = response.headers.get("Content-Type", "").split(";", 1)[0].strip()
    if media not in documented.get("content", {}):
        pytest.fail(
            f"{said} as {media or 'no content type'}, which it documents only as "
            f"{', '.join(documented.get('content', {})) or 'no content'}"
        )
    if media != JSON:
        return
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"{said} with a body that is not JSON: {response.text[:300]}")
    error = jsonschema.exceptions.best_match(_validator(operation.operation_id, status).iter_errors(body))
    if error is not None:
        pytest.fail(f"{said} with a body its documented schema refuses, at {error.json_path}: {error.message[:500]}")


class Api:
    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
        check_documented(method, path, response)
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)


@dataclass
class Tenant:
    tenant_id: str
    admin: Api
    csr: Api
    csr_employee_id: str
    vendors: Vendors | None = None


def new_tenant(base_url: str, signing_key: str, secrets_client=None) -> Tenant:
    """A tenant of its own for a test: an admin (every permission) and a CSR (no set-up permissions)."""
    tenant_id = f"t-{uuid.uuid4().hex[:10]}"
    service.create_tenant(tenant_id, name=f"Test Co {tenant_id}", time_zone="America/Denver")
    people = {}
    for who, role in (("admin", "admin"), ("csr", "csr")):
        employee = service.create_employee(
            tenant_id,
            {
                "name": f"{who} person",
                "email": f"{who}@{tenant_id}.example",
                "phone": None,
                "role_id": role,
                "granted_permissions": set(),
                "active": True,
            },
        )
        people[who] = (
            employee["employee_id"],
            tokens.issue(signing_key, tenant_id=tenant_id, employee_id=employee["employee_id"], role_id=role),
        )
    vendors = None
    if secrets_client is not None:
        from infra.local.seed import create_demo_credentials

        vendors = Vendors(base_url, tenant_id, create_demo_credentials(secrets_client, tenant_id))
    return Tenant(
        tenant_id=tenant_id,
        admin=Api(base_url, people["admin"][1]),
        csr=Api(base_url, people["csr"][1]),
        csr_employee_id=people["csr"][0],
        vendors=vendors,
    )


__all__ = ["Api", "Tenant", "new_tenant", "check_documented", "documented_operation", "Permission"]
