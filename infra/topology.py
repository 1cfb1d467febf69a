"""The product's topology, declared once.

Both renderers read this module: `infra/stack.py` turns it into CloudFormation
through the CDK, and `infra/local/runtime.py` turns it into moto resources and
in-process handler invocations. Nothing here imports the CDK or boto3.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from infra.capabilities import (
    ANALYSES_CALLS,
    NEEDS_PUBLIC_URL,
    PUBLISHES_EVENTS,
    READS_TENANT_SECRETS,
    SENDS_NOTIFICATIONS,
    SERVES_THE_STAFF_APP,
    STARTS_AFTER_CALL_WORK,
    TRANSCRIBES_RECORDINGS,
    Capability,
    table_access,
)
from leadline import config
from leadline.notifications.catalog import event_patterns as notification_patterns
from leadline.partners import webhook as partner_webhook

ROOT = Path(__file__).resolve().parent.parent

PRODUCT = "leadline"
BUS_NAME = "leadline-events"
EVENT_SOURCE = "leadline"
SECRETS_PREFIX = "leadline/tenants/"


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table: keys are strings, billing is on demand."""

    logical_name: str
    partition_key: str
    sort_key: str
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    env_var: str = ""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    auth: str = "staff"  # "staff": Cognito/JWT authorizer; "none": public (or checked by the handler)


@dataclass(frozen=True)
class EventRule:
    name: str
    pattern: dict


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    description: str
    # What it may do (infra/capabilities.py): its environment beyond the basics, and its grants.
    capabilities: tuple[Capability, ...] = ()
    routes: tuple[Route, ...] = ()
    rules: tuple[EventRule, ...] = ()
    schedule_minutes: int | None = None
    memory_mb: int = 512
    timeout_seconds: int = 15
    code_dir: str = ""  # relative to the repository; "functions/<name>" unless set (tests point it elsewhere)

    def __post_init__(self) -> None:
        names = [capability.name for capability in self.capabilities]
        if len(set(names)) != len(names):
            raise ValueError(f"function {self.name} lists a capability twice: {names}")

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def tables(self) -> tuple[str, ...]:
        """The logical names of the tables it reads and writes."""
        return tuple(capability.table for capability in self.capabilities if capability.table)

    @property
    def code_path(self) -> str:
        return self.code_dir or f"functions/{self.name}"

    @property
    def handler_path(self) -> Path:
        """The function's code asset: a folder holding handler.py, whose `handler` is the entry point."""
        return ROOT / self.code_path

    @property
    def handler_module(self) -> str:
        return self.code_path.replace("/", ".") + ".handler"


RECORDS_TABLE = TableSpec(
    logical_name="Records",
    partition_key="pk",
    sort_key="sk",
    indexes=(
        IndexSpec(name="gsi1", partition_key="gsi1pk", sort_key="gsi1sk"),
        IndexSpec(name="gsi2", partition_key="gsi2pk", sort_key="gsi2sk"),
        IndexSpec(name="gsi3", partition_key="gsi3pk", sort_key="gsi3sk"),
    ),
    ttl_attribute="expires_at",
    env_var=config.RECORDS_TABLE_NAME,
)

TABLES: tuple[TableSpec, ...] = (RECORDS_TABLE,)
READS_WRITES_RECORDS = table_access(RECORDS_TABLE)

STAFF_API = FunctionSpec(
    name="staff_api",
    description="Staff API: set-up records, calls, leads, jobs, customers; the self-documenting OpenAPI",
    # the public URL: the DNI snippet's install URLs
    capabilities=(READS_WRITES_RECORDS, PUBLISHES_EVENTS, NEEDS_PUBLIC_URL, SERVES_THE_STAFF_APP),
    routes=(
        Route("GET", "/health", auth="none"),
        Route("GET", "/openapi.json", auth="none"),
        Route("GET", "/swagger", auth="none"),
        Route("ANY", "/v1/{proxy+}"),
    ),
)

CALL_WEBHOOKS = FunctionSpec(
    name="call_webhooks",
    description="Telephony webhooks: Twilio, CallRail and the native JSON call events",
    capabilities=(READS_WRITES_RECORDS, STARTS_AFTER_CALL_WORK, READS_TENANT_SECRETS, NEEDS_PUBLIC_URL),
    routes=(
        Route("POST", "/webhooks/twilio/{tenant_id}/voice-status", auth="none"),
        Route("POST", "/webhooks/twilio/{tenant_id}/recording-status", auth="none"),
        Route("POST", "/webhooks/twilio/{tenant_id}/transcription", auth="none"),
        Route("POST", "/webhooks/callrail/{tenant_id}", auth="none"),
        Route("POST", "/webhooks/callrail/{tenant_id}/{event}", auth="none"),
        Route("POST", "/webhooks/calls/{tenant_id}", auth="none"),
    ),
)

PARTNER_WEBHOOKS = FunctionSpec(
    name="partner_webhooks",
    description="Lead partners' webhooks, one route for every partner (its own format and authentication, or the "
    "generic signed JSON); leads to the Bookings inbox",
    capabilities=(READS_WRITES_RECORDS, PUBLISHES_EVENTS, READS_TENANT_SECRETS),
    routes=(Route("POST", partner_webhook.PATH, auth="none"),),
)

