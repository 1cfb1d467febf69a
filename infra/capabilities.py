"""What a function may do, as typed objects: a `FunctionSpec` lists its capabilities, and both renderers read them.

A capability names the environment variables it gives a function (their names are `leadline.config`'s) and the
IAM actions its grant allows. What fills them in is the renderer's: for each capability the CDK stack
(`infra/stack.py`) and the local runtime (`infra/local/runtime.py`) each hold one `Provision`, the variables'
values and, in AWS, the grant on the resources it made. A function gets the basic variables every function has
(`basic_environment`) and its capabilities' variables, nothing else: in AWS because that is its environment,
locally because the runtime sets each invocation's own (`leadline.config.invocation_environment`).

Nothing here imports the CDK or boto3.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadline import config

if TYPE_CHECKING:
    from infra.topology import FunctionSpec, TableSpec

METRICS_NAMESPACE = "Leadline"
LOG_LEVEL = "INFO"
# Every function has these, whatever its capabilities: names, never access (that comes with a capability).
BASIC_VARIABLES = (
    config.POWERTOOLS_SERVICE_NAME,
    config.POWERTOOLS_METRICS_NAMESPACE,
    config.LOG_LEVEL,
    config.EVENT_BUS_NAME,
    config.LEADLINE_SECRETS_PREFIX,
)


@dataclass(frozen=True)
class Capability:
    """Something a function may do. `variables`: every variable it may give the function (a renderer gives only
    those that apply, e.g. none for transcription when a stack turns it off); `actions`: every IAM action its
    grant may allow, on the resources the stack makes for it."""

    name: str
    summary: str
    variables: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    table: str | None = None  # the logical name of the table it reads and writes

    def __str__(self) -> str:
        return self.name


def _no_grant(function: Any) -> None:
    return None


@dataclass(frozen=True)
class Provision:
    """What a renderer made for one capability: the values of its variables and, in AWS, its grant.

    `grant(function)` allows the function what the capability needs (and suppresses the wildcards it adds,
    each with its reason); `star_reason`, if set, is why the grant needs `Resource: *`, and goes into the
    function role's one suppression of it."""

    environment: Mapping[str, str] = field(default_factory=dict)
    grant: Callable[[Any], object] = _no_grant
    star_reason: str | None = None


# What the functions do with their tables: key reads, Queries, conditional and transactional writes (a transaction
# is authorised by its parts' actions). Not Scan, nor streams: grant_read_write_data would give both.
TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)


def table_access(table: TableSpec) -> Capability:
    """Reads and writes `table` and its indexes: its name in `table.env_var`."""
    if not table.env_var:
        raise ValueError(f"table {table.logical_name} has no env_var, so no function could find it")
    return Capability(
        name=f"reads_writes_{table.logical_name.lower()}",
        summary=f"reads and writes the {table.logical_name} table and its indexes (no Scan, no stream)",
        variables=(table.env_var,),
        actions=TABLE_ACTIONS,
        table=table.logical_name,
    )


PUBLISHES_EVENTS = Capability(
    name="publishes_events",
    summary="puts domain events on the product's bus (EVENT_BUS_NAME, which every function has)",
    actions=("events:PutEvents",),
)
STARTS_AFTER_CALL_WORK = Capability(
    name="starts_after_call_work",
    summary="starts executions of the after-call-work state machine",
    variables=(config.ACW_STATE_MACHINE_ARN,),
    actions=("states:StartExecution",),
)
READS_TENANT_SECRETS = Capability(
    name="reads_tenant_secrets",
    summary="reads tenants' vendor and partner credentials under LEADLINE_SECRETS_PREFIX (which every function "
    "has), decrypting with their key through Secrets Manager only",
    actions=("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt"),
)
NEEDS_PUBLIC_URL = Capability(
    name="needs_public_url",
    summary="knows the base URL vendors and partners call (their signatures cover it), without a trailing slash",
    variables=(config.PUBLIC_API_BASE_URL,),
)
ANALYSES_CALLS = Capability(
    name="analyses_calls",
    summary="analyses calls with the analyser the deployment chose (rules, or Bedrock and its model)",
    variables=(config.CALL_ANALYSER, config.BEDROCK_MODEL_ID),
    actions=("bedrock:InvokeModel",),
)
TRANSCRIBES_RECORDINGS = Capability(
    name="transcribes_recordings",
    summary="copies recordings to the recordings bucket and runs Amazon Transcribe jobs on them (for calls whose "
    "vendor sent no transcript); nothing where transcription is off",
    variables=(config.RECORDINGS_BUCKET, config.TRANSCRIPTION_JOB_PREFIX),
    actions=(
        "s3:PutObject",
        "s3:GetObject",
        "s3:AbortMultipartUpload",
        "transcribe:StartTranscriptionJob",
        "transcribe:GetTranscriptionJob",
    ),
)
SENDS_NOTIFICATIONS = Capability(
    name="sends_notifications",
    summary="sends employees email through SES and texts through SNS; gets the deployment's default sender and "
    "app base URL when it set them",
    variables=(config.NOTIFICATION_SENDER, config.APP_BASE_URL),
    actions=("ses:SendRawEmail", "sns:Publish"),
)


SERVES_THE_STAFF_APP = Capability(
    name="serves_the_staff_app",
    summary="answers the staff app's browser requests across origins (CORS headers for its origin only)",
    variables=(config.STAFF_APP_ORIGIN,),
)


def basic_environment(function_name: str, *, bus_name: str, secrets_prefix: str) -> dict[str, str]:
    """The variables of every function (BASIC_VARIABLES)."""
    return {
        config.POWERTOOLS_SERVICE_NAME: function_name,
        config.POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        config.LOG_LEVEL: LOG_LEVEL,
        config.EVENT_BUS_NAME: bus_name,
        config.LEADLINE_SECRETS_PREFIX: secrets_prefix,
    }


def provisions_of(spec: FunctionSpec, provisions: Mapping[Capability, Provision], renderer: str) -> list[Provision]:
    """The provisions of `spec`'s capabilities, in its order; ValueError for a capability the renderer does not
    provide, or a provision that gives a variable its capability does not name."""
    found = []
    for capability in spec.capabilities:
        provision = provisions.get(capability)
        if provision is None:
            raise ValueError(f"function {spec.name} has capability {capability} but {renderer} provides nothing for it")
        undeclared = sorted(set(provision.environment) - set(capability.variables))
        if undeclared:
            raise ValueError(
                f"{renderer} gives {undeclared} with capability {capability}, which names only "
                f"{list(capability.variables)}"
            )
        found.append(provision)
    return found
