"""Make moto's DynamoDB linearizable, as DynamoDB is, and keep its transactions cheap.

moto applies a TransactWriteItems item by item and, when one condition fails, rolls back by restoring a copy
of the tables taken when the transaction began: a write that another request committed meanwhile is erased.
Real DynamoDB never loses a committed write, and the product's idempotency rests on that (an event's
conditional put is its dedupe). One lock around moto's item operations restores the guarantee locally.

That copy is also a deep copy of every table per transaction: its cost grows with the table, and every item
it copies stays referenced by moto's instance tracker (kept for its dashboard), so a long run of the local
runtime grows without bound. Under the lock, a transaction's rollback needs only the items it names: those
are copied before it runs and put back if it fails, and moto is given the live table instead of a copy.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "query", "scan")


class _NoTableCopies:
    """Stands in for the `copy` module inside moto's DynamoDB models: a Table is not copied (the caller keeps
    the items a transaction names instead); anything else is, as before."""

    def __init__(self, table_type: type):
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def copy(self, value: Any) -> Any:
        return copy.copy(value)


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    for name in _OPERATIONS:
        writes = name in ("put_item", "update_item", "delete_item")
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_linearized", False):
            continue

        @functools.wraps(original)
        def locked(self, *args, __original=original, __writes=writes, **kwargs):
            with _LOCK:
                try:
                    return __original(self, *args, **kwargs)
                finally:
                    if __writes:
                        _forget_tracked_instances()

        locked._linearized = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)

    original = DynamoDBBackend.transact_write_items
    if getattr(original, "_linearized", False):
        return

    @functools.wraps(original)
    def transact(self, transact_items, *args, __original=original, **kwargs):
        with _LOCK:
            saved = [_save(self, op) for op in transact_items]
            try:
                return __original(self, transact_items, *args, **kwargs)
            except Exception:
                for restore in reversed([s for s in saved if s is not None]):
                    restore()
                raise
            finally:
                _forget_tracked_instances()

    transact._linearized = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact
    models.copy = _NoTableCopies(Table)


def _save(backend: Any, op: dict) -> Any:
    """A function putting back the item this operation names as it is now (or removing it if absent)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    (body,) = op.values()
    table = backend.tables.get(body.get("TableName"))
    if table is None:
        return None
    key = body.get("Key") or body.get("Item") or {}
    if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
        return None  # moto refuses it before writing anything
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    before = table.get_item(hash_value, range_value)
    kept = copy.deepcopy(before) if before is not None else None

    def restore() -> None:
        if kept is None:
            table.delete_item(hash_value, range_value)
        elif range_value is not None:
            table.items[hash_value][range_value] = kept
        else:
            table.items[hash_value] = kept

    return restore


def _forget_tracked_instances() -> None:
    """moto keeps every model instance it ever made for its dashboard; DynamoDB's items are not needed there."""
    from moto.core.model_instances import model_data

    for model in model_data.get("dynamodb", {}).values():
        tracked = getattr(model, "instances_tracked", None)
        if tracked is not None and model.__name__ in ("Item", "DynamoType", "StreamRecord"):
            tracked.clear()
