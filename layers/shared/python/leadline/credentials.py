"""Tenants' vendor and partner credentials, in Secrets Manager under LEADLINE_SECRETS_PREFIX.

One secret per tenant and kind, JSON, e.g. `<prefix><tenant>/telephony`:
    {"twilio": {"account_sid": "AC...", "auth_token": "..."},
     "callrail": {"signing_key": "..."},
     "native": {"signing_secret": "..."}}
Read through Powertools' parameters utility, cached for five minutes per container.
"""

from __future__ import annotations

import json
import re

from leadline import config
from leadline.errors import NotFound

TELEPHONY = "telephony"
CACHE_SECONDS = 300
_TENANT_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def secret_name(tenant_id: str, kind: str) -> str:
    if not _TENANT_ID.match(tenant_id or ""):
        raise NotFound("no such tenant")
    return f"{config.secrets_prefix()}{tenant_id}/{kind}"


def read(tenant_id: str, kind: str, *, fresh: bool = False) -> dict:
    """The tenant's credentials of this kind, or {} when none are configured. `fresh`: not the cached copy (applying
    a kept delivery again after an operator fixed the credentials)."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = parameters.get_secret(secret_name(tenant_id, kind), max_age=CACHE_SECONDS, force_fetch=fresh)
    except GetParameterError:
        return {}
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def write(client, tenant_id: str, kind: str, value: dict, *, kms_key_id: str | None = None) -> None:
    """Create or replace the tenant's credentials of this kind (operators and the local demo seed)."""
    name = secret_name(tenant_id, kind)
    body = json.dumps(value)
    try:
        client.put_secret_value(SecretId=name, SecretString=body)
    except client.exceptions.ResourceNotFoundException:
        extra = {"KmsKeyId": kms_key_id} if kms_key_id else {}
        client.create_secret(Name=name, SecretString=body, **extra)