PUBLIC_API = FunctionSpec(
    name="public_api",
    description="The company's website: online bookings (per-company key) and dynamic number insertion",
    capabilities=(READS_WRITES_RECORDS, PUBLISHES_EVENTS, NEEDS_PUBLIC_URL),
    routes=(
        Route("POST", "/v1/online-bookings", auth="none"),
        Route("GET", "/dni/{tenant_id}/snippet.js", auth="none"),
        Route("GET", "/dni/{tenant_id}/test-page", auth="none"),
        Route("POST", "/dni/{tenant_id}/sessions", auth="none"),
        Route("OPTIONS", "/dni/{tenant_id}/sessions", auth="none"),
        Route("OPTIONS", "/v1/online-bookings", auth="none"),
    ),
)

AFTER_CALL_WORK_ELAPSED = {"source": [EVENT_SOURCE], "detail-type": ["AfterCallWorkElapsed"]}

CALL_EVALUATOR = FunctionSpec(
    name="call_evaluator",
    description="After-call work elapsed: SCL evaluation, abandoned-call leads; job booked: SCL statuses",
    capabilities=(
        READS_WRITES_RECORDS,
        PUBLISHES_EVENTS,
        READS_TENANT_SECRETS,
        ANALYSES_CALLS,
        TRANSCRIBES_RECORDINGS,
    ),
    rules=(
        EventRule("after-call-work-elapsed", AFTER_CALL_WORK_ELAPSED),
        EventRule("scl-evaluation-due", {"source": [EVENT_SOURCE], "detail-type": ["SecondChanceLeadEvaluationDue"]}),
        EventRule("job-booked", {"source": [EVENT_SOURCE], "detail-type": ["JobBooked"]}),
    ),
    timeout_seconds=60,
)

SCANNER = FunctionSpec(
    name="scanner",
    description="Scheduled sweep: outbox events left unpublished, overdue call evaluations, texts held in quiet hours",
    capabilities=(
        READS_WRITES_RECORDS,
        PUBLISHES_EVENTS,
        STARTS_AFTER_CALL_WORK,  # a kept call delivery it applies may end its call
        READS_TENANT_SECRETS,
        ANALYSES_CALLS,
        TRANSCRIBES_RECORDINGS,
        SENDS_NOTIFICATIONS,
    ),
    schedule_minutes=1,
    timeout_seconds=60,
)

NOTIFIER = FunctionSpec(
    name="notifier",
    description="Tells employees of domain events (the notification catalog): email by SES, text by SNS, in-app",
    capabilities=(READS_WRITES_RECORDS, SENDS_NOTIFICATIONS),
    rules=tuple(
        EventRule("notify-" + re.sub(r"(?<!^)(?=[A-Z])", "-", pattern["detail-type"][0]).lower(), pattern)
        for pattern in notification_patterns(EVENT_SOURCE)
    ),
    timeout_seconds=60,
)

FUNCTIONS: tuple[FunctionSpec, ...] = (
    STAFF_API,
    CALL_WEBHOOKS,
    PARTNER_WEBHOOKS,
    PUBLIC_API,
    CALL_EVALUATOR,
    SCANNER,
    NOTIFIER,
)


@dataclass(frozen=True)
class StateMachineSpec:
    name: str
    definition_file: Path
    substitutions: tuple[str, ...] = field(default=("EventBusName",))

    def definition(self, **values: str) -> str:
        """The ASL document with its `${Name}` placeholders filled in."""
        text = self.definition_file.read_text()
        for key in self.substitutions:
            text = text.replace("${" + key + "}", values[key])
        return text

    def definition_template(self) -> dict:
        return json.loads(self.definition_file.read_text())


AFTER_CALL_WORK = StateMachineSpec(
    name="after-call-work",
    definition_file=ROOT / "infra" / "workflows" / "after_call_work.asl.json",
)


@dataclass(frozen=True)
class Topology:
    tables: tuple[TableSpec, ...]
    functions: tuple[FunctionSpec, ...]
    state_machine: StateMachineSpec
    bus_name: str = BUS_NAME

    def function(self, name: str) -> FunctionSpec:
        return next(f for f in self.functions if f.name == name)

    def table(self, logical_name: str) -> TableSpec:
        return next(t for t in self.tables if t.logical_name == logical_name)

    def routes(self) -> list[tuple[str, str, str, str]]:
        """(method, path, auth, function) for every route, sorted."""
        return sorted((r.method, r.path, r.auth, f.name) for f in self.functions for r in f.routes)

    def rules(self) -> list[tuple[str, str, dict]]:
        return sorted(((f.name, r.name, r.pattern) for f in self.functions for r in f.rules), key=lambda x: x[:2])

    def schedules(self) -> list[tuple[str, int]]:
        return sorted((f.name, f.schedule_minutes) for f in self.functions if f.schedule_minutes)

    def with_functions(self, *extra: FunctionSpec) -> Topology:
        return Topology(self.tables, self.functions + extra, self.state_machine, self.bus_name)


TOPOLOGY = Topology(tables=TABLES, functions=FUNCTIONS, state_machine=AFTER_CALL_WORK)
