"""The operator's commands create a tenant, its first admin and a sign-in whose claims match the records."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from infra import admin as admin_commands
from infra.local.runtime import REGION
from infra.topology import ROOT
from leadline.errors import Conflict
from leadline.setup import service


@pytest.fixture
def user_pool(runtime):
    cognito = runtime.client("cognito-idp")
    pool = cognito.create_user_pool(
        PoolName=f"staff-{uuid.uuid4().hex[:6]}",
        Schema=[
            {"Name": n, "AttributeDataType": "String", "Mutable": False} for n in ("tenant_id", "employee_id", "role")
        ],
    )["UserPool"]["Id"]
    return cognito, pool


def test_create_tenant_makes_the_records_and_the_admins_sign_in(user_pool):
    cognito, pool = user_pool
    tenant_id = f"acme-{uuid.uuid4().hex[:6]}"
    made = admin_commands.create_tenant(
        cognito,
        pool,
        tenant_id=tenant_id,
        name="Acme",
        time_zone="America/Chicago",
        admin_name="Olivia",
        admin_email="Olivia@Acme.example",
    )
    user = cognito.admin_get_user(UserPoolId=pool, Username="olivia@acme.example")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:tenant_id"] == tenant_id
    assert attributes["custom:employee_id"] == made["employee_id"]
    assert attributes["custom:role"] == "admin"
    assert service.get_settings(tenant_id)["second_chance_leads"]["enabled"] is False
    with pytest.raises(Conflict):
        admin_commands.create_tenant(
            cognito,
            pool,
            tenant_id=tenant_id,
            name="Again",
            time_zone="America/Chicago",
            admin_name="X",
            admin_email="x@acme.example",
        )


def test_stack_outputs_are_read_by_key():
    class FakeCloudFormation:
        def describe_stacks(self, StackName):  # noqa: N803 - boto3's spelling
            assert StackName == "Leadline"
            return {"Stacks": [{"Outputs": [{"OutputKey": "RecordsTableName", "OutputValue": "t-1"}]}]}

    assert admin_commands.stack_outputs(FakeCloudFormation(), "Leadline") == {"RecordsTableName": "t-1"}


def test_set_telephony_stores_credentials_the_webhooks_then_accept(runtime, tenant):
    telephony = {"twilio": {"account_sid": "AC" + "1" * 32, "auth_token": "t" * 32}}
    admin_commands.set_telephony(runtime.client("secretsmanager"), tenant.tenant_id, telephony)
    from leadline import credentials

    stored = runtime.client("secretsmanager").get_secret_value(
        SecretId=credentials.secret_name(tenant.tenant_id, credentials.TELEPHONY)
    )
    assert json.loads(stored["SecretString"]) == telephony
    with pytest.raises(SystemExit, match="auth_token"):
        admin_commands.set_telephony(
            runtime.client("secretsmanager"), tenant.tenant_id, {"twilio": {"account_sid": "AC1"}}
        )
    with pytest.raises(SystemExit, match="unknown vendor"):
        admin_commands.set_telephony(runtime.client("secretsmanager"), tenant.tenant_id, {"twillio": {}})


# --- without a region, credentials or a stack: one sentence saying what to do, and a non-zero exit ---------------


@pytest.fixture
def bare_aws(monkeypatch, tmp_path):
    """An environment with no AWS configuration at all (no files, no instance metadata), in a fresh boto3 session."""
    import boto3

    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return monkeypatch


def test_without_a_region_the_command_says_how_to_set_one(bare_aws):
    env = {k: v for k, v in os.environ.items() if k != "RECORDS_TABLE_NAME"}
    done = subprocess.run(
        [sys.executable, "-m", "infra.admin", "invite", "--tenant-id", "acme", "--employee-id", "emp-1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip() == "No AWS region: set AWS_REGION or AWS_DEFAULT_REGION (or run `aws configure`)."


def test_without_credentials_the_command_says_how_to_give_them(bare_aws):
    bare_aws.setenv("AWS_REGION", "eu-west-2")
    with pytest.raises(SystemExit, match=r"^No AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID"):
        admin_commands.main(["invite", "--tenant-id", "acme", "--employee-id", "emp-1"])


def test_without_the_stack_the_command_says_to_deploy_it(runtime):
    # the runtime's embedded AWS (AWS_ENDPOINT_URL) has no CloudFormation stack
    with pytest.raises(SystemExit) as exited:
        admin_commands.main(["--stack", "Leadline-missing", "rebuild-reports", "--tenant-id", "acme", "--check"])
    assert str(exited.value) == (
        f"No stack named Leadline-missing in {REGION}: deploy it first (make deploy) or pass --stack."
    )
