"""The staff app's Leads screens and "Book a job" in Debian's Chromium against the local runtime: a lead made by
hand is listed and has its page; converted from its screen it shows its job, and a second convert (from a page
drawn before the first) shows the API's reason; dismissed with a reason and reopened, with a note, the history says
who; booking a job for a caller with an open Second Chance Lead shows the banner (not to a CSR without the
permission) and moves that SCL to Done as "Job booked by SCL"; a caller's open lead is offered for conversion
instead of a second job. Screenshots under artifacts/staff-app/, and axe-core's check of each screen.

Also the API addition the booking screen needs: GET /v1/leads?phone= (a customer phone's leads)."""

from __future__ import annotations

import re
import time
import uuid
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.integration.test_second_chance_leads import PROSPECT, _call
from tests.integration.test_staff_app import _scl_of
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


@pytest.fixture(scope="module")
def shop(runtime, demo):
    """The demo company, as its vendors, its admin and its CSR lead reach it."""
    telephony = {key: demo[key] for key in ("twilio", "callrail", "native")}
    return SimpleNamespace(
        tenant_id=demo["tenant_id"],
        admin=Api(runtime.api_url, demo["admin_token"]),
        lead=Api(runtime.api_url, demo["csr_lead_token"]),
        vendors=Vendors(runtime.api_url, demo["tenant_id"], telephony),
    )


def _name(first: str) -> str:
    return f"{first} {uuid.uuid4().hex[:6].upper()}"


def _customer_with_lead(api: Api, phone: str, name: str, summary: str) -> dict:
    customer = api.post("/v1/customers", {"name": name, "phones": [phone]}).json()
    made = api.post("/v1/leads", {"customer_id": customer["customer_id"], "summary": summary})
    assert made.status_code == 201, made.text
    return made.json()


def _open(browser, runtime, who: str, path: str) -> Page:  # noqa: F811 - browser: the fixture's value
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(NO_PHONE_PROGRAM)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    sign_in(page, runtime.app_url, who, path)
    return page


def _convert(page: Page, unit: str, job_type: str) -> None:
    section = page.get_by_role("region", name="Convert to a job")
    section.get_by_label("Business unit").select_option(label=unit)
    section.get_by_label("Job type").select_option(label=job_type)
    section.get_by_role("button", name="Convert to a job").click()


