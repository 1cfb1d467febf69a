"""Staff tokens on one machine: the local runtime signs them itself and checks them the way API Gateway's
Cognito authorizer checks an ID token (signature, expiry, issuer, audience), then hands the handler the
same claims (`custom:tenant_id`, `custom:employee_id`, `custom:role`)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import jwt

ISSUER = "leadline-local"
AUDIENCE = "leadline-staff"
LIFETIME_SECONDS = 12 * 3600


def signing_key(state_dir: Path) -> str:
    """A random key kept in the git-ignored state folder, so tokens outlive a restart of `make run`."""
    path = state_dir / "signing-key"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def issue(
    key: str,
    *,
    tenant_id: str,
    employee_id: str,
    role_id: str,
    email: str = "",
    lifetime_seconds: int = LIFETIME_SECONDS,
) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": employee_id,
        "token_use": "id",
        "iat": now,
        "exp": now + lifetime_seconds,
        "email": email,
        "custom:tenant_id": tenant_id,
        "custom:employee_id": employee_id,
        "custom:role": role_id,
    }
    return jwt.encode(claims, key, algorithm="HS256")


def verify(key: str, authorization: str | None) -> dict | None:
    """The claims of a valid `Bearer <token>`, or None (the caller answers 401, as API Gateway does)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = jwt.decode(
            token.strip(),
            key,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError:
        return None
    return {k: str(v) for k, v in claims.items()}
