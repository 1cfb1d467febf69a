"""The CDK stack renders the topology: tables, functions, routes, events, workflow, alarms, nag."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks

import infra.layer_bundling
from infra.capabilities import (
    ANALYSES_CALLS,
    BASIC_VARIABLES,
    NEEDS_PUBLIC_URL,
    PUBLISHES_EVENTS,
    READS_TENANT_SECRETS,
    SENDS_NOTIFICATIONS,
    SERVES_THE_STAFF_APP,
    STARTS_AFTER_CALL_WORK,
    TABLE_ACTIONS,
    TRANSCRIBES_RECORDINGS,
    Capability,
)
from infra.constructs.api import STAGE_NAME
from infra.constructs.call_analysis import BEDROCK_MODEL_ID_CONTEXT, CALL_ANALYSER_CONTEXT, CallAnalysis
from infra.constructs.events import PATTERN_FIELDS, event_pattern
from infra.constructs.functions import POWERTOOLS_LAYER_ARN
from infra.constructs.notifications import (
    APP_BASE_URL_CONTEXT,
    NOTIFICATION_SENDER_CONTEXT,
    Notifications,
)
from infra.constructs.transcription import (
    JOB_PREFIX_MAX_LENGTH,
    TRANSCRIBE_RECORDINGS_CONTEXT,
    job_prefix,
    transcription_enabled,
)
from infra.layer_bundling import LocalPipBundling
from infra.stack import PUBLIC_API_BASE_URL_CONTEXT, LeadlineStack, cdk_json_context
from infra.topology import (
    BUS_NAME,
    CALL_EVALUATOR,
    CALL_WEBHOOKS,
    NOTIFIER,
    ROOT,
    SCANNER,
    SECRETS_PREFIX,
    STAFF_API,
    TOPOLOGY,
    FunctionSpec,
    Topology,
)
from leadline import config
from tests.support.probe_spec import PROBE
from tests.support.synth import Synthesized, unresolved_nag_findings

POWERTOOLS_LAYER = {"Fn::Sub": POWERTOOLS_LAYER_ARN}


def only(resources: dict[str, dict]) -> tuple[str, dict]:
    assert len(resources) == 1, sorted(resources)
    return next(iter(resources.items()))


def ref(logical_id: str) -> dict:
    return {"Ref": logical_id}


def arn_of(logical_id: str) -> dict:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def table_logical_id(synth: Synthesized, logical_name: str) -> str:
    return synth.stack.resolve(synth.stack.data.table(logical_name).node.default_child.logical_id)


def api_paths(synth: Synthesized) -> dict[str, str]:
    """AWS::ApiGateway::Resource logical id -> full path, e.g. '/v1/{proxy+}'."""
    resources = synth.resources("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = "" if "Fn::GetAtt" in parent else path_of(parent["Ref"])
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def policy_statements_of_role(synth: Synthesized, role_logical_id: str) -> list[dict]:
    statements = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if ref(role_logical_id) in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions(statement: dict) -> list[str]:
    value = statement["Action"]
    return value if isinstance(value, list) else [value]


def function_statements(synth: Synthesized, name: str) -> list[dict]:
    function = synth.json["Resources"][synth.function_logical_id(name)]
    return policy_statements_of_role(synth, function["Properties"]["Role"]["Fn::GetAtt"][0])


def function_variables(synth: Synthesized, name: str) -> dict:
    return synth.json["Resources"][synth.function_logical_id(name)]["Properties"]["Environment"]["Variables"]


def rate_expression(minutes: int) -> str:
    return f"rate({minutes} minute{'' if minutes == 1 else 's'})"


def routed_functions(topology: Topology) -> list[FunctionSpec]:
    """The functions EventRouting serves: those with a rule or a schedule."""
    return [spec for spec in topology.functions if spec.rules or spec.schedule_minutes]


def rules_targeting(synth: Synthesized, name: str) -> dict[str, dict]:
    """AWS::Events::Rule logical id -> resource, for the rules with a target that is the function `name`."""
    function_arn = arn_of(synth.function_logical_id(name))
    return {
        logical_id: rule
        for logical_id, rule in synth.resources("AWS::Events::Rule").items()
        if any(target["Arn"] == function_arn for target in rule["Properties"].get("Targets", []))
    }


def dead_letter_queue_id(synth: Synthesized, name: str) -> str:
    """The function's DLQ as the stack's EventRouting made it (not read back from what refers to it)."""
    queue = synth.stack.routing.dead_letter_queues[name]
    return synth.stack.resolve(queue.node.default_child.logical_id)


def rest_api_id(synth: Synthesized) -> str:
    logical_id, _ = only(synth.resources("AWS::ApiGateway::RestApi"))
    return logical_id


def dependencies(value: object) -> set[str]:
    """Logical ids a template value refers to: Ref, Fn::GetAtt and Fn::Sub's ${Name} / ${Name.Attr}."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^!][^}]*)\}", text)}
                if isinstance(inner, list):
                    found |= dependencies(inner[1])
            else:
                found |= dependencies(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= dependencies(inner)
    return found


def dependency_cycle(template: dict) -> list[str] | None:
    """A cycle among the template's resources (as CloudFormation would refuse it), or None."""
    resources = template["Resources"]
    graph = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
        graph[logical_id] = sorted((dependencies(resource) | set(depends_on)) & set(resources) - {logical_id})
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in graph[node]:
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in graph:
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


# --- tables -----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", TOPOLOGY.tables, ids=lambda t: t.logical_name)
def test_each_table_spec_is_a_pay_per_request_table_with_pitr_encryption_and_its_gsis(synthesized, spec):
    logical_id = table_logical_id(synthesized, spec.logical_name)
    key_names = [spec.partition_key, spec.sort_key] + [k for i in spec.indexes for k in (i.partition_key, i.sort_key)]
    expected = {
        "KeySchema": [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": Match.array_with(
            [{"AttributeName": name, "AttributeType": "S"} for name in dict.fromkeys(key_names)]
        ),
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "TableName": Match.absent(),
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
        or Match.absent(),
        "TimeToLiveSpecification": (
            {"AttributeName": spec.ttl_attribute, "Enabled": True} if spec.ttl_attribute else Match.absent()
        ),
    }
    synthesized.template.has_resource_properties("AWS::DynamoDB::Table", expected)
    table = synthesized.json["Resources"][logical_id]
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"


def test_one_table_per_table_spec(synthesized):
    assert len(synthesized.resources("AWS::DynamoDB::Table")) == len(TOPOLOGY.tables)


def test_records_table_has_gsi1_to_gsi3_and_ttl_on_expires_at(synthesized):
    table = synthesized.json["Resources"][table_logical_id(synthesized, "Records")]["Properties"]
    indexes = {
        index["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]]
        for index in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {f"gsi{n}": [(f"gsi{n}pk", "HASH"), (f"gsi{n}sk", "RANGE")] for n in (1, 2, 3)}
    assert all(index["Projection"] == {"ProjectionType": "ALL"} for index in table["GlobalSecondaryIndexes"])
    defined = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    assert defined == {"pk": "S", "sk": "S", **{f"gsi{n}{k}": "S" for n in (1, 2, 3) for k in ("pk", "sk")}}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


# --- functions ---------------------------------------------------------------------------------


def shared_layer_id(synth: Synthesized) -> str:
    logical_id = synth.stack.resolve(synth.stack.layers.shared.node.default_child.logical_id)
    # The other layer is the AWS CLI of the staff app's deployment (the CDK's BucketDeployment).
    deployment_layer = synth.stack.staff_app.deployment.node.find_child("AwsCliLayer").node.default_child
    assert sorted(synth.resources("AWS::Lambda::LayerVersion")) == sorted(
        [logical_id, synth.stack.resolve(deployment_layer.logical_id)]
    )
    layer = synth.json["Resources"][logical_id]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    return logical_id


@pytest.mark.parametrize("spec", TOPOLOGY.functions, ids=lambda f: f.name)
def test_each_function_spec_is_an_arm64_python313_function_with_both_layers_and_its_env(synthesized, spec):
    template = synthesized.template
    logical_id = synthesized.function_logical_id(spec.name)
    table_vars = {TOPOLOGY.table(name).env_var: ref(table_logical_id(synthesized, name)) for name in spec.tables}
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.13",
            "Architectures": ["arm64"],
            "Handler": "handler.handler",
            "MemorySize": spec.memory_mb,
            "Timeout": spec.timeout_seconds,
            "TracingConfig": {"Mode": "Active"},
            "Layers": [POWERTOOLS_LAYER, ref(shared_layer_id(synthesized))],
            "LoggingConfig": {"LogGroup": Match.any_value()},
            "FunctionName": Match.absent(),
            "Environment": {
                "Variables": {
                    "POWERTOOLS_SERVICE_NAME": spec.name,
                    "POWERTOOLS_METRICS_NAMESPACE": "Leadline",
                    "LOG_LEVEL": "INFO",
                    "EVENT_BUS_NAME": Match.any_value(),
                    "LEADLINE_SECRETS_PREFIX": SECRETS_PREFIX,
                    **table_vars,
                }
            },
        },
    )
    variables = synthesized.json["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
    assert (config.ACW_STATE_MACHINE_ARN in variables) is spec.has(STARTS_AFTER_CALL_WORK)
    assert (config.PUBLIC_API_BASE_URL in variables) is spec.has(NEEDS_PUBLIC_URL)
    # Without context the analyser is the rules one, and no model is named.
    assert variables.get(config.CALL_ANALYSER) == ("rules" if spec.has(ANALYSES_CALLS) else None)
    assert config.BEDROCK_MODEL_ID not in variables
    # Transcription is on without context.
    assert (config.RECORDINGS_BUCKET in variables) is spec.has(TRANSCRIBES_RECORDINGS)
    assert (config.TRANSCRIPTION_JOB_PREFIX in variables) is spec.has(TRANSCRIBES_RECORDINGS)
    # Without context there is no default sender, and the links lead to the app the stack hosts.
    assert config.NOTIFICATION_SENDER not in variables
    app_url = synthesized.stack.resolve(synthesized.stack.staff_app.url)
    assert variables.get(config.APP_BASE_URL) == (app_url if spec.has(SENDS_NOTIFICATIONS) else None)
    assert variables.get(config.STAFF_APP_ORIGIN) == (app_url if spec.has(SERVES_THE_STAFF_APP) else None)
    log_group_id = synthesized.json["Resources"][logical_id]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert synthesized.json["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 30


@pytest.mark.parametrize("spec", TOPOLOGY.functions, ids=lambda f: f.name)
def test_each_function_role_is_least_privilege_without_managed_policies(synthesized, spec):
    function = synthesized.json["Resources"][synthesized.function_logical_id(spec.name)]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    role = synthesized.json["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    log_group_id = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    [inline] = role["Policies"]
    assert inline["PolicyDocument"]["Statement"] == [
        {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow", "Resource": arn_of(log_group_id)}
    ]
    statements = policy_statements_of_role(synthesized, role_id)
    dynamo_resources = [s["Resource"] for s in statements if any(a.startswith("dynamodb:") for a in actions(s))]
    expected_tables = [arn_of(table_logical_id(synthesized, name)) for name in spec.tables]
    assert [r[0] for r in dynamo_resources] == expected_tables
    dynamo_actions = {a for s in statements for a in actions(s) if a.startswith("dynamodb:")}
    assert dynamo_actions == set(TABLE_ACTIONS) and "dynamodb:Scan" not in dynamo_actions
    wildcard_statements = [s for s in statements if s.get("Resource") == "*"]
    wildcard_actions = {a for s in wildcard_statements for a in actions(s)}
    # Transcribe's StartTranscriptionJob has no resource type (see the transcription tests for its condition).
    assert {a for a in wildcard_actions if not a.startswith("xray:")} == (
        {"transcribe:StartTranscriptionJob"} if spec.has(TRANSCRIBES_RECORDINGS) else set()
    )
    assert any("events:PutEvents" in actions(s) for s in statements) is spec.has(PUBLISHES_EVENTS)
    reads_secrets = spec.has(READS_TENANT_SECRETS)
    assert any(a.startswith("secretsmanager:") for s in statements for a in actions(s)) is reads_secrets
    assert any(a.startswith("kms:") for s in statements for a in actions(s)) is reads_secrets
    assert not [a for s in statements for a in actions(s) if a.startswith("bedrock:")]  # rules analyser by default
    assert any(a.startswith(("ses:", "sns:")) for s in statements for a in actions(s)) is spec.has(SENDS_NOTIFICATIONS)
    # Only the SMS statement uses NotResource (see the notifications tests).
    assert [s for s in statements if "NotResource" in s] == (
        [s for s in statements if actions(s) == ["sns:Publish"]] if spec.has(SENDS_NOTIFICATIONS) else []
    )


# Given by no stack without context: the Bedrock model, and the default sender of notifications.
UNSET_WITHOUT_CONTEXT = {config.BEDROCK_MODEL_ID, config.NOTIFICATION_SENDER}


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_a_function_gets_the_basics_and_the_variables_of_its_capabilities_only(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    for spec in synth.topology.functions:
        named = {variable for capability in spec.capabilities for variable in capability.variables}
        assert set(function_variables(synth, spec.name)) == set(BASIC_VARIABLES) | (named - UNSET_WITHOUT_CONTEXT)


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_a_function_is_allowed_the_actions_its_capabilities_name_and_no_other(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    for spec in synth.topology.functions:
        named = {action for capability in spec.capabilities for action in capability.actions}
        # Tracing's X-Ray writes, and the dead-letter queue of a function invoked asynchronously (EventRouting).
        allowed = {
            a for s in function_statements(synth, spec.name) for a in actions(s) if not a.startswith(("xray:", "sqs:"))
        }
        assert allowed == named - {"bedrock:InvokeModel"}, spec.name  # the rules analyser, without context


def test_a_capability_the_stack_does_not_provide_fails_the_stack(tmp_path):
    teleports = Capability(name="teleports", summary="moves the caller to the office")
    spec = FunctionSpec(name="teleporter", description="Test: an unknown capability", capabilities=(teleports,))
    topology = Topology(tables=TOPOLOGY.tables, functions=(STAFF_API, spec), state_machine=TOPOLOGY.state_machine)
    with pytest.raises(ValueError, match="function teleporter has capability teleports but the stack provides nothing"):
        small_stack(tmp_path, topology, "LeadlineTeleporter")


def test_no_role_has_a_managed_policy_except_api_gateways_cloudwatch_role(synthesized):
    with_managed = {
        logical_id: role["Properties"]["ManagedPolicyArns"]
        for logical_id, role in synthesized.resources("AWS::IAM::Role").items()
        if "ManagedPolicyArns" in role["Properties"]
    }
    assert len(with_managed) == 1
    [(logical_id, arns)] = with_managed.items()
    assert logical_id.startswith("ApiRestApiCloudWatchRole")
    assert "AmazonAPIGatewayPushToCloudWatchLogs" in json.dumps(arns)


@pytest.mark.parametrize("spec", TOPOLOGY.functions, ids=lambda f: f.name)
def test_each_function_has_an_errors_alarm_to_the_alarm_topic(synthesized, spec):
    topic_id, _ = only(synthesized.resources("AWS::SNS::Topic"))
    synthesized.template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": ref(synthesized.function_logical_id(spec.name))}],
            "Statistic": "Sum",
            "Period": 300,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "AlarmActions": [ref(topic_id)],
        },
    )


def test_alarm_topic_is_encrypted_with_a_rotated_key_and_requires_tls(synthesized):
    topic_id, topic = only(synthesized.resources("AWS::SNS::Topic"))
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    assert synthesized.json["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True
    synthesized.template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [ref(topic_id)],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", TOPOLOGY.routes(), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_route_is_a_method_with_its_authorization_and_a_proxy_integration(synthesized, route):
    method, path, auth, function_name = route
    resource_id = {path_: logical_id for logical_id, path_ in api_paths(synthesized).items()}[path]
    function_arn = arn_of(synthesized.function_logical_id(function_name))
    authorization = (
        {"AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": Match.any_value()}
        if auth == "staff"
        else {"AuthorizationType": "NONE", "AuthorizerId": Match.absent()}
    )
    synthesized.template.has_resource_properties(
        "AWS::ApiGateway::Method",
        {
            "HttpMethod": method,
            "ResourceId": ref(resource_id),
            **authorization,
            "RequestValidatorId": Match.any_value(),
            "Integration": {
                "Type": "AWS_PROXY",
                "IntegrationHttpMethod": "POST",
                "Uri": {"Fn::Join": ["", Match.array_with([function_arn])]},
            },
        },
    )


def test_api_has_exactly_the_topology_paths_and_methods_and_the_staff_apps_preflights(synthesized):
    paths = api_paths(synthesized)
    rendered = sorted(
        (m["Properties"]["HttpMethod"], paths[m["Properties"]["ResourceId"]["Ref"]])
        for m in synthesized.resources("AWS::ApiGateway::Method").values()
    )
    # the staff API's one resource, its greedy proxy (see tests/infra/test_staff_app.py for the preflight itself)
    preflights = [("OPTIONS", "/v1/{proxy+}")]
    assert rendered == sorted([(method, path) for method, path, _, _ in TOPOLOGY.routes()] + preflights)


def test_webhook_routes_are_public_posts_integrated_with_call_webhooks(synthesized):
    function_id = synthesized.function_logical_id(CALL_WEBHOOKS.name)
    paths = api_paths(synthesized)
    webhooks = {
        paths[m["Properties"]["ResourceId"]["Ref"]]: m["Properties"]
        for m in synthesized.resources("AWS::ApiGateway::Method").values()
        if paths.get(m["Properties"]["ResourceId"].get("Ref"), "").startswith("/webhooks/")
        and not paths[m["Properties"]["ResourceId"]["Ref"]].startswith("/webhooks/partners/")
    }
    assert sorted(webhooks) == sorted(
        [
            "/webhooks/twilio/{tenant_id}/voice-status",
            "/webhooks/twilio/{tenant_id}/recording-status",
            "/webhooks/twilio/{tenant_id}/transcription",
            "/webhooks/callrail/{tenant_id}",
            "/webhooks/callrail/{tenant_id}/{event}",
            "/webhooks/calls/{tenant_id}",
        ]
    )
    for path, method in webhooks.items():
        assert method["HttpMethod"] == "POST", path
        assert method["AuthorizationType"] == "NONE" and "AuthorizerId" not in method, path
        integration = method["Integration"]
        assert (integration["Type"], integration["IntegrationHttpMethod"]) == ("AWS_PROXY", "POST"), path
        assert arn_of(function_id) in integration["Uri"]["Fn::Join"][1], path
    invoke_permissions = [
        p["Properties"]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == arn_of(function_id)
    ]
    assert len(invoke_permissions) == len(webhooks)
    assert {p["Principal"] for p in invoke_permissions} == {"apigateway.amazonaws.com"}


def test_staff_authorizer_uses_the_user_pool(synthesized):
    pool_id, _ = only(synthesized.resources("AWS::Cognito::UserPool"))
    synthesized.template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": [arn_of(pool_id)],
        },
    )


def test_api_stage_prod_traces_logs_and_throttles(synthesized):
    synthesized.template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "prod",
            "TracingEnabled": True,
            "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.string_like_regexp(r'^\{".*')},
            "MethodSettings": [
                Match.object_like(
                    {
                        "HttpMethod": "*",
                        "ResourcePath": "/*",
                        "LoggingLevel": "INFO",
                        "MetricsEnabled": True,
                        "DataTraceEnabled": False,
                        "ThrottlingRateLimit": Match.any_value(),
                        "ThrottlingBurstLimit": Match.any_value(),
                    }
                )
            ],
        },
    )
    synthesized.template.has_resource_properties(
        "AWS::ApiGateway::RestApi", {"EndpointConfiguration": {"Types": ["REGIONAL"]}}
    )
    synthesized.template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator", {"ValidateRequestBody": True, "ValidateRequestParameters": True}
    )


def test_api_stage_is_behind_a_waf_web_acl_with_aws_managed_rules(synthesized):
    acl_id, acl = only(synthesized.resources("AWS::WAFv2::WebACL"))
    assert acl["Properties"]["Scope"] == "REGIONAL"
    groups = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Properties"]["Rules"]]
    assert "AWSManagedRulesCommonRuleSet" in groups
    _, association = only(synthesized.resources("AWS::WAFv2::WebACLAssociation"))
    assert association["Properties"]["WebACLArn"] == arn_of(acl_id)
    stage_id, _ = only(synthesized.resources("AWS::ApiGateway::Stage"))
    assert json.dumps(ref(stage_id)) in json.dumps(association["Properties"]["ResourceArn"])


# --- Cognito -----------------------------------------------------------------------------------


def test_staff_user_pool_is_admin_only_mfa_strong_passwords_and_immutable_tenant_claims(synthesized):
    immutable = [
        Match.object_like({"Name": name, "AttributeDataType": "String", "Mutable": False})
        for name in ("tenant_id", "employee_id", "role")
    ]
    synthesized.template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "MfaConfiguration": "ON",
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
            "Policies": {
                "PasswordPolicy": Match.object_like(
                    {
                        "MinimumLength": Match.any_value(),
                        "RequireLowercase": True,
                        "RequireUppercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                    }
                )
            },
            "Schema": Match.array_with(immutable),
            "UserPoolTier": "PLUS",
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        },
    )
    _, pool = only(synthesized.resources("AWS::Cognito::UserPool"))
    assert pool["Properties"]["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12


def test_user_pool_clients_have_no_secret_and_cannot_write_custom_claims(synthesized):
    clients = synthesized.resources("AWS::Cognito::UserPoolClient")
    srp_client = synthesized.stack.resolve(synthesized.stack.auth.client.user_pool_client_id)["Ref"]
    app_client = synthesized.stack.resolve(synthesized.stack.app_client.user_pool_client_id)["Ref"]
    assert sorted(clients) == sorted([srp_client, app_client])
    for client in clients.values():
        props = client["Properties"]
        assert props.get("GenerateSecret", False) is False
        assert props["WriteAttributes"] and not any(a.startswith("custom:") for a in props["WriteAttributes"])
        assert {"custom:tenant_id", "custom:employee_id", "custom:role"} <= set(props["ReadAttributes"])
    # The SRP client is as it was: SRP, no OAuth (the app's client is tested in tests/infra/test_staff_app.py).
    srp = clients[srp_client]["Properties"]
    assert srp["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert srp.get("AllowedOAuthFlowsUserPoolClient", False) is False and "CallbackURLs" not in srp


# --- events and workflow -----------------------------------------------------------------------


def test_bus_is_named_by_the_topology(synthesized):
    synthesized.template.has_resource_properties("AWS::Events::EventBus", {"Name": BUS_NAME})


def test_each_rule_and_schedule_of_the_real_topology_is_one_events_rule(synthesized):
    rules = synthesized.resources("AWS::Events::Rule").values()
    patterns = [r["Properties"]["EventPattern"] for r in rules if "EventPattern" in r["Properties"]]
    schedules = [r["Properties"]["ScheduleExpression"] for r in rules if "ScheduleExpression" in r["Properties"]]
    canonical = lambda p: json.dumps(p, sort_keys=True)  # noqa: E731
    assert sorted(map(canonical, patterns)) == sorted(canonical(p) for _, _, p in TOPOLOGY.rules())
    assert sorted(schedules) == sorted(rate_expression(m) for _, m in TOPOLOGY.schedules())


ROUTED = [
    pytest.param("probe", PROBE, id="probe"),
    *(pytest.param("synthesized", spec, id=spec.name) for spec in routed_functions(TOPOLOGY)),
]
WITH_RULES = [param for param in ROUTED if param.values[1].rules]


@pytest.mark.parametrize(("which", "spec"), WITH_RULES)
def test_each_rule_pattern_renders_exactly_as_declared_on_the_bus(request, which, spec):
    synth: Synthesized = request.getfixturevalue(which)
    bus_id, _ = only(synth.resources("AWS::Events::EventBus"))
    rules = [r["Properties"] for r in rules_targeting(synth, spec.name).values() if "EventPattern" in r["Properties"]]
    canonical = lambda p: json.dumps(p, sort_keys=True)  # noqa: E731
    assert len(rules) == len(spec.rules)
    assert sorted(canonical(r["EventPattern"]) for r in rules) == sorted(canonical(r.pattern) for r in spec.rules)
    assert all(rule["EventBusName"] == ref(bus_id) for rule in rules)


@pytest.mark.parametrize(("which", "spec"), ROUTED)
def test_each_rule_and_schedule_targets_its_function_with_retries_and_a_dlq(request, which, spec):
    synth: Synthesized = request.getfixturevalue(which)
    function_id = synth.function_logical_id(spec.name)
    function_arn = arn_of(function_id)
    dlq_id = dead_letter_queue_id(synth, spec.name)
    target = {
        "Arn": function_arn,
        "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 86400},
        "DeadLetterConfig": {"Arn": arn_of(dlq_id)},
    }
    rules = rules_targeting(synth, spec.name)
    with_pattern = [r for r in rules.values() if "EventPattern" in r["Properties"]]
    schedules = [r["Properties"] for r in rules.values() if "ScheduleExpression" in r["Properties"]]
    assert len(with_pattern) == len(spec.rules)
    assert len(schedules) == (1 if spec.schedule_minutes else 0)
    assert len(rules) == len(with_pattern) + len(schedules)
    for schedule in schedules:
        assert schedule["ScheduleExpression"] == rate_expression(spec.schedule_minutes)
        assert "EventBusName" not in schedule  # schedules run on the default bus
    invoke_permissions = [p["Properties"] for p in synth.resources("AWS::Lambda::Permission").values()]
    for logical_id, rule in rules.items():
        [actual] = rule["Properties"]["Targets"]
        assert {key: actual.get(key) for key in target} == target, logical_id
        assert [p for p in invoke_permissions if p.get("SourceArn") == arn_of(logical_id)] == [
            {
                "Action": "lambda:InvokeFunction",
                "FunctionName": function_arn,
                "Principal": "events.amazonaws.com",
                "SourceArn": arn_of(logical_id),
            }
        ], logical_id
    configs = [
        c["Properties"]
        for c in synth.resources("AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == ref(function_id)
    ]
    [config] = configs
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": arn_of(dlq_id)}}


@pytest.mark.parametrize(("which", "spec"), ROUTED)
def test_each_dlq_is_encrypted_tls_only_kept_14_days_and_alarmed(request, which, spec):
    synth: Synthesized = request.getfixturevalue(which)
    dlq_id = dead_letter_queue_id(synth, spec.name)
    topic_id, _ = only(synth.resources("AWS::SNS::Topic"))
    queue = synth.json["Resources"][dlq_id]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    synth.template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [ref(dlq_id)],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )
    synth.template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "AlarmActions": [ref(topic_id)],
        },
    )
    # The function's own asynchronous failures go to the queue: its role may send there.
    statements = function_statements(synth, spec.name)
    assert any("sqs:SendMessage" in actions(s) and s["Resource"] == arn_of(dlq_id) for s in statements)


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_one_dlq_per_function_with_rules_or_a_schedule_and_no_other_queue(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    expected = [dead_letter_queue_id(synth, spec.name) for spec in routed_functions(synth.topology)]
    assert len(set(expected)) == len(expected)
    assert sorted(synth.resources("AWS::SQS::Queue")) == sorted(expected)


def test_real_topology_evaluates_after_call_work_and_scans_every_minute(synthesized):
    assert [spec.name for spec in routed_functions(TOPOLOGY)] == [CALL_EVALUATOR.name, SCANNER.name, NOTIFIER.name]
    bus_id, _ = only(synthesized.resources("AWS::Events::EventBus"))
    # The call evaluator's rule matches what the after-call-work workflow puts on the bus.
    states = TOPOLOGY.state_machine.definition_template()["States"].values()
    [put_events] = [s for s in states if s.get("Resource") == "arn:aws:states:::events:putEvents"]
    [entry] = put_events["Parameters"]["Entries"]
    _, machine = only(synthesized.resources("AWS::StepFunctions::StateMachine"))
    assert entry["EventBusName"] == "${EventBusName}"
    assert machine["Properties"]["DefinitionSubstitutions"] == {"EventBusName": ref(bus_id)}
    rules = [r["Properties"] for r in rules_targeting(synthesized, CALL_EVALUATOR.name).values()]
    assert len(rules) == len(CALL_EVALUATOR.rules) == 3
    assert all(rule["EventBusName"] == ref(bus_id) for rule in rules)
    assert all(set(rule["EventPattern"]) == {"source", "detail-type"} for rule in rules)
    detail_types = sorted(t for rule in rules for t in rule["EventPattern"]["detail-type"])
    assert detail_types == ["AfterCallWorkElapsed", "JobBooked", "SecondChanceLeadEvaluationDue"]
    [rule] = [r for r in rules if entry["DetailType"] in r["EventPattern"]["detail-type"]]
    assert entry["Source"] in rule["EventPattern"]["source"]
    [(_, schedule)] = rules_targeting(synthesized, SCANNER.name).items()
    assert schedule["Properties"]["ScheduleExpression"] == "rate(1 minute)"
    assert "EventPattern" not in schedule["Properties"]


def test_state_machine_renders_the_one_asl_document(synthesized):
    bus_id, _ = only(synthesized.resources("AWS::Events::EventBus"))
    _, machine = only(synthesized.resources("AWS::StepFunctions::StateMachine"))
    props = machine["Properties"]
    assert props["DefinitionString"] == TOPOLOGY.state_machine.definition_file.read_text()
    assert props["DefinitionSubstitutions"] == {"EventBusName": ref(bus_id)}
    definition = json.loads(props["DefinitionString"])
    states = definition["States"]
    waits = [s for s in states.values() if s["Type"] == "Wait"]
    assert waits and all("SecondsPath" in s for s in waits)
    [put_events] = [s for s in states.values() if s.get("Resource") == "arn:aws:states:::events:putEvents"]
    assert put_events["Parameters"]["Entries"][0]["EventBusName"] == "${EventBusName}"
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"


def test_state_machine_role_may_put_events_on_the_bus_only(synthesized):
    bus_id, _ = only(synthesized.resources("AWS::Events::EventBus"))
    _, machine = only(synthesized.resources("AWS::StepFunctions::StateMachine"))
    role_id = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    statements = policy_statements_of_role(synthesized, role_id)
    put = [s for s in statements if "events:PutEvents" in actions(s)]
    assert [s["Resource"] for s in put] == [arn_of(bus_id)]
    assert all(a.startswith(("xray:", "logs:")) for s in statements if s["Resource"] == "*" for a in actions(s))


def test_state_machine_failures_alarm(synthesized):
    machine_id, _ = only(synthesized.resources("AWS::StepFunctions::StateMachine"))
    synthesized.template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/States",
            "MetricName": "ExecutionsFailed",
            "Dimensions": [{"Name": "StateMachineArn", "Value": ref(machine_id)}],
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        },
    )


