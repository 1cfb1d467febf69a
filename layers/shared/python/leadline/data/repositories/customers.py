"""Customers, the links that find them by phone (one per phone and customer), and their locations, listed under
the customer."""

from __future__ import annotations

from leadline.data import keys, store
from leadline.data.models import Customer, CustomerPhone, Location
from leadline.data.store import TxStep

PHONE_LOOKUP_LIMIT = 50  # customers found for one phone number


def key(customer_id: str) -> str:
    """The customer's sort key, for batch reads that fetch it with other items."""
    return keys.customer(customer_id)


def get(tenant_id: str, customer_id: str) -> Customer | None:
    return store.get(Customer, tenant_id, keys.customer(customer_id))


def names(tenant_id: str, customer_ids: list[str]) -> dict[str, str]:
    """The customers' names by id: one BatchGetItem per 100 customers, none without an id."""
    found = store.batch_get(Customer, tenant_id, [keys.customer(c) for c in customer_ids])
    return {customer.customer_id: customer.name for customer in found.values()}


def get_or_404(tenant_id: str, customer_id: str) -> Customer:
    return store.get_or_404(Customer, tenant_id, keys.customer(customer_id), f"customer {customer_id}")


def new(tenant_id: str, customer_id: str, **attributes) -> Customer:
    return store.new_item(Customer, tenant_id, keys.customer(customer_id), customer_id=customer_id, **attributes)


def create_step(customer: Customer) -> TxStep:
    return TxStep.put(customer, "customer exists", condition=Customer.pk.does_not_exist())


def phone_steps(tenant_id: str, customer_id: str, old: list[str], new: list[str]) -> list[TxStep]:
    """The lookup links to write and delete when a customer's phones change from `old` to `new`."""
    steps = [
        TxStep.put(
            store.new_item(
                CustomerPhone, tenant_id, keys.customer_phone(p, customer_id), phone=p, customer_id=customer_id
            ),
            "phone already linked",
        )
        for p in set(new) - set(old)
    ]
    steps += [
        TxStep.delete(
            CustomerPhone(keys.tenant(tenant_id), keys.customer_phone(p, customer_id)),
            CustomerPhone.pk.exists(),
            "phone already unlinked",
        )
        for p in set(old) - set(new)
    ]
    return steps


def by_phone(tenant_id: str, phone: str) -> list[Customer]:
    """The customers with this phone number: one Query of the links, one BatchGetItem of the customers."""
    links = store.query_page(
        CustomerPhone, tenant_id, sk_prefix=keys.customer_phones(phone), limit=PHONE_LOOKUP_LIMIT, next_token=None
    )
    found = store.batch_get(Customer, tenant_id, [keys.customer(link.customer_id) for link in links.items])
    return list(found.values())


# --- locations -----------------------------------------------------------------------------------


def location_key(location_id: str) -> str:
    """The location's sort key, for batch reads that fetch it with other items."""
    return keys.location(location_id)


def get_location(tenant_id: str, location_id: str) -> Location | None:
    return store.get(Location, tenant_id, keys.location(location_id))


def new_location(tenant_id: str, location_id: str, customer_id: str, **attributes) -> Location:
    """A new location of the customer, indexed."""
    location = store.new_item(
        Location, tenant_id, keys.location(location_id), location_id=location_id, customer_id=customer_id, **attributes
    )
    index_location(location)
    return location


def index_location(location: Location) -> None:
    """A location is listed under its customer."""
    location.gsi1pk = keys.customer_locations(location.tenant_id, location.customer_id)
    location.gsi1sk = location.location_id


def locations_of(tenant_id: str, customer_id: str) -> list[Location]:
    """The customer's locations (the first MAX_PAGE), in id order."""
    page = store.query_index_page(
        Location, keys.customer_locations(tenant_id, customer_id), limit=store.MAX_PAGE, next_token=None
    )
    return page.items
