"""app.py pins the stack to an environment only when it knows both its account and its Region."""

from __future__ import annotations

import pytest

import app
from tests.support.synth import ACCOUNT


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"CDK_DEFAULT_ACCOUNT": ACCOUNT, "CDK_DEFAULT_REGION": "eu-west-2"}, (ACCOUNT, "eu-west-2")),
        # What the CDK CLI sets without credentials: its Region (us-east-1 when none is configured), no account.
        ({"CDK_DEFAULT_REGION": "us-east-1"}, None),
        ({"CDK_DEFAULT_ACCOUNT": ACCOUNT}, None),
        ({}, None),
    ],
)
def test_the_app_is_environment_agnostic_unless_it_knows_the_account_and_the_region(monkeypatch, variables, expected):
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    env = app.environment()
    assert (None if env is None else (env.account, env.region)) == expected
