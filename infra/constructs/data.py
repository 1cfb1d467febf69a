"""DynamoDB tables, one per `TableSpec`, and what a function that reads and writes one gets."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.capabilities import TABLE_ACTIONS, Provision
from infra.constructs.scanners import skip_checkov, suppress_wildcards
from infra.topology import TableSpec


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    """Tables keyed by `TableSpec.logical_name`; CloudFormation chooses the physical names."""

    def __init__(self, scope: Construct, construct_id: str, *, tables: Sequence[TableSpec]) -> None:
        super().__init__(scope, construct_id)
        self.specs: dict[str, TableSpec] = {}
        self.tables: dict[str, dynamodb.Table] = {}
        for spec in tables:
            table = dynamodb.Table(
                self,
                spec.logical_name,
                partition_key=_string(spec.partition_key),
                sort_key=_string(spec.sort_key),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                time_to_live_attribute=spec.ttl_attribute,
                removal_policy=RemovalPolicy.RETAIN,
            )
            skip_checkov(
                table,
                {
                    "CKV_AWS_119": "Encrypted with the AWS managed KMS key; a customer managed key would add KMS "
                    "cost and key administration, and IAM already confines access to the functions' grants."
                },
            )
            for index in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_string(index.partition_key),
                    sort_key=_string(index.sort_key),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            self.specs[spec.logical_name] = spec
            self.tables[spec.logical_name] = table

    def table(self, logical_name: str) -> dynamodb.Table:
        return self.tables[logical_name]

    def provision(self, logical_name: str) -> Provision:
        """The provision of `table_access(<its spec>)`: the table's name, and TABLE_ACTIONS on it and its indexes."""
        spec, table = self.specs[logical_name], self.tables[logical_name]

        def grant(function: lambda_.Function) -> None:
            table.grant(function, *TABLE_ACTIONS)
            suppress_wildcards(
                function.role,
                f"'<table>/index/*' lets the function Query the GSIs of the {logical_name} table it reads and "
                "writes, and nothing else.",
                [f"{table.table_arn}/index/*"],
            )

        return Provision(environment={spec.env_var: table.table_name}, grant=grant)
