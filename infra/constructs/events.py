"""The EventBridge bus, and the rules and schedules that invoke functions from it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra.constructs.monitoring import Monitoring
from infra.constructs.scanners import skip_checkov
from infra.topology import FunctionSpec, Topology

# EventBridge pattern fields -> aws_events.EventPattern keyword arguments.
PATTERN_FIELDS = {
    "version": "version",
    "id": "id",
    "detail-type": "detail_type",
    "source": "source",
    "account": "account",
    "time": "time",
    "region": "region",
    "resources": "resources",
    "detail": "detail",
}

TARGET_RETRY_ATTEMPTS = 4
TARGET_MAX_EVENT_AGE = Duration.hours(24)
ASYNC_RETRY_ATTEMPTS = 2
ASYNC_MAX_EVENT_AGE = Duration.hours(6)  # Lambda's maximum for asynchronous invocations
DLQ_RETENTION = Duration.days(14)


def event_pattern(pattern: Mapping[str, Any]) -> events.EventPattern:
    """The topology's pattern dict (EventBridge spelling) as an EventPattern rendering to the same JSON."""
    unknown = sorted(set(pattern) - set(PATTERN_FIELDS))
    if unknown:
        raise ValueError(f"unsupported event pattern fields {unknown}; expected some of {sorted(PATTERN_FIELDS)}")
    if not pattern:
        raise ValueError("an event pattern needs at least one field")
    return events.EventPattern(**{PATTERN_FIELDS[key]: value for key, value in pattern.items()})


def routed(spec: FunctionSpec) -> bool:
    """Whether EventRouting invokes the function (asynchronously): it has rules or a schedule."""
    return bool(spec.rules or spec.schedule_minutes)


def construct_name(*parts: str) -> str:
    """`call_evaluator`, `after-call-work` -> `CallEvaluatorAfterCallWork`."""
    return "".join(word[:1].upper() + word[1:] for part in parts for word in re.split(r"[^0-9A-Za-z]+", part) if word)


class EventBus(Construct):
    """The product's custom bus, named by the topology."""

    def __init__(self, scope: Construct, construct_id: str, *, bus_name: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name, description="Leadline domain events")


class EventRouting(Construct):
    """For every function with rules or a schedule: its rules, one DLQ, and an alarm on the DLQ.

    EventBridge retries delivery to the function (4 attempts, up to 24 h) and
    then parks the event in the DLQ; the function's own asynchronous failures
    (after Lambda's retries) land in the same DLQ, so nothing accepted is lost.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topology: Topology,
        bus: events.IEventBus,
        functions: Mapping[str, lambda_.Function],
        monitoring: Monitoring,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.rules: dict[tuple[str, str], events.Rule] = {}
        self.schedules: dict[str, events.Rule] = {}
        for spec in topology.functions:
            if routed(spec):
                self._route(spec, functions[spec.name], bus, monitoring)

    def _route(
        self, spec: FunctionSpec, function: lambda_.Function, bus: events.IEventBus, monitoring: Monitoring
    ) -> None:
        scope = Construct(self, construct_name(spec.name))
        dlq = sqs.Queue(
            scope,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        NagSuppressions.add_resource_suppressions(
            dlq,
            [
                NagPackSuppression(
                    id="AwsSolutions-SQS3",
                    reason=(
                        f"This queue is itself the dead-letter queue of {spec.name}'s EventBridge targets and "
                        "asynchronous invocations; it is alarmed on depth and redriven by hand."
                    ),
                )
            ],
        )
        skip_checkov(
            dlq,
            {
                "CKV_AWS_27": "Encrypted at rest with SSE-SQS; EventBridge cannot deliver to a queue under the AWS "
                "managed KMS key, and a customer managed key would cost more for a queue that is empty by design."
            },
        )
        self.dead_letter_queues[spec.name] = dlq
        monitoring.alarm_on_queue_depth(scope, "DeadLetterQueueAlarm", queue=dlq, name=spec.name)
        function.configure_async_invoke(
            on_failure=destinations.SqsDestination(dlq),
            retry_attempts=ASYNC_RETRY_ATTEMPTS,
            max_event_age=ASYNC_MAX_EVENT_AGE,
        )

        def target() -> targets.LambdaFunction:
            return targets.LambdaFunction(
                function,
                dead_letter_queue=dlq,
                retry_attempts=TARGET_RETRY_ATTEMPTS,
                max_event_age=TARGET_MAX_EVENT_AGE,
            )

        for rule in spec.rules:
            self.rules[(spec.name, rule.name)] = events.Rule(
                scope,
                construct_name(rule.name, "rule"),
                description=f"{spec.name}: {rule.name}",
                event_bus=bus,
                event_pattern=event_pattern(rule.pattern),
                targets=[target()],
            )
        if spec.schedule_minutes:
            # Scheduled rules live on the default bus (EventBridge does not run schedules on custom buses).
            self.schedules[spec.name] = events.Rule(
                scope,
                "Schedule",
                description=f"{spec.name}: every {spec.schedule_minutes} min",
                schedule=events.Schedule.rate(Duration.minutes(spec.schedule_minutes)),
                targets=[target()],
            )
