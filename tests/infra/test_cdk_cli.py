"""`cdk synth` with the real CDK CLI, as a deployer runs it: the CLI at the Makefile's CDK_CLI_VERSION (from the
npm registry), cdk.json's app command, the CLI's context and environment variables, and the shared layer bundled
with pip (from PyPI). The machine's AWS configuration and credentials are hidden from the CLI, as on a machine
that has none."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from infra.constructs.notifications import NOTIFICATION_SENDER_CONTEXT
from infra.topology import NOTIFIER, ROOT
from leadline import config
from tests.support.synth import ACCOUNT, MAIN_STACK, nag_report, unresolved_nag_findings

pytestmark = pytest.mark.slow

SENDER = "Acme Alerts <alerts@acme.example>"


def cli_version() -> str:
    found = re.search(r"^CDK_CLI_VERSION\s*:?=\s*(\S+)\s*$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found, "no CDK_CLI_VERSION in the Makefile"
    return found.group(1)


def cdk_synth(outdir: Path, *args: str, **env: str) -> None:
    """`npx aws-cdk@<version> synth --output outdir` in the repository, with no AWS configuration but `env`:
    it succeeds, and cdk-nag leaves nothing unsuppressed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_")) or k == "AWS_CA_BUNDLE"}
    clean |= {
        # Neither the machine's profiles, credentials and Region nor the instance metadata service.
        "AWS_CONFIG_FILE": str(outdir.parent / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(outdir.parent / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        # No telemetry, nor the daily look-up of a newer CLI version.
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "true",
        **env,
    }
    command = ["npx", "--yes", f"aws-cdk@{cli_version()}", "synth", "--output", str(outdir), "--quiet", "--no-notices"]
    result = subprocess.run([*command, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert unresolved_nag_findings(nag_report(outdir, MAIN_STACK)) == []


def stack_environment(outdir: Path) -> str:
    return json.loads((outdir / "manifest.json").read_text())["artifacts"][MAIN_STACK]["environment"]


def template(outdir: Path) -> dict:
    return json.loads((outdir / f"{MAIN_STACK}.template.json").read_text())


def test_cdk_synth_without_credentials_is_environment_agnostic_with_the_layer_bundled(tmp_path):
    outdir = tmp_path / "cdk.out"
    cdk_synth(outdir, "--context", f"{NOTIFICATION_SENDER_CONTEXT}={SENDER}")
    # The CLI sets CDK_DEFAULT_REGION (us-east-1 when it finds no Region) but finds no account: the app pins nothing.
    assert stack_environment(outdir) == "aws://unknown-account/unknown-region"
    resources = template(outdir)["Resources"].values()
    # The CLI's context reaches the app, over cdk.json's.
    [notifier] = [
        r
        for r in resources
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"]["Environment"]["Variables"].get("POWERTOOLS_SERVICE_NAME") == NOTIFIER.name
    ]
    assert notifier["Properties"]["Environment"]["Variables"][config.NOTIFICATION_SENDER] == SENDER
    # The shared layer is bundled: its pinned requirements installed beside the leadline package.
    assets = json.loads((outdir / f"{MAIN_STACK}.assets.json").read_text())["files"].values()
    [layer] = [a for a in assets if a.get("displayName", "").startswith("Layers/Shared")]
    bundled = outdir / layer["source"]["path"] / "python"
    assert {"leadline", "pynamodb", "phonenumbers"} <= {path.name for path in bundled.iterdir()}


def test_cdk_synth_takes_the_account_from_the_caller_and_the_region_from_the_aws_configuration(tmp_path):
    outdir = tmp_path / "cdk.out"
    # The CLI passes CDK_DEFAULT_ACCOUNT through when it finds no credentials, but sets CDK_DEFAULT_REGION itself,
    # from AWS_REGION (or the profile's Region, else us-east-1): the caller's us-west-2 is not what the app gets.
    cdk_synth(outdir, CDK_DEFAULT_ACCOUNT=ACCOUNT, CDK_DEFAULT_REGION="us-west-2", AWS_REGION="eu-west-2")
    assert stack_environment(outdir) == f"aws://{ACCOUNT}/eu-west-2"
    text = json.dumps(template(outdir))
    assert f"arn:aws:ses:eu-west-2:{ACCOUNT}:identity/*" in text
    assert "us-west-2" not in text and "us-east-1" not in text
