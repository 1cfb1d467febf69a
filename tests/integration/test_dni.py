"""Dynamic number insertion against the local runtime: the configuration and its refusals, sessions (held numbers,
returning visitors, reuse when the pool runs out, concurrent visitors), CORS, the snippet and the test page, and calls
to pool numbers attributed to the visitor's source inside the session window (direct outside it)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from leadline.data import store
from leadline.data.models import Call, DniSession
from leadline.data.repositories import calls, tracking_numbers
from leadline.dni import service
from leadline.dni.rules import Visit, check_domain, source_of
from leadline.errors import InvalidInput
from tests.support.webhooks import twilio_sid

DOMAIN = "acme-home.example"
DEFAULT = "+15125550300"
POOL = ["+15125550310", "+15125550311", "+15125550312"]


def _setup(tenant, pool=POOL, *, campaign_numbers=True, rules=True, **extra) -> dict:
    """A Website campaign whose tracking numbers make the pool, a Google Ads campaign for google / cpc visitors."""
    admin = tenant.admin
    website = admin.post("/v1/campaigns", {"name": "Website", "category": "Website"}).json()["campaign_id"]
    google = admin.post("/v1/campaigns", {"name": "Google Ads"}).json()["campaign_id"]
    for number in pool:
        body = {"number": number, "campaign_id": website if campaign_numbers else None}
        assert admin.post("/v1/tracking-numbers", body).status_code == 201
    config = {
        "pool": pool,
        "domain": DOMAIN,
        "default_number": DEFAULT,
        "source_rules": [{"utm_source": "google", "utm_medium": "cpc", "campaign_id": google}] if rules else [],
        **extra,
    }
    response = admin.put("/v1/dni", config)
    assert response.status_code == 200, response.text
    return {"website": website, "google": google, "config": response.json()}


def _sessions(runtime, tenant_id: str, body: dict, origin: str | None = None) -> requests.Response:
    headers = {"Origin": origin} if origin else {}
    return requests.post(f"{runtime.api_url}/dni/{tenant_id}/sessions", json=body, headers=headers, timeout=30)


def _ring(tenant, to: str, sid: str, *, at: datetime | None = None, status="ringing", seq=0) -> None:
    """A Twilio-signed status callback of an inbound call to `to`, begun at `at` (now by default)."""
    params = {
        "CallSid": sid,
        "From": "+15125550177",
        "To": to,
        "Direction": "inbound",
        "CallStatus": status,
        "SequenceNumber": str(seq),
        "Timestamp": format_datetime(at or datetime.now(UTC)),
    }
    response = tenant.vendors.twilio("voice-status", params)
    assert response.status_code == 200, response.text


def _call(tenant, to: str, *, at: datetime | None = None) -> dict:
    sid = twilio_sid()
    _ring(tenant, to, sid, at=at)
    return tenant.admin.get(f"/v1/calls/{sid}").json()


def _stored_call(tenant, call_id: str) -> Call:
    return calls.get(tenant.tenant_id, call_id)


def _setup_numbers_only(tenant, pool=POOL[:1]):
    for number in pool:
        tenant.admin.post("/v1/tracking-numbers", {"number": number})


# --- the configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("acme-home.example", "acme-home.example"),
        ("www.acme-home.example", "www.acme-home.example"),
        ("  ACME-Home.Example. ", "acme-home.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_a_bare_domain_is_accepted(value, expected):
    assert check_domain(value) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("http://acme-home.example", "has a scheme"),
        ("https://www.acme-home.example/", "has a scheme"),
        ("http:acme-home.example", "has a scheme"),
        ("acme-home.example/contact", "has a path"),
        ("acme-home.example?x=1", "has a path"),
        ("acme-home.example:8080", "has a port"),
        ("olivia@acme-home.example", "user name"),
        ("*.acme-home.example", "wildcard"),
        ("192.168.1.20", "IP address"),
        ("localhost", "not a full domain"),
        ("acme home.example", "not a hostname"),
        ("-acme.example", "not a hostname"),
        ("acme..example", "not a hostname"),
        ("acme.123", "top-level domain is a number"),
        ("", "empty"),
    ],
)
def test_a_domain_that_is_not_a_bare_hostname_is_refused_saying_why(tenant, value, why):
    with pytest.raises(InvalidInput) as refused:
        check_domain(value)
    assert why in refused.value.message
    _setup_numbers_only(tenant)
    response = tenant.admin.put("/v1/dni", {"pool": POOL[:1], "domain": value, "default_number": DEFAULT})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "domain"
    assert why in response.json()["message"]


def test_the_configuration_is_kept_flags_its_numbers_and_says_how_to_install(tenant, runtime):
    # Given no configuration yet
    before = tenant.admin.get("/v1/dni").json()
    assert before["configured"] is False and before["session_minutes"] == 30 and before["pool"] == []
    # When the marketing manager sets it
    setup = _setup(tenant)
    # Then it is kept with the defaults, and says what to put in the site's head
    config = tenant.csr.get("/v1/dni").json()  # any staff member may read it
    assert config == setup["config"]
    assert (config["configured"], config["domain"], config["pool"]) == (True, DOMAIN, POOL)
    assert (config["session_minutes"], config["default_number"]) == (30, DEFAULT)
    install = config["install"]
    assert install["snippet_url"] == f"{runtime.api_url}/dni/{tenant.tenant_id}/snippet.js"
    assert install["html"] == f'<script src="{install["snippet_url"]}" async></script>'
    assert install["test_page_url"] == f"{runtime.api_url}/dni/{tenant.tenant_id}/test-page"
    flags = {n: tracking_numbers.get(tenant.tenant_id, n).dni_pool for n in POOL}
    assert flags == dict.fromkeys(POOL, True)
    # And a number leaving the pool loses its flag, in the same change
    changed = tenant.admin.put(
        "/v1/dni", {"pool": POOL[:2], "domain": "www.acme-home.example", "default_number": DEFAULT}
    )
    assert changed.status_code == 200 and changed.json()["pool"] == POOL[:2]
    assert tracking_numbers.get(tenant.tenant_id, POOL[2]).dni_pool is None
    assert tracking_numbers.get(tenant.tenant_id, POOL[0]).dni_pool is True
    # And a tracking number edited afterwards keeps its flag
    assert tenant.admin.patch(f"/v1/tracking-numbers/{POOL[0]}", {"label": "Website 1"}).status_code == 200
    assert tracking_numbers.get(tenant.tenant_id, POOL[0]).dni_pool is True


def test_only_marketing_may_change_it(tenant):
    _setup_numbers_only(tenant)
    response = tenant.csr.put("/v1/dni", {"pool": POOL[:1], "domain": DOMAIN, "default_number": DEFAULT})
    assert response.status_code == 403 and "manage_marketing" in response.json()["message"]


def test_pool_numbers_must_be_the_companys_own_tracking_numbers(tenant, other_tenant):
    admin = tenant.admin
    google = admin.post("/v1/campaigns", {"name": "Google", "dnis": "+15125550320"}).json()["campaign_id"]
    admin.post("/v1/tracking-numbers", {"number": "+15125550320", "campaign_id": google})  # advertised
    admin.post("/v1/tracking-numbers", {"number": "+15125550321", "number_type": "direct_dial"})
    admin.post("/v1/tracking-numbers", {"number": POOL[0]})
    other_tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550322"})  # another company's

    def put(pool, **extra):
        body = {"pool": pool, "domain": DOMAIN, "default_number": DEFAULT, **extra}
        return admin.put("/v1/dni", body)

    cases = [
        (["+15125550322"], "pool", "+15125550322 is not a tracking number of this company"),
        (["+15125550321"], "pool", "direct-dial numbers never attribute"),
        (["+15125550320"], "pool", f"advertised number (DNIS) of campaign {google}"),
        ([], "pool", "at least one tracking number"),
        (["555"], "pool", "not a valid phone number"),
        ([POOL[0], DEFAULT], "default_number", "is in the pool"),
    ]
    for pool, field, why in cases:
        response = put(pool)
        assert response.status_code == 422, (pool, response.text)
        body = response.json()
        assert why in body["message"], (pool, body)
        assert body["errors"][0]["field"].startswith(field)
    for minutes, why in ((2, "at least 5"), (600, "at most 240")):
        response = put(POOL[:1], session_minutes=minutes)
        assert response.status_code == 422 and why in response.json()["message"]
    response = put(POOL[:1], source_rules=[{"utm_source": "google", "campaign_id": "cmp_nope"}])
    assert response.status_code == 422 and "cmp_nope" in response.json()["message"]
    response = put(POOL[:1], source_rules=[{"campaign_id": google}])
    assert response.status_code == 422 and "at least one of utm_source" in response.json()["message"]
    # nothing was kept, nothing flagged
    assert admin.get("/v1/dni").json()["configured"] is False
    assert tracking_numbers.get(tenant.tenant_id, POOL[0]).dni_pool is None
    assert put(POOL[:1]).status_code == 200


# --- sessions --------------------------------------------------------------------------------------------


def test_a_visitor_gets_a_pool_number_held_for_the_window_with_their_source_and_campaign(tenant, runtime):
    setup = _setup(tenant)
    before = datetime.now(UTC)
    response = _sessions(
        runtime,
        tenant.tenant_id,
        {"utm_source": "Google", "utm_medium": "CPC", "utm_campaign": "spring-ac", "landing_url": "https://x/"},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"session_id", "number", "display_number", "expires_at"}
    assert answer["number"] in POOL
    assert answer["display_number"] == f"(512) 555-{answer['number'][-4:]}"
    expires = datetime.fromisoformat(answer["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=29) < expires - before < timedelta(minutes=31)
    assert response.headers["Cache-Control"] == "no-store"
    session = service.get_session(tenant.tenant_id, answer["session_id"])
    source = store.plain_map(session.source)
    assert (source["utm_source"], source["utm_campaign"], source["source"], source["medium"]) == (
        "Google",
        "spring-ac",
        "google",
        "cpc",
    )
    assert (session.campaign_id, session.campaign_rule) == (setup["google"], "rule:0")
    assert abs(session.expires_at - expires) < timedelta(seconds=1)  # the TTL deletes it after its window


@pytest.mark.parametrize(
    ("visit", "expected"),
    [
        (Visit(gclid="abc"), ("google", "cpc")),
        (Visit(referrer="https://www.google.com/search?q=ac"), ("google", "organic")),
        (Visit(referrer="https://www.bing.com/"), ("bing", "organic")),
        (Visit(referrer="https://nextdoor.com/p/1"), ("nextdoor.com", "referral")),
        (Visit(referrer="https://www.acme-home.example/about"), ("(direct)", "(none)")),  # its own pages
        (Visit(), ("(direct)", "(none)")),
        (Visit(utm_source="Facebook"), ("facebook", "(not set)")),
    ],
)
def test_the_source_is_worked_out_from_what_the_snippet_sends(visit, expected):
    source = source_of(visit, DOMAIN)
    assert (source["source"], source["medium"]) == expected


def test_campaign_falls_back_to_the_numbers_campaign_then_unknown(tenant, other_tenant, runtime):
    setup = _setup(tenant)
    session = service.get_session(
        tenant.tenant_id, _sessions(runtime, tenant.tenant_id, {"utm_source": "facebook"}).json()["session_id"]
    )
    assert (session.campaign_id, session.campaign_rule) == (setup["website"], "number_campaign")
    _setup(other_tenant, campaign_numbers=False)
    session = service.get_session(
        other_tenant.tenant_id, _sessions(runtime, other_tenant.tenant_id, {}).json()["session_id"]
    )
    assert (session.campaign_id, session.campaign_rule) == (None, "unknown")
    assert store.plain_map(session.source)["source"] == "(direct)"


def test_a_returning_visitor_keeps_their_number_and_extends_it(tenant, runtime):
    _setup(tenant)
    first = _sessions(runtime, tenant.tenant_id, {"utm_source": "google", "utm_medium": "cpc"}).json()
    again = _sessions(runtime, tenant.tenant_id, {"session_id": first["session_id"], "referrer": "https://x/"}).json()
    assert (again["session_id"], again["number"]) == (first["session_id"], first["number"])
    assert again["expires_at"] > first["expires_at"]
    # the source is the one they came with (a second page of the site carries no UTM parameters)
    session = service.get_session(tenant.tenant_id, first["session_id"])
    assert store.plain_map(session.source)["utm_source"] == "google"
    # other visitors meanwhile get the other numbers
    others = {_sessions(runtime, tenant.tenant_id, {}).json()["number"] for _ in range(2)}
    assert others == set(POOL) - {first["number"]}


def test_an_unknown_or_malformed_session_id_gets_a_new_session(tenant, runtime):
    _setup(tenant)
    for session_id in ("dnis_" + "0" * 20, "not an id", "x" * 500):
        answer = _sessions(runtime, tenant.tenant_id, {"session_id": session_id}).json()
        assert answer["session_id"] != session_id and answer["number"] in POOL
    response = _sessions(runtime, tenant.tenant_id, {"utm_source": 42})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "utm_source"
    response = requests.post(f"{runtime.api_url}/dni/{tenant.tenant_id}/sessions", data="{nope", timeout=30)
    assert response.status_code == 400 and response.json()["errors"] == []


def test_when_the_pool_runs_out_the_least_recently_used_number_is_reused(tenant):
    _setup(tenant, POOL[:2])
    t0 = datetime.now(UTC)
    first = service.open_session(tenant.tenant_id, Visit(utm_source="a"), now=t0)
    second = service.open_session(tenant.tenant_id, Visit(utm_source="b"), now=t0 + timedelta(minutes=1))
    assert {first["number"], second["number"]} == set(POOL[:2])
    # the first visitor comes back: their number is now the most recently used
    service.open_session(tenant.tenant_id, Visit(session_id=first["session_id"]), now=t0 + timedelta(minutes=2))
    # a third visitor, with every number held: the one whose visitor was seen least recently (the second's)
    third = service.open_session(tenant.tenant_id, Visit(utm_source="c"), now=t0 + timedelta(minutes=3))
    assert third["number"] == second["number"] and third["session_id"] != second["session_id"]
    # the second visitor returns: their number is gone, so they get the least recently used one, same session
    back = service.open_session(tenant.tenant_id, Visit(session_id=second["session_id"]), now=t0 + timedelta(minutes=4))
    assert back["session_id"] == second["session_id"] and back["number"] == first["number"]
    kept = service.get_session(tenant.tenant_id, second["session_id"])
    assert store.plain_map(kept.source)["utm_source"] == "b"
    # once windows have passed, a number is free again and a late visitor gets a fresh session
    later = t0 + timedelta(minutes=40)
    stale = service.open_session(tenant.tenant_id, Visit(session_id=first["session_id"]), now=later)
    assert stale["session_id"] != first["session_id"]


def test_concurrent_visitors_never_get_the_same_free_number(tenant):
    pool = [f"+151255504{i:02d}" for i in range(8)]
    _setup(tenant, pool)
    start = threading.Barrier(8)

    def visitor(i: int) -> dict:
        start.wait()  # all at once: each reads the same free numbers, and all but one lose each race
        return service.open_session(tenant.tenant_id, Visit(utm_source=f"s{i}"))

    with ThreadPoolExecutor(max_workers=8) as executor:
        answers = list(executor.map(visitor, range(8)))
    assert sorted(a["number"] for a in answers) == sorted(pool)
    assert len({a["session_id"] for a in answers}) == 8


# --- CORS ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    ["https://acme-home.example", "http://acme-home.example", "https://www.acme-home.example"],
)
def test_the_configured_domains_origins_may_ask_for_sessions(tenant, runtime, origin):
    _setup(tenant)
    url = f"{runtime.api_url}/dni/{tenant.tenant_id}/sessions"
    preflight = requests.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = _sessions(runtime, tenant.tenant_id, {}, origin=origin)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "https://acme-home.example.evil.example", "https://acme-home.example:8443", "null"],
)
def test_other_origins_are_refused(tenant, runtime, origin):
    _setup(tenant)
    url = f"{runtime.api_url}/dni/{tenant.tenant_id}/sessions"
    preflight = requests.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert DOMAIN in preflight.json()["message"]
    response = _sessions(runtime, tenant.tenant_id, {}, origin=origin)
    assert response.status_code == 403 and "Access-Control-Allow-Origin" not in response.headers


def test_a_request_without_origin_gets_no_cors_headers(tenant, runtime):
    _setup(tenant)
    response = _sessions(runtime, tenant.tenant_id, {})
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


# --- the snippet and the test page --------------------------------------------------------------------


def test_the_snippet_is_cacheable_javascript_calling_the_absolute_sessions_url(tenant, runtime):
    _setup(tenant)
    response = requests.get(f"{runtime.api_url}/dni/{tenant.tenant_id}/snippet.js", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert f'"sessionsUrl": "{runtime.api_url}/dni/{tenant.tenant_id}/sessions"' in response.text
    assert f'"defaultNumber": "{DEFAULT}"' in response.text
    assert "localStorage" in response.text and "utm_source" in response.text and "doc.referrer" in response.text


def test_the_test_page_shows_the_default_number_with_the_snippet_in_its_head(tenant, runtime):
    _setup(tenant)
    response = requests.get(f"{runtime.api_url}/dni/{tenant.tenant_id}/test-page", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    head, body = response.text.split("</head>")
    assert f'<script src="{runtime.api_url}/dni/{tenant.tenant_id}/snippet.js" async></script>' in head
    assert f'href="tel:{DEFAULT}"' in body and "(512) 555-0300" in body


def test_a_company_without_dni_or_an_unknown_one_is_404(tenant, runtime):
    for path in ("snippet.js", "test-page"):
        assert requests.get(f"{runtime.api_url}/dni/{tenant.tenant_id}/{path}", timeout=30).status_code == 404
        assert requests.get(f"{runtime.api_url}/dni/no%20such/{path}", timeout=30).status_code == 404
    assert _sessions(runtime, tenant.tenant_id, {}).status_code == 404
    assert _sessions(runtime, "t-nobody", {}, origin="https://acme-home.example").status_code == 404


# --- tenant isolation ---------------------------------------------------------------------------------


def test_sessions_and_pools_are_the_tenants_own(tenant, other_tenant, runtime):
    _setup(tenant)
    other_pool = ["+15125550330", "+15125550331"]
    _setup(other_tenant, other_pool)
    mine = _sessions(runtime, tenant.tenant_id, {"utm_source": "google"}).json()
    # another company's session id means nothing here: a new session, from this company's pool
    theirs = _sessions(runtime, other_tenant.tenant_id, {"session_id": mine["session_id"]}).json()
    assert theirs["session_id"] != mine["session_id"] and theirs["number"] in other_pool
    assert service.get_session(other_tenant.tenant_id, mine["session_id"]) is None
    # each company reads its own configuration only
    assert other_tenant.admin.get("/v1/dni").json()["pool"] == other_pool
    assert tenant.admin.get("/v1/dni").json()["pool"] == POOL
    # and the other company's CORS domain is its own
    other_tenant.admin.put("/v1/dni", {"pool": other_pool, "domain": "other.example", "default_number": DEFAULT})
    assert _sessions(runtime, other_tenant.tenant_id, {}, origin="https://acme-home.example").status_code == 403


# --- calls to pool numbers ----------------------------------------------------------------------------


def test_a_call_inside_the_session_window_is_the_visitors(tenant, runtime):
    setup = _setup(tenant)
    visit = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring-ac", "gclid": "g1"}
    session = _sessions(runtime, tenant.tenant_id, visit).json()
    call = _call(tenant, session["number"])
    assert (call["attribution"], call["campaign_id"]) == ("attributed", setup["google"])
    kept = store.plain_map(_stored_call(tenant, call["call_id"]).dni_session)
    assert kept["session_id"] == session["session_id"] and kept["campaign_rule"] == "rule:0"
    assert {k: kept["source"][k] for k in ("utm_source", "utm_medium", "utm_campaign", "gclid")} == visit


def test_a_call_from_a_visitor_of_no_rule_goes_to_the_numbers_campaign_or_unknown(tenant, other_tenant, runtime):
    setup = _setup(tenant)
    number = _sessions(runtime, tenant.tenant_id, {"referrer": "https://nextdoor.com/"}).json()["number"]
    call = _call(tenant, number)
    assert (call["attribution"], call["campaign_id"]) == ("attributed", setup["website"])
    _setup(other_tenant, campaign_numbers=False, rules=False)
    number = _sessions(runtime, other_tenant.tenant_id, {}).json()["number"]
    call = _call(other_tenant, number)
    assert (call["attribution"], call["campaign_id"]) == ("unknown", None)
    kept = store.plain_map(_stored_call(other_tenant, call["call_id"]).dni_session)
    assert kept["source"]["source"] == "(direct)"


def test_a_call_to_a_pool_number_outside_any_session_window_is_direct(tenant, runtime):
    _setup(tenant)
    # a number no visitor was shown
    shown = _sessions(runtime, tenant.tenant_id, {"utm_source": "google", "utm_medium": "cpc"}).json()["number"]
    never = next(n for n in POOL if n != shown)
    call = _call(tenant, never)
    assert (call["attribution"], call["campaign_id"]) == ("direct", None)
    assert _stored_call(tenant, call["call_id"]).dni_session is None
    # a number whose visitor's window ended long ago
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    old = service.open_session(tenant.tenant_id, Visit(utm_source="google", utm_medium="cpc"), now=two_hours_ago)
    assert old["number"] != shown
    call = _call(tenant, old["number"])
    assert (call["attribution"], call["campaign_id"]) == ("direct", None)
    # ... though a call that began inside that window, delivered late, is still the visitor's
    late = _call(tenant, old["number"], at=two_hours_ago + timedelta(minutes=10))
    assert late["attribution"] == "attributed"
    assert store.plain_map(_stored_call(tenant, late["call_id"]).dni_session)["session_id"] == old["session_id"]


def test_a_reused_number_belongs_to_the_visitor_who_held_it_when_the_call_began(tenant):
    setup = _setup(tenant, POOL[:1])
    t0 = datetime.now(UTC) - timedelta(minutes=20)
    first = service.open_session(tenant.tenant_id, Visit(utm_source="google", utm_medium="cpc"), now=t0)
    second = service.open_session(tenant.tenant_id, Visit(utm_source="yelp"), now=t0 + timedelta(minutes=10))
    assert first["number"] == second["number"] == POOL[0]
    before = _call(tenant, POOL[0], at=t0 + timedelta(minutes=5))
    after = _call(tenant, POOL[0], at=t0 + timedelta(minutes=15))
    assert before["campaign_id"] == setup["google"]
    assert after["campaign_id"] == setup["website"]
    assert store.plain_map(_stored_call(tenant, after["call_id"]).dni_session)["session_id"] == second["session_id"]


def test_other_numbers_are_attributed_as_before(tenant):
    _setup(tenant)
    static = tenant.admin.post("/v1/campaigns", {"name": "Yard signs", "dnis": "+15125550340"}).json()
    tenant.admin.post("/v1/tracking-numbers", {"number": "+15125550340", "campaign_id": static["campaign_id"]})
    call = _call(tenant, "+15125550340")
    assert (call["attribution"], call["campaign_id"]) == ("attributed", static["campaign_id"])
    assert _call(tenant, "+15125550349")["attribution"] == "unknown"


def test_a_pool_number_costs_one_query_more_on_a_calls_first_event_only(tenant, runtime):
    from infra.local.ddb_meter import metering

    _setup(tenant)
    number = _sessions(runtime, tenant.tenant_id, {}).json()["number"]
    sid = twilio_sid()
    with metering() as first:
        _ring(tenant, number, sid)
    with metering() as later:
        _ring(tenant, number, sid, status="in-progress", seq=1)
    assert dict(first.requests) == {"BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1}
    assert dict(later.requests) == {"BatchGetItem": 1, "TransactWriteItems": 1}


# --- the demo --------------------------------------------------------------------------------------------


def test_the_demo_seed_gives_the_tenant_a_pool_on_its_website_campaign(tenant, runtime):
    from infra.local.seed_dni import DEFAULT_NUMBER, seed_dni
    from infra.local.seed_dni import POOL as DEMO_POOL

    google = tenant.admin.post("/v1/campaigns", {"name": "Google Ads"}).json()["campaign_id"]
    tenant.admin.post("/v1/tracking-numbers", {"number": DEFAULT_NUMBER, "number_type": "direct_dial"})
    gained = seed_dni(runtime, {"tenant_id": tenant.tenant_id, "campaigns": {"google_ads": google}})["dni"]
    assert gained["pool"] == list(DEMO_POOL) and gained["domain"] == "acme-home.example"
    assert gained["snippet_path"] == f"/dni/{tenant.tenant_id}/snippet.js"
    assert gained["test_page_path"] == f"/dni/{tenant.tenant_id}/test-page"
    config = tenant.admin.get("/v1/dni").json()
    assert config["pool"] == list(DEMO_POOL) and config["default_number"] == DEFAULT_NUMBER
    website = tenant.admin.get(f"/v1/campaigns/{gained['website_campaign_id']}").json()
    assert website["name"] == "Website" and sorted(website["tracking_numbers"]) == sorted(DEMO_POOL)
    session = _sessions(runtime, tenant.tenant_id, {"utm_source": "google", "utm_medium": "cpc"}).json()
    assert _call(tenant, session["number"])["campaign_id"] == google
    assert _call(tenant, DEFAULT_NUMBER)["attribution"] == "direct"
    assert isinstance(service.get_session(tenant.tenant_id, session["session_id"]), DniSession)