def test_outputs(synthesized):
    outputs = synthesized.json["Outputs"]
    for name in (
        "ApiUrl",
        "UserPoolId",
        "UserPoolClientId",
        "StateMachineArn",
        "RecordsTableName",
        "TenantSecretsKeyArn",
        "RecordingsBucketName",
        "StaffAppUrl",
        "StaffSignInDomain",
        "StaffAppClientId",
    ):
        assert name in outputs, name


def test_tenant_secrets_key_rotates(synthesized):
    synthesized.template.has_resource_properties(
        "AWS::KMS::Key", {"EnableKeyRotation": True, "Description": Match.string_like_regexp(SECRETS_PREFIX)}
    )


def test_every_log_group_is_kept_a_month_and_encrypted_with_the_log_key_that_only_logs_may_use(synthesized):
    key_id = synthesized.stack.resolve(synthesized.stack.log_groups.key.node.default_child.logical_id)
    groups = synthesized.resources("AWS::Logs::LogGroup")
    # the functions', the API's access logs, the workflow's, the staff app deployment's
    assert len(groups) == len(TOPOLOGY.functions) + 3
    for group in groups.values():
        assert group["Properties"] == {"KmsKeyId": arn_of(key_id), "RetentionInDays": 30}
        assert group["DeletionPolicy"] == "Retain"
    key = synthesized.json["Resources"][key_id]
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    [logs] = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Service" in s["Principal"]]
    assert logs["Principal"]["Service"] == {"Fn::Join": ["", ["logs.", ref("AWS::Region"), ".", ref("AWS::URLSuffix")]]}
    assert [a for a in actions(logs) if "*" in a] == []
    # Only for log groups of this account and Region.
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        ref("AWS::Partition"),
                        ":logs:",
                        ref("AWS::Region"),
                        ":",
                        ref("AWS::AccountId"),
                        ":log-group:*",
                    ],
                ]
            }
        }
    }


