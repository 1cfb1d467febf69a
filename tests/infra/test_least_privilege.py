"""IAM least privilege over the whole synthesized template, beyond what tests/infra/test_stack.py holds per
function role: no Allow statement anywhere (identity policies, inline role policies, key, bucket, queue and topic
policies) grants every action (`*`) or every action of a service (`service:*`), nor uses NotAction, and no Allow
statement applies to every resource (`*`, or NotResource) except the exceptions listed below with their reasons."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.support.synth import Synthesized


@dataclass(frozen=True)
class Statement:
    resource_type: str
    logical_id: str
    document: str  # the property that holds the policy document
    body: dict

    @property
    def actions(self) -> list[str]:
        value = self.body.get("Action", [])
        return value if isinstance(value, list) else [value]

    @property
    def resources(self) -> list:
        value = self.body.get("Resource", [])
        return value if isinstance(value, list) else [value]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.logical_id} {self.document}: {json.dumps(self.body)[:300]}"


def _documents(value: object, where: str) -> Iterator[tuple[str, dict]]:
    """Every policy document (a dict with a Statement list) inside a resource's properties."""
    if isinstance(value, dict):
        if isinstance(value.get("Statement"), list):
            yield where, value
        for key, inner in value.items():
            yield from _documents(inner, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _documents(inner, f"{where}[{index}]")


def allow_statements(synth: Synthesized) -> list[Statement]:
    found = []
    for logical_id, resource in synth.json["Resources"].items():
        for where, document in _documents(resource.get("Properties", {}), ""):
            if where == "AssumeRolePolicyDocument":  # a trust policy: who may assume the role, on no resource
                continue
            for body in document["Statement"]:
                if body.get("Effect") == "Allow":
                    found.append(Statement(resource["Type"], logical_id, where, body))
    return found


def _account_root(principal: object) -> bool:
    text = json.dumps(principal)
    return '"AWS"' in text and ":iam::" in text and '{"Ref": "AWS::AccountId"}' in text and ":root" in text


@dataclass(frozen=True)
class Exception_:
    reason: str
    matches: Callable[[Statement], bool]


XRAY_WRITES = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"}
LOG_DELIVERY = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}

# Allow statements on every resource, each with why it cannot be narrower.
ALL_RESOURCES_EXCEPTIONS = {
    "key policy": Exception_(
        "in a key policy, Resource '*' is the key itself (the policy is attached to one key)",
        lambda s: s.resource_type == "AWS::KMS::Key" and s.document == "KeyPolicy",
    ),
    "x-ray": Exception_(
        "X-Ray's trace-writing and sampling actions have no resource type: active tracing needs '*'",
        lambda s: s.resource_type == "AWS::IAM::Policy" and set(s.actions) <= XRAY_WRITES,
    ),
    "state machine logging": Exception_(
        "Step Functions' logging to CloudWatch Logs uses the vended log delivery APIs, which take no resource "
        "(AWS documents Resource '*' for them), next to X-Ray's",
        lambda s: (
            s.resource_type == "AWS::IAM::Policy"
            and set(s.actions) <= LOG_DELIVERY | XRAY_WRITES
            and bool(set(s.actions) & LOG_DELIVERY)
        ),
    ),
    "transcription job": Exception_(
        "transcribe:StartTranscriptionJob has no resource type; the statement is conditioned on the output bucket",
        lambda s: s.actions == ["transcribe:StartTranscriptionJob"] and "transcribe:OutputBucketName" in str(s.body),
    ),
    "texts": Exception_(
        "an SMS to a phone number has no ARN: sns:Publish on everything that is NOT a topic (NotResource "
        "arn:<partition>:sns:*:*:*), so no topic can be published to",
        lambda s: s.actions == ["sns:Publish"] and ":sns:*:*:*" in json.dumps(s.body.get("NotResource")),
    ),
}

# Allow statements with a wildcard action, each with why.
WILDCARD_ACTION_EXCEPTIONS = {
    "key administration": Exception_(
        "the default key policy: the account root may do anything with the key, so that IAM policies in the "
        "account govern who uses it (AWS's recommended key policy; it grants no one by itself)",
        lambda s: (
            s.resource_type == "AWS::KMS::Key" and s.actions == ["kms:*"] and _account_root(s.body.get("Principal"))
        ),
    ),
}


def _every_resource(statement: Statement) -> bool:
    return "NotResource" in statement.body or "*" in statement.resources


def _wildcard_actions(statement: Statement) -> list[str]:
    return [a for a in statement.actions if a == "*" or a.endswith(":*")]


def _unexcepted(statements: list[Statement], exceptions: dict[str, Exception_]) -> tuple[list[str], set[str]]:
    """The statements no exception covers, and the exceptions that covered something."""
    used, loose = set(), []
    for statement in statements:
        names = [name for name, exception in exceptions.items() if exception.matches(statement)]
        used.update(names)
        if not names:
            loose.append(str(statement))
    return loose, used


@pytest.fixture(scope="module")
def statements(synthesized: Synthesized) -> list[Statement]:
    found = allow_statements(synthesized)
    types = {s.resource_type for s in found}
    # the sweep reads every kind of policy the stack has: identity, key, bucket, queue (and role inline) policies
    assert {"AWS::IAM::Policy", "AWS::IAM::Role", "AWS::KMS::Key", "AWS::S3::BucketPolicy"} <= types, types
    return found


def test_no_allow_statement_grants_every_action_or_every_action_of_a_service(statements):
    wildcard = [s for s in statements if _wildcard_actions(s)]
    loose, used = _unexcepted(wildcard, WILDCARD_ACTION_EXCEPTIONS)
    assert loose == [], "Allow statements with '*' or 'service:*' actions:\n" + "\n".join(loose)
    assert used == WILDCARD_ACTION_EXCEPTIONS.keys(), "exceptions that no longer apply: remove them"


def test_no_allow_statement_uses_not_action(statements):
    assert [str(s) for s in statements if "NotAction" in s.body] == []


def test_no_allow_statement_applies_to_every_resource_but_the_listed_exceptions(statements):
    broad = [s for s in statements if _every_resource(s)]
    loose, used = _unexcepted(broad, ALL_RESOURCES_EXCEPTIONS)
    assert loose == [], "Allow statements on every resource:\n" + "\n".join(loose)
    assert used == ALL_RESOURCES_EXCEPTIONS.keys(), "exceptions that no longer apply: remove them"


def test_the_exceptions_match_nothing_that_touches_data(statements):
    """No statement an exception lets through names a data action: DynamoDB, S3, Secrets Manager, SQS, events,
    or KMS use outside the key's own policy."""
    data_services = ("dynamodb:", "s3:", "secretsmanager:", "sqs:", "events:", "kms:")
    excepted = [
        s
        for s in statements
        if _every_resource(s)
        and any(e.matches(s) for e in ALL_RESOURCES_EXCEPTIONS.values())
        and s.document != "KeyPolicy"
    ]
    assert [str(s) for s in excepted if any(a.startswith(data_services) for a in s.actions)] == []
