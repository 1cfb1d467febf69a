"""The local runtime's moto reads a Query's partition instead of sorting the table (infra/local/partition_queries.py):
the answers are those DynamoDB gives, checked against the items themselves on a table with an index, including
ranges, descending order and pages."""

from __future__ import annotations

import random
import uuid

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from infra.local import partition_queries
from infra.local.runtime import REGION


@pytest.fixture(scope="module")
def table(runtime):
    """A table of the test's own on the local runtime's moto (which installed the change), deleted after."""
    partition_queries.install()
    resource = boto3.resource("dynamodb", endpoint_url=runtime.aws_endpoint, region_name=REGION)
    made = resource.create_table(
        TableName=f"partition-queries-{uuid.uuid4().hex[:8]}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    rng = random.Random(7)
    items = []
    with made.batch_writer() as batch:
        for n in range(600):
            item = {"pk": f"T-{rng.randrange(6)}", "sk": f"REC-{rng.randrange(10_000):05d}-{n}", "n": n}
            if rng.random() < 0.7:  # not every item is in the index
                item |= {"gsi1pk": f"DAY-{rng.randrange(4)}", "gsi1sk": f"{rng.randrange(50):03d}"}
            items.append(item)
            batch.put_item(Item=item)
    yield made, items
    made.delete()


def _all_pages(table, **query) -> list[dict]:
    found, start = [], None
    while True:
        page = table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        found += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def _ns(items) -> list[int]:
    return [int(item["n"]) for item in items]


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 7])
def test_a_table_query_reads_its_partition_in_key_order(table, forward, limit):
    made, items = table
    expected = sorted((i for i in items if i["pk"] == "T-3"), key=lambda i: i["sk"], reverse=not forward)
    query = {"KeyConditionExpression": Key("pk").eq("T-3"), "ScanIndexForward": forward}
    assert _ns(_all_pages(made, **query, **({"Limit": limit} if limit else {}))) == _ns(expected)


def test_a_table_query_with_a_range(table):
    made, items = table
    expected = sorted((i for i in items if i["pk"] == "T-1" and "REC-02000" <= i["sk"] <= "REC-06000"),
                      key=lambda i: i["sk"])  # fmt: skip
    query = {"KeyConditionExpression": Key("pk").eq("T-1") & Key("sk").between("REC-02000", "REC-06000")}
    assert _ns(_all_pages(made, **query)) == _ns(expected)
    assert _ns(_all_pages(made, KeyConditionExpression=Key("pk").eq("T-9"))) == []


@pytest.mark.parametrize("forward", [True, False])
def test_an_index_query_in_index_key_order_then_table_key_order(table, forward):
    made, items = table
    expected = sorted(
        (i for i in items if i.get("gsi1pk") == "DAY-2" and i["gsi1sk"] >= "010"),
        key=lambda i: (i["gsi1sk"], i["pk"], i["sk"]),
        reverse=not forward,
    )
    query = {
        "IndexName": "gsi1",
        "KeyConditionExpression": Key("gsi1pk").eq("DAY-2") & Key("gsi1sk").gte("010"),
        "ScanIndexForward": forward,
        "Limit": 9,
    }
    assert _ns(_all_pages(made, **query)) == _ns(expected)


def test_a_scan_still_sees_the_whole_table(table):
    made, items = table
    assert len(made.scan()["Items"]) == len(items)