# --- tenant secrets and the public URL ---------------------------------------------------------


def test_real_topology_flags_the_webhooks_function_only():
    assert CALL_WEBHOOKS.has(READS_TENANT_SECRETS) and CALL_WEBHOOKS.has(NEEDS_PUBLIC_URL)
    assert not STAFF_API.has(READS_TENANT_SECRETS) and STAFF_API.has(NEEDS_PUBLIC_URL)  # the DNI install URLs


def test_call_webhooks_reads_tenant_secrets_under_the_prefix_and_decrypts_with_the_key(synthesized):
    statements = function_statements(synthesized, CALL_WEBHOOKS.name)
    secret_statements = [s for s in statements if any(a.startswith("secretsmanager:") for a in actions(s))]
    [read] = secret_statements
    assert sorted(actions(read)) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    parts = read["Resource"]["Fn::Join"][1]
    assert parts[-1] == f":secret:{SECRETS_PREFIX}*"
    assert "Condition" not in read
    key_arn = synthesized.stack.resolve(synthesized.stack.secrets.key.key_arn)
    [decrypt] = [s for s in statements if any(a.startswith("kms:") for a in actions(s))]
    assert actions(decrypt) == ["kms:Decrypt"]
    assert decrypt["Resource"] == key_arn
    via = decrypt["Condition"]["StringEquals"]["kms:ViaService"]
    assert "secretsmanager." in json.dumps(via)


