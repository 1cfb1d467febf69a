#!/usr/bin/env python3
"""CDK app: `.venv/bin/python app.py` (or `cdk synth`) renders the Leadline stack offline.

No AWS call happens at synth: the environment comes from CDK_DEFAULT_ACCOUNT /
CDK_DEFAULT_REGION when the CLI sets them, else the stack is environment-agnostic.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.stack import LeadlineStack, cdk_json_context


def environment() -> cdk.Environment | None:
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    if account or region:
        return cdk.Environment(account=account, region=region)
    return None


def main() -> None:
    # cdk.json's context is the default; the CLI's context (CDK_CONTEXT_JSON, -c) overrides it.
    app = cdk.App(context=cdk_json_context(), outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    LeadlineStack(app, "Leadline", env=environment(), description="Leadline: calls to leads, serverless")
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
