"""Make moto's DynamoDB linearizable, as DynamoDB is.

moto applies a TransactWriteItems item by item and, when one condition fails, rolls back by restoring a copy
of the tables taken when the transaction began: a write that another request committed meanwhile is erased.
Real DynamoDB never loses a committed write, and the product's idempotency rests on that (an event's
conditional put is its dedupe). One lock around moto's item operations restores the guarantee locally.
"""

from __future__ import annotations

import functools
import threading

_LOCK = threading.RLock()
_OPERATIONS = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "transact_write_items")


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _OPERATIONS:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_linearized", False):
            continue

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with _LOCK:
                return __original(self, *args, **kwargs)

        locked._linearized = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)
