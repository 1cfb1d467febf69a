"""The one Lambda function factory, and the layers every function gets.

A function's environment and grants come from its capabilities alone (`infra/capabilities.py`): the stack gives
`Functions` one `Provision` per capability, and each function takes those of its spec's capabilities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import jsii
from aws_cdk import Duration, Fn, IStableStringProducer, Lazy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct, IValidation

from infra.capabilities import NEEDS_PUBLIC_URL, Capability, Provision, basic_environment, provisions_of
from infra.constructs.events import construct_name, routed
from infra.constructs.log_groups import LogGroups
from infra.constructs.monitoring import Monitoring
from infra.constructs.scanners import skip_checkov, suppress_wildcards
from infra.layer_bundling import local_bundling_options
from infra.topology import FunctionSpec, Topology
from leadline import config

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
HANDLER = "handler.handler"
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
XRAY_WILDCARD_REASON = (
    "Resource '*' is only X-Ray's xray:PutTraceSegments/PutTelemetryRecords (added by active tracing; X-Ray "
    "has no resource-level permissions)"
)


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
    """One `FunctionSpec` -> role, log group, function with its capabilities' environment and grants, errors
    alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        layers: Sequence[lambda_.ILayerVersion],
        basics: Mapping[str, str],
        provisions: Mapping[Capability, Provision],
        monitoring: Monitoring,
        log_groups: LogGroups,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        provided = provisions_of(spec, provisions, "the stack")
        environment = dict(basics)
        for provision in provided:
            environment.update(provision.environment)

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
        for provision in provided:
            provision.grant(self.function)  # each suppresses the wildcards it adds, but Resource '*'

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
        # cdk-nag reports the first suppression that matches a finding, so Resource '*' has one, with every reason.
        star_reasons = [XRAY_WILDCARD_REASON] + [p.star_reason for p in provided if p.star_reason]
        suppress_wildcards(self.role, " and ".join(star_reasons) + ".", ["*"])
        skip_checkov(
            self.function,
            CHECKOV_SKIPS | {"CKV_AWS_116": ASYNC_FAILURES_REASON if routed(spec) else SYNCHRONOUS_ONLY_REASON},
        )
        self.alarm = monitoring.alarm_on_function_errors(self, function=self.function, name=spec.name)


@jsii.implements(IStableStringProducer)
class _Produce:
    def __init__(self, public_url: PublicUrl) -> None:
        self._public_url = public_url

    def produce(self) -> str | None:
        return self._public_url.url


class PublicUrl:
    """NEEDS_PUBLIC_URL's provision. PUBLIC_API_BASE_URL is known only once the API exists, and the API needs
    the functions first: so a function gets a lazy value, filled in by `set`, and synthesis fails if it never
    was."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.provision = Provision(
            environment={config.PUBLIC_API_BASE_URL: Lazy.string(_Produce(self))}, grant=self._require
        )

    def set(self, url: str) -> None:
        if self.url is not None:
            raise ValueError("the public API base URL is already set")
        self.url = url

    def _require(self, function: lambda_.Function) -> None:
        function.node.add_validation(_PublicUrlIsSet(self, function))


@jsii.implements(IValidation)
class _PublicUrlIsSet:
    def __init__(self, public_url: PublicUrl, function: lambda_.Function) -> None:
        self._public_url = public_url
        self._function = function

    def validate(self) -> list[str]:
        if self._public_url.url is None:
            name = self._function.node.scope.spec.name
            return [
                f"function {name} has capability {NEEDS_PUBLIC_URL} but no {config.PUBLIC_API_BASE_URL} was set "
                "(Functions.set_public_api_base_url)"
            ]
        return []


class Functions(Construct):
    """Every function of the topology, through `LeadlineFunction`. `provisions`: what the stack made for each
    capability; NEEDS_PUBLIC_URL's is this construct's own (`set_public_api_base_url`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topology: Topology,
        layers: Layers,
        provisions: Mapping[Capability, Provision],
        bus_name: str,
        secrets_prefix: str,
        monitoring: Monitoring,
        log_groups: LogGroups,
    ) -> None:
        super().__init__(scope, construct_id)
        names = [spec.name for spec in topology.functions]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate function names in the topology: {duplicates}")
        if NEEDS_PUBLIC_URL in provisions:
            raise ValueError(f"{NEEDS_PUBLIC_URL} is provided by Functions itself (set_public_api_base_url)")
        self.public_url = PublicUrl()
        provisions = {**provisions, NEEDS_PUBLIC_URL: self.public_url.provision}
        self.constructs: dict[str, LeadlineFunction] = {}
        for spec in topology.functions:
            self.constructs[spec.name] = LeadlineFunction(
                self,
                construct_name(spec.name),
                spec=spec,
                layers=layers.all,
                basics=basic_environment(spec.name, bus_name=bus_name, secrets_prefix=secrets_prefix),
                provisions=provisions,
                monitoring=monitoring,
                log_groups=log_groups,
            )

    @property
    def functions(self) -> Mapping[str, lambda_.Function]:
        return {name: made.function for name, made in self.constructs.items()}

    def function(self, name: str) -> lambda_.Function:
        return self.constructs[name].function

    def set_public_api_base_url(self, url: str) -> None:
        """PUBLIC_API_BASE_URL of every function with NEEDS_PUBLIC_URL: the base URL senders call."""
        self.public_url.set(url)
