"""Tenants' vendor and partner credentials in Secrets Manager, under one prefix and one key."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.capabilities import Provision
from infra.constructs.scanners import suppress_wildcards


class Secrets(Construct):
    """A customer-managed key for tenant secrets named `<prefix><tenant>/<vendor>`.

    The secrets themselves are created at run time (one per tenant and vendor),
    so the stack holds only the key and the grants.
    """

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.prefix = prefix
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts tenant secrets under {prefix}",
            enable_key_rotation=True,
        )
        self.secrets_arn_pattern = Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    def _via_secrets_manager(self) -> dict:
        return {"StringEquals": {"kms:ViaService": f"secretsmanager.{Stack.of(self).region}.amazonaws.com"}}

    def _suppress_prefix_wildcard(self, grantee: iam.IGrantable, reason: str) -> None:
        principal = grantee.grant_principal
        node = getattr(principal, "node", None)
        if node is None or node.try_find_child("DefaultPolicy") is None:
            return  # the caller owns the policy and its suppression
        suppress_wildcards(principal, reason, [self.secrets_arn_pattern])

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """GetSecretValue/DescribeSecret on `<prefix>*`, and Decrypt with the key via Secrets Manager only."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            resource_arns=[self.secrets_arn_pattern],
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["kms:Decrypt"],
            resource_arns=[self.key.key_arn],
            conditions=self._via_secrets_manager(),
        )
        self._suppress_prefix_wildcard(
            grantee,
            f"Tenant secrets are created at run time, one per tenant and vendor, so access is scoped to the "
            f"name prefix {self.prefix}* (plus Secrets Manager's random suffix); tenant isolation is enforced "
            f"by the handler, which builds the name from the caller's tenant id.",
        )
        return grant

    @property
    def read_provision(self) -> Provision:
        """READS_TENANT_SECRETS' provision: `grant_read` (the prefix is a variable of every function)."""
        return Provision(grant=self.grant_read)

    def grant_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Create and update secrets under `<prefix>*`, encrypted with the key (for on-boarding tools)."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[
                "secretsmanager:CreateSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:DescribeSecret",
                "secretsmanager:TagResource",
            ],
            resource_arns=[self.secrets_arn_pattern],
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
            resource_arns=[self.key.key_arn],
            conditions=self._via_secrets_manager(),
        )
        self._suppress_prefix_wildcard(
            grantee,
            f"Tenant secrets are created at run time under the name prefix {self.prefix}*, so their ARNs "
            f"cannot be listed in the template.",
        )
        return grant