def test_staff_api_cannot_read_tenant_secrets(synthesized):
    statements = function_statements(synthesized, STAFF_API.name)
    assert not [a for s in statements for a in actions(s) if a.startswith(("secretsmanager:", "kms:"))]
    assert "TenantSecrets" not in json.dumps(statements)


def test_tenant_secrets_wildcard_of_call_webhooks_is_suppressed_with_its_own_reason(synthesized):
    function = synthesized.stack.functions.constructs[CALL_WEBHOOKS.name]
    policy_path = function.role.node.find_child("DefaultPolicy").node.default_child.node.path
    [row] = [
        r
        for r in synthesized.nag_report()
        if r["Resource ID"] == policy_path and f":secret:{SECRETS_PREFIX}*]" in r["Exception Reason"]
    ]
    assert row["Rule ID"] == "AwsSolutions-IAM5" and row["Compliance"] == "Suppressed"
    assert "Tenant secrets are created at run time" in row["Exception Reason"]


def test_call_webhooks_gets_the_public_api_base_url_from_the_rest_api_id(synthesized):
    url = function_variables(synthesized, CALL_WEBHOOKS.name)[config.PUBLIC_API_BASE_URL]
    assert list(url) == ["Fn::Join"]
    separator, parts = url["Fn::Join"]
    assert separator == ""
    assert parts == [
        "https://",
        ref(rest_api_id(synthesized)),
        ".execute-api.",
        ref("AWS::Region"),
        ".",
        ref("AWS::URLSuffix"),
        f"/{STAGE_NAME}",
    ]
    assert parts[-1] == "/prod"
    # Not the stage's URL (rest_api.url): the function must not depend on the Stage or the Deployment.
    stage_and_deployment = set(synthesized.resources("AWS::ApiGateway::Stage")) | set(
        synthesized.resources("AWS::ApiGateway::Deployment")
    )
    assert not dependencies(url) & stage_and_deployment
    assert synthesized.json["Outputs"]["PublicApiBaseUrl"]["Value"] == url


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_template_has_no_dependency_cycle(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    assert dependency_cycle(synth.json) is None


def test_dependency_cycle_helper_finds_a_cycle():
    template = {
        "Resources": {
            "A": {"Type": "X", "Properties": {"P": {"Fn::GetAtt": ["B", "Arn"]}}},
            "B": {"Type": "X", "Properties": {"P": {"Fn::Sub": "${C.Arn}/x${AWS::Region}"}}},
            "C": {"Type": "X", "DependsOn": "A"},
            "D": {"Type": "X", "Properties": {"P": ref("A")}},
        }
    }
    assert dependency_cycle(template) == ["A", "B", "C", "A"]
    del template["Resources"]["C"]["DependsOn"]
    assert dependency_cycle(template) is None


WEBHOOKS_ONLY = Topology(tables=TOPOLOGY.tables, functions=(CALL_WEBHOOKS,), state_machine=TOPOLOGY.state_machine)


def small_stack(
    outdir: Path, topology: Topology, stack_name: str, *, nag: bool = False, **context: object
) -> tuple[cdk.App, LeadlineStack]:
    """A small stack of `topology` with extra CDK context; layer bundling skipped; cdk-nag if `nag`."""

    def no_pip(*args, **kwargs):
        raise AssertionError(f"pip must not run in tests: {args}")

    app_context = {**cdk_json_context(), "aws:cdk:bundling-stacks": [], **context}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra.layer_bundling.subprocess, "run", no_pip)
        app = cdk.App(context=app_context, outdir=str(outdir))
        stack = LeadlineStack(app, stack_name, topology=topology)
    if nag:
        cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app, stack


def webhooks_stack(outdir: Path, **context: object) -> tuple[cdk.App, LeadlineStack]:
    """A small stack (the webhooks function only) with extra CDK context; layer bundling skipped."""
    return small_stack(outdir, WEBHOOKS_ONLY, "LeadlinePublicUrl", **context)


@pytest.fixture(scope="module")
def custom_domain_template(tmp_path_factory) -> dict:
    app, _ = webhooks_stack(
        tmp_path_factory.mktemp("cdk-out-public-url"), **{PUBLIC_API_BASE_URL_CONTEXT: "https://api.example.com/"}
    )
    return app.synth().get_stack_by_name("LeadlinePublicUrl").template


