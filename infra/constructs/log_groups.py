"""CloudWatch log groups: one retention, kept when the stack goes, encrypted with one customer managed key."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

# What CloudWatch Logs needs of a log group's key (it encrypts and decrypts on behalf of writers and readers).
LOGS_KEY_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
)


class LogGroups(Construct):
    """The key, and `log_group(scope)` for every log group of the stack (functions, API access logs, workflow)."""

    def __init__(self, scope: Construct, construct_id: str, *, retention: logs.RetentionDays) -> None:
        super().__init__(scope, construct_id)
        self.retention = retention
        stack = Stack.of(self)
        self.key = kms.Key(self, "Key", description="Encrypts the Leadline log groups", enable_key_rotation=True)
        # CloudWatch Logs uses the key of a log group of this account and Region only.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogsForTheLogGroupsOfThisAccount",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.{stack.url_suffix}")],
                actions=list(LOGS_KEY_ACTIONS),
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )

    def log_group(self, scope: Construct, construct_id: str = "Logs") -> logs.LogGroup:
        return logs.LogGroup(
            scope,
            construct_id,
            retention=self.retention,
            removal_policy=RemovalPolicy.RETAIN,
            encryption_key=self.key,
        )
