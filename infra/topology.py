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

from leadline.notifications.catalog import event_patterns as notification_patterns

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
    tables: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()
    rules: tuple[EventRule, ...] = ()
    schedule_minutes: int | None = None
    publishes_events: bool = False
    starts_after_call_work: bool = False
    reads_tenant_secrets: bool = False  # vendor and partner credentials under SECRETS_PREFIX
    needs_public_url: bool = False  # gets PUBLIC_API_BASE_URL: the URL senders call (signatures cover it)
    analyses_calls: bool = False  # gets CALL_ANALYSER (rules | bedrock) and, for bedrock, the model and its grant
    # gets RECORDINGS_BUCKET and TRANSCRIPTION_JOB_PREFIX, and may copy recordings there and run Amazon Transcribe
    # jobs on them (for calls whose vendor sent no transcript); nothing when the stack turns transcription off
    transcribes_recordings: bool = False
    # gets NOTIFICATION_SENDER and APP_BASE_URL, and may send email through SES and texts through SNS
    sends_notifications: bool = False
    memory_mb: int = 512
    timeout_seconds: int = 15
    code_dir: str = ""  # relative to the repository; "functions/<name>" unless set (tests point it elsewhere)

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
    env_var="RECORDS_TABLE_NAME",
)

TABLES: tuple[TableSpec, ...] = (RECORDS_TABLE,)

STAFF_API = FunctionSpec(
    name="staff_api",
    description="Staff API: set-up records, calls, leads, jobs, customers; the self-documenting OpenAPI",
    tables=(RECORDS_TABLE.logical_name,),
    publishes_events=True,
    needs_public_url=True,  # the DNI snippet's install URLs
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
    tables=(RECORDS_TABLE.logical_name,),
    routes=(
        Route("POST", "/webhooks/twilio/{tenant_id}/voice-status", auth="none"),
        Route("POST", "/webhooks/twilio/{tenant_id}/recording-status", auth="none"),
        Route("POST", "/webhooks/twilio/{tenant_id}/transcription", auth="none"),
        Route("POST", "/webhooks/callrail/{tenant_id}", auth="none"),
        Route("POST", "/webhooks/callrail/{tenant_id}/{event}", auth="none"),
        Route("POST", "/webhooks/calls/{tenant_id}", auth="none"),
    ),
    starts_after_call_work=True,
    reads_tenant_secrets=True,
    needs_public_url=True,
)

PARTNER_WEBHOOKS = FunctionSpec(
    name="partner_webhooks",
    description="Lead partners' webhooks: Thumbtack, Angi and the generic signed JSON; leads to the Bookings inbox",
    tables=(RECORDS_TABLE.logical_name,),
    routes=(
        Route("POST", "/webhooks/partners/thumbtack/{tenant_id}", auth="none"),
        Route("POST", "/webhooks/partners/angi/{tenant_id}", auth="none"),
        Route("POST", "/webhooks/partners/{partner}/{tenant_id}", auth="none"),
    ),
    publishes_events=True,
    reads_tenant_secrets=True,
)

PUBLIC_API = FunctionSpec(
    name="public_api",
    description="The company's website: online bookings (per-company key) and dynamic number insertion",
    tables=(RECORDS_TABLE.logical_name,),
    routes=(
        Route("POST", "/v1/online-bookings", auth="none"),
        Route("GET", "/dni/{tenant_id}/snippet.js", auth="none"),
        Route("GET", "/dni/{tenant_id}/test-page", auth="none"),
        Route("POST", "/dni/{tenant_id}/sessions", auth="none"),
        Route("OPTIONS", "/dni/{tenant_id}/sessions", auth="none"),
        Route("OPTIONS", "/v1/online-bookings", auth="none"),
    ),
    publishes_events=True,
    needs_public_url=True,
)

AFTER_CALL_WORK_ELAPSED = {"source": [EVENT_SOURCE], "detail-type": ["AfterCallWorkElapsed"]}

CALL_EVALUATOR = FunctionSpec(
    name="call_evaluator",
    description="After-call work elapsed: SCL evaluation, abandoned-call leads; job booked: SCL statuses",
    tables=(RECORDS_TABLE.logical_name,),
    rules=(
        EventRule("after-call-work-elapsed", AFTER_CALL_WORK_ELAPSED),
        EventRule("scl-evaluation-due", {"source": [EVENT_SOURCE], "detail-type": ["SecondChanceLeadEvaluationDue"]}),
        EventRule("job-booked", {"source": [EVENT_SOURCE], "detail-type": ["JobBooked"]}),
    ),
    publishes_events=True,
    analyses_calls=True,
    transcribes_recordings=True,
    reads_tenant_secrets=True,
    timeout_seconds=60,
)

SCANNER = FunctionSpec(
    name="scanner",
    description="Scheduled sweep: outbox events left unpublished, overdue call evaluations, texts held in quiet hours",
    tables=(RECORDS_TABLE.logical_name,),
    schedule_minutes=1,
    publishes_events=True,
    starts_after_call_work=True,  # a kept call delivery it applies may end its call
    analyses_calls=True,
    sends_notifications=True,
    transcribes_recordings=True,
    reads_tenant_secrets=True,
    timeout_seconds=60,
)

NOTIFIER = FunctionSpec(
    name="notifier",
    description="Tells employees of domain events (the notification catalog): email by SES, text by SNS, in-app",
    tables=(RECORDS_TABLE.logical_name,),
    rules=tuple(
        EventRule("notify-" + re.sub(r"(?<!^)(?=[A-Z])", "-", pattern["detail-type"][0]).lower(), pattern)
        for pattern in notification_patterns(EVENT_SOURCE)
    ),
    sends_notifications=True,
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
