"""Operator commands against a deployed stack: create a tenant with its first admin, and give an employee a
sign-in (a Cognito user whose immutable attributes carry the tenant, the employee and the role).

    .venv/bin/python -m infra.admin create-tenant --tenant-id acme --name "Acme Home Services" \
        --time-zone America/Chicago --admin-name "Olivia Owens" --admin-email olivia@acme.example
    .venv/bin/python -m infra.admin invite --tenant-id acme --employee-id emp_...
    .venv/bin/python -m infra.admin set-telephony --tenant-id acme --file telephony.json
    .venv/bin/python -m infra.admin set-partner-credentials --tenant-id acme --file partners.json
    .venv/bin/python -m infra.admin rebuild-reports --tenant-id acme --check

`telephony.json` holds the tenant's vendor credentials, e.g. {"twilio": {"account_sid": "AC...", "auth_token": "..."},
"callrail": {"signing_key": "..."}, "native": {"signing_secret": "..."}} (docs/webhooks.md); it is stored in
Secrets Manager, encrypted with the stack's tenant-secrets key, and never printed. `partners.json` likewise holds
the lead partners' credentials (docs/partners.md): {"thumbtack": {"username": "...", "password": "..."},
"angi": {"api_key": "..."}, "generic": {"<partner>": {"signing_secret": "..."}}}; each command replaces the whole
secret of its kind, so the file lists every vendor (or partner) the tenant uses.

Both read the table name and the user pool from the stack's outputs (`--stack`, default Leadline), with the
AWS credentials and region of the shell.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from infra.topology import SECRETS_PREFIX
from leadline import config

STACK_NAME = "Leadline"


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def deployed_stack_outputs(stack_name: str) -> dict[str, str]:
    """The stack's outputs, or one sentence saying what to do when there is no region, no credentials or no stack."""
    import boto3
    from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError

    try:
        cloudformation = boto3.client("cloudformation")
    except NoRegionError:
        raise SystemExit("No AWS region: set AWS_REGION or AWS_DEFAULT_REGION (or run `aws configure`).") from None
    try:
        return stack_outputs(cloudformation, stack_name)
    except NoCredentialsError:
        raise SystemExit(
            "No AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or run `aws configure` or `aws sso login`)."
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "ValidationError" and "does not exist" in error.get("Message", ""):
            region = cloudformation.meta.region_name
            raise SystemExit(
                f"No stack named {stack_name} in {region}: deploy it first (make deploy) or pass --stack."
            ) from None
        raise


def sign_in_attributes(tenant_id: str, employee: dict) -> list[dict[str, str]]:
    return [
        {"Name": "email", "Value": employee["email"]},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "custom:tenant_id", "Value": tenant_id},
        {"Name": "custom:employee_id", "Value": employee["employee_id"]},
        {"Name": "custom:role", "Value": employee["role_id"]},
    ]


def invite(cognito: Any, user_pool_id: str, tenant_id: str, employee_id: str) -> dict:
    """A Cognito user for an existing employee; Cognito emails them a temporary password."""
    from leadline.setup import service

    employee = service.get_employee(tenant_id, employee_id)
    cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=employee["email"],
        UserAttributes=sign_in_attributes(tenant_id, employee),
        DesiredDeliveryMediums=["EMAIL"],
    )
    return employee


def create_tenant(
    cognito: Any, user_pool_id: str, *, tenant_id: str, name: str, time_zone: str, admin_name: str, admin_email: str
) -> dict:
    """The tenant's settings and default roles, its first admin employee, and that admin's sign-in."""
    from leadline.setup import service

    service.create_tenant(tenant_id, name=name, time_zone=time_zone)
    admin = service.create_employee(
        tenant_id,
        {
            "name": admin_name,
            "email": admin_email.strip().lower(),
            "phone": None,
            "role_id": "admin",
            "granted_permissions": set(),
            "active": True,
        },
    )
    invite(cognito, user_pool_id, tenant_id, admin["employee_id"])
    return admin


TELEPHONY_FIELDS = {
    "twilio": ("account_sid", "auth_token"),
    "callrail": ("signing_key",),
    "native": ("signing_secret",),
}


def set_telephony(secrets_client: Any, tenant_id: str, value: dict, *, kms_key_id: str | None = None) -> None:
    """Check the shape (a typo would only show as refused webhooks later), then store."""
    from leadline import credentials

    unknown = sorted(set(value) - set(TELEPHONY_FIELDS))
    if unknown:
        raise SystemExit(f"unknown vendor(s): {', '.join(unknown)}; expected {', '.join(TELEPHONY_FIELDS)}")
    for vendor, fields in TELEPHONY_FIELDS.items():
        missing = [f for f in fields if vendor in value and not value[vendor].get(f)]
        if missing:
            raise SystemExit(f"{vendor}: missing {', '.join(missing)}")
    credentials.write(secrets_client, tenant_id, credentials.TELEPHONY, value, kms_key_id=kms_key_id)


