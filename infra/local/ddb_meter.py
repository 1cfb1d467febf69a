"""Counting what DynamoDB is asked in this process: requests by operation and the capacity units they consumed
(moto reports ConsumedCapacity when asked, so the meter asks on every request it sees)."""

from __future__ import annotations

import math
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

_CAPACITY_OPERATIONS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
}


@dataclass
class Reading:
    requests: Counter = field(default_factory=Counter)
    moto_units: float = 0.0  # what moto reported as ConsumedCapacity (it leaves transactions out)
    read_units: float = 0.0  # estimated by DynamoDB's documented rules from the items' sizes
    write_units: float = 0.0

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


def _moto_units(response: dict) -> float:
    consumed = response.get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    return float(sum(e.get("CapacityUnits", 0) or 0 for e in entries))


def attribute_size(value: dict) -> int:
    """An attribute value's size as DynamoDB counts it (close enough for capacity units)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in inner)
    return 3 + sum(1 + len(k.encode()) + attribute_size(v) for k, v in inner.items())  # M


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def _write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def _read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units if consistent else units / 2)


def estimate(operation: str, params: dict, response: dict) -> tuple[float, float]:
    """(read units, write units) of one request by DynamoDB's rules: writes 1 KB, reads 4 KB (half when eventually
    consistent), transactions twice."""
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return _read_units(item_size(response.get("Item", {})), consistent), 0.0
    if operation in ("PutItem",):
        return 0.0, float(_write_units(item_size(params["Item"])))
    if operation in ("UpdateItem", "DeleteItem"):
        return 0.0, 1.0
    if operation in ("Query", "Scan"):
        return _read_units(sum(item_size(i) for i in response.get("Items", [])), consistent), 0.0
    if operation == "BatchGetItem":
        reads = 0.0
        for table, items in response.get("Responses", {}).items():
            table_consistent = bool(params["RequestItems"].get(table, {}).get("ConsistentRead"))
            reads += sum(_read_units(item_size(i), table_consistent) for i in items)
        return reads, 0.0
    if operation == "BatchWriteItem":
        writes = sum(
            _write_units(item_size(r.get("PutRequest", {}).get("Item", {})))
            for requests in params["RequestItems"].values()
            for r in requests
        )
        return 0.0, float(writes)
    if operation == "TransactWriteItems":
        writes = 0
        for entry in params["TransactItems"]:
            ((kind, op),) = entry.items()
            writes += 2 * (_write_units(item_size(op["Item"])) if kind == "Put" else 1)
        return 0.0, float(writes)
    return 0.0, 0.0


@contextmanager
def metering(exclude_threads: tuple[str, ...] = ("schedule-", "rule-")):
    """Within the block, every DynamoDB request made by this process is counted, but for the local runtime's
    background threads (scheduled functions and rule targets), which are not the request path measured."""
    from botocore.client import BaseClient

    reading = Reading()
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def counted(self, operation_name, api_params):
        if self.meta.service_model.service_name != "dynamodb" or threading.current_thread().name.startswith(
            exclude_threads
        ):
            return original(self, operation_name, api_params)
        if operation_name in _CAPACITY_OPERATIONS:
            api_params = {**api_params, "ReturnConsumedCapacity": "TOTAL"}
        try:
            response = original(self, operation_name, api_params)
        except Exception as exc:  # a refused condition still cost a request (and its write units)
            with lock:
                reading.requests[operation_name] += 1
                reading.write_units += estimate(operation_name, api_params, {})[1]
            raise exc
        reads, writes = estimate(operation_name, api_params, response)
        with lock:
            reading.requests[operation_name] += 1
            reading.moto_units += _moto_units(response)
            reading.read_units += reads
            reading.write_units += writes
        return response

    BaseClient._make_api_call = counted
    try:
        yield reading
    finally:
        BaseClient._make_api_call = original
