"""A test's own subscriber on the bus: a rule with an SQS queue, drained on demand."""

from __future__ import annotations

import json
import time
import uuid


class BusTap:
    def __init__(self, runtime, detail_types: list[str]):
        self.sqs = runtime.client("sqs")
        self.events = runtime.client("events")
        self.bus = runtime.topology.bus_name
        self.name = f"tap-{uuid.uuid4().hex[:8]}"
        self.queue_url = self.sqs.create_queue(QueueName=self.name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]
        self.events.put_rule(
            Name=self.name,
            EventBusName=self.bus,
            EventPattern=json.dumps({"source": ["leadline"], "detail-type": detail_types}),
        )
        self.events.put_targets(Rule=self.name, EventBusName=self.bus, Targets=[{"Id": "tap", "Arn": arn["QueueArn"]}])
        self.received: list[dict] = []

    def drain(self, *, wait: float = 0.5) -> list[dict]:
        deadline = time.monotonic() + wait
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            for message in messages:
                self.received.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            if not messages and time.monotonic() >= deadline:
                return self.received
            if not messages:
                time.sleep(0.1)

    def of(self, detail_type: str, **detail) -> list[dict]:
        return [
            e
            for e in self.received
            if e["detail-type"] == detail_type and all(e["detail"].get(k) == v for k, v in detail.items())
        ]

    def close(self) -> None:
        self.events.remove_targets(Rule=self.name, EventBusName=self.bus, Ids=["tap"])
        self.events.delete_rule(Name=self.name, EventBusName=self.bus)
        self.sqs.delete_queue(QueueUrl=self.queue_url)
