"""A whole workshop in Chromium: a facilitator and three participants from two sides.

Ideas from phones, a cluster (dragged with JavaScript, chosen in a list without), preference
votes, a few influence questions answered on the phones and closed by the facilitator, and
the influence tree on the console and on a phone. Runs with JavaScript on and off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import create_account
from tests.e2e.conftest import LiveServer
from tests.e2e.test_foundation import sign_in

pytestmark = pytest.mark.browser

IDEAS = {
    "hill1": "Nobody trusts the other side's water figures.",
    "hill2": "The old pipes lose water before it arrives.",
    "harbour": "Hotels take too much water in summer.",
}


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    made: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(
            java_script_enabled=request.param, viewport={"width": 390, "height": 800}
        )
        context.set_default_timeout(20_000)
        made.append(context)
        return context.new_page()

    make.js = request.param  # type: ignore[attr-defined]
    yield make
    for context in made:
        context.close()


def _initiative(server: LiveServer) -> None:
    from tracktwo.common.accounts.models import User
    from tracktwo.common.initiatives.actions import create_initiative

    with server.platform.database.transaction() as db:
        owner = db.query(User).filter(User.email == "fac@example.org").one()
        create_initiative(db, owner, name="Kelmar", sides=["Hill villages", "Harbour towns"])


def _join(page: Page, link: str) -> str:
    page.goto(link)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("link", name="Continue").click()
    expect(page.locator(".triggering-question")).to_be_visible()
    return page.url


def _show(page: Page, url: str, js: bool) -> None:
    """Without JavaScript a participant reloads the page; with it, the page follows by itself
    (and navigating now would race with its own reload)."""
    if not js:
        page.goto(url)


def _step(console: Page, label: str) -> None:
    console.get_by_role("button", name=re.compile("^Next: " + label)).click()
    expect(console.get_by_text(f"The workshop is now in the {label} step.")).to_be_visible()


def test_a_whole_workshop(new_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    js: bool = new_page.js
    create_account(live_server.platform, "fac@example.org", "Facilitator")
    _initiative(live_server)
    console = new_page()
    console.set_viewport_size({"width": 1200, "height": 900})
    sign_in(console, live_server, "fac@example.org")
    console.goto(live_server.url + "/initiatives/1")
    console.get_by_role("link", name="New workshop").click()
    console.get_by_label("Title").fill("Obstacles to sharing the water")
    console.get_by_label("Triggering question").fill("What obstacles must we deal with?")
    console.get_by_label("Preference votes per participant").fill("2")
    console.get_by_role("button", name="Create workshop").click()
    expect(console.get_by_text("The workshop was created.")).to_be_visible()
    links = {
        row.locator("td").first.inner_text().strip(): row.locator("code").inner_text().strip()
        for row in console.locator("#links tbody tr").all()
    }
    workshop_url = console.url

    # Three participants from two sides, each adding an idea on their phone.
    phones: dict[str, Page] = {}
    screens: dict[str, str] = {}
    for name, side in (
        ("hill1", "Hill villages"),
        ("hill2", "Hill villages"),
        ("harbour", "Harbour towns"),
    ):
        phones[name] = new_page()
        screens[name] = _join(phones[name], links[side])
        phones[name].get_by_label("Your idea").fill(IDEAS[name])
        phones[name].get_by_role("button", name="Add idea").click()
        expect(phones[name].get_by_text("Your idea is on the list.")).to_be_visible()
    console.reload()
    for text in IDEAS.values():
        expect(console.locator("#ideas")).to_contain_text(text)

    # A cluster: dragged with JavaScript, chosen in the plain list without.
    _step(console, "Clarification")
    _step(console, "Clustering")
    console.get_by_label("New cluster").fill("Trust and supply")
    console.get_by_role("button", name="Add cluster").click()
    expect(console.get_by_text("The cluster “Trust and supply” was added.")).to_be_visible()
    card = console.locator("[data-idea]", has_text=IDEAS["hill1"])
    cluster = console.get_by_role("region", name="Trust and supply")
    if js:
        card.drag_to(cluster)
        expect(console.locator("[data-board-status]")).to_have_text("Saved.")
    else:
        card.locator("select").select_option(label="Trust and supply")
        console.get_by_role("button", name="Save clusters").click()
        expect(console.get_by_text("1 idea moved.")).to_be_visible()
    console.reload()
    expect(console.get_by_role("region", name="Trust and supply")).to_contain_text(IDEAS["hill1"])

    # Preference votes: two each.
    _step(console, "Preference voting")
    choices = {
        "hill1": ["hill1", "hill2"],
        "hill2": ["hill1", "harbour"],
        "harbour": ["hill1", "harbour"],
    }
    for name, picks in choices.items():
        phone = phones[name]
        _show(phone, screens[name], js)  # with JavaScript the phone moved on by itself
        expect(phone.get_by_role("button", name="Send my choice")).to_be_visible()
        for pick in picks:
            phone.get_by_label(re.compile(re.escape(IDEAS[pick]))).check()
        phone.get_by_role("button", name="Send my choice").click()
        expect(phone.get_by_text("Your choice is saved.")).to_be_visible()
    console.reload()
    expect(console.locator("#tallies")).to_contain_text("3")

    # Influence questions: the phones answer, the facilitator closes each vote.
    _step(console, "Influence mapping")
    presenter = new_page()
    presenter.set_viewport_size({"width": 1200, "height": 800})
    sign_in(presenter, live_server, "fac@example.org")
    presenter.goto(workshop_url + "/present")
    shown = "0"
    for number in range(3):
        for index, name in enumerate(phones):
            phone = phones[name]
            _show(phone, screens[name], js)
            # The phone shows the new question (with JavaScript: by itself, live).
            expect(phone.get_by_role("button", name="Yes")).to_be_visible()
            expect(phone.locator("input[name=question_number]")).not_to_have_value(shown)
            phone.get_by_role("button", name="Yes" if index < 2 else "No").click()
            expect(phone.get_by_text("You can change your answer")).to_be_visible()
        shown = phone.locator("input[name=question_number]").input_value()
        if js and number == 0:  # live: the presenter's tallies moved without a reload
            expect(presenter.locator("#pair-tallies")).to_contain_text("2")
        console.goto(workshop_url)
        expect(console.locator("#pair-tallies")).to_contain_text("Hill villages")
        console.get_by_role("button", name="Close the vote").click()
        expect(console.locator("p.notice[role=status]")).to_have_text(
            "Yes: A simple majority said yes (2 yes, 1 no)."
        )
    expect(console.locator("#answers")).to_contain_text("helps")
    expect(console.locator("#tree svg")).to_be_visible()

    # Finish early and see the tree, on the console and on a phone.
    if console.locator("input[name=accept_incomplete]").count():
        console.locator("input[name=accept_incomplete]").check()
    _step(console, "Action plan")
    expect(console.get_by_role("heading", name="Influence tree")).to_be_visible()
    expect(console.locator("#tree svg")).to_be_visible()
    _show(phones["harbour"], screens["harbour"], js)
    expect(phones["harbour"].locator("figure.tree svg")).to_be_visible()