def test_a_lead_made_by_hand_is_listed_then_converted_once(runtime, shop, browser):  # noqa: F811
    phone, name = new_caller(), _name("Riley")
    page = _open(browser, runtime, "Carlos Ruiz", "/leads/new")
    expect(page.get_by_role("heading", name="New lead")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label("Customer's phone number").fill(phone)
    page.get_by_role("button", name="Find the customer").click()
    expect(page.get_by_text("No customer has this number")).to_be_visible()
    page.get_by_label("New customer's name").fill(name)
    page.get_by_label("Business unit").select_option(label="HVAC")
    assert "Drain Cleaning" not in page.get_by_label("Job type").locator("option").all_inner_texts()  # Plumbing's
    page.get_by_label("Summary").fill("Furnace makes a banging noise at night")
    screenshot(page, "lead-new")
    check_accessible(page, "a new lead")
    page.get_by_role("button", name="Create lead").click()

    expect(page.get_by_role("heading", name=f"Lead: {name}")).to_be_visible(timeout=TIMEOUT_MS)
    lead_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("lead-status")).to_have_text("Open")
    expect(page.locator(".facts")).to_contain_text("Entered by hand")
    expect(page.locator(".history")).to_contain_text("Created as Open, by you (Carlos Ruiz)")

    page.get_by_role("link", name="Leads", exact=True).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
    expect(row).to_contain_text("Furnace makes a banging noise", timeout=TIMEOUT_MS)
    expect(row).to_contain_text(as_shown(phone))
    expect(row).to_contain_text("HVAC")
    screenshot(page, "leads")
    check_accessible(page, "the leads list")
    page.get_by_label("Business unit").select_option(label="Plumbing")
    page.get_by_role("button", name="Show leads").click()
    expect(page.get_by_role("link", name=name)).to_have_count(0, timeout=TIMEOUT_MS)
    page.get_by_label("Business unit").select_option(label="HVAC")
    page.get_by_label("Source").select_option(label="Entered by hand")
    page.get_by_role("button", name="Show leads").click()
    expect(page.get_by_role("link", name=name)).to_be_visible(timeout=TIMEOUT_MS)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "leads-phone-width")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=f"Lead: {name}")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "lead")
    check_accessible(page, "a lead")

    stale = _open(browser, runtime, "Dana Lee", f"/leads/{lead_id}")  # drawn while the lead is still open
    expect(stale.get_by_test_id("lead-status")).to_have_text("Open", timeout=TIMEOUT_MS)

    _convert(page, "HVAC", "Furnace Tune-Up")
    expect(page.get_by_test_id("lead-status")).to_have_text("Converted", timeout=TIMEOUT_MS)
    expect(page.get_by_text("Converted: the job is booked.")).to_be_visible()
    job_link = page.get_by_test_id("lead-job")
    expect(job_link).to_contain_text("Furnace Tune-Up")
    expect(page.get_by_role("region", name="Convert to a job")).to_have_count(0)

    job_id = job_link.get_attribute("href").rsplit("/", 1)[1]

    _convert(stale, "HVAC", "AC Repair")
    expect(stale.get_by_role("alert")).to_contain_text(f"already converted into job {job_id}", timeout=TIMEOUT_MS)
    screenshot(stale, "lead-second-convert")
    check_accessible(stale, "a lead's refused convert")
    stale.get_by_role("button", name="Show the lead as it is now").click()
    expect(stale.get_by_test_id("lead-status")).to_have_text("Converted", timeout=TIMEOUT_MS)
    expect(stale.get_by_test_id("lead-job")).to_contain_text("Furnace Tune-Up")

    job_link.click()
    expect(page.get_by_role("heading", name=f"Job: Furnace Tune-Up for {name}")).to_be_visible(timeout=TIMEOUT_MS)
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Converted from a lead")
    expect(facts).to_contain_text("HVAC")
    expect(facts).to_contain_text(as_shown(phone))
    screenshot(page, "job")
    check_accessible(page, "a job")
    assert not page.errors and not stale.errors, page.errors + stale.errors


def test_a_lead_dismissed_with_a_reason_then_reopened_with_a_note(runtime, shop, browser):  # noqa: F811
    phone, name = new_caller(), _name("Morgan")
    lead = _customer_with_lead(shop.admin, phone, name, "Wants a quote for a new water heater")
    page = _open(browser, runtime, "Dana Lee", f"/leads/{lead['lead_id']}")
    expect(page.get_by_role("heading", name=f"Lead: {name}")).to_be_visible(timeout=TIMEOUT_MS)

    page.get_by_label("Reason").select_option(label="Price Too High")
    page.get_by_label("Note (optional)").fill("Went with a cheaper quote")
    page.get_by_role("button", name="Dismiss lead").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Dismissed", timeout=TIMEOUT_MS)
    expect(page.locator(".facts")).to_contain_text("Price Too High")
    expect(page.locator(".history")).to_contain_text("Open → Dismissed, by you (Dana Lee): Price Too High")
    expect(page.locator(".notes")).to_contain_text("Went with a cheaper quote")
    expect(page.get_by_role("region", name="Convert to a job")).to_have_count(0)
    screenshot(page, "lead-dismissed")
    check_accessible(page, "a dismissed lead")

    page.get_by_label("Why (optional)").fill("The customer called back")
    page.get_by_role("button", name="Reopen lead").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Open", timeout=TIMEOUT_MS)
    expect(page.locator(".history")).to_contain_text("Dismissed → Open, by you (Dana Lee): The customer called back")

    page.get_by_label("Add a note").fill("Call after 5 pm, works days")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".notes")).to_contain_text("Call after 5 pm, works days", timeout=TIMEOUT_MS)
    expect(page.locator(".notes")).to_contain_text("you (Dana Lee)")
    kept = shop.admin.get(f"/v1/leads/{lead['lead_id']}").json()
    assert kept["status"] == "open" and [n["text"] for n in kept["notes"]][-1] == "Call after 5 pm, works days"
    assert [(e["from"], e["to"]) for e in kept["history"]] == [
        (None, "open"),
        ("open", "dismissed"),
        ("dismissed", "open"),
    ]
    assert not page.errors, page.errors