def test_public_api_base_url_context_overrides_the_url_verbatim_without_trailing_slash(custom_domain_template):
    resources = custom_domain_template["Resources"].values()
    [function] = [
        r
        for r in resources
        if r["Type"] == "AWS::Lambda::Function"
        and "POWERTOOLS_SERVICE_NAME" in r["Properties"]["Environment"]["Variables"]
    ]
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == CALL_WEBHOOKS.name
    assert variables[config.PUBLIC_API_BASE_URL] == "https://api.example.com"
    assert custom_domain_template["Outputs"]["PublicApiBaseUrl"]["Value"] == "https://api.example.com"
    # The senders' base only: the staff app still calls the API's own URL (its config.json and its CSP).
    [deployment] = [r for r in resources if r["Type"] == "Custom::CDKBucketDeployment"]
    [headers] = [r for r in resources if r["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"]
    assert ".execute-api." in json.dumps(deployment) and ".execute-api." in json.dumps(headers)
    assert "api.example.com" not in json.dumps(deployment) + json.dumps(headers)
    assert dependency_cycle(custom_domain_template) is None


@pytest.mark.parametrize("value", ["api.example.com", "http://api.example.com", "https://", 42])
def test_public_api_base_url_context_must_be_an_https_url(tmp_path, value):
    with pytest.raises(ValueError, match=PUBLIC_API_BASE_URL_CONTEXT):
        webhooks_stack(tmp_path, **{PUBLIC_API_BASE_URL_CONTEXT: value})


def test_a_function_that_needs_the_public_url_fails_synthesis_without_it(tmp_path, monkeypatch):
    monkeypatch.setattr("infra.constructs.functions.Functions.set_public_api_base_url", lambda self, url: None)
    app, _ = webhooks_stack(tmp_path)
    with pytest.raises(RuntimeError, match="needs_public_url"):
        app.synth()


# --- call analysis: the rules by default, Bedrock by context -------------------------------------

# The evaluator and the staff API (a REST API needs a method): a small stack to synthesize with context.
EVALUATOR_AND_API = Topology(
    tables=TOPOLOGY.tables, functions=(STAFF_API, CALL_EVALUATOR), state_machine=TOPOLOGY.state_machine
)
EVALUATOR_STACK = "LeadlineCallAnalysis"
FOUNDATION_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
INFERENCE_PROFILE = f"us.{FOUNDATION_MODEL}"


def bedrock_arn(suffix: str, *, account: bool = False) -> dict:
    """arn:${Partition}:bedrock:${Region}:${AccountId or nothing}:<suffix>, as the stack renders it."""
    owner = [":", ref("AWS::AccountId"), f":{suffix}"] if account else [f"::{suffix}"]
    return {"Fn::Join": ["", ["arn:", ref("AWS::Partition"), ":bedrock:", ref("AWS::Region"), *owner]]}


def small_synth(outdir: Path, topology: Topology, stack_name: str, **context: object) -> Synthesized:
    """`small_stack` with cdk-nag, synthesized."""
    app, stack = small_stack(outdir, topology, stack_name, nag=True, **context)
    template = app.synth().get_stack_by_name(stack_name).template
    return Synthesized(stack_name, topology, stack, outdir, template, Template.from_json(template))


def evaluator_synth(outdir: Path, **context: object) -> Synthesized:
    return small_synth(outdir, EVALUATOR_AND_API, EVALUATOR_STACK, **context)


@pytest.fixture(scope="module")
def bedrock_model(tmp_path_factory) -> Synthesized:
    return evaluator_synth(
        tmp_path_factory.mktemp("cdk-out-bedrock-model"),
        **{CALL_ANALYSER_CONTEXT: "bedrock", BEDROCK_MODEL_ID_CONTEXT: FOUNDATION_MODEL},
    )


@pytest.fixture(scope="module")
def bedrock_profile(tmp_path_factory) -> Synthesized:
    return evaluator_synth(
        tmp_path_factory.mktemp("cdk-out-bedrock-profile"),
        **{CALL_ANALYSER_CONTEXT: "bedrock", BEDROCK_MODEL_ID_CONTEXT: INFERENCE_PROFILE},
    )


def bedrock_statements(synth: Synthesized, name: str) -> list[dict]:
    return [s for s in function_statements(synth, name) if any(a.startswith("bedrock:") for a in actions(s))]


def test_the_call_evaluator_and_the_scanner_analyse_calls():
    assert [spec.name for spec in TOPOLOGY.functions if spec.has(ANALYSES_CALLS)] == [CALL_EVALUATOR.name, "scanner"]
    assert CALL_EVALUATOR.timeout_seconds == 60


def test_call_evaluator_uses_the_rules_analyser_without_bedrock_by_default(synthesized):
    variables = function_variables(synthesized, CALL_EVALUATOR.name)
    assert variables[config.CALL_ANALYSER] == "rules"
    assert config.BEDROCK_MODEL_ID not in variables
    assert bedrock_statements(synthesized, CALL_EVALUATOR.name) == []
    assert "bedrock" not in json.dumps(synthesized.resources("AWS::IAM::Policy"))


def test_bedrock_with_a_foundation_model_invokes_that_model_in_the_stacks_region_only(bedrock_model):
    variables = function_variables(bedrock_model, CALL_EVALUATOR.name)
    assert variables[config.CALL_ANALYSER] == "bedrock"
    assert variables[config.BEDROCK_MODEL_ID] == FOUNDATION_MODEL
    assert bedrock_statements(bedrock_model, CALL_EVALUATOR.name) == [
        {
            "Action": "bedrock:InvokeModel",
            "Effect": "Allow",
            "Resource": bedrock_arn(f"foundation-model/{FOUNDATION_MODEL}"),
        }
    ]
    assert "*" not in json.dumps(bedrock_statements(bedrock_model, CALL_EVALUATOR.name))


def test_bedrock_with_an_inference_profile_invokes_the_profile_and_its_model_in_any_region(bedrock_profile):
    variables = function_variables(bedrock_profile, CALL_EVALUATOR.name)
    assert variables[config.CALL_ANALYSER] == "bedrock"
    assert variables[config.BEDROCK_MODEL_ID] == INFERENCE_PROFILE
    [statement] = bedrock_statements(bedrock_profile, CALL_EVALUATOR.name)
    assert statement == {
        "Action": "bedrock:InvokeModel",
        "Effect": "Allow",
        "Resource": [
            bedrock_arn(f"inference-profile/{INFERENCE_PROFILE}", account=True),
            {"Fn::Join": ["", ["arn:", ref("AWS::Partition"), f":bedrock:*::foundation-model/{FOUNDATION_MODEL}"]]},
        ],
    }


def test_inference_profile_foundation_model_region_wildcard_is_suppressed_with_its_own_reason(bedrock_profile):
    function = bedrock_profile.stack.functions.constructs[CALL_EVALUATOR.name]
    policy_path = function.role.node.find_child("DefaultPolicy").node.default_child.node.path
    [row] = [
        r
        for r in bedrock_profile.nag_report()
        if r["Resource ID"] == policy_path and "bedrock:*::foundation-model" in r["Exception Reason"]
    ]
    assert row["Rule ID"] == "AwsSolutions-IAM5" and row["Compliance"] == "Suppressed"
    assert f"inference profile {INFERENCE_PROFILE}" in row["Exception Reason"]


@pytest.mark.parametrize("which", ["bedrock_model", "bedrock_profile"])
def test_bedrock_stacks_are_nag_clean_and_grant_no_wildcard_action(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    failing = [
        (r["Rule ID"], r["Resource ID"])
        for r in synth.nag_report()
        if r["Compliance"] not in ("Compliant", "Suppressed")
    ]
    assert failing == []
    # But the CDK's grants to the staff app's deployment (its S3 sync: tests/infra/test_staff_app.py).
    deployment_role = synth.stack.resolve(synth.stack.staff_app.deployment.handler_role.node.default_child.logical_id)
    all_actions = [
        a
        for p in synth.resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] != [ref(deployment_role)]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        for a in actions(s)
    ]
    assert not [a for a in all_actions if "*" in a]
    assert dependency_cycle(synth.json) is None


def test_bedrock_model_id_is_ignored_with_a_warning_unless_the_analyser_is_bedrock(tmp_path):
    synth = evaluator_synth(tmp_path, **{BEDROCK_MODEL_ID_CONTEXT: FOUNDATION_MODEL})
    variables = function_variables(synth, CALL_EVALUATOR.name)
    assert variables[config.CALL_ANALYSER] == "rules"
    assert config.BEDROCK_MODEL_ID not in variables
    assert bedrock_statements(synth, CALL_EVALUATOR.name) == []
    report = json.loads((tmp_path / "validation-report.json").read_text())
    [warning] = [v for plugin in report["pluginReports"] for v in plugin["violations"]]
    assert warning["severity"] == "warning" and f"{BEDROCK_MODEL_ID_CONTEXT} is ignored" in warning["description"]
    assert [c["constructPath"] for c in warning["violatingConstructs"]] == [EVALUATOR_STACK]


@pytest.mark.parametrize("value", ["Bedrock", "openai", "rules,bedrock", 42, True])
def test_call_analyser_context_must_be_rules_or_bedrock(tmp_path, value):
    with pytest.raises(ValueError, match=f"{CALL_ANALYSER_CONTEXT} must be one of rules, bedrock"):
        small_stack(tmp_path, EVALUATOR_AND_API, EVALUATOR_STACK, **{CALL_ANALYSER_CONTEXT: value})


@pytest.mark.parametrize("model_id", [None, ""])
def test_bedrock_needs_a_model_id(tmp_path, model_id):
    context = {CALL_ANALYSER_CONTEXT: "bedrock"}
    if model_id is not None:
        context[BEDROCK_MODEL_ID_CONTEXT] = model_id
    with pytest.raises(ValueError, match=f"needs context {BEDROCK_MODEL_ID_CONTEXT}"):
        small_stack(tmp_path, EVALUATOR_AND_API, EVALUATOR_STACK, **context)


@pytest.mark.parametrize(
    "model_id",
    ["*", "anthropic.*", "anthropic.claude *", f"arn:aws:bedrock:us-east-1::foundation-model/{FOUNDATION_MODEL}", 7],
)
def test_bedrock_model_id_must_be_a_plain_model_or_profile_id(tmp_path, model_id):
    with pytest.raises(ValueError, match=BEDROCK_MODEL_ID_CONTEXT):
        small_stack(
            tmp_path,
            EVALUATOR_AND_API,
            EVALUATOR_STACK,
            **{CALL_ANALYSER_CONTEXT: "bedrock", BEDROCK_MODEL_ID_CONTEXT: model_id},
        )


@pytest.mark.parametrize(
    ("model_id", "base"),
    [
        (FOUNDATION_MODEL, None),
        ("amazon.nova-lite-v1:0", None),
        (INFERENCE_PROFILE, FOUNDATION_MODEL),
        ("eu.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0"),
        ("apac.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("us-gov.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("global.anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0"),
    ],
)
def test_inference_profile_ids_name_their_foundation_model(model_id, base):
    assert CallAnalysis(analyser="bedrock", model_id=model_id).base_model_id == base


# --- transcription: Amazon Transcribe and its recordings bucket, on by default ------------------

TRANSCRIBING = [spec for spec in TOPOLOGY.functions if spec.has(TRANSCRIBES_RECORDINGS)]
NOT_TRANSCRIBING = [spec for spec in TOPOLOGY.functions if not spec.has(TRANSCRIBES_RECORDINGS)]
SECURE_TRANSPORT_ONLY = {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
PUBLIC_ACCESS_BLOCKED = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def staff_app_bucket_ids(synth: Synthesized) -> list[str]:
    """The staff app's buckets: its files and their access logs (tests/infra/test_staff_app.py)."""
    staff_app = synth.stack.staff_app
    return [synth.stack.resolve(b.node.default_child.logical_id) for b in (staff_app.bucket, staff_app.log_bucket)]


def recordings_bucket_id(synth: Synthesized) -> str:
    return synth.stack.resolve(synth.stack.transcription.bucket.node.default_child.logical_id)


def access_log_bucket_id(synth: Synthesized) -> str:
    return synth.stack.resolve(synth.stack.transcription.access_log_bucket.node.default_child.logical_id)


def transcription_statements(synth: Synthesized, name: str) -> list[dict]:
    return [
        s for s in function_statements(synth, name) if any(a.startswith(("s3:", "transcribe:")) for a in actions(s))
    ]


def assert_ssl_only_bucket(synth: Synthesized, bucket_id: str) -> None:
    bucket_arn = arn_of(bucket_id)
    [policy] = [
        p["Properties"]
        for p in synth.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == ref(bucket_id)
    ]
    [deny] = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert {key: deny[key] for key in SECURE_TRANSPORT_ONLY} == SECURE_TRANSPORT_ONLY
    assert (deny["Action"], deny["Principal"]) == ("s3:*", {"AWS": "*"})
    assert deny["Resource"] == [bucket_arn, {"Fn::Join": ["", [bucket_arn, "/*"]]}]


def test_the_call_evaluator_and_the_scanner_transcribe_recordings():
    assert [spec.name for spec in TRANSCRIBING] == [CALL_EVALUATOR.name, SCANNER.name]


def test_recordings_bucket_is_private_ssl_only_encrypted_unversioned_and_expires_objects_after_30_days(synthesized):
    bucket_id = recordings_bucket_id(synthesized)
    assert sorted(synthesized.resources("AWS::S3::Bucket")) == sorted(
        [bucket_id, access_log_bucket_id(synthesized), *staff_app_bucket_ids(synthesized)]
    )
    bucket = synthesized.json["Resources"][bucket_id]
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == PUBLIC_ACCESS_BLOCKED
    assert props["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert "VersioningConfiguration" not in props
    assert "BucketName" not in props
    # One rule, on every object (no prefix, no filter): recordings and transcripts alike.
    [rule] = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == 30
    assert not {"Prefix", "Filter", "TagFilters"} & set(rule)
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    assert props["LoggingConfiguration"]["DestinationBucketName"] == ref(access_log_bucket_id(synthesized))
    assert_ssl_only_bucket(synthesized, bucket_id)
    assert synthesized.json["Outputs"]["RecordingsBucketName"]["Value"] == ref(bucket_id)


def test_access_log_bucket_is_private_ssl_only_encrypted_and_nag_clean_without_suppressions(synthesized):
    log_bucket_id = access_log_bucket_id(synthesized)
    log_bucket = synthesized.json["Resources"][log_bucket_id]
    props = log_bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == PUBLIC_ACCESS_BLOCKED
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert log_bucket["DeletionPolicy"] == "Retain"
    assert "LoggingConfiguration" not in props
    assert_ssl_only_bucket(synthesized, log_bucket_id)
    # cdk-nag counts the destination of another bucket's access logs as compliant with S1: nothing suppressed.
    path = synthesized.stack.transcription.access_log_bucket.node.default_child.node.path
    rows = {r["Rule ID"]: r["Compliance"] for r in synthesized.nag_report() if r["Resource ID"] == path}
    assert rows["AwsSolutions-S1"] == "Compliant"
    assert set(rows.values()) == {"Compliant"}


@pytest.mark.parametrize("spec", TOPOLOGY.functions, ids=lambda f: f.name)
def test_only_functions_that_transcribe_get_the_bucket_and_the_job_prefix(synthesized, spec):
    variables = function_variables(synthesized, spec.name)
    if spec.has(TRANSCRIBES_RECORDINGS):
        assert variables[config.RECORDINGS_BUCKET] == ref(recordings_bucket_id(synthesized))
        assert variables[config.TRANSCRIPTION_JOB_PREFIX] == job_prefix(synthesized.stack_name)
    else:
        assert config.RECORDINGS_BUCKET not in variables and config.TRANSCRIPTION_JOB_PREFIX not in variables
        assert transcription_statements(synthesized, spec.name) == []
        assert recordings_bucket_id(synthesized) not in json.dumps(function_statements(synthesized, spec.name))


@pytest.mark.parametrize("spec", TRANSCRIBING, ids=lambda f: f.name)
def test_transcribing_functions_may_use_the_two_prefixes_and_their_stacks_jobs_only(synthesized, spec):
    bucket_arn = arn_of(recordings_bucket_id(synthesized))
    prefix = job_prefix(synthesized.stack_name)
    by_action = {}
    for statement in transcription_statements(synthesized, spec.name):
        for action in actions(statement):
            assert action not in by_action, action
            by_action[action] = statement
    assert sorted(by_action) == [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:PutObject",
        "transcribe:GetTranscriptionJob",
        "transcribe:StartTranscriptionJob",
    ]
    objects = [{"Fn::Join": ["", [bucket_arn, "/recordings/*"]]}, {"Fn::Join": ["", [bucket_arn, "/transcripts/*"]]}]
    assert by_action["s3:GetObject"] == by_action["s3:PutObject"] == by_action["s3:AbortMultipartUpload"]
    assert by_action["s3:PutObject"]["Resource"] == objects and "Condition" not in by_action["s3:PutObject"]
    # No resource type for StartTranscriptionJob: '*', but only with this bucket as the output.
    assert by_action["transcribe:StartTranscriptionJob"] == {
        "Action": "transcribe:StartTranscriptionJob",
        "Effect": "Allow",
        "Resource": "*",
        "Condition": {"StringEquals": {"transcribe:OutputBucketName": ref(recordings_bucket_id(synthesized))}},
    }
    assert by_action["transcribe:GetTranscriptionJob"] == {
        "Action": "transcribe:GetTranscriptionJob",
        "Effect": "Allow",
        "Resource": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    ref("AWS::Partition"),
                    ":transcribe:",
                    ref("AWS::Region"),
                    ":",
                    ref("AWS::AccountId"),
                    f":transcription-job/{prefix}*",
                ],
            ]
        },
    }


@pytest.mark.parametrize("spec", TRANSCRIBING, ids=lambda f: f.name)
def test_transcription_wildcards_are_suppressed_each_with_its_own_reason(synthesized, spec):
    function = synthesized.stack.functions.constructs[spec.name]
    policy_path = function.role.node.find_child("DefaultPolicy").node.default_child.node.path
    bucket_id = recordings_bucket_id(synthesized)
    prefix = job_prefix(synthesized.stack_name)
    expected = {
        f"Resource::<{bucket_id}.Arn>/recordings/*": "Recordings are uploaded at run time",
        f"Resource::<{bucket_id}.Arn>/transcripts/*": "Transcribe writes each job's output",
        (
            f"Resource::arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:transcription-job/{prefix}*"
        ): "Transcription jobs are started at run time",
        "Resource::*": "transcribe:StartTranscriptionJob (it has no resource type",
    }
    rows = {
        r["Exception Reason"].split("] ", 1)[0].lstrip("["): r
        for r in synthesized.nag_report()
        if r["Resource ID"] == policy_path and r["Rule ID"] == "AwsSolutions-IAM5"
    }
    for finding, reason in expected.items():
        assert rows[finding]["Compliance"] == "Suppressed", finding
        assert reason in rows[finding]["Exception Reason"], finding


def test_the_star_suppression_names_transcribe_only_for_functions_that_transcribe(synthesized):
    for spec in TOPOLOGY.functions:
        function = synthesized.stack.functions.constructs[spec.name]
        policy_path = function.role.node.find_child("DefaultPolicy").node.default_child.node.path
        [row] = [
            r
            for r in synthesized.nag_report()
            if r["Resource ID"] == policy_path and r["Exception Reason"].startswith("[Resource::*]")
        ]
        assert ("StartTranscriptionJob" in row["Exception Reason"]) is spec.has(TRANSCRIBES_RECORDINGS), spec.name


@pytest.mark.parametrize(
    "stack_name",
    ["Leadline", "Leadline-Dev", "leadline", "LeadlineDev", "Lead line/ünïcode_v2.0", "X" * 128, "-._-"],
)
def test_job_prefix_is_a_short_lowercase_job_name_start_ending_in_a_dash(stack_name):
    prefix = job_prefix(stack_name)
    assert re.fullmatch(r"[0-9a-z._-]+-", prefix), prefix
    assert len(prefix) <= JOB_PREFIX_MAX_LENGTH
    assert job_prefix(stack_name) == prefix  # stable across synths


def test_job_prefixes_of_different_stacks_never_overlap():
    names = ["Leadline", "Leadline-Dev", "leadline", "LEADLINE", "LeadlineDev", "Leadline-Dev-2", "X" * 127 + "Y"]
    names.append("X" * 127 + "Z")  # differ only past the readable part
    prefixes = [job_prefix(name) for name in names]
    assert len(set(prefixes)) == len(names)
    # GetTranscriptionJob is granted on '<prefix>*': no stack's prefix may start another's.
    assert not [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a)]
    assert job_prefix("Leadline").startswith("leadline-")


