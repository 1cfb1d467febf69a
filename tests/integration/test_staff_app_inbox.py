"""The staff app's Bookings inbox and notifications in Debian's Chromium against the local runtime, as a CSR works
them: flagged bookings first, an online booking's page, a note, converted into a job in the company's time; a
flagged partner lead dismissed with its reason; a conversion someone else made meanwhile told in words. The bell
counts a CSR's unread notifications, the list opens what one is about inside the app, and read and dismiss change
the count; the notification settings save the channels. A screenshot of every screen under artifacts/staff-app/,
and axe-core's check of each (no serious or critical violation)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.api import Api
from tests.support.staff_app import (  # noqa: F401 - browser: a fixture
    TIMEOUT_MS,
    as_shown,
    browser,
    check_accessible,
    new_caller,
    screenshot,
    sign_in,
)
from tests.support.webhooks import Partners

WINDOW = {"start": "2026-12-03T15:00:00Z", "end": "2026-12-03T17:00:00Z"}  # 9 to 11 AM in Chicago


@pytest.fixture(scope="module")
def shop(runtime, demo):
    """The demo company as its website, its generic lead partner (Networx), its admin and its CSR reach it."""
    return SimpleNamespace(
        api_url=runtime.api_url,
        app_url=runtime.app_url,
        admin=Api(runtime.api_url, demo["admin_token"]),
        csr=Api(runtime.api_url, demo["csr_token"]),
        partners=Partners(runtime.api_url, demo["tenant_id"], demo["partners"]),
        website_key=demo["online_booking_key"],
    )


def _partner_lead(shop, phone: str, name: str, category: str = "AC Repair") -> str:
    """A Networx lead received now (its category mapped to AC Repair unless told otherwise): the booking's id."""
    first, last = name.split(" ", 1)
    lead = {
        "lead_id": f"nx-{uuid.uuid4().hex[:12]}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "category": category,
        "customer": {"first_name": first, "last_name": last, "phone": phone, "email": f"{first.lower()}@example.com"},
        "address": {"address1": "905 E 41st St", "city": "Austin", "state": "TX", "postal_code": "78751"},
        "description": "The unit leaks water and short-cycles.",
        "details": [{"question": "Type of system", "answer": "Ductless mini-split"}],
        "requested_times": ["2026-12-02T09:00:00-06:00/2026-12-02T12:00:00-06:00"],
        "lead_price": 27.0,
    }
    response = shop.partners.generic(lead)
    assert response.status_code == 200, response.text
    return response.json()["booking_id"]


