"""The template as the infrastructure scanners see it, in every synthesis mode: environment-agnostic
(`synthesized`) and pinned to a concrete account in eu-west-2, us-east-1 and cn-north-1 (`pinned`), each
synthesized once per session. cdk-nag (with its suppressions) in every mode, cfn-lint in the modes of the aws
partition, checkov (from its own venv, with its skips) over the environment-agnostic template."""

from __future__ import annotations

import json
import re
import subprocess

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from cfnlint.api import lint
from cfnlint.config import ManualArgs

from infra.constructs.scanners import skip_checkov
from infra.constructs.transcription import job_prefix
from infra.topology import SECRETS_PREFIX
from tests.infra.tools import tools_bin
from tests.support.synth import ACCOUNT, AGNOSTIC, MAIN_STACK, PINNED_REGIONS, Synthesized, unresolved_nag_findings

MODES = (AGNOSTIC, *PINNED_REGIONS)
AWS_PARTITION_REGIONS = tuple(region for region in PINNED_REGIONS if not region.startswith("cn-"))
# cfn-lint checks an environment-agnostic template in these Regions.
AGNOSTIC_LINT_REGIONS = ["us-east-1", "eu-west-2"]
# cfn-lint rules the templates are not held to, each with why.
CFN_LINT_IGNORED = {
    "W3005": "the CDK adds a DependsOn on the role a function also references with Fn::GetAtt (redundant, harmless); "
    "the CDK's own synth-time template validation ignores W3005 too",
}
REGION = re.compile(r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-[a-z]+-\d\b")
ARN_PARTITION = re.compile(r"\barn:([a-z-]+):")


def synthesis(request: pytest.FixtureRequest, mode: str) -> Synthesized:
    return request.getfixturevalue("synthesized") if mode == AGNOSTIC else request.getfixturevalue("pinned")(mode)


def partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws"


# --- cdk-nag -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_cdk_nag_leaves_no_error_or_warning_unsuppressed_in_any_synthesis_mode(request, mode):
    rows = synthesis(request, mode).nag_report()
    assert rows, "empty nag report"
    assert unresolved_nag_findings(rows) == []


@pytest.mark.parametrize("region", PINNED_REGIONS)
def test_a_pinned_stacks_suppressions_name_its_literal_arns_and_nothing_wider(pinned, region):
    prefix = f"Resource::arn:{partition(region)}"
    suppressed = {
        row["Exception Reason"].split("] ", 1)[0].lstrip("[")
        for row in pinned(region).nag_report()
        if row["Rule ID"] == "AwsSolutions-IAM5" and row["Compliance"] == "Suppressed"
    }
    assert {
        f"{prefix}:ses:{region}:{ACCOUNT}:identity/*",
        f"{prefix}:transcribe:{region}:{ACCOUNT}:transcription-job/{job_prefix(MAIN_STACK)}*",
        f"{prefix}:secretsmanager:{region}:{ACCOUNT}:secret:{SECRETS_PREFIX}*",
    } <= suppressed
    assert [finding for finding in suppressed if "<AWS::" in finding] == []


@pytest.mark.parametrize("region", AWS_PARTITION_REGIONS)
def test_a_pinned_template_names_its_own_region_and_partition_only(pinned, region):
    text = json.dumps(pinned(region).json)
    assert set(REGION.findall(text)) == {region}
    assert set(ARN_PARTITION.findall(text)) == {"aws"}


def test_in_china_only_the_powertools_layer_and_the_workflow_task_name_the_aws_partition(pinned):
    """Not deployable in China as it is (no Cognito user pools there either): the AWS-published Powertools layer
    has another account and partition there, and the ASL document names arn:aws:states:::events:putEvents."""
    text = json.dumps(pinned("cn-north-1").json)
    foreign = set(re.findall(r"\barn:aws:[a-z]+:[^\"\\]*", text))
    assert {arn.split(":")[2] for arn in foreign} == {"lambda", "states"}
    assert all(":layer:AWSLambdaPowertoolsPython" in arn or ":::events:putEvents" in arn for arn in foreign)


# --- cfn-lint ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", (AGNOSTIC, *AWS_PARTITION_REGIONS))
def test_template_is_clean_under_cfn_lint(request, mode):
    synth = synthesis(request, mode)
    regions = AGNOSTIC_LINT_REGIONS if mode == AGNOSTIC else [mode]
    config = ManualArgs(regions=regions, ignore_checks=list(CFN_LINT_IGNORED))
    assert [str(match) for match in lint(synth.template_path.read_text(), config=config)] == []


# --- checkov -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkov(synthesized: Synthesized) -> dict:
    """checkov's JSON report over the environment-agnostic template (no download of Prisma Cloud's guidelines)."""
    command = [tools_bin() / "checkov", "--file", synthesized.template_path, "--framework", "cloudformation"]
    result = subprocess.run(
        [*map(str, command), "--output", "json", "--skip-download"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode in (0, 1), result.stderr  # 1: some check failed, which the tests below report
    return json.loads(result.stdout)


def test_checkov_fails_no_check(checkov):
    assert checkov["summary"]["parsing_errors"] == 0
    assert checkov["summary"]["passed"] > 0
    assert [(c["check_id"], c["resource"], c["check_name"]) for c in checkov["results"]["failed_checks"]] == []


def test_every_checkov_skip_has_its_reason(checkov):
    skipped = checkov["results"]["skipped_checks"]
    assert skipped, "expected the documented skips"
    for check in skipped:
        comment = check["check_result"]["suppress_comment"].strip()
        # checkov writes "No comment provided" for a skip without one.
        assert comment and comment != "No comment provided", (check["check_id"], check["resource"])


def test_skip_checkov_adds_to_the_resources_skips_and_wants_a_one_line_reason():
    queue = sqs.CfnQueue(cdk.Stack(cdk.App()), "Queue")
    skip_checkov(queue, {"CKV_AWS_27": "first reason"})
    skip_checkov(queue, {"CKV_AWS_27": "second reason", "CKV_AWS_1": "another"})
    assert queue.get_metadata("checkov") == {
        "skip": [{"id": "CKV_AWS_27", "comment": "second reason"}, {"id": "CKV_AWS_1", "comment": "another"}]
    }
    for reason in (" ", "two\nlines"):
        with pytest.raises(ValueError, match="one-line reason"):
            skip_checkov(queue, {"CKV_AWS_2": reason})
