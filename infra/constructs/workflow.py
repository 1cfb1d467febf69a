"""The after-call-work state machine, rendered from the one ASL document in infra/workflows/."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.capabilities import Provision
from infra.constructs.log_groups import LogGroups
from infra.constructs.monitoring import Monitoring
from infra.constructs.scanners import suppress_wildcards
from infra.topology import StateMachineSpec
from leadline import config


class AfterCallWork(Construct):
    """STANDARD state machine: Wait(SecondsPath) then events:putEvents on the product bus."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: StateMachineSpec,
        bus: events.IEventBus,
        monitoring: Monitoring,
        log_groups: LogGroups,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        substitutions = {"EventBusName": bus.event_bus_name}
        missing = set(spec.substitutions) - set(substitutions)
        if missing:
            raise ValueError(f"state machine {spec.name}: no value for substitutions {sorted(missing)}")
        self.log_group = log_groups.log_group(self)
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment=f"Leadline {spec.name}",
            definition_body=sfn.DefinitionBody.from_string(spec.definition_file.read_text()),
            definition_substitutions=substitutions,
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel.ALL,
                # Execution input carries call details (caller numbers): keep it out of the logs.
                include_execution_data=False,
            ),
        )
        # The definition is a string, so the CDK cannot infer its permissions: the
        # only task is events:putEvents on our bus.
        bus.grant_put_events_to(self.state_machine)
        suppress_wildcards(
            self.state_machine.role,
            "Resource '*' is what the CDK grants for Step Functions' X-Ray tracing (xray:PutTraceSegments, "
            "PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended log delivery (logs:CreateLogDelivery, "
            "...); neither API supports resource-level permissions. events:PutEvents is scoped to the bus.",
            ["*"],
        )
        self.alarm = monitoring.alarm_on_state_machine_failures(self, state_machine=self.state_machine, name=spec.name)

    @property
    def provision(self) -> Provision:
        """STARTS_AFTER_CALL_WORK's provision: the state machine's ARN, and states:StartExecution on it."""
        return Provision(
            environment={config.ACW_STATE_MACHINE_ARN: self.state_machine.state_machine_arn},
            grant=self.state_machine.grant_start_execution,
        )