def _online_booking(shop, phone: str, name: str) -> str:
    """A booking on the website, from a Google Ads click (so attributed to the Google Ads campaign)."""
    body = {
        "booking_id": f"web-{uuid.uuid4().hex[:12]}",
        "customer": {"name": name, "phone": phone, "email": "pat@example.com"},
        "service": "AC not cooling",
        "notes": "Upstairs unit blows warm air.",
        "requested_times": [WINDOW],
        "tracking": {"utmSource": "google", "utmMedium": "cpc", "utmCampaign": "ac-repair"},
    }
    response = requests.post(
        f"{shop.api_url}/v1/online-bookings", json=body, headers={"X-Leadline-Key": shop.website_key}, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.json()["booking_id"]


def _row(page: Page, phone: str):
    return page.get_by_role("row").filter(has_text=as_shown(phone))


def test_a_csr_works_the_bookings_inbox(shop, browser):  # noqa: F811
    suffix = uuid.uuid4().hex[:4]
    online_phone, flagged_phone, raced_phone = new_caller(), new_caller(), new_caller()
    online = _online_booking(shop, online_phone, f"Pat Web{suffix}")
    flagged = _partner_lead(shop, flagged_phone, f"Roy Roof{suffix}", category="Roof Repair")  # not mapped: flagged
    raced = _partner_lead(shop, raced_phone, f"Ray Race{suffix}")

    page = browser.new_page(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo")  # not the company's
    sign_in(page, shop.app_url, "Dana Lee", "/bookings")
    expect(page.get_by_role("heading", name="Bookings", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("link", name="Bookings", exact=True)).to_have_attribute("aria-current", "page")
    flagged_section = page.get_by_role("region", name="Flagged: look twice")
    expect(flagged_section.get_by_role("row").filter(has_text=as_shown(flagged_phone))).to_contain_text(
        "Its service is not mapped to a job type"
    )
    others = page.get_by_role("region", name="Everything else")
    expect(others.get_by_role("row").filter(has_text=as_shown(online_phone))).to_contain_text("Website")
    expect(others.get_by_role("row").filter(has_text=as_shown(raced_phone))).to_contain_text("Networx")
    rows = page.get_by_role("row").all_inner_texts()
    position = {p: next(i for i, r in enumerate(rows) if as_shown(p) in r) for p in (flagged_phone, online_phone)}
    assert position[flagged_phone] < position[online_phone], "the flagged booking comes first"
    screenshot(page, "bookings-inbox")
    check_accessible(page, "the Bookings inbox")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: a row a block
    screenshot(page, "bookings-inbox-phone")
    check_accessible(page, "the Bookings inbox on a phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("From").select_option(label="Online bookings")
    page.get_by_role("button", name="Show").click()
    expect(_row(page, online_phone)).to_be_visible()
    expect(_row(page, raced_phone)).to_have_count(0)
    expect(_row(page, flagged_phone)).to_have_count(0)

    # an online booking: its page, a note, converted into a job in the company's time
    _row(page, online_phone).get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Booking from Pat Web{suffix}")).to_be_visible()
    assert page.url == f"{shop.app_url}/bookings/{online}"
    expect(page.get_by_test_id("booking-status")).to_have_text("Pending")
    expect(page.get_by_text("Google Ads - AC Repair")).to_be_visible()
    expect(page.get_by_text("Upstairs unit blows warm air.")).to_be_visible()
    page.get_by_label("Add a note").fill("Called back: Thursday morning suits them.")
    page.get_by_role("button", name="Save note").click()
    notes = page.get_by_role("region", name="Notes")
    expect(notes).to_contain_text("Called back: Thursday morning suits them.")
    expect(notes).to_contain_text("you (Dana Lee)")
    expect(page.get_by_label("Starts")).to_have_value("2026-12-03T09:00")
    expect(page.get_by_label("Ends")).to_have_value("2026-12-03T11:00")
    page.get_by_label("Job type").select_option(label="AC Repair")
    expect(page.get_by_label("Business unit")).to_have_value("bu-hvac")  # the one unit that offers it
    screenshot(page, "booking")
    check_accessible(page, "a booking")

    page.get_by_role("button", name="Convert into a job").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("Converted", timeout=TIMEOUT_MS)
    expect(page.get_by_text("is booked for Dec 3, 2026, 9:00 AM – 11:00 AM")).to_be_visible()
    booking = shop.admin.get(f"/v1/bookings/{online}").json()
    job = shop.admin.get(f"/v1/jobs/{booking['job_id']}").json()
    assert (booking["status"], job["origin"], job["campaign_id"]) == ("converted", "booking", booking["campaign_id"])
    assert job["appointment_start"] == "2026-12-03T15:00:00.000Z"  # 9 AM in Chicago, not in Tokyo
    assert job["appointment_end"] == "2026-12-03T17:00:00.000Z"
    expect(page.get_by_role("region", name="History")).to_contain_text(f"converted into job {job['job_id']}")
    expect(page.get_by_role("button", name="Convert into a job")).to_have_count(0)
    screenshot(page, "booking-converted")
    check_accessible(page, "a converted booking")

    # a flagged partner lead, dismissed with its reason
    page.get_by_role("link", name="Back to Bookings").click()
    _row(page, flagged_phone).get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Booking from Roy Roof{suffix}")).to_be_visible()
    expect(page.get_by_role("note", name="Flagged")).to_contain_text("Its service is not mapped to a job type")
    expect(page.get_by_text("Its service is not mapped to a job type: choose one.")).to_be_visible()
    page.get_by_label("Reason").select_option(label="Out of Service Area")
    page.get_by_label("Note (optional)").fill("North of the river: outside our area.")
    page.get_by_role("button", name="Dismiss booking").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("Dismissed", timeout=TIMEOUT_MS)
    expect(page.get_by_text("Dismissed: Out of Service Area.")).to_be_visible()
    dismissed = shop.admin.get(f"/v1/bookings/{flagged}").json()
    assert (dismissed["status"], dismissed["dismiss_reason"]) == ("dismissed", "out_of_service_area")
    screenshot(page, "booking-dismissed")

    # converted by someone else while the page was open: the refusal in words, and the booking as it is now
    page.goto(f"{shop.app_url}/bookings/{raced}")
    mapped = shop.admin.get(f"/v1/bookings/{raced}").json()["job_type_id"]  # Networx's AC Repair
    expect(page.get_by_label("Job type")).to_have_value(mapped, timeout=TIMEOUT_MS)
    window = {"appointment_start": "2026-12-02T15:00:00Z", "appointment_end": "2026-12-02T18:00:00Z"}
    first = shop.admin.post(f"/v1/bookings/{raced}/convert", window)
    assert first.status_code == 200, first.text
    page.get_by_role("button", name="Convert into a job").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(
        f"Not converted: this booking was already converted into job {first.json()['job']['job_id']} by Olivia "
        "Owens meanwhile. Nothing new was booked.",
        timeout=TIMEOUT_MS,
    )
    expect(page.get_by_test_id("booking-status")).to_have_text("Converted")
    screenshot(page, "booking-convert-refused")
    check_accessible(page, "a refused conversion")


def _inbox(api: Api, **params) -> list[dict]:
    response = api.get("/v1/notifications", params={"limit": 50, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _settled_unread(api: Api, booking_ids: set[str], timeout: float = 30.0) -> int:
    """The unread count once the notifications of these bookings are in, and nothing more arrives for 2 s."""
    deadline = time.monotonic() + timeout
    while not booking_ids <= {n["subject_id"] for n in _inbox(api)}:
        assert time.monotonic() < deadline, f"no notification of {booking_ids} within {timeout:.0f} s"
        time.sleep(0.3)
    count, since = len(_inbox(api, unread="true")), time.monotonic()
    while time.monotonic() - since < 2.0:
        time.sleep(0.4)
        now = len(_inbox(api, unread="true"))
        if now != count:
            count, since = now, time.monotonic()
    return count


def test_the_bell_counts_unread_notifications_and_the_list_opens_what_they_are_about(shop, browser):  # noqa: F811
    read_phone, dismissed_phone = new_caller(), new_caller()
    to_read = _partner_lead(shop, read_phone, "Nia Notify")
    to_dismiss = _partner_lead(shop, dismissed_phone, "Dan Dismiss")
    unread = _settled_unread(shop.csr, {to_read, to_dismiss})
    assert 2 <= unread < 50
    (told,) = [n for n in _inbox(shop.csr) if n["subject_id"] == to_read]
    assert told["link"] == f"{shop.app_url}/bookings/{to_read}"  # an address on the app's own origin

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, shop.app_url, "Carlos Ruiz")  # a CSR without Second Chance Leads starts on Bookings
    expect(page.get_by_role("heading", name="Bookings", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    top = page.get_by_role("banner")
    expect(top.get_by_role("link", name="Second Chance Leads")).to_have_count(0)
    bell = top.get_by_role("link", name="Notifications,")
    expect(bell).to_have_accessible_name(f"Notifications, {unread} unread")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(bell).to_have_attribute("aria-current", "page")
    read_item = page.get_by_role("listitem").filter(has_text=f"New networx lead: {as_shown(read_phone)}")
    dismissed_item = page.get_by_role("listitem").filter(has_text=f"New networx lead: {as_shown(dismissed_phone)}")
    expect(read_item).to_contain_text("Unread")
    expect(read_item).to_contain_text("Customer: Nia Notify")
    screenshot(page, "notifications")
    check_accessible(page, "the notifications")

    read_item.get_by_role("button", name="Mark read").click()
    expect(read_item.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(bell).to_have_accessible_name(f"Notifications, {unread - 1} unread")
    dismissed_item.get_by_role("button", name="Dismiss").click()
    expect(dismissed_item).to_have_count(0)
    expect(page.get_by_text("Dismissed: New networx lead")).to_be_visible()
    expect(bell).to_have_accessible_name(f"Notifications, {unread - 2} unread")
    assert to_dismiss not in {n["subject_id"] for n in _inbox(shop.csr)}
    screenshot(page, "notifications-after-read-and-dismiss")

    page.evaluate("window.sameDocument = true")
    read_item.get_by_role("link", name=f"New networx lead: {as_shown(read_phone)}").click()
    expect(page.get_by_role("heading", name="Booking from Nia Notify")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.url == f"{shop.app_url}/bookings/{to_read}"
    assert page.evaluate("window.sameDocument") is True, "the app followed the link itself, without a reload"
    expect(bell).to_have_accessible_name(f"Notifications, {unread - 2} unread")


def test_an_employee_saves_their_notification_channels(shop, browser):  # noqa: F811
    mobile = new_caller()
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    try:
        sign_in(page, shop.app_url, "Carlos Ruiz", "/me/notifications")
        expect(page.get_by_role("heading", name="Your notification settings")).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_label("In Leadline")).to_be_checked()
        expect(page.get_by_label("By email")).to_be_checked()
        expect(page.get_by_label("By text message")).not_to_be_checked()
        expect(page.get_by_label("Email address")).to_have_value("carlos@acme-home.example")
        expect(page.get_by_label("Mobile number")).to_have_value("(512) 555-0112")
        screenshot(page, "notification-settings")
        check_accessible(page, "the notification settings")

        page.get_by_label("By text message").check()
        page.get_by_label("By email").uncheck()
        page.get_by_label("Mobile number").fill("12")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("alert")).to_contain_text("Mobile number", timeout=TIMEOUT_MS)
        screenshot(page, "notification-settings-refused")

        page.get_by_label("Mobile number").fill(as_shown(mobile))
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Saved.")).to_be_visible(timeout=TIMEOUT_MS)
        saved = shop.csr.get("/v1/me/notification-preferences").json()
        assert saved == {
            "channels": {"in_app": True, "email": False, "sms": True},
            "email": "carlos@acme-home.example",
            "mobile_phone": mobile,
        }
        page.reload()
        expect(page.get_by_label("By text message")).to_be_checked(timeout=TIMEOUT_MS)
        expect(page.get_by_label("By email")).not_to_be_checked()
        expect(page.get_by_label("Mobile number")).to_have_value(as_shown(mobile))
    finally:  # the demo CSR's settings as the seed made them, for the tests after this one
        restored = shop.csr.put(
            "/v1/me/notification-preferences",
            {"channels": {"in_app": True, "email": True, "sms": False}, "email": None, "mobile_phone": None},
        )
        assert restored.status_code == 200, restored.text
