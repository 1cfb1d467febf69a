"""The staff app in Debian's Chromium against the local runtime, as a CSR works it: sign in, a Twilio-signed call
becomes a Second Chance Lead in Open, its details (transcript, recording, summary), call back (the status and the
history say who), a job booked for the caller moves it to Done as "Job booked by SCL"; a CSR without the permission
sees the no-access screen; the link in the SCL email kept by the local SES opens that SCL. A screenshot of every
screen under artifacts/staff-app/, and axe-core's check of each (no serious or critical violation)."""

from __future__ import annotations

import email
import re
import time
from email import policy
from types import SimpleNamespace

import pytest
import requests
from playwright.sync_api import expect

from infra.local import tokens
from tests.integration.test_second_chance_leads import NOT_A_PROSPECT, PROSPECT, _call
from tests.support.api import Api
from tests.support.staff_app import (  # noqa: F401 - browser: a fixture
    NO_PHONE_PROGRAM,
    TIMEOUT_MS,
    as_shown,
    browser,
    check_accessible,
    new_caller,
    screenshot,
    sign_in,
)
from tests.support.webhooks import Vendors

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture(scope="module")
def shop(runtime, demo):
    """The demo company, as its vendors and its admin reach it."""
    telephony = {key: demo[key] for key in ("twilio", "callrail", "native")}
    return SimpleNamespace(
        tenant_id=demo["tenant_id"],
        admin=Api(runtime.api_url, demo["admin_token"]),
        lead=Api(runtime.api_url, demo["csr_lead_token"]),
        vendors=Vendors(runtime.api_url, demo["tenant_id"], telephony),
    )


def _scl_of(api: Api, phone: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            s for s in api.get("/v1/second-chance-leads", params={"limit": 200}).json()["items"] if s["phone"] == phone
        ]
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"no Second Chance Lead for {phone} within {timeout:.0f} s")


