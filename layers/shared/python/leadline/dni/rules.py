"""The rules of dynamic number insertion that need no data: the website's domain and its origins, the visitor's
source as the snippet reports it, and which campaign that source belongs to.

A visitor's source is, in this order: `utm_source` / `utm_medium` as given; a Google Ads click id (`gclid`) is
google / cpc; a referrer from another site is that site (medium `organic` for the usual search engines, else
`referral`); nothing at all is `(direct)` / `(none)`. The company's source rules (first match wins; each names
some of `utm_source`, `utm_medium`, `utm_campaign`, compared without case) map it to a campaign; when none
matches, the campaign of the tracking number the visitor is shown (e.g. "Website"); else Unknown.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from leadline.errors import InvalidInput

DEFAULT_SESSION_MINUTES = 30
MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 240
MAX_POOL = 30  # one transaction flags the numbers that join and leave the pool (DynamoDB: 100 items)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
SEARCH_ENGINES = ("google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "ask")


def check_domain(value: str, *, field: str = "domain") -> str:
    """The website's bare domain (`acme-home.example`, `www.acme-home.example`) in lower case, or why it is not."""

    def refuse(why: str) -> InvalidInput:
        return InvalidInput(f"domain '{value[:100]}' {why}", field=field)

    text = (value or "").strip().lower()
    if not text:
        raise InvalidInput("domain is empty: enter the website's bare domain, e.g. acme-home.example", field=field)
    scheme = "has a scheme: enter the bare domain without http:// or https://, e.g. acme-home.example"
    if "://" in text:
        raise refuse(scheme)
    if "/" in text or "?" in text or "#" in text:
        raise refuse("has a path: enter only the domain, without / and what follows, e.g. acme-home.example")
    if "@" in text:
        raise refuse("has a user name (@): enter only the domain, e.g. acme-home.example")
    if re.fullmatch(r"[^:]+:\d*", text):
        raise refuse("has a port: enter only the domain, without :port (browsers use the site's usual ports)")
    if ":" in text:
        raise refuse(scheme if re.match(r"^[a-z][a-z0-9+.-]*:", text) else "is not a hostname: ':' has no place in it")
    if "*" in text:
        raise refuse("has a wildcard: enter the one domain the snippet is installed on")
    text = text.removesuffix(".")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise refuse("is an IP address: enter the website's domain name, e.g. acme-home.example")
    try:
        text = text.encode("idna").decode("ascii")  # an internationalised name as browsers send it (xn--)
    except UnicodeError:
        raise refuse("is not a hostname: use letters, digits, '-' and '.' only, e.g. acme-home.example") from None
    labels = text.split(".")
    if len(labels) < 2:
        raise refuse("is not a full domain: it needs a name and a top-level domain, e.g. acme-home.example")
    if len(text) > 253 or not all(_LABEL.match(label) for label in labels):
        raise refuse(
            "is not a hostname: use letters, digits and '-' between dots (no spaces, no '-' at either end of a "
            "part, at most 63 characters a part), e.g. acme-home.example"
        )
    if labels[-1].isdigit():
        raise refuse("is not a hostname: its top-level domain is a number")
    return text


def check_session_minutes(minutes: int) -> int:
    if minutes < MIN_SESSION_MINUTES:
        raise InvalidInput(
            f"session_minutes must be at least {MIN_SESSION_MINUTES}: a visitor needs time to read the page and call "
            "while the number is still theirs",
            field="session_minutes",
        )
    if minutes > MAX_SESSION_MINUTES:
        raise InvalidInput(
            f"session_minutes must be at most {MAX_SESSION_MINUTES}: a longer window holds numbers for visitors long "
            "gone, so the pool runs out and reuses numbers sooner",
            field="session_minutes",
        )
    return minutes


def allowed_origins(domain: str) -> frozenset[str]:
    """The browser origins that may ask for sessions: the domain and its www twin, over https and http."""
    hosts = {domain, domain.removeprefix("www.") if domain.startswith("www.") else f"www.{domain}"}
    return frozenset(f"{scheme}://{host}" for host in hosts for scheme in ("https", "http"))


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, as browsers write an Origin header."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


@dataclass(frozen=True)
class Visit:
    """What the snippet tells about a visitor."""

    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    gclid: str | None = None
    referrer: str | None = None
    landing_url: str | None = None
    session_id: str | None = None


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url).hostname or "").lower() if url else ""
    except ValueError:
        return ""


def source_of(visit: Visit, domain: str) -> dict[str, str]:
    """The visitor's source as kept on the session: what the snippet sent, plus `source` and `medium` worked out."""
    kept = {
        k: v
        for k, v in (
            ("utm_source", visit.utm_source),
            ("utm_medium", visit.utm_medium),
            ("utm_campaign", visit.utm_campaign),
            ("gclid", visit.gclid),
            ("referrer", visit.referrer),
            ("landing_url", visit.landing_url),
        )
        if v
    }
    referrer_host = _host(visit.referrer).removeprefix("www.")
    own = domain.removeprefix("www.")
    if visit.utm_source:
        source, medium = visit.utm_source.lower(), (visit.utm_medium or "").lower() or "(not set)"
    elif visit.gclid:
        source, medium = "google", "cpc"
    elif referrer_host and referrer_host != own and not referrer_host.endswith("." + own):
        engine = next((e for e in SEARCH_ENGINES if re.search(rf"(^|\.){e}\.", referrer_host + ".")), None)
        source, medium = (engine, "organic") if engine else (referrer_host, "referral")
    else:
        source, medium = "(direct)", "(none)"
    return {**kept, "source": source, "medium": medium}


MATCHED_FIELDS = ("utm_source", "utm_medium", "utm_campaign")


def match_rule(source: dict[str, str], rules: list[dict[str, Any]]) -> tuple[str | None, int | None]:
    """(campaign_id, rule index) of the first rule the source matches; (None, None) when none does."""
    seen = {"utm_source": source.get("source"), "utm_medium": source.get("medium"), "utm_campaign": None}
    seen["utm_campaign"] = (source.get("utm_campaign") or "").lower() or None
    for index, rule in enumerate(rules):
        wanted = {f: (rule.get(f) or "").lower() for f in MATCHED_FIELDS if rule.get(f)}
        if wanted and all(seen[f] == v for f, v in wanted.items()):
            return rule["campaign_id"], index
    return None, None
