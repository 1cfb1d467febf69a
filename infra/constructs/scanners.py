"""Exceptions to the infrastructure scanners' rules, made where the resource is made and each with its reason.

cdk-nag: a granular suppression (`applies_to`) must name the finding exactly as cdk-nag prints it, and that text
depends on how the stack is synthesized: `arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*`
when environment-agnostic, `arn:aws:ses:eu-west-2:123456789012:identity/*` for a concrete account and Region,
`arn:aws-cn:...` in China. So findings are computed from the very ARN (or token) granted, resolved by the stack
and flattened as cdk-nag does, never written out by hand.

checkov: `skip_checkov` records skips in the resource's template metadata (`Metadata.checkov.skip`), where
checkov reads them, each with its one-line reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import CfnResource, Stack
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import IConstruct

IAM5 = "AwsSolutions-IAM5"


def _flatten(value: object) -> str:
    """cdk-nag's flattenCfnReference: `Ref X` -> `<X>`, `Fn::GetAtt [X, Y]` -> `<X.Y>`, `Fn::Join` joined,
    `${X}` in strings and `Fn::Sub` -> `<X>`."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, Mapping) and len(value) == 1:
        [(function, argument)] = value.items()
        if function == "Ref":
            return f"<{_flatten(argument)}>"
        if function == "Fn::GetAtt":
            resource, attribute = argument
            return f"<{_flatten(resource)}.{_flatten(attribute)}>"
        if function == "Fn::Join":
            delimiter, parts = argument
            return delimiter.join(_flatten(part) for part in parts)
        if function == "Fn::Sub" and isinstance(argument, str):
            return _flatten(argument)
    raise ValueError(f"no cdk-nag finding id for {value!r}")


def resource_finding(scope: IConstruct, resource: str) -> str:
    """cdk-nag's AwsSolutions-IAM5 finding id of the (wildcard) resource ARN `resource` in `scope`'s stack."""
    return f"Resource::{_flatten(Stack.of(scope).resolve(resource))}"


def policy_finding(scope: IConstruct, managed_policy_arn: str) -> str:
    """cdk-nag's AwsSolutions-IAM4 finding id of the AWS managed policy `managed_policy_arn`."""
    return f"Policy::{_flatten(Stack.of(scope).resolve(managed_policy_arn))}"


def suppress_wildcards(principal: IConstruct, reason: str, resources: Sequence[str]) -> None:
    """Suppress AwsSolutions-IAM5 on the DefaultPolicy of `principal` (a role) for exactly these resources."""
    NagSuppressions.add_resource_suppressions(
        principal.node.find_child("DefaultPolicy"),
        [
            NagPackSuppression(
                id=IAM5,
                reason=reason,
                applies_to=[resource_finding(principal, resource) for resource in resources],
            )
        ],
    )


def skip_checkov(construct: IConstruct, skips: Mapping[str, str]) -> None:
    """Skip checkov checks (`{check id: one-line reason}`) on `construct`'s CloudFormation resource."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise ValueError(f"{construct.node.path} has no CloudFormation resource to skip checkov checks on")
    for check_id, reason in skips.items():
        if not reason.strip() or "\n" in reason:
            raise ValueError(f"checkov skip {check_id} on {construct.node.path} needs a one-line reason")
    existing = (resource.get_metadata("checkov") or {}).get("skip", [])
    kept = [skip for skip in existing if skip["id"] not in skips]
    added = [{"id": check_id, "comment": reason} for check_id, reason in skips.items()]
    resource.add_metadata("checkov", {"skip": kept + added})
