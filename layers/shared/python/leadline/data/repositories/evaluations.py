"""A call's evaluation due: one item per call whose after-call work is running, listed across tenants by due time
in a few shards, so that the scanner reads only the overdue ones."""

from __future__ import annotations

from collections.abc import Iterable

from leadline.data import keys, store
from leadline.data.models import EvaluationDue
from leadline.data.store import TxStep

SHARDS = 8


def shard(tenant_id: str, call_id: str) -> int:
    return keys.shard_of(f"{tenant_id}|{call_id}", SHARDS)


def get(tenant_id: str, call_id: str, *, consistent: bool = False) -> EvaluationDue | None:
    return store.get(EvaluationDue, tenant_id, keys.evaluation_due(call_id), consistent=consistent)


def new(tenant_id: str, call_id: str, due_at: str, *, attempts: int = 0) -> EvaluationDue:
    """An evaluation due at `due_at`, listed under its shard by that time."""
    item = store.new_item(
        EvaluationDue, tenant_id, keys.evaluation_due(call_id), call_id=call_id, due_at=due_at, attempts=attempts
    )
    item.gsi1pk = keys.evaluations_due(shard(tenant_id, call_id))
    item.gsi1sk = keys.evaluation_due_order(due_at, tenant_id, call_id)
    return item


def create_step(item: EvaluationDue) -> TxStep:
    return TxStep.put(item, "the call's evaluation is already due")


def overdue(shard_number: int, now: str, *, limit: int) -> Iterable[EvaluationDue]:
    """The evaluations of one shard due before `now`, the oldest first, across tenants."""
    return EvaluationDue.by_parent.query(keys.evaluations_due(shard_number), EvaluationDue.gsi1sk < now, limit=limit)
