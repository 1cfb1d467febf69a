"""Synthesizing the CDK stack offline, without bundling the layer (the fixtures are in tests/conftest.py).

Fixtures for every infra test:
- `synth_template`: `aws_cdk.assertions.Template` of the real topology's stack;
- `synth_json`: the same template as a plain dict;
- `synthesized`: both plus the cloud assembly directory (nag report, asset manifest);
- `probe`: a second stack whose topology adds a function with a rule, a schedule,
  events publishing, after-call work and a public webhook route, so that what the
  real topology does not use yet is rendered and checked too.

Both stacks run the cdk-nag AwsSolutions pack as the app does, with the
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
from infra.topology import Topology  # noqa: E402

MAIN_STACK = "Leadline"
PROBE_STACK = "LeadlineProbe"


@dataclass
class Synthesized:
    stack_name: str
    topology: Topology
    stack: LeadlineStack
    outdir: Path
    json: dict
    template: Template
    pip_calls: list = field(default_factory=list)

    def nag_report_path(self) -> Path:
        reports = sorted(self.outdir.glob(f"AwsSolutions-*{self.stack_name}-NagReport.csv"))
        assert len(reports) == 1, f"expected one nag report for {self.stack_name} in {self.outdir}: {reports}"
        return reports[0]

    def nag_report(self) -> list[dict[str, str]]:
        with self.nag_report_path().open(newline="") as handle:
            return list(csv.DictReader(handle))

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
        stack = LeadlineStack(app, stack_name, topology=topology)
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
