"""The staff app in a real browser: Playwright for Python driving Debian's Chromium (tests/support/browser.py finds
it), a screenshot of each screen kept under artifacts/staff-app/, and axe-core's accessibility check."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from infra.topology import ROOT
from tests.support.browser import HEADLESS, chromium

SCREENSHOTS = ROOT / "artifacts" / "staff-app"
SERIOUS = {"serious", "critical"}
TIMEOUT_MS = 20_000

# A tel: link hands the number to the computer's phone program. This machine has none, and headless Chromium's
# prompt for one swallows every later click in the tab (microsoft/playwright#11014): the page keeps the hand-off
# from happening, after the app's own click handler has run (a listener on window runs last).
NO_PHONE_PROGRAM = """
window.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest('a[href^="tel:"]')) event.preventDefault();
});
"""


def new_caller() -> str:
    """A caller number of its own for a test (555 numbers of area code 737)."""
    return f"+1737555{uuid.uuid4().int % 10_000:04d}"


def as_shown(phone: str) -> str:
    """A North American number as the app shows it: (737) 555-0142."""
    return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium(), args=[a for a in HEADLESS if a != "--headless"]
        )
        yield launched
        launched.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page: Page) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it is now, in words."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def sign_in(page: Page, app_url: str, name: str, path: str = "/") -> None:
    page.goto(app_url + path)
    expect(page.get_by_role("heading", name="Sign in to Leadline")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name=re.compile(f"Sign in as {name}")).click()


def check_accessible(page: Page, screen: str) -> None:
    found = serious_violations(page)
    assert not found, f"{screen}: " + "; ".join(found)
