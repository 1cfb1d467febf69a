"""Dynamic number insertion in a real browser: headless Chromium opens the DNI test page served by the local runtime
(the snippet in its head, run for real: UTM parameters read, the sessions endpoint called, the number swapped), then a
Twilio-signed call to the number the page showed is attributed to the visitor's source and campaign.

Chromium is Debian's (`make browser`, which `make test` runs, installs it); set CHROMIUM=/path/to/chrome to use
another. Without it this test fails: it does not skip."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from html.parser import HTMLParser

from leadline.data import store
from leadline.data.repositories import calls
from leadline.dni import service
from tests.support.browser import dump_dom
from tests.support.webhooks import twilio_sid

DEFAULT = "+15125550300"
POOL = ["+15125550310", "+15125550311", "+15125550312"]


class Page(HTMLParser):
    """Elements by id (attributes and text), and the <html> element's attributes."""

    def __init__(self, dom: str):
        super().__init__()
        self.root: dict[str, str | None] = {}
        self.by_id: dict[str, dict] = {}
        self._open: list[str] = []
        self.body_text = ""
        self._in_body = False
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.root = attributes
        if tag == "body":
            self._in_body = True
        if "id" in attributes:
            self.by_id[attributes["id"]] = {"attrs": attributes, "text": ""}
            self._open.append(attributes["id"])
        else:
            self._open.append("")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._in_body:
            self.body_text += data
        for ident in filter(None, self._open):
            self.by_id[ident]["text"] += data


def _call(tenant, to: str) -> dict:
    sid = twilio_sid()
    params = {
        "CallSid": sid,
        "From": "+15125550188",
        "To": to,
        "Direction": "inbound",
        "CallStatus": "ringing",
        "SequenceNumber": "0",
        "Timestamp": format_datetime(datetime.now(UTC)),
    }
    response = tenant.vendors.twilio("voice-status", params)
    assert response.status_code == 200, response.text
    return tenant.admin.get(f"/v1/calls/{sid}").json()


def test_the_test_page_shows_a_pool_number_and_a_call_to_it_is_the_visitors(tenant, runtime, tmp_path):
    # Given a company with DNI: a Website campaign's numbers make the pool; google / cpc is the Google Ads campaign
    admin = tenant.admin
    website = admin.post("/v1/campaigns", {"name": "Website"}).json()["campaign_id"]
    google = admin.post("/v1/campaigns", {"name": "Google Ads"}).json()["campaign_id"]
    for number in POOL:
        assert admin.post("/v1/tracking-numbers", {"number": number, "campaign_id": website}).status_code == 201
    config = {
        "pool": POOL,
        "domain": "acme-home.example",
        "default_number": DEFAULT,
        "source_rules": [{"utm_source": "google", "utm_medium": "cpc", "campaign_id": google}],
    }
    assert admin.put("/v1/dni", config).status_code == 200
    test_page = admin.get("/v1/dni").json()["install"]["test_page_url"]

    # When a visitor from a Google ad opens the page in a browser
    profile = tmp_path / "profile"
    page = Page(dump_dom(f"{test_page}?utm_source=google&utm_medium=cpc&utm_campaign=x", profile))

    # Then the snippet swapped the default number everywhere for one of the pool, each in its own format
    assert page.root.get("data-leadline-dni") == "swapped", page.by_id.get("dni-status")
    shown = page.by_id["dni-link"]["attrs"]["href"].removeprefix("tel:")
    assert shown in POOL
    last4 = shown[-4:]
    assert page.by_id["dni-link"]["text"] == f"(512) 555-{last4}"
    assert page.by_id["dni-marked"]["text"] == f"(512) 555-{last4}"
    assert page.by_id["dni-text"]["text"] == f"Call us at 512.555.{last4} or {shown}, any time."
    assert "0300" not in page.body_text.replace(" ", "")  # the default number is nowhere left
    assert page.by_id["dni-status"]["attrs"].get("data-result") == "passed"
    session_id = re.search(r"session (dnis_[0-9a-f]{20})", page.by_id["dni-status"]["text"]).group(1)

    # And the visitor's session holds that number with their source and campaign
    session = service.get_session(tenant.tenant_id, session_id)
    source = store.plain_map(session.source)
    assert (session.number, session.campaign_id) == (shown, google)
    assert (source["utm_source"], source["utm_medium"], source["utm_campaign"]) == ("google", "cpc", "x")
    assert source["landing_url"].startswith(test_page)

    # When the visitor calls the number they were shown
    call = _call(tenant, shown)

    # Then the call is theirs: the Google Ads campaign, with the session and its source kept on the call
    assert (call["attribution"], call["campaign_id"]) == ("attributed", google)
    kept = store.plain_map(calls.get(tenant.tenant_id, call["call_id"]).dni_session)
    assert kept["session_id"] == session_id
    assert (kept["source"]["utm_source"], kept["source"]["utm_campaign"]) == ("google", "x")

    # And the same browser coming back to another page keeps its session and number (localStorage)
    again = Page(dump_dom(test_page, profile))
    assert again.by_id["dni-link"]["attrs"]["href"] == f"tel:{shown}"
    assert f"session {session_id}" in again.by_id["dni-status"]["text"]

    # And a call to a pool number no live session holds is direct
    idle = next(n for n in POOL if n != shown)
    assert _call(tenant, idle)["attribution"] == "direct"


def test_a_browser_without_a_stored_session_gets_a_number_of_its_own(tenant, runtime, tmp_path):
    admin = tenant.admin
    for number in POOL[:2]:
        admin.post("/v1/tracking-numbers", {"number": number})
    admin.put("/v1/dni", {"pool": POOL[:2], "domain": "acme-home.example", "default_number": DEFAULT})
    url = admin.get("/v1/dni").json()["install"]["test_page_url"]
    first = Page(dump_dom(url, tmp_path / "one")).by_id["dni-link"]["attrs"]["href"]
    second = Page(dump_dom(url, tmp_path / "two")).by_id["dni-link"]["attrs"]["href"]
    assert {first, second} == {f"tel:{n}" for n in POOL[:2]}
