"""The staff app's hosting, declared once and rendered twice: its files (`web/staff`, served as they are: no build
step), the paths that are the app's screens (every one answered with index.html), the security headers every
answer carries, and the staff API's CORS for the app's origin: CloudFront, Cognito and API Gateway in AWS
(infra/constructs/staff_app.py, auth.py, api.py), the local app server and gateway on one machine
(infra/local/app_server.py, gateway.py). Nothing here imports the CDK."""

from __future__ import annotations

import json

from infra.topology import ROOT

APP_DIR = ROOT / "web" / "staff"
INDEX = "index.html"
CONFIG_PATH = "/config.json"  # written at deploy (API URL, user pool, client); made by the local app server
# Where Cognito's managed login sends the browser back (with the authorization code) and after sign-out: the
# app's own paths (web/staff/assets/js/auth.js), registered as the app client's callback and logout URLs.
SIGNED_IN_PATH = "/signed-in"
SIGNED_OUT_PATH = "/signed-out"
OAUTH_SCOPES = ("openid", "email", "profile")
# Every file is revalidated on each load (no file name carries a version): a deploy is seen at once.
CACHE_CONTROL = "no-cache"
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


def is_a_file(path: str) -> bool:
    """Whether a request's path is one of the app's files (its assets, its config); any other path is a screen's,
    answered with index.html, whose router shows the screen or its own "not found". A missing file is a 404 (in AWS
    S3's 403), never the app in its place."""
    return path == CONFIG_PATH or path.startswith(ASSETS_PREFIX)


def screen_paths_function() -> str:
    """`is_a_file` as a CloudFront Function (JavaScript, runtime 2.0) on the viewer request: a screen's path is
    rewritten to index.html before the cache and S3, a file's path kept."""
    return f"""function handler(event) {{
  var request = event.request;
  var uri = request.uri;
  if (uri !== {json.dumps(CONFIG_PATH)} && uri.indexOf({json.dumps(ASSETS_PREFIX)}) !== 0) {{
    request.uri = {json.dumps("/" + INDEX)};
  }}
  return request;
}}
"""


def cognito_config(*, api_url: str, domain: str, client_id: str) -> dict:
    """The app's /config.json in AWS: the staff API's URL (stage included, no trailing slash) and Cognito's managed
    login (the user pool domain's https URL and the app's public client)."""
    return {"api_url": api_url, "auth": {"kind": "cognito", "domain": domain, "client_id": client_id}}


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


# The staff API's CORS preflight for the app's origin, answered before any token is checked and without a function:
# API Gateway's mock OPTIONS method on each staff resource in AWS, the local gateway on one machine.
PREFLIGHT_STATUS = 204
PREFLIGHT_METHODS = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
PREFLIGHT_HEADERS = "Authorization,Content-Type"
PREFLIGHT_MAX_AGE = "600"
ALLOW_ORIGIN = "Access-Control-Allow-Origin"  # also on the gateway's own refusals (401, 403, 5xx)


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        ALLOW_ORIGIN: origin,
        "Access-Control-Allow-Methods": PREFLIGHT_METHODS,
        "Access-Control-Allow-Headers": PREFLIGHT_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
    }