@pytest.mark.parametrize("stack_name", ["", None, "AWS::StackName"])
def test_job_prefix_needs_a_literal_stack_name(stack_name):
    if stack_name == "AWS::StackName":
        stack_name = cdk.Aws.STACK_NAME  # a token, unresolved until deployment
    with pytest.raises(ValueError, match="literal stack name"):
        job_prefix(stack_name)


@pytest.mark.parametrize(
    ("context", "enabled"),
    [({}, True), ({TRANSCRIBE_RECORDINGS_CONTEXT: True}, True), ({TRANSCRIBE_RECORDINGS_CONTEXT: "true"}, True)]
    + [({TRANSCRIBE_RECORDINGS_CONTEXT: False}, False), ({TRANSCRIBE_RECORDINGS_CONTEXT: "false"}, False)],
)
def test_transcribe_recordings_context_is_on_unless_false(context, enabled):
    assert transcription_enabled(cdk.App(context=context)) is enabled


@pytest.fixture(scope="module")
def without_transcription(tmp_path_factory) -> Synthesized:
    # "false" as the CLI passes `-c transcribeRecordings=false`: a string.
    return evaluator_synth(
        tmp_path_factory.mktemp("cdk-out-no-transcription"), **{TRANSCRIBE_RECORDINGS_CONTEXT: "false"}
    )


