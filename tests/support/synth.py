"""Synthesizing the CDK stack offline, without bundling the layer (the fixtures are in tests/conftest.py).

Fixtures for every infra test:
- `synth_template`: `aws_cdk.assertions.Template` of the real topology's stack;
- `synth_json`: the same template as a plain dict;
- `synthesized`: both plus the cloud assembly directory (nag report, asset manifest);
- `probe`: a second stack whose topology adds a function with a rule, a schedule,
  events publishing, after-call work and a public webhook route, so that what the
  real topology does not use yet is rendered and checked too;
- `pinned`: `pinned(region)` is the real topology's stack for a concrete account in
  one of `PINNED_REGIONS` (its ARNs carry literal Regions and partitions instead of
  `${AWS::Region}` and `${AWS::Partition}`), each synthesized once per session.

Every stack runs the cdk-nag AwsSolutions pack as the app does, with the
context (feature flags) of cdk.json, and with `aws:cdk:bundling-stacks: []`
so the shared layer is staged as a plain folder and pip never runs.
"""

from __future__ import annotations

import os

# Node 20 works for synth; its end-of-life banner is noise in test output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import csv  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import aws_cdk as cdk  # noqa: E402
import pytest  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

import infra.layer_bundling  # noqa: E402
from infra.stack import LeadlineStack, cdk_json_context  # noqa: E402
from infra.topology import TOPOLOGY, Topology  # noqa: E402

MAIN_STACK = "Leadline"
PROBE_STACK = "LeadlineProbe"
AGNOSTIC = "agnostic"
ACCOUNT = "123456789012"
# A Region outside us-east-1 (the CDK CLI's fallback Region), us-east-1 itself, and one of the aws-cn partition
# (cdk.json's @aws-cdk/core:target-partitions lists aws and aws-cn).
PINNED_REGIONS = ("eu-west-2", "us-east-1", "cn-north-1")
# The China Regions have no Cognito user pools, so the CDK's synth-time CloudFormation validation fails the stack
# there. The aws-cn synthesis acknowledges that to check cdk-nag and the ARNs with the aws-cn partition; the
# product itself does not deploy in China.
NO_USER_POOLS_IN_CHINA = cdk.Acknowledgment(
    id="CloudFormation-Validate::F3006", reason="AWS::Cognito::UserPool does not exist in the China Regions"
)


def nag_report(outdir: Path, stack_name: str) -> list[dict[str, str]]:
    """The rows of cdk-nag's AwsSolutions report of the stack in the cloud assembly `outdir`."""
    reports = sorted(outdir.glob(f"AwsSolutions-*{stack_name}-NagReport.csv"))
    assert len(reports) == 1, f"expected one nag report for {stack_name} in {outdir}: {reports}"
    with reports[0].open(newline="") as handle:
        return list(csv.DictReader(handle))


def unresolved_nag_findings(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """(rule, resource, level) of every finding, error or warning, that is neither compliant nor suppressed."""
    return [
        (r["Rule ID"], r["Resource ID"], r["Rule Level"])
        for r in rows
        if r["Compliance"] not in ("Compliant", "Suppressed")
    ]


@dataclass
class Synthesized:
    stack_name: str
    topology: Topology
    stack: LeadlineStack
    outdir: Path
    json: dict
    template: Template
    pip_calls: list = field(default_factory=list)

    @property
    def template_path(self) -> Path:
        return self.outdir / f"{self.stack_name}.template.json"

    def nag_report(self) -> list[dict[str, str]]:
        return nag_report(self.outdir, self.stack_name)

    def assets_manifest(self) -> dict:
        return json.loads((self.outdir / f"{self.stack_name}.assets.json").read_text())

    def resources(self, cfn_type: str) -> dict[str, dict]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == cfn_type}

    def function_logical_id(self, name: str) -> str:
        """The AWS::Lambda::Function whose POWERTOOLS_SERVICE_NAME is `name`."""
        found = [
            logical_id
            for logical_id, resource in self.resources("AWS::Lambda::Function").items()
            if resource["Properties"].get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME") == name
        ]
        assert len(found) == 1, f"function {name}: {found}"
        return found[0]


def synthesize(
    topology: Topology,
    stack_name: str,
    outdir: Path,
    *,
    customize: Callable[[LeadlineStack], None] | None = None,
    env: cdk.Environment | None = None,
) -> Synthesized:
    pip_calls: list = []

    def no_pip(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess:
        pip_calls.append(args)
        return subprocess.CompletedProcess(args=args, returncode=0, stdout="", stderr="")

    context = cdk_json_context()
    context["aws:cdk:bundling-stacks"] = []  # stage layers/shared as is: no pip, no network
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra.layer_bundling.subprocess, "run", no_pip)
        app = cdk.App(context=context, outdir=str(outdir))
        stack = LeadlineStack(app, stack_name, topology=topology, env=env)
        if customize is not None:
            customize(stack)
        cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
        assembly = app.synth()
    template_json = assembly.get_stack_by_name(stack_name).template
    return Synthesized(
        stack_name=stack_name,
        topology=topology,
        stack=stack,
        outdir=outdir,
        json=template_json,
        template=Template.from_json(template_json),
        pip_calls=pip_calls,
    )


def synthesize_pinned(region: str, outdir: Path) -> Synthesized:
    """The real topology's stack for ACCOUNT in `region`."""

    def acknowledge(stack: LeadlineStack) -> None:
        cdk.Validations.of(stack).acknowledge(NO_USER_POOLS_IN_CHINA)

    china = region.startswith("cn-")
    env = cdk.Environment(account=ACCOUNT, region=region)
    return synthesize(TOPOLOGY, MAIN_STACK, outdir, env=env, customize=acknowledge if china else None)
