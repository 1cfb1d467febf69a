"""The one Lambda function factory, and the layers every function gets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import jsii
from aws_cdk import Duration, Fn
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct, IValidation

from infra.constructs.call_analysis import CallAnalysis
from infra.constructs.data import Data
from infra.constructs.events import construct_name, routed
from infra.constructs.log_groups import LogGroups
from infra.constructs.monitoring import Monitoring
from infra.constructs.notifications import Notifications
from infra.constructs.scanners import skip_checkov, suppress_wildcards
from infra.constructs.secrets import Secrets
from infra.constructs.transcription import START_JOB_WILDCARD_REASON, Transcription
from infra.layer_bundling import local_bundling_options
from infra.topology import FunctionSpec, Topology

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
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
HANDLER = "handler.handler"
METRICS_NAMESPACE = "Leadline"
LOG_LEVEL = "INFO"
# AWS-published Powertools for AWS Lambda (Python) v3, matching RUNTIME and ARCHITECTURE.
POWERTOOLS_LAYER_ARN = "arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:27"
ASSET_EXCLUDES = ["__pycache__", "*.pyc", "*.pyo", ".pytest_cache"]
# Why checkov's Lambda checks do not apply to these functions.
CHECKOV_SKIPS = {
    "CKV_AWS_115": "Reserved concurrency is a per-account capacity decision (it takes from the Region's shared "
    "quota), made at deployment; the API stage's throttling bounds the HTTP functions.",
    "CKV_AWS_117": "No VPC: the functions reach only AWS service endpoints, authorised by IAM; a VPC would add NAT "
    "cost and cold-start time and nothing to reach.",
    "CKV_AWS_173": "The environment holds names, ARNs and settings, never a secret (secrets come from Secrets "
    "Manager); Lambda encrypts it at rest with its AWS managed key.",
}
ASYNC_FAILURES_REASON = (
    "Failed asynchronous invocations go to the function's on-failure destination, its SQS dead-letter queue "
    "(EventRouting), which also keeps the error."
)
SYNCHRONOUS_ONLY_REASON = "Invoked synchronously only (API Gateway): the caller gets the error, no event is queued."
# Set on every function whose spec says `needs_public_url`: the base URL senders call, without a trailing slash.
PUBLIC_API_BASE_URL_ENV = "PUBLIC_API_BASE_URL"


class Layers(Construct):
    """The Powertools layer (by ARN) and our shared layer (`layers/shared`, bundled locally with pip)."""

    def __init__(self, scope: Construct, construct_id: str, *, shared_layer_dir: Path) -> None:
        super().__init__(scope, construct_id)
        self.powertools = lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", Fn.sub(POWERTOOLS_LAYER_ARN))
        self.shared = lambda_.LayerVersion(
            self,
            "Shared",
            description="Leadline shared domain code (leadline package) and its pinned dependencies",
            code=lambda_.Code.from_asset(
                str(shared_layer_dir),
                bundling=local_bundling_options(shared_layer_dir),
                exclude=ASSET_EXCLUDES,
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.powertools, self.shared]


class LeadlineFunction(Construct):
    """One `FunctionSpec` -> role, log group, function, grants, errors alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        data: Data,
        layers: Sequence[lambda_.ILayerVersion],
        bus: events.IEventBus,
        state_machine: sfn.IStateMachine | None,
        secrets: Secrets,
        monitoring: Monitoring,
        log_groups: LogGroups,
        call_analysis: CallAnalysis,
        transcription: Transcription,
        notifications: Notifications,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.public_api_base_url: str | None = None
        tables = self._tables(spec, data)

        self.log_group = log_groups.log_group(self)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Lambda {spec.name}",
            inline_policies={
                "WriteOwnLogs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[self.log_group.log_group_arn],
                        )
                    ]
                )
            },
        )

        environment = {
            "POWERTOOLS_SERVICE_NAME": spec.name,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "LOG_LEVEL": LOG_LEVEL,
            "EVENT_BUS_NAME": bus.event_bus_name,
            "LEADLINE_SECRETS_PREFIX": secrets.prefix,
        }
        for table_spec, table in tables:
            environment[table_spec.env_var] = table.table_name
        if spec.starts_after_call_work:
            if state_machine is None:
                raise ValueError(f"function {spec.name} starts after-call work but the stack has no state machine")
            environment["ACW_STATE_MACHINE_ARN"] = state_machine.state_machine_arn
        if spec.analyses_calls:
            environment.update(call_analysis.environment)
        if spec.transcribes_recordings:
            environment.update(transcription.environment)  # nothing when the stack turns transcription off
        if spec.sends_notifications:
            environment.update(notifications.environment)  # only the defaults the context gave

        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(spec.handler_path), exclude=ASSET_EXCLUDES),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            layers=list(layers),
            environment=environment,
        )

        for _, table in tables:
            table.grant(self.function, *TABLE_ACTIONS)  # the table and its indexes
        if spec.publishes_events:
            bus.grant_put_events_to(self.function)
        if spec.starts_after_call_work and state_machine is not None:
            state_machine.grant_start_execution(self.function)
        if spec.reads_tenant_secrets:
            # Scoped to the tenant-secrets prefix and key; suppresses its own prefix wildcard on the DefaultPolicy.
            secrets.grant_read(self.function)
        if spec.analyses_calls:
            # bedrock:InvokeModel on the one model (nothing for the rules analyser); suppresses its own wildcard.
            call_analysis.grant_invoke(self.function)
        # The recordings bucket's two prefixes and the stack's transcription jobs (nothing when off); suppresses
        # its own prefix wildcards. Its StartTranscriptionJob on '*' shares the '*' suppression below.
        transcribes = spec.transcribes_recordings and transcription.grant(self.function) is not None
        if spec.sends_notifications:
            # ses:SendRawEmail on the SES identities (suppresses its own wildcard) and sns:Publish to phone numbers.
            notifications.grant(self.function)

        NagSuppressions.add_resource_suppressions(
            self.function,
            [
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason=(
                        "Pinned to python3.13: the AWS-published Powertools layer used here is the "
                        "python313-arm64 build and the shared layer is built for CPython 3.13; the runtime "
                        "moves together with both layers."
                    ),
                )
            ],
        )
        suppress_wildcards(
            self.role,
            "Resource '*' is only X-Ray's xray:PutTraceSegments/PutTelemetryRecords (added by active tracing; X-Ray "
            "has no resource-level permissions)"
            + (f" and {START_JOB_WILDCARD_REASON}" if transcribes else "")
            + ". '<table>/index/*' lets the function Query the GSIs of the tables its FunctionSpec lists, and "
            "nothing else.",
            ["*"] + [f"{table.table_arn}/index/*" for _, table in tables],
        )
        skip_checkov(
            self.function,
            CHECKOV_SKIPS | {"CKV_AWS_116": ASYNC_FAILURES_REASON if routed(spec) else SYNCHRONOUS_ONLY_REASON},
        )
        self.alarm = monitoring.alarm_on_function_errors(self, function=self.function, name=spec.name)
        if spec.needs_public_url:
            self.node.add_validation(_PublicUrlIsSet(self))

    def set_public_api_base_url(self, url: str) -> None:
        """PUBLIC_API_BASE_URL, known only once the API exists (so it is added after the function is made)."""
        if not self.spec.needs_public_url:
            raise ValueError(f"function {self.spec.name} does not declare needs_public_url")
        if self.public_api_base_url is not None:
            raise ValueError(f"function {self.spec.name}: the public API base URL is already set")
        self.public_api_base_url = url
        self.function.add_environment(PUBLIC_API_BASE_URL_ENV, url)

    @staticmethod
    def _tables(spec: FunctionSpec, data: Data) -> list[tuple]:
        found = []
        for logical_name in spec.tables:
            if logical_name not in data.tables:
                raise ValueError(f"function {spec.name} lists unknown table {logical_name!r}")
            table_spec = data.specs[logical_name]
            if not table_spec.env_var:
                raise ValueError(f"table {logical_name} has no env_var, so function {spec.name} cannot find it")
            found.append((table_spec, data.tables[logical_name]))
        return found


