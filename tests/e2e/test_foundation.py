"""Start to finish in Chromium: sign in, create an initiative with two sides, see it listed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, create_account
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_create_an_initiative_and_see_it_listed(
    page: Page, live_server: LiveServer
) -> None:
    create_account(live_server.platform, "amal@example.org", "Amal")
    sign_in(page, live_server, "amal@example.org")
    expect(page.get_by_role("heading", name="Initiatives")).to_be_visible()

    page.get_by_role("link", name="New initiative").click()
    page.get_by_label("Name", exact=True).fill("Kelmar water")
    page.get_by_label("Name of side 1").fill("Hill villages")
    page.get_by_label("Name of side 2").fill("Harbour towns")
    page.get_by_role("checkbox", name="العربية").check()
    page.get_by_role("button", name="Create initiative").click()

    expect(page.get_by_role("heading", name="Kelmar water")).to_be_visible()
    expect(page.get_by_text("The initiative was created.")).to_be_visible()
    page.get_by_role("link", name="Initiatives", exact=True).first.click()
    listing = page.locator("#initiative-list")
    expect(listing.get_by_role("link", name="Kelmar water")).to_be_visible()
    expect(listing).to_contain_text("Hill villages")
    expect(listing).to_contain_text("Harbour towns")


def test_a_wrong_password_says_so(page: Page, live_server: LiveServer) -> None:
    create_account(live_server.platform, "amal@example.org")
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("amal@example.org")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