def _look_up(page: Page, phone: str) -> None:
    page.get_by_label("Caller's phone number").fill(phone)
    page.get_by_role("button", name="Look up the caller").click()
    expect(page.get_by_role("heading", name=f"Caller {as_shown(phone)}")).to_be_visible(timeout=TIMEOUT_MS)


def _open_leads_of(api: Api, phone: str, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = api.get("/v1/leads", params={"phone": phone, "status": "open"}).json()["items"]
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"no open lead for {phone} within {timeout:.0f} s")


def test_booking_a_job_for_a_caller_with_an_scl_shows_the_banner_and_ends_it(runtime, shop, browser):  # noqa: F811
    phone, name = new_caller(), _name("Jordan")
    _call(SimpleNamespace(vendors=shop.vendors), transcript=PROSPECT, caller=phone)
    scl = _scl_of(shop.lead, phone)
    (abandoned,) = _open_leads_of(shop.lead, phone)  # the unclassified call's lead, without a customer
    assert abandoned["source"] == "abandoned_call" and abandoned["customer_id"] is None

    without = _open(browser, runtime, "Carlos Ruiz", "/book")  # no view_second_chance_leads: no banner, no error
    expect(without.get_by_role("heading", name="Book a job")).to_be_visible(timeout=TIMEOUT_MS)
    _look_up(without, phone)
    expect(without.get_by_role("button", name="Book the job")).to_be_visible()
    expect(without.get_by_test_id("scl-banner")).to_have_count(0)
    expect(without.get_by_role("alert")).to_have_count(0)

    page = _open(browser, runtime, "Dana Lee", "/book")
    expect(page.get_by_role("link", name="Book a job")).to_have_attribute("aria-current", "page", timeout=TIMEOUT_MS)
    _look_up(page, phone)
    banner = page.get_by_test_id("scl-banner")
    expect(banner).to_contain_text("This caller has a Second Chance Lead")
    expect(banner).to_contain_text("Status: New")
    expect(banner.get_by_role("link", name="Open the Second Chance Lead")).to_have_attribute(
        "href", f"/second-chance-leads/{scl['scl_id']}"
    )
    expect(page.get_by_text("No customer has this number")).to_be_visible()
    offer = page.get_by_role("group", name="This caller has an open lead")
    expect(offer.get_by_role("radio", name=re.compile("^Convert the lead of .*Abandoned call"))).to_be_checked()
    page.get_by_label("New customer's name").fill(name)
    page.get_by_label("Business unit").select_option(label="HVAC")
    page.get_by_label("Job type").select_option(label="AC Repair")
    offered = page.get_by_label("Job type").locator("option").all_inner_texts()
    assert {"AC Repair", "Furnace Tune-Up"} <= set(offered) and "Drain Cleaning" not in offered  # HVAC's only
    screenshot(page, "book-a-job")
    check_accessible(page, "booking a job")
    page.get_by_role("button", name="Book the job").click()

    expect(page.get_by_role("heading", name=f"Job: AC Repair for {name}")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("The caller's open lead was converted")).to_contain_text(
        "Second Chance Lead moves to Done, as Job booked by SCL"
    )
    expect(page.locator(".facts")).to_contain_text("Converted from a lead")
    screenshot(page, "job-booked")
    check_accessible(page, "a booked job")
    converted = shop.lead.get(f"/v1/leads/{abandoned['lead_id']}").json()
    assert converted["status"] == "converted" and converted["customer_id"] is not None
    customer = shop.lead.get(f"/v1/customers/{converted['customer_id']}").json()
    assert customer["name"] == name and customer["phones"] == [phone]

    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline
        and shop.lead.get(f"/v1/second-chance-leads/{scl['scl_id']}").json()["status"] != "job_booked_by_scl"
    ):
        time.sleep(0.3)
    page.goto(f"{runtime.app_url}/second-chance-leads/{scl['scl_id']}")
    expect(page.get_by_test_id("scl-status")).to_have_text("Job booked by SCL", timeout=TIMEOUT_MS)
    assert not page.errors and not without.errors, page.errors + without.errors


