"""Reading and writing Records items: key lookups, queries on a key, conditional and transactional writes.

Every function takes the tenant id first and builds keys from it, so a caller cannot reach another
tenant's items by passing an id.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from leadline.data import keys
from leadline.data.models import RecordModel
from leadline.errors import Conflict, DomainError, InvalidInput, NotFound
from leadline.ids import utc_now

M = TypeVar("M", bound=RecordModel)

MAX_PAGE = 200


@dataclass(frozen=True)
class Page:
    items: list
    next_token: str | None


def get(model: type[M], tenant_id: str, sk: str, *, consistent: bool = False) -> M | None:
    try:
        return model.get(keys.tenant(tenant_id), sk, consistent_read=consistent)
    except DoesNotExist:
        return None


def get_or_404(model: type[M], tenant_id: str, sk: str, what: str, *, consistent: bool = False) -> M:
    item = get(model, tenant_id, sk, consistent=consistent)
    if item is None:
        raise NotFound(f"{what} not found")
    return item


def batch_get(model: type[M], tenant_id: str, sks: Iterable[str]) -> dict[str, M]:
    """One BatchGetItem for up to 100 keys of one tenant, by sort key."""
    pairs = [(keys.tenant(tenant_id), sk) for sk in dict.fromkeys(sks)]
    return {item.sk: item for item in model.batch_get(pairs)} if pairs else {}


def plain_map(value: Any) -> dict | None:
    """A map attribute as a dict, whether read from DynamoDB (MapAttribute) or set in this process (dict)."""
    if value is None:
        return None
    return value.as_dict() if hasattr(value, "as_dict") else dict(value)


def batch_get_raw(tenant_id: str, sks: list[str], *, consistent: bool = False) -> dict[str, dict]:
    """Items of any kind of one tenant by sort key, in one BatchGetItem, as raw attribute maps.
    Keys DynamoDB leaves unprocessed (throttling) are asked again, so a missing key means a missing item."""
    pk = keys.tenant(tenant_id)
    pending = [{"pk": pk, "sk": sk} for sk in dict.fromkeys(sks)]
    table = RecordModel.Meta.table_name
    found: dict[str, dict] = {}
    for _attempt in range(5):
        response = RecordModel._get_connection().batch_get_item(pending, consistent_read=consistent or None)
        for item in response.get("Responses", {}).get(table, []):
            found[item["sk"]["S"]] = item
        unprocessed = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        if not unprocessed:
            return found
        pending = [{"pk": k["pk"]["S"], "sk": k["sk"]["S"]} for k in unprocessed]
    raise RuntimeError("DynamoDB left keys unprocessed after 5 attempts")


def new_item(model: type[M], tenant_id: str, sk: str, **attributes: Any) -> M:
    now = utc_now()
    return model(keys.tenant(tenant_id), sk, tenant_id=tenant_id, created_at=now, updated_at=now, **attributes)


def touch(item: RecordModel) -> None:
    item.updated_at = utc_now()


def create(item: RecordModel, what: str) -> None:
    """Put an item that must not exist yet."""
    try:
        item.save(condition=type(item).pk.does_not_exist())
    except PutError as exc:
        if _is_conditional_failure(exc):
            raise Conflict(f"{what} already exists") from None
        raise


def save(item: RecordModel, what: str) -> None:
    """Save an item read earlier; its VersionAttribute refuses a concurrent change."""
    touch(item)
    try:
        item.save()
    except PutError as exc:
        if _is_conditional_failure(exc):
            raise Conflict(f"{what} was changed by someone else at the same time; read it again and retry") from None
        raise


@dataclass
class TxStep:
    """One item of a transaction, with the error to raise if its condition is what cancelled it."""

    kind: str  # "check" | "delete" | "put" | "add", the order DynamoDB receives them in (PynamoDB groups them so)
    apply: Callable[[TransactWrite], None]
    message: str
    error: type[DomainError] = Conflict

    @classmethod
    def check(
        cls,
        model: type[RecordModel],
        tenant_id: str,
        sk: str,
        condition: Condition,
        message: str,
        error: type[DomainError] = Conflict,
    ) -> TxStep:
        return cls(
            "check",
            lambda tx: tx.condition_check(model, keys.tenant(tenant_id), sk, condition=condition),
            message,
            error,
        )

    @classmethod
    def delete(cls, item: RecordModel, condition: Condition, message: str) -> TxStep:
        return cls("delete", lambda tx: tx.delete(item, condition=condition), message)

    @classmethod
    def put(cls, item: RecordModel, message: str, condition: Condition | None = None) -> TxStep:
        """A put; an item with a VersionAttribute also gets its version condition."""
        return cls("put", lambda tx: tx.save(item, condition=condition), message)

    @classmethod
    def add(cls, item: RecordModel, counters: dict[str, int], sets: dict[str, Any], message: str) -> TxStep:
        """Numbers added to an item's counters (the item made if missing, `sets` written with them). Several of
        these on one item in one transaction are merged into one update (DynamoDB allows one per item)."""
        step = cls("add", lambda tx: None, message)
        step.target, step.counters, step.sets = item, dict(counters), dict(sets)
        return step


_KIND_ORDER = {"check": 0, "delete": 1, "put": 2, "add": 3}
CONFLICT_RETRIES = 5


def _merge_adds(steps: list[TxStep]) -> list[TxStep]:
    merged: dict[tuple[str, str], TxStep] = {}
    others = []
    for step in steps:
        if step.kind != "add":
            others.append(step)
            continue
        key = (step.target.pk, step.target.sk)
        if key in merged:
            for name, amount in step.counters.items():
                merged[key].counters[name] = merged[key].counters.get(name, 0) + amount
        else:
            merged[key] = TxStep.add(step.target, step.counters, step.sets, step.message)
    for step in merged.values():
        model = type(step.target)
        actions = [getattr(model, name).set(value) for name, value in step.sets.items()]
        actions += [getattr(model, name).add(amount) for name, amount in step.counters.items() if amount]
        if not actions:
            continue
        step.apply = lambda tx, item=step.target, actions=actions: tx.update(item, actions, add_version_condition=False)
        others.append(step)
    return others


def transact(steps: list[TxStep]) -> None:
    """Write all steps or none. A failed condition becomes the step's error, naming the rule it protects.
    A transaction cancelled only because another one held one of its items (TransactionConflict) is sent
    again, a few times, after a short random wait."""
    ordered = sorted(_merge_adds(steps), key=lambda s: _KIND_ORDER[s.kind])
    for attempt in range(CONFLICT_RETRIES):
        try:
            with TransactWrite(connection=_connection()) as tx:
                for step in ordered:
                    step.apply(tx)
            return
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            for step, reason in zip(ordered, reasons, strict=False):
                if reason is not None and reason.code == "ConditionalCheckFailed":
                    raise step.error(step.message) from None
            conflict = any(r is not None and r.code == "TransactionConflict" for r in reasons)
            if not conflict or attempt == CONFLICT_RETRIES - 1:
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))


def _connection() -> Connection:
    """The models' own connection: one botocore client (and session, and service model read) for every model and
    the transactions, where a connection of its own would make a second one at the first write."""
    return RecordModel._get_connection().connection


# Made now (its client is made at the first request), so that every model shares it: a model whose first request
# came before any of RecordModel's would otherwise make a connection, and a client, of its own.
RecordModel._get_connection()


def query_page(
    model: type[M],
    tenant_id: str,
    *,
    sk_prefix: str,
    limit: int,
    next_token: str | None,
    filter_condition: Condition | None = None,
) -> Page:
    """A page of one tenant's items whose sort key starts with `sk_prefix`, in key order."""
    pk = keys.tenant(tenant_id)
    start = decode_token(next_token, expect={"pk": pk}, sk_prefix=sk_prefix)
    result = model.query(
        pk,
        model.sk.startswith(sk_prefix),
        filter_condition=filter_condition,
        limit=min(max(limit, 1), MAX_PAGE),
        last_evaluated_key=start,
    )
    return _page(result, model, min(max(limit, 1), MAX_PAGE), filtered=filter_condition is not None)