@jsii.implements(IValidation)
class _PublicUrlIsSet:
    """Synthesis fails if a function declares `needs_public_url` but the stack never gave it the URL."""

    def __init__(self, function: LeadlineFunction) -> None:
        self._function = function

    def validate(self) -> list[str]:
        if self._function.public_api_base_url is None:
            return [
                f"function {self._function.spec.name} declares needs_public_url but no "
                f"{PUBLIC_API_BASE_URL_ENV} was set (Functions.set_public_api_base_url)"
            ]
        return []


class Functions(Construct):
    """Every function of the topology, through `LeadlineFunction`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topology: Topology,
        data: Data,
        layers: Layers,
        bus: events.IEventBus,
        state_machine: sfn.IStateMachine | None,
        secrets: Secrets,
        monitoring: Monitoring,
        log_groups: LogGroups,
        call_analysis: CallAnalysis,
        transcription: Transcription,
        notifications: Notifications,
    ) -> None:
        super().__init__(scope, construct_id)
        names = [spec.name for spec in topology.functions]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate function names in the topology: {duplicates}")
        self.constructs: dict[str, LeadlineFunction] = {}
        for spec in topology.functions:
            self.constructs[spec.name] = LeadlineFunction(
                self,
                construct_name(spec.name),
                spec=spec,
                data=data,
                layers=layers.all,
                bus=bus,
                state_machine=state_machine,
                secrets=secrets,
                monitoring=monitoring,
                log_groups=log_groups,
                call_analysis=call_analysis,
                transcription=transcription,
                notifications=notifications,
            )

    @property
    def functions(self) -> Mapping[str, lambda_.Function]:
        return {name: made.function for name, made in self.constructs.items()}

    def function(self, name: str) -> lambda_.Function:
        return self.constructs[name].function

    def set_public_api_base_url(self, url: str) -> None:
        """Give PUBLIC_API_BASE_URL to every function whose spec says `needs_public_url`."""
        for made in self.constructs.values():
            if made.spec.needs_public_url:
                made.set_public_api_base_url(url)
