"""Which call analyser the functions that analyse calls use, chosen by CDK context, and its Bedrock grant.

`cdk deploy -c callAnalyser=rules` (the default): the local, deterministic rules; no AWS permission.
`cdk deploy -c callAnalyser=bedrock -c bedrockModelId=<id>`: Amazon Bedrock's Converse API on that model
(a foundation model id such as `anthropic.claude-3-5-haiku-20241022-v1:0`, or a cross-Region inference
profile id such as `us.anthropic.claude-3-5-haiku-20241022-v1:0`). There is no default model: choosing
one (and enabling it in the account) is a decision of the deployment, so it must be named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Annotations, ArnFormat, Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.capabilities import Provision
from infra.constructs.scanners import suppress_wildcards
from leadline import config

CALL_ANALYSER_CONTEXT = "callAnalyser"
BEDROCK_MODEL_ID_CONTEXT = "bedrockModelId"
RULES = "rules"
BEDROCK = "bedrock"
ANALYSERS = (RULES, BEDROCK)
# The Converse API is authorised by bedrock:InvokeModel (ConverseStream, unused, would need the streaming one).
BEDROCK_ACTIONS = ("bedrock:InvokeModel",)
# Geographies of Bedrock's system-defined cross-Region inference profiles: `<geo>.<foundation model id>`.
INFERENCE_PROFILE_GEOGRAPHIES = ("us", "us-gov", "eu", "apac", "jp", "au", "ca", "global")
# A foundation model id is `<provider>.<model>[:<version>]`; no ARNs, no wildcards, no spaces.
_MODEL_ID = re.compile(r"^[a-z0-9-]+\.[A-Za-z0-9._:-]+$")
_INFERENCE_PROFILE_ID = re.compile(
    r"^(?:" + "|".join(re.escape(g) for g in INFERENCE_PROFILE_GEOGRAPHIES) + r")\.(?P<base>[a-z0-9-]+\..+)$"
)


@dataclass(frozen=True)
class CallAnalysis:
    """`CALL_ANALYSER` (`rules` | `bedrock`) and, for `bedrock`, the model id and what invoking it needs."""

    analyser: str = RULES
    model_id: str | None = None

    def __post_init__(self) -> None:
        if self.analyser not in ANALYSERS:
            raise ValueError(
                f"context {CALL_ANALYSER_CONTEXT} must be one of {', '.join(ANALYSERS)}; got {self.analyser!r}"
            )
        if self.analyser == BEDROCK:
            if self.model_id is None:
                raise ValueError(
                    f"context {CALL_ANALYSER_CONTEXT}={BEDROCK} needs context {BEDROCK_MODEL_ID_CONTEXT}: the Bedrock "
                    f"model id or inference profile id, e.g. -c {BEDROCK_MODEL_ID_CONTEXT}="
                    f"anthropic.claude-3-5-haiku-20241022-v1:0"
                )
            if not _MODEL_ID.match(self.model_id):
                raise ValueError(
                    f"context {BEDROCK_MODEL_ID_CONTEXT} must be a Bedrock model id or inference profile id "
                    f"(like anthropic.claude-3-5-haiku-20241022-v1:0 or us.anthropic.claude-3-5-haiku-20241022-v1:0), "
                    f"not an ARN or a pattern; got {self.model_id!r}"
                )
        elif self.model_id is not None:
            raise ValueError(f"a model id is only used with {CALL_ANALYSER_CONTEXT}={BEDROCK}")

    @classmethod
    def from_context(cls, scope: Construct) -> CallAnalysis:
        """Read `callAnalyser` (unset or empty: rules) and, for bedrock, `bedrockModelId` (required then)."""
        node = scope.node
        analyser = node.try_get_context(CALL_ANALYSER_CONTEXT)
        if analyser is None or analyser == "":
            analyser = RULES
        if not isinstance(analyser, str) or analyser.strip() not in ANALYSERS:
            raise ValueError(f"context {CALL_ANALYSER_CONTEXT} must be one of {', '.join(ANALYSERS)}; got {analyser!r}")
        analyser = analyser.strip()
        model_id = node.try_get_context(BEDROCK_MODEL_ID_CONTEXT)
        if model_id == "":
            model_id = None
        if analyser == BEDROCK:
            if model_id is not None and (not isinstance(model_id, str) or Token.is_unresolved(model_id)):
                raise ValueError(f"context {BEDROCK_MODEL_ID_CONTEXT} must be a literal string, got {model_id!r}")
            return cls(analyser=BEDROCK, model_id=None if model_id is None else model_id.strip())
        if model_id is not None:
            Annotations.of(scope).add_warning_v2(
                "leadline:bedrockModelIdIgnored",
                f"context {BEDROCK_MODEL_ID_CONTEXT} is ignored: {CALL_ANALYSER_CONTEXT} is {analyser}, not {BEDROCK}",
            )
        return cls(analyser=RULES)

    @property
    def environment(self) -> dict[str, str]:
        """The variables of a function that analyses calls."""
        variables = {config.CALL_ANALYSER: self.analyser}
        if self.analyser == BEDROCK and self.model_id is not None:
            variables[config.BEDROCK_MODEL_ID] = self.model_id
        return variables

    @property
    def provision(self) -> Provision:
        """ANALYSES_CALLS' provision: the variables, and the Bedrock grant (nothing for the rules analyser)."""
        return Provision(environment=self.environment, grant=self.grant_invoke)

    @property
    def base_model_id(self) -> str | None:
        """The foundation model behind a cross-Region inference profile id; None for a foundation model id."""
        found = _INFERENCE_PROFILE_ID.match(self.model_id or "")
        return found.group("base") if found else None

    def model_arns(self, scope: Construct) -> list[str]:
        """What bedrock:InvokeModel must allow: the foundation model in the stack's Region; for an inference
        profile, the profile in the stack's Region and account and its foundation model in any Region (the
        profile routes each request to one of the Regions of its geography)."""
        if self.analyser != BEDROCK or self.model_id is None:
            return []
        stack = Stack.of(scope)
        base = self.base_model_id
        if base is None:
            return [_foundation_model_arn(stack, self.model_id, region=None)]
        return [
            stack.format_arn(
                service="bedrock",
                resource="inference-profile",
                resource_name=self.model_id,
                arn_format=ArnFormat.SLASH_RESOURCE_NAME,
            ),
            _foundation_model_arn(stack, base, region="*"),
        ]

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant | None:
        """bedrock:InvokeModel on `model_arns` (nothing for the rules analyser).

        An inference profile's any-Region foundation-model ARN is suppressed (AwsSolutions-IAM5) on the
        grantee's DefaultPolicy, with its reason, and no other wildcard is."""
        principal = grantee.grant_principal
        scope = principal if isinstance(principal, Construct) else None
        if scope is None:
            raise ValueError("the Bedrock grant needs a grantee whose principal is a construct (a role)")
        resources = self.model_arns(scope)
        if not resources:
            return None
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(BEDROCK_ACTIONS), resource_arns=resources)
        base = self.base_model_id
        if base is not None:
            suppress_wildcards(
                scope,
                f"The cross-Region inference profile {self.model_id} routes each request to its foundation model "
                f"{base} in one of the Regions of its geography, chosen by Bedrock at request time, and IAM checks "
                f"the foundation model in that destination Region: so only the Region is a wildcard, for one model "
                f"and the action bedrock:InvokeModel only.",
                [_foundation_model_arn(Stack.of(scope), base, region="*")],
            )
        return grant


def _foundation_model_arn(stack: Stack, model_id: str, *, region: str | None) -> str:
    return stack.format_arn(
        service="bedrock",
        region=region,
        account="",  # foundation models belong to no account
        resource="foundation-model",
        resource_name=model_id,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