def query_index_page(model: type[M], index_pk: str, *, limit: int, next_token: str | None) -> Page:
    return query_index(model.by_parent, index_pk, None, limit=limit, next_token=next_token)


def query_index(
    index: Any,
    index_pk: str,
    range_condition: Condition | None,
    *,
    limit: int,
    next_token: str | None,
    newest_first: bool = False,
    filter_condition: Condition | None = None,
) -> Page:
    """A page of one index partition (whose key starts with the tenant), optionally within a sort-key range."""
    hash_name = next(a.attr_name for a in index.Meta.attributes.values() if a.is_hash_key)
    start = decode_token(next_token, expect={hash_name: index_pk})
    result = index.query(
        index_pk,
        range_condition,
        filter_condition=filter_condition,
        limit=min(max(limit, 1), MAX_PAGE),
        last_evaluated_key=start,
        scan_index_forward=not newest_first,
    )
    return _page(result, index._model, min(max(limit, 1), MAX_PAGE), filtered=filter_condition is not None)


def count_index(index: Any, index_pk: str, range_condition: Condition | None) -> int:
    """How many items one index partition holds (within a sort-key range): a Query that returns only the count, one
    request per megabyte of items read."""
    return index.count(index_pk, range_condition)


FILTERED_READS = 5


def _page(result: Any, model: Any, limit: int, *, filtered: bool) -> Page:
    """A page of `limit` items. Unfiltered, that is one Query. Filtered, each Query reads `limit` items and returns
    those that pass, and PynamoDB would go on until `limit` pass, reading the whole partition when few do; so a
    filtered page stops after FILTERED_READS Queries, with what passed so far and a next_token to go on from."""
    if not filtered:
        items = list(result)
        return Page(items=items, next_token=encode_token(result.last_evaluated_key))
    pages, items = result.page_iter, []
    for _read in range(FILTERED_READS):
        try:
            raw = next(pages).get("Items", [])
        except StopIteration:
            break
        room = limit - len(items)
        items += [model.from_raw_data(item) for item in raw[:room]]
        if len(raw) > room:  # the page is full inside this read: go on after its last item
            return Page(items=items, next_token=encode_token({k: raw[room - 1][k] for k in pages.key_names}))
        if len(items) == limit:
            break
    return Page(items=items, next_token=encode_token(pages.last_evaluated_key))


def encode_token(last_evaluated_key: dict | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, *, expect: dict[str, str], sk_prefix: str | None = None) -> dict | None:
    """Turn a client's next_token back into a start key, refusing one that points outside this listing."""
    if not token:
        return None
    bad = InvalidInput("next_token is not one this listing gave out", field="next_token")
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(key, dict) or not all(
        isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()
    ):
        raise bad
    for name, value in expect.items():
        if key.get(name, {}).get("S") != value:
            raise bad
    if sk_prefix is not None and not key.get("sk", {}).get("S", "").startswith(sk_prefix):
        raise bad
    return key


def _is_conditional_failure(exc: PutError | UpdateError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"
