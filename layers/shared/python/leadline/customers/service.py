"""Customers (name, phones, emails, notes) with lookup by phone, and their locations."""

from __future__ import annotations

from typing import Any

from leadline.data import store
from leadline.data.models import Customer, CustomerPhone, Location, tenant_pk
from leadline.data.store import TxStep
from leadline.ids import new_id


def customer_sk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def _phone_sk(phone: str, customer_id: str) -> str:
    return f"CUSTPHONE#{phone}#{customer_id}"


def customer_view(c: Customer, locations: list[Location] | None = None) -> dict[str, Any]:
    view = {
        "customer_id": c.customer_id,
        "name": c.name,
        "phones": list(c.phones or []),
        "emails": list(c.emails or []),
        "notes": c.notes,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }
    if locations is not None:
        view["locations"] = [location_view(loc) for loc in locations]
    return view


def location_view(loc: Location) -> dict[str, Any]:
    address = store.plain_map(loc.address)
    return {
        "location_id": loc.location_id,
        "customer_id": loc.customer_id,
        "name": loc.name,
        "address": address,
        "notes": loc.notes,
        "created_at": loc.created_at,
    }


def _phone_steps(tenant_id: str, customer_id: str, old: list[str], new: list[str]) -> list[TxStep]:
    steps = [
        TxStep.put(
            store.new_item(CustomerPhone, tenant_id, _phone_sk(p, customer_id), phone=p, customer_id=customer_id),
            "phone already linked",
        )
        for p in set(new) - set(old)
    ]
    steps += [
        TxStep.delete(
            CustomerPhone(tenant_pk(tenant_id), _phone_sk(p, customer_id)),
            CustomerPhone.pk.exists(),
            "phone already unlinked",
        )
        for p in set(old) - set(new)
    ]
    return steps


def create_customer(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    customer_id = new_id("cus")
    customer = store.new_item(Customer, tenant_id, customer_sk(customer_id), customer_id=customer_id, **data)
    store.transact(
        [
            TxStep.put(customer, "customer exists", condition=Customer.pk.does_not_exist()),
            *_phone_steps(tenant_id, customer_id, [], list(customer.phones or [])),
        ]
    )
    return customer_view(customer, [])


def update_customer(tenant_id: str, customer_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    customer = store.get_or_404(Customer, tenant_id, customer_sk(customer_id), f"customer {customer_id}")
    old_phones = list(customer.phones or [])
    for name, value in changes.items():
        setattr(customer, name, value)
    store.touch(customer)
    store.transact(
        [
            TxStep.put(customer, "the customer changed at the same time; read it again and retry"),
            *_phone_steps(tenant_id, customer_id, old_phones, list(customer.phones or [])),
        ]
    )
    return customer_view(customer)


def _locations(tenant_id: str, customer_id: str) -> list[Location]:
    page = store.query_index_page(
        Location, f"{tenant_pk(tenant_id)}#CUSTOMER#{customer_id}#LOCATIONS", limit=store.MAX_PAGE, next_token=None
    )
    return page.items


def get_customer(tenant_id: str, customer_id: str) -> dict[str, Any]:
    customer = store.get_or_404(Customer, tenant_id, customer_sk(customer_id), f"customer {customer_id}")
    return customer_view(customer, _locations(tenant_id, customer_id))


def find_by_phone(tenant_id: str, phone: str) -> list[dict[str, Any]]:
    links = store.query_page(CustomerPhone, tenant_id, sk_prefix=f"CUSTPHONE#{phone}#", limit=50, next_token=None)
    found = store.batch_get(Customer, tenant_id, [customer_sk(link.customer_id) for link in links.items])
    return [customer_view(c) for c in found.values()]


def add_location(tenant_id: str, customer_id: str, data: dict[str, Any]) -> dict[str, Any]:
    store.get_or_404(Customer, tenant_id, customer_sk(customer_id), f"customer {customer_id}")
    location_id = new_id("loc")
    location = store.new_item(
        Location, tenant_id, f"LOCATION#{location_id}", location_id=location_id, customer_id=customer_id, **data
    )
    location.gsi1pk, location.gsi1sk = f"{tenant_pk(tenant_id)}#CUSTOMER#{customer_id}#LOCATIONS", location_id
    store.create(location, "location")
    return location_view(location)
