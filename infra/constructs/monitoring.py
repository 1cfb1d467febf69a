"""Alarms and the encrypted SNS topic they notify."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

ALARM_PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    """One alarm topic; helpers that put an alarm on a function, a queue or a state machine."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "AlarmTopicKey",
            description="Encrypts the Leadline alarm topic",
            enable_key_rotation=True,
        )
        # CloudWatch alarms publish to an encrypted topic only if they may use its key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToUseTheKey",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="Leadline alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        self._action = cw_actions.SnsAction(self.topic)

    def _alarm(
        self, scope: Construct, construct_id: str, *, metric: cloudwatch.IMetric, description: str
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            scope,
            construct_id,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        return alarm

    def alarm_on_function_errors(self, scope: Construct, *, function: lambda_.IFunction, name: str) -> cloudwatch.Alarm:
        return self._alarm(
            scope,
            "ErrorsAlarm",
            metric=function.metric_errors(period=ALARM_PERIOD, statistic="Sum"),
            description=f"Lambda {name}: at least one invocation error in 5 minutes",
        )

    def alarm_on_queue_depth(
        self, scope: Construct, construct_id: str, *, queue: sqs.IQueue, name: str
    ) -> cloudwatch.Alarm:
        return self._alarm(
            scope,
            construct_id,
            metric=queue.metric_approximate_number_of_messages_visible(period=ALARM_PERIOD, statistic="Maximum"),
            description=f"Dead-letter queue of {name} holds at least one undelivered event",
        )

    def alarm_on_state_machine_failures(
        self, scope: Construct, *, state_machine: sfn.IStateMachine, name: str
    ) -> cloudwatch.Alarm:
        return self._alarm(
            scope,
            "ExecutionsFailedAlarm",
            metric=state_machine.metric_failed(period=ALARM_PERIOD, statistic="Sum"),
            description=f"State machine {name}: at least one failed execution in 5 minutes",
        )
