"""Customers (name, phones, emails, notes) with lookup by phone, and their locations."""

from __future__ import annotations

from typing import Any

from leadline.data import store
from leadline.data.models import Customer, Location
from leadline.data.repositories import customers as customer_records
from leadline.data.store import TxStep
from leadline.ids import new_id


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


def create_customer(tenant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    customer_id = new_id("cus")
    customer = customer_records.new(tenant_id, customer_id, **data)
    store.transact(
        [
            customer_records.create_step(customer),
            *customer_records.phone_steps(tenant_id, customer_id, [], list(customer.phones or [])),
        ]
    )
    return customer_view(customer, [])


def update_customer(tenant_id: str, customer_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    customer = customer_records.get_or_404(tenant_id, customer_id)
    old_phones = list(customer.phones or [])
    for name, value in changes.items():
        setattr(customer, name, value)
    store.touch(customer)
    store.transact(
        [
            TxStep.put(customer, "the customer changed at the same time; read it again and retry"),
            *customer_records.phone_steps(tenant_id, customer_id, old_phones, list(customer.phones or [])),
        ]
    )
    return customer_view(customer)


def get_customer(tenant_id: str, customer_id: str) -> dict[str, Any]:
    customer = customer_records.get_or_404(tenant_id, customer_id)
    return customer_view(customer, customer_records.locations_of(tenant_id, customer_id))


def find_by_phone(tenant_id: str, phone: str) -> list[dict[str, Any]]:
    return [customer_view(c) for c in customer_records.by_phone(tenant_id, phone)]


def add_location(tenant_id: str, customer_id: str, data: dict[str, Any]) -> dict[str, Any]:
    customer_records.get_or_404(tenant_id, customer_id)
    location = customer_records.new_location(tenant_id, new_id("loc"), customer_id, **data)
    store.create(location, "location")
    return location_view(location)
