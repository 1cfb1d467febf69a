#!/usr/bin/env python3
"""CDK app: `.venv/bin/python app.py` (or `cdk synth`) renders the Leadline stack offline.

No AWS call happens at synth: the environment comes from CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION when both
are set (the CDK CLI sets them from the deployer's credentials and AWS configuration), else the stack is
environment-agnostic.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.stack import LeadlineStack, cdk_json_context


def environment() -> cdk.Environment | None:
    """The account and Region the stack is pinned to, or None (environment-agnostic): both or neither.

    Without credentials the CLI finds no account but still sets CDK_DEFAULT_REGION, to the Region of the AWS
    configuration or to us-east-1 when there is none, overriding any CDK_DEFAULT_REGION of the caller. A stack
    pinned to that Region names it in every ARN (SES identities, transcription jobs, secrets); an
    environment-agnostic one names ${AWS::Region} and is right in whatever Region it is deployed to."""
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    if account and region:
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