def test_a_csr_works_a_second_chance_lead_from_open_to_done(runtime, shop, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(NO_PHONE_PROGRAM)
    phone = new_caller()
    sign_in(page, runtime.app_url, "Dana Lee")
    expect(page.get_by_role("heading", name="Second Chance Leads")).to_be_visible(timeout=TIMEOUT_MS)
    assert "token" not in page.url

    _call(SimpleNamespace(vendors=shop.vendors), transcript=PROSPECT, caller=phone)
    scl = _scl_of(shop.lead, phone)
    page.reload()
    row_link = page.get_by_role("link", name=as_shown(phone))
    expect(row_link).to_be_visible(timeout=TIMEOUT_MS)
    counts = {t: shop.lead.get("/v1/second-chance-leads/counts").json()[t.lower()] for t in ("Open", "Cold", "Done")}
    for tab, count in counts.items():
        expect(page.get_by_role("link", name=f"{tab} ({count})")).to_be_visible()
    screenshot(page, "second-chance-leads-open")
    check_accessible(page, "the queue")

    row_link.click()
    expect(page.get_by_role("heading", name=f"Second Chance Lead: {as_shown(phone)}")).to_be_visible()
    assert page.url.endswith(f"/second-chance-leads/{scl['scl_id']}")
    expect(page.get_by_text("my AC stopped cooling last night", exact=False)).to_be_visible()
    assert page.locator("audio").get_attribute("src").startswith("https://api.twilio.com/")
    expect(page.get_by_test_id("scl-status")).to_have_text("New")
    screenshot(page, "second-chance-lead")
    check_accessible(page, "a Second Chance Lead")

    call_back = page.get_by_role("link", name=re.compile("Call customer back"))
    assert call_back.get_attribute("href") == f"tel:{phone}"
    call_back.click()
    expect(page.get_by_test_id("scl-status")).to_have_text("Lead - Call Back Attempted", timeout=TIMEOUT_MS)
    expect(page.locator(".history")).to_contain_text("by you (Dana Lee): Call customer back")

    job = {
        "customer_id": shop.admin.post("/v1/customers", {"name": "Pat Caller", "phones": [phone]}).json()[
            "customer_id"
        ],
        "job_type_id": shop.admin.get("/v1/job-types").json()["items"][0]["job_type_id"],
        "business_unit_id": shop.admin.get("/v1/job-types").json()["items"][0]["business_unit_ids"][0],
        "appointment_start": "2026-12-24T15:00:00Z",
        "appointment_end": "2026-12-24T17:00:00Z",
    }
    booked = shop.lead.post("/v1/jobs", job)
    assert booked.status_code == 201, booked.text
    page.get_by_role("link", name="Back to Second Chance Leads").click()
    page.get_by_role("link", name=re.compile("^Done")).click()
    row = page.get_by_role("row").filter(has_text=as_shown(phone))
    expect(row).to_contain_text("Job booked by SCL", timeout=TIMEOUT_MS)
    screenshot(page, "second-chance-leads-done")


def test_a_csr_without_the_permission_sees_the_no_access_screen(runtime, browser):  # noqa: F811
    page = browser.new_page()
    sign_in(page, runtime.app_url, "Carlos Ruiz", "/second-chance-leads")
    expect(page.get_by_role("heading", name="You don't have access to this")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("View Second Chance Leads")).to_be_visible()
    screenshot(page, "no-access")
    check_accessible(page, "no access")


def _emails_to(address: str) -> list[email.message.EmailMessage]:
    from moto.ses.models import ses_backends

    found = []
    for message in list(ses_backends[ACCOUNT][REGION].sent_messages):
        raw = getattr(message, "raw_data", None)
        if raw and (parsed := email.message_from_string(raw, policy=policy.default))["To"] == address:
            found.append(parsed)
    return found


def test_the_link_in_the_scl_email_opens_that_scl(runtime, demo, shop, browser):  # noqa: F811
    phone = new_caller()
    _call(SimpleNamespace(vendors=shop.vendors), transcript=PROSPECT, caller=phone)
    scl = _scl_of(shop.lead, phone)
    link = f"{runtime.app_url}/second-chance-leads/{scl['scl_id']}"
    address = demo["employees"]["csr_lead"]["email"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        link in m.get_body(("plain",)).get_content() for m in _emails_to(address)
    ):
        time.sleep(0.3)
    (message,) = [m for m in _emails_to(address) if link in m.get_body(("plain",)).get_content()]
    page = browser.new_page()
    page.goto(link)  # signed out: sign in first, then back to the SCL
    page.get_by_role("button", name=re.compile("Sign in as Dana Lee")).click()
    expect(page.get_by_role("heading", name=f"Second Chance Lead: {as_shown(phone)}")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.url == link


def test_a_screens_path_is_the_app_and_a_missing_file_is_not_found(runtime):
    index = requests.get(f"{runtime.app_url}/", timeout=10)
    assert index.status_code == 200 and index.headers["Content-Type"].startswith("text/html")
    for screen in ("/second-chance-leads/scl-unknown", "/leads/new", "/no-such-screen"):
        answer = requests.get(runtime.app_url + screen, timeout=10)
        assert (answer.status_code, answer.text) == (200, index.text), screen
    script = requests.get(f"{runtime.app_url}/assets/js/main.js", timeout=10)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert requests.get(f"{runtime.app_url}/assets/js/missing.js", timeout=10).status_code == 404
    assert requests.get(f"{runtime.app_url}/config.json", timeout=10).json()["api_url"] == runtime.api_url


def test_the_staff_api_answers_the_apps_origin_only(runtime, demo):
    preflight = requests.options(
        f"{runtime.api_url}/v1/second-chance-leads",
        headers={"Origin": runtime.app_url, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == runtime.app_url
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    token = {"Authorization": f"Bearer {demo['admin_token']}"}
    mine = requests.get(f"{runtime.api_url}/v1/me", headers={"Origin": runtime.app_url, **token}, timeout=10)
    assert mine.headers["Access-Control-Allow-Origin"] == runtime.app_url
    other = requests.get(f"{runtime.api_url}/v1/me", headers={"Origin": "https://evil.example", **token}, timeout=10)
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    refused = requests.get(f"{runtime.api_url}/v1/me", headers={"Origin": runtime.app_url}, timeout=10)
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == runtime.app_url


def test_a_csr_finds_todays_call_and_classifies_it(runtime, shop, browser):  # noqa: F811
    phone = new_caller()
    sid = _call(SimpleNamespace(vendors=shop.vendors), transcript=PROSPECT, caller=phone, dated=True)
    page = browser.new_page()
    sign_in(page, runtime.app_url, "Carlos Ruiz", "/calls")
    expect(page.get_by_role("heading", name="Calls")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Second Chance Leads")  # not his
    row = page.get_by_role("row").filter(has_text=as_shown(phone))
    expect(row).to_contain_text("Not classified", timeout=TIMEOUT_MS)
    screenshot(page, "calls")
    check_accessible(page, "the calls")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Call from {as_shown(phone)}")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.url.endswith(f"/calls/{sid}")
    page.get_by_label("Call reason").select_option(label="Estimate request")
    page.get_by_label("Notes").fill("Wants a quote for a new AC; call back after 5")
    page.get_by_role("button", name="Save classification").click()
    expect(page.get_by_text("Saved.")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "call")
    check_accessible(page, "a call")
    page.get_by_role("link", name="Back to calls").click()
    expect(page.get_by_role("row").filter(has_text=as_shown(phone))).to_contain_text("Estimate request")


def _evaluated(api: Api, call_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        call = api.get(f"/v1/calls/{call_id}").json()
        if call.get("analysis"):
            return call
        time.sleep(0.3)
    raise AssertionError(f"call {call_id} not judged by the analyser within {timeout:.0f} s")


def test_a_manager_reviews_the_calls_judged_not_a_prospect(runtime, shop, browser):  # noqa: F811
    vendors = SimpleNamespace(vendors=shop.vendors)
    solicitor, prospect = new_caller(), new_caller()
    judged = _call(vendors, transcript=NOT_A_PROSPECT, caller=solicitor, dated=True)
    kept = _call(vendors, transcript=PROSPECT, caller=prospect, dated=True)
    call = _evaluated(shop.lead, judged)
    assert call["scl_evaluation"] == "not-a-prospect" and call["analysis"]["reasons"]
    assert _evaluated(shop.lead, kept)["analysis"]["is_prospect"] is True

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, runtime.app_url, "Dana Lee")
    expect(page.get_by_role("heading", name="Second Chance Leads")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("link", name="calls judged not a prospect, with its reasons").click()
    expect(page.get_by_role("heading", name="Calls")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_label("Which calls")).to_have_value("not_prospect")
    row = page.get_by_role("row").filter(has_text=as_shown(solicitor))
    expect(row).to_contain_text(re.compile(r"Not a prospect \(\d+% sure\)"), timeout=TIMEOUT_MS)
    for reason in call["analysis"]["reasons"]:
        expect(row).to_contain_text(reason)
    expect(page.get_by_role("row").filter(has_text=as_shown(prospect))).to_have_count(0)
    screenshot(page, "calls-not-a-prospect")
    check_accessible(page, "the calls judged not a prospect")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Call from {as_shown(solicitor)}")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("verdict")).to_have_text(re.compile(r"^Not a prospect \(\d+% sure\)$"))
    expect(page.locator(".facts")).to_contain_text("Judged not a prospect")
    analysis = page.get_by_role("region", name="What the analyser heard")
    expect(analysis).to_contain_text(call["analysis"]["summary"])
    for reason in call["analysis"]["reasons"]:
        expect(analysis).to_contain_text(reason)

    # back to every call of today: both calls, the prospect's among them
    page.goto(runtime.app_url + "/calls?scl=not_prospect")
    page.get_by_label("Which calls").select_option(label="Every call")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row").filter(has_text=as_shown(prospect))).to_have_count(1, timeout=TIMEOUT_MS)
    assert "day=" in page.url and "scl=" not in page.url


def test_a_manager_reads_the_reports_and_downloads_a_csv(runtime, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, runtime.app_url, "Olivia Owens", "/reports")
    expect(page.get_by_role("heading", name="Reports")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("list", name="Headline figures")).to_contain_text("Calls", timeout=TIMEOUT_MS)
    funnels = page.locator(".funnel")
    expect(funnels).to_have_count(3)
    expect(page.get_by_role("figure").filter(has_text="Second Chance Leads")).to_contain_text(
        "Saved (job booked by SCL)"
    )
    expect(page.get_by_role("table", name="Campaign summary")).to_contain_text("Unknown (no campaign matched)")
    screenshot(page, "reports")
    check_accessible(page, "the reports")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Campaign summary").click()
    csv = downloaded.value.path().read_text()
    assert csv.splitlines()[0].lower().startswith("campaign"), csv[:200]
    assert "token" not in page.url


def test_a_csr_without_view_reports_sees_no_access_at_the_reports(runtime, browser):  # noqa: F811
    page = browser.new_page()
    sign_in(page, runtime.app_url, "Carlos Ruiz", "/reports")
    expect(page.get_by_role("heading", name="You don't have access to this")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Read reports")).to_be_visible()


def test_an_admin_changes_the_scl_settings_and_checks_a_tracking_number(runtime, shop, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, runtime.app_url, "Olivia Owens", "/settings")
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("list").filter(has_text="Dana Lee")).to_contain_text("granted to them")
    cold = page.get_by_label("Cold after", exact=False)
    before = cold.input_value()
    cold.fill("36")
    page.get_by_role("button", name="Save Second Chance Leads settings").click()
    expect(page.get_by_text("Saved.")).to_be_visible(timeout=TIMEOUT_MS)
    assert shop.admin.get("/v1/settings/second-chance-leads").json()["cold_lead_threshold_hours"] == 36
    page.get_by_role("button", name="Check (512) 555-0102").click()  # the demo company's direct-dial number
    expect(page.get_by_role("cell").filter(has_text="Check")).not_to_have_count(0)
    expect(page.locator(".problems, .ok").first).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "settings")
    check_accessible(page, "the settings")
    shop.admin.put("/v1/settings/second-chance-leads", {"cold_lead_threshold_hours": int(before)})


def test_signing_out_and_an_expired_session_send_the_user_back_to_sign_in(runtime, demo, browser):  # noqa: F811
    page = browser.new_page()
    sign_in(page, runtime.app_url, "Dana Lee", "/second-chance-leads")
    expect(page.get_by_role("heading", name="Second Chance Leads")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name=re.compile("Sign in as Olivia Owens"))).to_be_visible()
    screenshot(page, "signed-out")
    check_accessible(page, "the sign-in page")
    page.goto(runtime.app_url + "/second-chance-leads")
    expect(page.get_by_role("heading", name="Sign in to Leadline")).to_be_visible(timeout=TIMEOUT_MS)

    sign_in(page, runtime.app_url, "Dana Lee", "/second-chance-leads")
    expect(page.get_by_role("heading", name="Second Chance Leads")).to_be_visible(timeout=TIMEOUT_MS)
    expired = tokens.issue(
        runtime.signing_key,
        tenant_id=demo["tenant_id"],
        employee_id=demo["employees"]["csr_lead"]["employee_id"],
        role_id="csr",
        lifetime_seconds=-60,
    )
    page.evaluate("token => sessionStorage.setItem('leadline.token', token)", expired)
    page.goto(runtime.app_url + "/calls")
    expect(page.get_by_text("Your session has ended. Sign in again to go on.")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name=re.compile("Sign in as Dana Lee")).click()
    expect(page.get_by_role("heading", name="Calls")).to_be_visible(timeout=TIMEOUT_MS)  # back where they were


def test_the_queue_and_a_lead_fit_a_phone(runtime, shop, browser):  # noqa: F811
    phone = new_caller()
    _call(SimpleNamespace(vendors=shop.vendors), transcript=PROSPECT, caller=phone)
    _scl_of(shop.lead, phone)
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, runtime.app_url, "Dana Lee", "/second-chance-leads")
    expect(page.get_by_role("link", name=as_shown(phone))).to_be_visible(timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the queue scrolls sideways on a phone"
    screenshot(page, "phone-queue")
    page.get_by_role("link", name=as_shown(phone)).click()
    expect(page.get_by_role("heading", name=f"Second Chance Lead: {as_shown(phone)}")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "a lead's page scrolls sideways on a phone"
    screenshot(page, "phone-lead")