def set_partner_credentials(secrets_client: Any, tenant_id: str, value: dict, *, kms_key_id: str | None = None) -> None:
    """Check the shape (a typo would only show as refused leads later), then store: each registered partner's
    credentials as that partner can use them, and each generic partner's by the name in its URL, with a signing
    secret long enough."""
    from leadline.errors import InvalidInput, NotFound
    from leadline.partners import integrations, registry

    names = [p.name for p in registry.registered()]
    unknown = sorted(set(value) - {*names, "generic"})
    if unknown:
        raise SystemExit(f"unknown partner(s): {', '.join(unknown)}; expected {', '.join([*names, 'generic'])}")
    generic = value.get("generic", {})
    if not isinstance(generic, dict):
        raise SystemExit('generic: expected {"<partner>": {"signing_secret": "..."}}')
    checks = [(name, registry.named(name), value[name]) for name in names if name in value]
    for name, given in generic.items():
        try:
            checks.append((f"generic.{name}", registry.generic(name), given))
        except NotFound as exc:
            raise SystemExit(f"generic: {exc.message}") from None
    for where, partner, given in checks:
        try:
            partner.check_credentials(given)
        except InvalidInput as exc:
            raise SystemExit(f"{where}: {exc.message}") from None
    integrations.store_credentials(secrets_client, tenant_id, value, kms_key_id=kms_key_id)


def rebuild_reports(tenant_id: str, *, check_only: bool) -> int:
    """Recount the report counters from the records: list the differences, or replace the counters (exit 1 when a
    check finds any)."""
    from leadline.reports import rebuild

    found = rebuild.differences(tenant_id)
    for d in found:
        print(f"{d['dimension']} {d['day']} {d['value']} {d['counter']}: kept {d['kept']}, recounted {d['recounted']}")
    if check_only:
        print(f"{len(found)} difference(s) between the report counters and the records of {tenant_id}")
        return 1 if found else 0
    written = rebuild.rebuild(tenant_id)
    print(f"report counters of {tenant_id} rebuilt from the records: {written} counter items")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.admin")
    parser.add_argument("--stack", default=STACK_NAME)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-tenant", help="a new tenant with its first admin")
    create.add_argument("--tenant-id", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--time-zone", required=True, help="IANA, e.g. America/Chicago")
    create.add_argument("--admin-name", required=True)
    create.add_argument("--admin-email", required=True)
    inv = sub.add_parser("invite", help="a sign-in for an existing employee")
    inv.add_argument("--tenant-id", required=True)
    inv.add_argument("--employee-id", required=True)
    reports = sub.add_parser("rebuild-reports", help="recount a tenant's report counters from its records")
    reports.add_argument("--tenant-id", required=True)
    reports.add_argument("--check", action="store_true", help="only list the differences (exit 1 if any)")
    tel = sub.add_parser("set-telephony", help="store a tenant's telephony vendor credentials")
    tel.add_argument("--tenant-id", required=True)
    tel.add_argument("--file", required=True, help="a JSON file (see docs/webhooks.md)")
    par = sub.add_parser("set-partner-credentials", help="store a tenant's lead partner credentials")
    par.add_argument("--tenant-id", required=True)
    par.add_argument("--file", required=True, help="a JSON file (see docs/partners.md)")
    args = parser.parse_args(argv)

    if os.environ.get(config.AWS_REGION):  # as the AWS CLI and the CDK read it, ahead of AWS_DEFAULT_REGION (boto3's)
        os.environ[config.AWS_DEFAULT_REGION] = os.environ[config.AWS_REGION]
    outputs = deployed_stack_outputs(args.stack)
    import boto3

    os.environ[config.RECORDS_TABLE_NAME] = outputs["RecordsTableName"]  # before the models are imported
    os.environ.setdefault(config.LEADLINE_SECRETS_PREFIX, SECRETS_PREFIX)
    if args.command == "set-telephony":
        telephony = json.loads(Path(args.file).read_text())
        set_telephony(
            boto3.client("secretsmanager"), args.tenant_id, telephony, kms_key_id=outputs.get("TenantSecretsKeyArn")
        )
        print(f"telephony credentials stored for {args.tenant_id}: {', '.join(sorted(telephony))}")
        return 0
    if args.command == "set-partner-credentials":
        partners = json.loads(Path(args.file).read_text())
        set_partner_credentials(
            boto3.client("secretsmanager"), args.tenant_id, partners, kms_key_id=outputs.get("TenantSecretsKeyArn")
        )
        names = sorted(p for p in partners if p != "generic") + sorted(partners.get("generic", {}))
        print(f"partner credentials stored for {args.tenant_id}: {', '.join(names)}")
        return 0
    if args.command == "rebuild-reports":
        return rebuild_reports(args.tenant_id, check_only=args.check)
    cognito = boto3.client("cognito-idp")
    from leadline.errors import DomainError

    try:
        if args.command == "create-tenant":
            admin = create_tenant(
                cognito,
                outputs["UserPoolId"],
                tenant_id=args.tenant_id,
                name=args.name,
                time_zone=args.time_zone,
                admin_name=args.admin_name,
                admin_email=args.admin_email,
            )
            print(f"tenant {args.tenant_id} created; {admin['email']} invited as its admin ({admin['employee_id']})")
        else:
            employee = invite(cognito, outputs["UserPoolId"], args.tenant_id, args.employee_id)
            print(f"{employee['email']} invited ({employee['role_id']})")
    except DomainError as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