def test_transcribe_recordings_false_makes_no_bucket_no_variables_and_no_grant(without_transcription):
    synth = without_transcription
    staff_app = staff_app_bucket_ids(synth)
    assert sorted(synth.resources("AWS::S3::Bucket")) == sorted(staff_app)
    assert sorted(
        p["Properties"]["Bucket"]["Ref"] for p in synth.resources("AWS::S3::BucketPolicy").values()
    ) == sorted(staff_app)
    assert "RecordingsBucketName" not in synth.json["Outputs"]
    assert synth.stack.transcription.enabled is False and synth.stack.transcription.environment == {}
    for spec in synth.topology.functions:
        variables = function_variables(synth, spec.name)
        assert config.RECORDINGS_BUCKET not in variables and config.TRANSCRIPTION_JOB_PREFIX not in variables
        assert transcription_statements(synth, spec.name) == []
    assert "transcribe" not in json.dumps(synth.resources("AWS::IAM::Policy"))
    failing = [
        (r["Rule ID"], r["Resource ID"])
        for r in synth.nag_report()
        if r["Compliance"] not in ("Compliant", "Suppressed")
    ]
    assert failing == []
    star_reasons = [
        r["Exception Reason"] for r in synth.nag_report() if r["Exception Reason"].startswith("[Resource::*]")
    ]
    assert star_reasons and not [reason for reason in star_reasons if "Transcribe" in reason or "transcribe" in reason]


@pytest.mark.parametrize("value", ["yes", "no", "False", "TRUE", "", " true", 0, 1, "0", [], {"on": True}])
def test_transcribe_recordings_context_must_be_true_or_false(tmp_path, value):
    with pytest.raises(ValueError, match=f"{TRANSCRIBE_RECORDINGS_CONTEXT} must be true or false"):
        small_stack(tmp_path, EVALUATOR_AND_API, EVALUATOR_STACK, **{TRANSCRIBE_RECORDINGS_CONTEXT: value})


# --- notifications: email through SES, texts through SNS ----------------------------------------

