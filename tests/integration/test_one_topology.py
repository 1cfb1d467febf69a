"""One topology, two runtimes: what the CDK stack deploys and what the local runtime runs are the same routes,
the same rule patterns, the same schedules, the same state machine, the same tables and the same functions'
variables, and the tables' keys are the ones the PynamoDB models use."""

import json
import re

import pytest

from infra.capabilities import BASIC_VARIABLES, TRANSCRIBES_RECORDINGS
from infra.local.runtime import AWS_ENDPOINT_URL, LOCAL_ENV, table_name
from leadline import config
from leadline.data.models import ALL_MODELS, RecordModel
from tests.infra.test_stack import api_paths
from tests.support.synth import Synthesized

# --- what the CDK template says ----------------------------------------------------------------


def _function_names(synth: Synthesized) -> dict[str, str]:
    return {synth.function_logical_id(f.name): f.name for f in synth.topology.functions}


def cdk_routes(synth: Synthesized) -> set[tuple[str, str, str, str]]:
    paths = api_paths(synth)
    functions = _function_names(synth)
    routes = set()
    for method in synth.resources("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["Integration"]["Type"] == "MOCK":  # the staff app's preflight: tests/infra/test_staff_app.py
            continue
        resource = props["ResourceId"]
        path = "/" if "Fn::GetAtt" in resource else paths[resource["Ref"]]
        target = json.dumps(props["Integration"]["Uri"])
        function = next(name for logical_id, name in functions.items() if f'"{logical_id}"' in target)
        auth = "staff" if props["AuthorizationType"] == "COGNITO_USER_POOLS" else "none"
        routes.add((props["HttpMethod"], path, auth, function))
    return routes


def _target_function(synth: Synthesized, rule: dict) -> str:
    functions = _function_names(synth)
    (target,) = rule["Properties"]["Targets"]
    return functions[target["Arn"]["Fn::GetAtt"][0]]


def cdk_rules(synth: Synthesized) -> list[tuple[str, dict]]:
    return sorted(
        (
            (_target_function(synth, r), r["Properties"]["EventPattern"])
            for r in synth.resources("AWS::Events::Rule").values()
            if "EventPattern" in r["Properties"]
        ),
        key=lambda x: x[0],
    )


def cdk_schedules(synth: Synthesized) -> list[tuple[str, int]]:
    found = []
    for rule in synth.resources("AWS::Events::Rule").values():
        if expression := rule["Properties"].get("ScheduleExpression"):
            minutes = int(re.fullmatch(r"rate\((\d+) minutes?\)", expression).group(1))
            found.append((_target_function(synth, rule), minutes))
    return sorted(found)


def cdk_state_machine(synth: Synthesized) -> dict:
    (machine,) = synth.resources("AWS::StepFunctions::StateMachine").values()
    definition = machine["Properties"]["DefinitionString"]
    text = (
        "".join(p if isinstance(p, str) else "${EventBusName}" for p in definition["Fn::Join"][1])
        if isinstance(definition, dict)
        else definition
    )
    return json.loads(text)


# --- what the local runtime runs -----------------------------------------------------------------


def local_routes(runtime) -> set[tuple[str, str, str, str]]:
    return {(c.route.method, c.route.path, c.route.auth, c.function) for c in runtime.gateway.routes}


def local_rules(runtime) -> list[tuple[str, dict]]:
    events = runtime.client("events")
    found = []
    for rule in events.list_rules(EventBusName=runtime.topology.bus_name)["Rules"]:
        function = next(f for (f, r) in runtime.queues if runtime.resources[f"rule:{f}:{r}"] == rule["Name"])
        found.append((function, json.loads(rule["EventPattern"])))
    return sorted(found, key=lambda x: x[0])


def local_state_machine(runtime) -> dict:
    described = runtime.client("stepfunctions").describe_state_machine(
        stateMachineArn=runtime.resources["state_machine"]
    )
    return json.loads(described["definition"].replace(runtime.topology.bus_name, "${EventBusName}"))


# --- the same ------------------------------------------------------------------------------------


def test_same_routes(runtime, probe):
    assert local_routes(runtime) == cdk_routes(probe) == set(probe.topology.routes())


def _canonical(rules) -> list[tuple[str, str]]:
    return sorted((function, json.dumps(pattern, sort_keys=True)) for function, pattern in rules)


def test_same_rule_patterns(runtime, probe):
    declared = [(f, p) for f, _, p in probe.topology.rules()]
    assert _canonical(local_rules(runtime)) == _canonical(cdk_rules(probe)) == _canonical(declared)
    assert cdk_rules(probe), "the probe topology should have a rule to compare"


def test_same_schedules(runtime, probe):
    local = sorted((name, minutes) for name, minutes in runtime.topology.schedules())
    assert local == cdk_schedules(probe) == sorted(probe.topology.schedules())
    assert ("probe", 1) in local and ("scanner", 1) in local


def test_same_state_machine_definition(runtime, probe):
    local = local_state_machine(runtime)
    assert local == cdk_state_machine(probe) == probe.topology.state_machine.definition_template()
    assert local["States"]["WaitForAfterCallWork"]["SecondsPath"] == "$.wait_seconds"


def test_same_tables(runtime, synthesized):
    dynamodb = runtime.client("dynamodb")
    for spec in synthesized.topology.tables:
        local = dynamodb.describe_table(TableName=table_name(spec))["Table"]
        (cdk,) = [
            r["Properties"]
            for r in synthesized.resources("AWS::DynamoDB::Table").values()
            if {k["AttributeName"] for k in r["Properties"]["KeySchema"]} == {spec.partition_key, spec.sort_key}
        ]
        assert local["KeySchema"] == cdk["KeySchema"]
        assert sorted(local["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
            cdk["AttributeDefinitions"], key=lambda a: a["AttributeName"]
        )
        local_indexes = {
            i["IndexName"]: (i["KeySchema"], i["Projection"]["ProjectionType"])
            for i in local.get("GlobalSecondaryIndexes", [])
        }
        cdk_indexes = {
            i["IndexName"]: (i["KeySchema"], i["Projection"]["ProjectionType"])
            for i in cdk.get("GlobalSecondaryIndexes", [])
        }
        assert local_indexes == cdk_indexes


def test_same_variables_for_each_function_but_transcriptions_which_moto_cannot_run(runtime, probe):
    lambda_sets_locally = (set(LOCAL_ENV) - set(BASIC_VARIABLES)) | {AWS_ENDPOINT_URL, config.LEADLINE_TIME_SCALE}
    transcription = {config.RECORDINGS_BUCKET, config.TRANSCRIPTION_JOB_PREFIX}
    for spec in probe.topology.functions:
        function = probe.json["Resources"][probe.function_logical_id(spec.name)]
        in_aws = set(function["Properties"]["Environment"]["Variables"])
        local = set(runtime.function_environment(spec)) - lambda_sets_locally
        assert in_aws - local == (transcription if spec.has(TRANSCRIBES_RECORDINGS) else set()), spec.name
        assert local - in_aws == set(), spec.name


# --- the models and the table --------------------------------------------------------------------


def _model_keys(model) -> list[dict]:
    keys = [{"AttributeName": model._hash_keyname, "KeyType": "HASH"}]
    if model._range_keyname:
        keys.append({"AttributeName": model._range_keyname, "KeyType": "RANGE"})
    return keys


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_pynamodb_models_match_the_cdk_table(synthesized, model):
    (table,) = synthesized.resources("AWS::DynamoDB::Table").values()
    props = table["Properties"]
    assert issubclass(model, RecordModel)
    assert _model_keys(model) == props["KeySchema"]
    indexes = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}
    for index in model._indexes.values():
        cdk_index = indexes[index.Meta.index_name]
        assert _index_keys(index) == cdk_index["KeySchema"]
        assert index.Meta.projection.projection_type == cdk_index["Projection"]["ProjectionType"]
    types = {d["AttributeName"]: d["AttributeType"] for d in props["AttributeDefinitions"]}
    for name in types:
        assert model.get_attributes()[name].attr_type == types[name], name


def _index_keys(index) -> list[dict]:
    keys = []
    for attribute in index.Meta.attributes.values():
        if attribute.is_hash_key:
            keys.insert(0, {"AttributeName": attribute.attr_name, "KeyType": "HASH"})
        elif attribute.is_range_key:
            keys.append({"AttributeName": attribute.attr_name, "KeyType": "RANGE"})
    return keys