def test_a_callers_open_lead_is_offered_and_may_be_left_open(runtime, shop, browser):  # noqa: F811
    phone, name = new_caller(), _name("Casey")
    lead = _customer_with_lead(shop.admin, phone, name, "Kitchen sink drains slowly")
    page = _open(browser, runtime, "Carlos Ruiz", "/book")
    expect(page.get_by_role("heading", name="Book a job")).to_be_visible(timeout=TIMEOUT_MS)
    _look_up(page, phone)
    offer = page.get_by_role("group", name="This caller has an open lead")
    expect(offer).to_contain_text("Kitchen sink drains slowly")
    expect(offer.get_by_role("radio", name=re.compile("^Convert the lead of"))).to_be_checked()
    expect(page.get_by_role("radio", name=name)).to_be_checked()
    offer.get_by_role("radio", name=re.compile("^Book a new job")).check()
    page.get_by_label("Business unit").select_option(label="Plumbing")
    page.get_by_label("Job type").select_option(label="Drain Cleaning")
    page.get_by_label("Campaign (optional)").select_option(label="Yard Signs")
    screenshot(page, "book-a-job-open-lead")
    check_accessible(page, "booking a job for a caller with an open lead")
    page.get_by_role("button", name="Book the job").click()

    expect(page.get_by_role("heading", name=f"Job: Drain Cleaning for {name}")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("The job is booked.")).to_be_visible()
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Booked directly")
    expect(facts).to_contain_text("Yard Signs")
    still_open = page.get_by_role("region", name="This customer still has open leads")
    still_open.get_by_role("link").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Open", timeout=TIMEOUT_MS)
    assert page.url.endswith(f"/leads/{lead['lead_id']}")
    assert not page.errors, page.errors


def test_leads_are_listed_by_a_customer_phone(shop):
    phone, other = new_caller(), new_caller()
    first = _customer_with_lead(shop.admin, phone, _name("Avery"), "First request")
    second = _customer_with_lead(shop.admin, phone, _name("Avery"), "Second request")
    _customer_with_lead(shop.admin, other, _name("Blake"), "Someone else's request")
    assert shop.admin.post(f"/v1/leads/{first['lead_id']}/dismiss", {"reason": "duplicate_lead"}).status_code == 200

    typed = as_shown(phone)  # as people write it
    every = shop.lead.get("/v1/leads", params={"phone": typed}).json()["items"]
    assert [i["lead_id"] for i in every] == [second["lead_id"], first["lead_id"]]  # newest first
    still_open = shop.lead.get("/v1/leads", params={"phone": phone, "status": "open"}).json()["items"]
    assert [i["lead_id"] for i in still_open] == [second["lead_id"]]
    assert shop.lead.get("/v1/leads", params={"phone": phone, "source": "call"}).json()["items"] == []
    refused = shop.lead.get("/v1/leads", params={"phone": "12"})
    assert refused.status_code == 422 and "phone" in refused.json()["message"]


def test_a_lead_is_converted_for_its_own_customer_only(shop):
    lead = _customer_with_lead(shop.admin, new_caller(), _name("Drew"), "Thermostat is blank")
    someone = shop.admin.post("/v1/customers", {"name": _name("Other"), "phones": [new_caller()]}).json()
    unit = "bu-hvac"
    job_type = next(t for t in shop.admin.get("/v1/job-types").json()["items"] if unit in t["business_unit_ids"])
    window = {"appointment_start": "2026-12-28T15:00:00Z", "appointment_end": "2026-12-28T17:00:00Z"}
    job = {"business_unit_id": unit, "job_type_id": job_type["job_type_id"], **window}
    path = f"/v1/leads/{lead['lead_id']}/convert"

    refused = shop.lead.post(path, {**job, "customer_id": someone["customer_id"]})
    assert refused.status_code == 422 and lead["customer_id"] in refused.json()["message"]
    converted = shop.lead.post(path, {**job, "customer_id": lead["customer_id"]})
    assert converted.status_code == 200, converted.text
    assert converted.json()["job"]["customer_id"] == lead["customer_id"]
