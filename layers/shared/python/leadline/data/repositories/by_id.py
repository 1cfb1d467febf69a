"""The access patterns of a set-up record keyed by its id alone (business units, job types, call reasons, roles,
employees): read one or many, make one, list them, hold a transaction on one existing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from leadline.data import store
from leadline.data.models import RecordModel
from leadline.data.store import Page, TxStep
from leadline.errors import Conflict, DomainError

M = TypeVar("M", bound=RecordModel)


class RecordsById(Generic[M]):
    def __init__(self, model: type[M], key: Callable[[str], str], prefix: str, id_field: str, what: str):
        self.model, self._key, self.prefix, self.id_field, self.what = model, key, prefix, id_field, what

    def key(self, ident: str) -> str:
        """The record's sort key, for batch reads that fetch it with other items."""
        return self._key(ident)

    def get(self, tenant_id: str, ident: str) -> M | None:
        return store.get(self.model, tenant_id, self._key(ident))

    def get_or_404(self, tenant_id: str, ident: str) -> M:
        return store.get_or_404(self.model, tenant_id, self._key(ident), self.what)

    def new(self, tenant_id: str, ident: str, **attributes) -> M:
        return store.new_item(self.model, tenant_id, self._key(ident), **{self.id_field: ident}, **attributes)

    def from_batch(self, found: dict[str, dict], ident: str) -> M | None:
        raw = found.get(self._key(ident))
        return self.model.from_raw_data(raw) if raw else None

    def batch_get(self, tenant_id: str, idents: Iterable[str]) -> dict[str, M]:
        """The records that exist among these ids, by id (one BatchGetItem, up to 100)."""
        found = store.batch_get(self.model, tenant_id, [self._key(i) for i in idents])
        return {getattr(item, self.id_field): item for item in found.values()}

    def list_page(self, tenant_id: str, *, limit: int, next_token: str | None) -> Page:
        return store.query_page(self.model, tenant_id, sk_prefix=self.prefix, limit=limit, next_token=next_token)

    def list_all(self, tenant_id: str) -> list[M]:
        """Every record of the kind, page after page."""
        items: list[M] = []
        token = None
        while True:
            page = self.list_page(tenant_id, limit=store.MAX_PAGE, next_token=token)
            items += page.items
            token = page.next_token
            if not token:
                return items

    def exists_check(self, tenant_id: str, ident: str, message: str, error: type[DomainError] = Conflict) -> TxStep:
        """A transaction step that holds only while the record exists."""
        return TxStep.check(self.model, tenant_id, self._key(ident), self.model.pk.exists(), message, error)
