"""The staff app's hosting, declared once and rendered twice: its files (`web/staff`, served as they are: no build
step), the paths that are the app's screens (every one answered with index.html), and the security headers every
answer carries: CloudFront's response headers policy in AWS (infra/constructs/staff_app.py), the local app server
on one machine (infra/local/app_server.py). Nothing here imports the CDK."""

from __future__ import annotations

from infra.topology import ROOT

APP_DIR = ROOT / "web" / "staff"
INDEX = "index.html"
CONFIG_PATH = "/config.json"  # written at deploy (API URL, user pool, client); made by the local app server
ASSETS_PREFIX = "/assets/"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def content_security_policy(*, api_origin: str, sign_in_origin: str | None = None) -> str:
    """Scripts and styles from the app's own origin only; fetches to the staff API (and Cognito's token endpoint);
    recordings played from https anywhere (the vendors' own storage); no framing, no plugins."""
    connect = " ".join(filter(None, ("'self'", api_origin, sign_in_origin)))
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src 'self' https:",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# The headers beside the content security policy (CloudFront's security headers, one for one).
STRICT_TRANSPORT_SECONDS = 63_072_000  # two years
REFERRER_POLICY = "strict-origin-when-cross-origin"


def security_headers(*, api_origin: str, sign_in_origin: str | None = None, https: bool = True) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(api_origin=api_origin, sign_in_origin=sign_in_origin),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": REFERRER_POLICY,
    }
    if https:
        headers["Strict-Transport-Security"] = f"max-age={STRICT_TRANSPORT_SECONDS}; includeSubDomains"
    return headers
