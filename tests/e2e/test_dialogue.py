"""Start to finish in Chromium: a facilitator, two participants of different sides, an observer.

Runs with JavaScript on and off: every step is a plain HTML form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import PASSWORD, create_account
from tests.e2e.conftest import LiveServer
from tests.e2e.test_foundation import sign_in

pytestmark = pytest.mark.browser
SEEDS = [
    "The spring belongs to everyone on the island.",
    "A joint council should manage the reservoir.",
    "Leaking pipes should be repaired first.",
    "Hill villages should have first call on the water.",
]
SEED_PATTERN = re.compile("|".join(re.escape(seed) for seed in SEEDS))


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def contexts(browser: Browser, request: pytest.FixtureRequest) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []

    def new() -> BrowserContext:
        context = browser.new_context(
            java_script_enabled=request.param, viewport={"width": 390, "height": 800}
        )
        context.set_default_timeout(20_000)
        made.append(context)
        return context

    yield new  # type: ignore[misc]
    for context in made:
        context.close()


def _setup_dialogue(page: Page, server: LiveServer) -> dict[str, str]:
    sign_in(page, server, "fac@example.org")
    page.get_by_role("link", name="New initiative").click()
    page.get_by_label("Name", exact=True).fill("Kelmar water")
    page.get_by_label("Name of side 1").fill("Hill villages")
    page.get_by_label("Name of side 2").fill("Harbour towns")
    page.get_by_role("checkbox", name="العربية").check()
    page.get_by_role("button", name="Create initiative").click()
    page.get_by_role("link", name="New dialogue").click()
    page.get_by_label("Topic").fill("The spring and the reservoir")
    page.locator("textarea[name=seeds]").fill("\n".join(SEEDS))
    page.get_by_role("button", name="Create dialogue").click()
    page.get_by_role("button", name="Open the dialogue").click()
    expect(page.get_by_text("The dialogue is now open.")).to_be_visible()
    links = {}
    for row in page.locator("#links tbody tr").all():
        name = row.locator("td").first.inner_text().strip()
        links[name] = row.locator("code").inner_text().strip()
    return links


def _participate(page: Page, link: str, language: str, votes: list[str]) -> None:
    page.goto(link + ("?lang=" + language if language != "en" else ""))
    page.locator("input[name=consent]").check()
    page.locator("button.big").click()
    page.locator("a.button.big").click()
    for value in votes:
        expect(page.locator("blockquote.statement")).to_be_visible()
        page.locator(f"button[name=value][value='{value}']").click()
        page.wait_for_load_state()


def test_a_whole_dialogue(contexts, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    create_account(live_server.platform, "fac@example.org", "Facilitator")
    create_account(live_server.platform, "envoy@example.org", "Envoy")
    facilitator = contexts().new_page()
    links = _setup_dialogue(facilitator, live_server)
    assert set(links) == {"Everyone (side chosen on joining)", "Hill villages", "Harbour towns"}
    dialogue_url = facilitator.url

    hill = contexts().new_page()
    _participate(hill, links["Hill villages"], "en", ["1", "1", "1", "1"])
    expect(hill.get_by_text("You have answered every statement for now")).to_be_visible()
    hill.get_by_role("link", name="Add your own statement").click()
    hill.locator("textarea[name=text]").fill("Shepherds and fishers both need clean water.")
    hill.get_by_role("button", name="Send").click()
    expect(hill.get_by_text("once a facilitator has read it")).to_be_visible()

    harbour = contexts().new_page()
    _participate(harbour, links["Harbour towns"], "ar", ["1", "1", "1", "1"])
    assert harbour.locator("html").get_attribute("dir") == "rtl"
    expect(harbour.locator(".progress")).to_contain_text("4")

    facilitator.goto(dialogue_url + "/moderation")
    row = facilitator.locator("tr", has_text="Shepherds and fishers")
    row.locator("input[type=checkbox]").check()
    facilitator.get_by_role("button", name="Accept").click()
    expect(facilitator.get_by_text("1 statement accepted.")).to_be_visible()

    harbour.goto(harbour.url.split("?")[0])
    expect(harbour.locator("blockquote.statement")).to_have_text(
        "Shepherds and fishers both need clean water."
    )

    facilitator.goto(dialogue_url + "/results")
    for _ in range(30):  # the in-server worker analyses a moment after the votes
        if facilitator.get_by_role("heading", name="Opinion groups").count():
            break
        facilitator.wait_for_timeout(500)
        facilitator.reload()
    expect(
        facilitator.get_by_role("heading", name="Common ground across the sides")
    ).to_be_visible()
    expect(facilitator.locator("#common-ground")).to_contain_text(
        "Leaking pipes should be repaired first."
    )
    expect(facilitator.locator("#map svg")).to_be_visible()
    expect(facilitator.locator("#groups")).to_contain_text("Group A")

    facilitator.goto(live_server.url + "/initiatives/1/members")
    facilitator.get_by_label("Email").fill("envoy@example.org")
    facilitator.get_by_role("button", name="Add").click()  # observer is the default role

    envoy = contexts().new_page()
    sign_in(envoy, live_server, "envoy@example.org")
    envoy.goto(dialogue_url + "/results")
    expect(envoy.locator("#common-ground")).to_contain_text(SEED_PATTERN)
    assert re.search(r"P-[2-9A-Z]{6}", envoy.content()) is None
    response = envoy.goto(dialogue_url + "/moderation")
    assert response is not None and response.status == 403
    expect(envoy.get_by_role("alert")).to_contain_text("may not")


def test_a_statement_view_is_small_on_a_phone(phone: Page, live_server: LiveServer) -> None:
    from tracktwo.common.accounts.actions import create_user
    from tracktwo.common.initiatives.actions import create_initiative
    from tracktwo.parts.dialogues.actions.dialogues import (
        DialogueSettings,
        create_dialogue,
        set_dialogue_state,
    )

    with live_server.platform.database.transaction() as db:
        user = create_user(db, email="f@example.org", password="a long password")
        initiative = create_initiative(
            db, user, name="K", sides=["Hill", "Harbour"], languages=["en", "he"]
        )
        dialogue = create_dialogue(
            db,
            user,
            initiative.id,
            DialogueSettings(topic="Water"),
            seed_statements=["The spring belongs to everyone."],
        )
        set_dialogue_state(db, user, dialogue.id, "open")
        token = next(link.token for link in dialogue.links if link.side is None)
    phone.goto(f"{live_server.url}/j/{token}?lang=he")
    phone.locator("input[name=consent]").check()
    phone.locator("button.big").click()
    phone.locator("a.button.big").click()
    transferred: list[int] = []
    phone.on(
        "response",
        lambda r: transferred.append(
            len(r.body()) + sum(len(k) + len(v) for k, v in r.headers.items())
        ),
    )
    phone.reload()
    expect(phone.locator("blockquote.statement")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert transferred, "the page made requests"
    assert sum(transferred) < 60_000, f"{sum(transferred)} bytes for one statement view"


def test_results_update_by_themselves(browser: Browser, live_server: LiveServer) -> None:
    """Server-sent events: new votes -> a new analysis -> the open page refreshes its results."""
    import json
    import urllib.request

    from tracktwo.common.accounts.actions import create_user
    from tracktwo.common.initiatives.actions import create_initiative
    from tracktwo.parts.dialogues.actions.dialogues import (
        DialogueSettings,
        create_dialogue,
        set_dialogue_state,
    )

    with live_server.platform.database.transaction() as db:
        user = create_user(db, email="fac@example.org", password=PASSWORD)
        initiative = create_initiative(db, user, name="K", sides=["Hill", "Harbour"])
        dialogue = create_dialogue(
            db,
            user,
            initiative.id,
            DialogueSettings(topic="Water"),
            seed_statements=["One point.", "Another point."],
        )
        set_dialogue_state(db, user, dialogue.id, "open")
        link = next(k.token for k in dialogue.links if k.side is None)
    api = live_server.url + f"/api/v1/dialogues/{dialogue.id}"

    def call(path: str, body: dict[str, object], token: str | None = None) -> dict[str, object]:
        request = urllib.request.Request(
            api + path,
            data=json.dumps(body).encode(),
            headers={
                "content-type": "application/json",
                **({"authorization": f"Bearer {token}"} if token else {}),
            },
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"{}")  # type: ignore[no-any-return]

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "fac@example.org")
    page.goto(live_server.url + f"/dialogues/{dialogue.id}/results")
    expect(page.locator("#results")).to_contain_text("0 votes")
    page.evaluate("window.stillTheSamePage = true")
    for _ in range(3):
        token = str(call("/join", {"link": link})["participant_token"])
        for statement in (1, 2):
            call("/votes", {"statement_id": statement, "value": 1}, token)
    expect(page.locator("#results")).to_contain_text("6 votes", timeout=30_000)
    expect(page.locator("#common-ground")).to_contain_text("One point.", timeout=30_000)
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, not reloaded
    context.close()
