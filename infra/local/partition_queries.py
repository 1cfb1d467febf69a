"""Make moto's Query read what DynamoDB's reads: its partition, not the whole table.

moto answers every Query by sorting every item of the table (`Table.all_items`), then keeping those of the asked
partition; an index Query sorts the table, then sorts the matches again by the index's key. The local runtime keeps
all its records in one table, as the product does, so every Query grew slower with every record written: by the end
of a test session, or of a long `make run`, a listing took seconds. With this, a table Query reads its partition
(already a dict in moto) and an index Query is spared the table-wide sort: moto sorts a Query's matches again anyway
(by the range key; for an index, by the index key then the table key, a total order), so the order they were found
in never shows. The answers are the same:
`tests/unit/test_partition_queries.py` compares them with the partition's items on a table with an index.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_partition = threading.local()


def install() -> None:
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_by_partition", False):
        return
    whole_table = Table.all_items

    @functools.wraps(whole_table)
    def all_items(self: Table) -> list:
        chosen = getattr(_partition, "items", None)
        if chosen is not None and chosen[0] is self:
            return chosen[1]()
        return whole_table(self)

    query = Table.query

    @functools.wraps(query)
    def by_partition(
        self: Table,
        hash_key: Any,
        range_comparison: Any,
        range_objs: Any,
        limit: Any,
        exclusive_start_key: Any,
        scan_index_forward: Any,
        projection_expressions: Any,
        index_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if index_name:
            _partition.items = (self, lambda: _unsorted(self))
        elif self.range_key_attr and hash_key is not None:
            _partition.items = (self, lambda: list(self.items.get(hash_key, {}).values()))
        try:
            return query(
                self,
                hash_key,
                range_comparison,
                range_objs,
                limit,
                exclusive_start_key,
                scan_index_forward,
                projection_expressions,
                index_name,
                *args,
                **kwargs,
            )
        finally:
            _partition.items = None

    by_partition._by_partition = True  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = by_partition  # type: ignore[method-assign]


def _unsorted(table: Any) -> list:
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]