NOTIFYING = [spec for spec in TOPOLOGY.functions if spec.has(SENDS_NOTIFICATIONS)]
# The notifier and the staff API (a REST API needs a method): a small stack to synthesize with context.
NOTIFIER_AND_API = Topology(
    tables=TOPOLOGY.tables, functions=(STAFF_API, NOTIFIER), state_machine=TOPOLOGY.state_machine
)
NOTIFIER_STACK = "LeadlineNotifications"
SENDER = "Acme Alerts <alerts@acme.example>"
SES_IDENTITIES = {
    "Fn::Join": [
        "",
        ["arn:", ref("AWS::Partition"), ":ses:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":identity/*"],
    ]
}
SNS_ARNS = {"Fn::Join": ["", ["arn:", ref("AWS::Partition"), ":sns:*:*:*"]]}
SES_IDENTITIES_FINDING = "Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*"


def notification_statements(synth: Synthesized, name: str) -> list[dict]:
    return [s for s in function_statements(synth, name) if any(a.startswith(("ses:", "sns:")) for a in actions(s))]


def role_of(synth: Synthesized, name: str) -> str:
    return synth.json["Resources"][synth.function_logical_id(name)]["Properties"]["Role"]["Fn::GetAtt"][0]


@pytest.fixture(scope="module")
def with_notification_defaults(tmp_path_factory) -> Synthesized:
    return small_synth(
        tmp_path_factory.mktemp("cdk-out-notifications"),
        NOTIFIER_AND_API,
        NOTIFIER_STACK,
        **{NOTIFICATION_SENDER_CONTEXT: f" {SENDER} ", APP_BASE_URL_CONTEXT: "https://app.acme.example/"},
    )


def test_the_scanner_and_the_notifier_send_notifications():
    assert [spec.name for spec in NOTIFYING] == [SCANNER.name, NOTIFIER.name]


@pytest.mark.parametrize("spec", NOTIFYING, ids=lambda f: f.name)
def test_notifying_functions_send_raw_email_from_ses_identities_and_texts_to_phone_numbers_only(synthesized, spec):
    # SES v1 SendRawEmail on the account's identities in the stack's Region (no configuration set is passed);
    # SNS Publish on everything but SNS ARNs: a phone number, never a topic or a platform endpoint.
    assert sorted(notification_statements(synthesized, spec.name), key=actions) == [
        {"Action": "ses:SendRawEmail", "Effect": "Allow", "Resource": SES_IDENTITIES},
        {"Action": "sns:Publish", "Effect": "Allow", "NotResource": SNS_ARNS},
    ]


def test_no_other_role_may_use_ses_or_sns_and_the_alarm_topic_policy_only_denies(synthesized):
    with_ses_or_sns = set()
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        if any(a.startswith(("ses:", "sns:")) for s in statements for a in actions(s)):
            with_ses_or_sns |= {role["Ref"] for role in policy["Properties"]["Roles"]}
    for logical_id, role in synthesized.resources("AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            if any(a.startswith(("ses:", "sns:")) for s in inline["PolicyDocument"]["Statement"] for a in actions(s)):
                with_ses_or_sns.add(logical_id)
    assert with_ses_or_sns == {role_of(synthesized, spec.name) for spec in NOTIFYING}
    # CloudWatch alarms publish to the alarm topic through their alarm actions; its policy grants nobody.
    _, topic_policy = only(synthesized.resources("AWS::SNS::TopicPolicy"))
    assert [s["Effect"] for s in topic_policy["Properties"]["PolicyDocument"]["Statement"]] == ["Deny"]


@pytest.mark.parametrize("spec", NOTIFYING, ids=lambda f: f.name)
def test_ses_identity_wildcard_is_suppressed_with_its_own_reason_and_the_sms_statement_has_no_finding(
    synthesized, spec
):
    function = synthesized.stack.functions.constructs[spec.name]
    policy_path = function.role.node.find_child("DefaultPolicy").node.default_child.node.path
    rows = [r for r in synthesized.nag_report() if r["Resource ID"] == policy_path]
    [row] = [r for r in rows if r["Exception Reason"].startswith(f"[{SES_IDENTITIES_FINDING}]")]
    assert row["Rule ID"] == "AwsSolutions-IAM5" and row["Compliance"] == "Suppressed"
    assert "verifies at run time" in row["Exception Reason"]
    # cdk-nag's IAM5 reads Resource, not NotResource: nothing about SNS is reported, nor suppressed.
    assert not [r for r in synthesized.nag_report() if ":sns:" in r["Exception Reason"]]


def test_notifier_has_one_rule_per_catalog_entry_on_the_bus(synthesized):
    assert {rule.name: rule.pattern for rule in NOTIFIER.rules} == {
        "notify-second-chance-lead-created": {"source": ["leadline"], "detail-type": ["SecondChanceLeadCreated"]},
        "notify-booking-received": {
            "source": ["leadline"],
            "detail-type": ["BookingReceived"],
            "detail": {"source": ["partner"]},
        },
    }
    assert NOTIFIER.schedule_minutes is None
    bus_id, _ = only(synthesized.resources("AWS::Events::EventBus"))
    rendered = {
        r["Properties"]["Description"]: r["Properties"] for r in rules_targeting(synthesized, NOTIFIER.name).values()
    }
    assert sorted(rendered) == ["notifier: notify-booking-received", "notifier: notify-second-chance-lead-created"]
    assert rendered["notifier: notify-booking-received"]["EventPattern"] == NOTIFIER.rules[1].pattern
    assert all(rule["EventBusName"] == ref(bus_id) for rule in rendered.values())
    # Its targets' retries and DLQ, and its asynchronous failure destination, are checked with every routed
    # function's (ROUTED includes the notifier).
    assert NOTIFIER.name in [param.values[1].name for param in ROUTED]


def test_notification_context_sets_the_defaults_of_the_notifying_functions_only(with_notification_defaults):
    synth = with_notification_defaults
    variables = function_variables(synth, NOTIFIER.name)
    assert variables[config.NOTIFICATION_SENDER] == SENDER
    assert variables[config.APP_BASE_URL] == "https://app.acme.example"
    staff = function_variables(synth, STAFF_API.name)
    assert config.NOTIFICATION_SENDER not in staff and config.APP_BASE_URL not in staff
    # The context moves the links, not the app: the staff API still answers the app the stack hosts.
    assert staff[config.STAFF_APP_ORIGIN] == synth.stack.resolve(synth.stack.staff_app.origin)
    assert notification_statements(synth, STAFF_API.name) == []
    # The context changes the variables, not the grant.
    assert sorted(notification_statements(synth, NOTIFIER.name), key=actions) == [
        {"Action": "ses:SendRawEmail", "Effect": "Allow", "Resource": SES_IDENTITIES},
        {"Action": "sns:Publish", "Effect": "Allow", "NotResource": SNS_ARNS},
    ]
    failing = [
        (r["Rule ID"], r["Resource ID"])
        for r in synth.nag_report()
        if r["Compliance"] not in ("Compliant", "Suppressed")
    ]
    assert failing == []
    assert dependency_cycle(synth.json) is None


@pytest.mark.parametrize(
    ("context", "environment"),
    [
        ({}, {}),
        ({NOTIFICATION_SENDER_CONTEXT: "", APP_BASE_URL_CONTEXT: ""}, {}),
        ({NOTIFICATION_SENDER_CONTEXT: "alerts@acme.example"}, {config.NOTIFICATION_SENDER: "alerts@acme.example"}),
        (
            {NOTIFICATION_SENDER_CONTEXT: '"Acme, Inc." <alerts+leadline@mail.acme.example>'},
            {config.NOTIFICATION_SENDER: '"Acme, Inc." <alerts+leadline@mail.acme.example>'},
        ),
        ({APP_BASE_URL_CONTEXT: "https://acme.example/app//"}, {config.APP_BASE_URL: "https://acme.example/app"}),
    ],
)
def test_notification_context_gives_only_the_variables_it_names(context, environment):
    assert Notifications.from_context(cdk.App(context=context)).environment == environment


@pytest.mark.parametrize(
    "value",
    [
        "acme",
        "alerts@acme",
        "Acme Alerts",
        "alerts @acme.example",
        "alerts@acme.example, other@acme.example",
        "Acme Alerts <alerts@acme.example",
        "Acme\r\nBcc: x@evil.example <alerts@acme.example>",
        42,
        ["alerts@acme.example"],
    ],
)
def test_notification_sender_context_must_be_an_address_or_a_named_address(tmp_path, value):
    with pytest.raises(ValueError, match=NOTIFICATION_SENDER_CONTEXT):
        small_stack(tmp_path, NOTIFIER_AND_API, NOTIFIER_STACK, **{NOTIFICATION_SENDER_CONTEXT: value})


@pytest.mark.parametrize(
    "value",
    [
        "app.acme.example",
        "http://app.acme.example",
        "https://",
        "https:///leads",
        "https://app.acme.example/?tenant=acme",
        "https://app.acme.example/#/",
        "https://app.acme .example",
        42,
    ],
)
def test_app_base_url_context_must_be_an_https_url(tmp_path, value):
    with pytest.raises(ValueError, match=APP_BASE_URL_CONTEXT):
        small_stack(tmp_path, NOTIFIER_AND_API, NOTIFIER_STACK, **{APP_BASE_URL_CONTEXT: value})


# --- the probe stack: what the real topology does not use yet ----------------------------------


def test_probe_starts_after_call_work_and_publishes_events(probe):
    machine_id, _ = only(probe.resources("AWS::StepFunctions::StateMachine"))
    bus_id, _ = only(probe.resources("AWS::Events::EventBus"))
    function = probe.json["Resources"][probe.function_logical_id(PROBE.name)]
    assert function["Properties"]["Environment"]["Variables"][config.ACW_STATE_MACHINE_ARN] == ref(machine_id)
    statements = policy_statements_of_role(probe, function["Properties"]["Role"]["Fn::GetAtt"][0])
    assert {"Action": "states:StartExecution", "Effect": "Allow", "Resource": ref(machine_id)} in statements
    assert {"Action": "events:PutEvents", "Effect": "Allow", "Resource": arn_of(bus_id)} in statements


def test_probe_secrets_grant_is_scoped_to_the_tenant_prefix(probe):
    function = probe.json["Resources"][probe.function_logical_id(PROBE.name)]
    statements = policy_statements_of_role(probe, function["Properties"]["Role"]["Fn::GetAtt"][0])
    [read] = [s for s in statements if "secretsmanager:GetSecretValue" in actions(s)]
    assert json.dumps(read["Resource"]).endswith(f':secret:{SECRETS_PREFIX}*"]]}}')
    [decrypt] = [s for s in statements if actions(s) == ["kms:Decrypt"]]
    assert "kms:ViaService" in json.dumps(decrypt["Condition"])


def test_probe_public_route_shares_the_v1_resource_with_the_greedy_proxy(probe):
    paths = sorted(api_paths(probe).values())
    assert paths.count("/v1") == 1
    assert {"/v1/{proxy+}", "/v1/webhooks/probe"} <= set(paths)


# --- cdk-nag -----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_nag_report_has_no_unsuppressed_findings_and_every_suppression_has_a_reason(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    rows = synth.nag_report()
    assert rows, "empty nag report"
    assert unresolved_nag_findings(rows) == []
    suppressed = [r for r in rows if r["Compliance"] == "Suppressed"]
    assert suppressed, "expected the documented suppressions"
    for row in suppressed:
        reason = row["Exception Reason"].strip()
        # Granular suppressions are reported as "[finding] reason".
        reason = reason.split("] ", 1)[1] if reason.startswith("[") else reason
        assert len(reason) >= 20 and reason != "N/A", row


def test_nag_suppressions_are_only_the_documented_ones(synthesized):
    rules = {r["Rule ID"] for r in synthesized.nag_report() if r["Compliance"] == "Suppressed"}
    assert rules <= {
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-L1",
        "AwsSolutions-APIG4",
        "AwsSolutions-COG4",
        "AwsSolutions-SQS3",
        "AwsSolutions-CFR1",
        "AwsSolutions-CFR2",
        "AwsSolutions-CFR4",
    }


# --- bundling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["synthesized", "probe"])
def test_tests_skip_layer_bundling_so_pip_never_runs(request, which):
    synth: Synthesized = request.getfixturevalue(which)
    assert synth.pip_calls == []
    sources = [
        asset["source"]["path"]
        for asset in synth.assets_manifest()["files"].values()
        if asset.get("displayName", "").startswith("Layers/Shared")
    ]
    # Skipped bundling stages the source folder itself instead of a bundled output.
    assert sources == [str(ROOT / "layers" / "shared")]


def test_local_bundling_installs_requirements_for_lambda_and_copies_the_package(tmp_path, monkeypatch):
    layer = tmp_path / "layer"
    (layer / "python" / "leadline" / "__pycache__").mkdir(parents=True)
    (layer / "python" / "leadline" / "__init__.py").write_text("")
    (layer / "python" / "leadline" / "__pycache__" / "x.cpython-311.pyc").write_text("")
    (layer / "requirements.txt").write_text("phonenumbers==9.0.43\n")
    calls = []
    monkeypatch.setattr(
        "infra.layer_bundling.subprocess.run",
        lambda cmd, **kw: calls.append(cmd) or type("R", (), {"returncode": 0, "stdout": "", "stderr": ""})(),
    )
    out = tmp_path / "out"
    assert LocalPipBundling(layer_dir=layer).try_bundle(str(out), None) is True
    [cmd] = calls
    assert cmd[1:4] == ["-m", "pip", "install"]
    assert cmd[cmd.index("--target") + 1] == str(out / "python")
    assert cmd[cmd.index("-r") + 1] == str(layer / "requirements.txt")
    assert cmd[cmd.index("--platform") + 1] == "manylinux2014_aarch64"
    assert cmd[cmd.index("--python-version") + 1] == "3.13"
    assert {"--only-binary=:all:", "--implementation", "--quiet"} <= set(cmd)
    assert (out / "python" / "leadline" / "__init__.py").is_file()
    assert not (out / "python" / "leadline" / "__pycache__").exists()


# --- pure helpers ------------------------------------------------------------------------------


def test_event_pattern_rejects_fields_eventbridge_does_not_have():
    with pytest.raises(ValueError, match="detail_type"):
        event_pattern({"detail_type": ["X"]})
    assert "detail-type" in PATTERN_FIELDS


def test_template_helper_fixtures_are_the_same_synthesis(synth_template, synth_json):
    assert isinstance(synth_template, Template)
    assert synth_template.to_json() == synth_json
    assert Path(TOPOLOGY.state_machine.definition_file).is_file()
