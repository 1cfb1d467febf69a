"""A small HTTP client for the local runtime, and fresh tenants to test isolation with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import requests

from infra.local import tokens
from leadline.permissions import Permission
from leadline.setup import service
from tests.support.webhooks import Vendors


class Api:
    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base_url + path, timeout=30, **kwargs)

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


__all__ = ["Api", "Tenant", "new_tenant", "Permission"]
