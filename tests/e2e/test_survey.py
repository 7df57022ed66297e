"""The evaluation survey in Chromium, with JavaScript on and off: a facilitator builds a survey
from two instruments, participants of both sides answer before and after on a phone, and the
results show the change per side while small groups stay hidden (from an observer too).

Four people per side (and two of a comparison group) answer through the actions, so that
with the two browser participants each side reaches the default cell threshold of five.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from tests.conftest import create_account
from tests.e2e.conftest import LiveServer
from tests.e2e.test_foundation import sign_in
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.actions import create_initiative
from tracktwo.common.initiatives.models import Side
from tracktwo.common.participation.actions import join as join_link
from tracktwo.common.participation.models import Participant
from tracktwo.parts.surveys.actions.answers import submit_response
from tracktwo.parts.surveys.models import Survey

pytestmark = pytest.mark.browser

# (pre, post) ratings on the thermometer of the people answering through the actions;
# with the browser's Hill (30 -> 50) and Harbour (40 -> 50) participants the mean changes
# are (10 + 10 + 5 + 5 + 20) / 5 = +10.0 for Hill and (2 + 3 + 2 + 3 + 10) / 5 = +4.0 for
# Harbour.
SEEDED = {
    "Hill villages": [(40, 50), (35, 45), (50, 55), (45, 50)],
    "Harbour towns": [(60, 62), (50, 53), (45, 47), (52, 55)],
    "Comparison group": [(50, 51), (44, 44)],
}


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def contexts(
    browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    made: list[BrowserContext] = []

    def new(**options: object) -> BrowserContext:
        context = browser.new_context(java_script_enabled=request.param, **options)  # type: ignore[arg-type]
        context.set_default_timeout(20_000)
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()


def _build_survey(page: Page, server: LiveServer) -> dict[str, str]:
    with server.platform.database.transaction() as db:
        facilitator = db.scalars(select(User).where(User.email == "fac@example.org")).one()
        create_initiative(
            db,
            facilitator,
            name="Kelmar water",
            sides=["Hill villages", "Harbour towns"],
            languages=["en", "ar"],
        )
    sign_in(page, server, "fac@example.org")
    page.get_by_role("link", name="Kelmar water").click()
    page.get_by_role("link", name="New survey").click()
    page.get_by_label("Title").fill("Before and after the water dialogue")
    page.locator("input[name=instrument][value=thermometer]").check()
    page.locator("input[name=instrument][value=outgroup_trust]").check()
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_text("The survey was created.")).to_be_visible()
    page.get_by_role("button", name="Open pre").click()
    expect(page.get_by_text("The wave pre is now open.")).to_be_visible()
    links = {}
    for row in page.locator("#links tbody tr").all():
        name = row.locator("td").first.inner_text().split(" (")[0].strip()
        links[name] = row.locator("code").inner_text().strip()
    return links


def _seed(server: LiveServer, links: dict[str, str], position: int, people: dict[str, int]) -> None:
    """The people answering through the actions: enrolled at pre, answering wave ``position``."""
    with server.platform.database.transaction() as db:
        sides = {side.name: side.id for side in db.scalars(select(Side))}
        survey_id = db.scalars(select(Survey.id)).one()
        for group, pairs in SEEDED.items():
            token = links[group].rsplit("/j/", 1)[1]
            side = "Harbour towns" if group == "Comparison group" else group
            other = sides["Hill villages" if side == "Harbour towns" else "Harbour towns"]
            for number, pair in enumerate(pairs):
                key = f"{group} {number}"
                if key not in people:
                    people[key] = join_link(db, token, side=sides[side]).participant.id
                answers = {f"thermometer.warmth@side:{other}": pair[position]}
                answers |= {f"outgroup_trust.trust{k}@side:{other}": 4 for k in range(1, 5)}
                submit_response(db, db.get(Participant, people[key]), survey_id, answers)


def _answer(page: Page, warmth: int) -> None:
    page.locator("input[type=number]").fill(str(warmth))
    for question in page.locator("fieldset.question").all():
        question.locator("input[value='4']").check()
    page.locator("button.big").click()


def _join(page: Page, link: str, language: str = "en") -> None:
    page.goto(link + ("?lang=" + language if language != "en" else ""))
    page.locator("input[name=consent]").check()
    page.locator("button.big").click()
    page.locator("a.button.big").click()  # past the private resume link


def test_build_answer_before_and_after_and_read_change_per_side(
    contexts: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    create_account(live_server.platform, "fac@example.org", "Facilitator")
    create_account(live_server.platform, "envoy@example.org", "Envoy")
    facilitator = contexts().new_page()
    links = _build_survey(facilitator, live_server)
    assert set(links) == {"Everyone", "Hill villages", "Harbour towns", "Comparison group"}
    survey_url = facilitator.url
    seeded: dict[str, int] = {}
    _seed(live_server, links, 0, seeded)

    phone = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
    hill = contexts(**phone).new_page()
    _join(hill, links["Hill villages"])
    # asked about the other side: the thermometer names Harbour towns
    expect(
        hill.get_by_role("spinbutton", name=re.compile(r"^\d+\. Harbour towns$"))
    ).to_be_visible()
    _answer(hill, 30)
    expect(hill.get_by_text("Thank you. Your answers have been saved.")).to_be_visible()
    questionnaire = hill.url

    harbour = contexts(**phone).new_page()
    _join(harbour, links["Harbour towns"], "ar")
    assert harbour.locator("html").get_attribute("dir") == "rtl"
    expect(
        harbour.get_by_role("spinbutton", name=re.compile(r"^\d+\. Hill villages$"))
    ).to_be_visible()
    _answer(harbour, 40)
    expect(harbour.get_by_text("شكرًا لك. حُفظت إجاباتك.")).to_be_visible()

    facilitator.goto(survey_url)
    facilitator.get_by_role("button", name="Open post").click()
    expect(facilitator.get_by_text("The wave post is now open.")).to_be_visible()
    _seed(live_server, links, 1, seeded)
    for page, warmth in ((hill, 50), (harbour, 50)):
        page.goto(questionnaire)
        _answer(page, warmth)
        expect(page.locator("p.notice").first).to_be_visible()

    facilitator.goto(survey_url + "/results")
    change = facilitator.locator("table.change[data-scale=thermometer][data-group=Participants]")
    expect(change.locator("tr", has_text="Hill villages")).to_contain_text("+10.0")
    expect(change.locator("tr", has_text="Harbour towns")).to_contain_text("+4.0")
    expect(change.locator("tr", has_text="Hill villages").locator("td").first).to_have_text("5")
    expect(facilitator.locator("figure.chart svg").first).to_be_visible()
    comparison = facilitator.locator(
        "table.change[data-scale=thermometer][data-group='Comparison group']"
    )
    expect(comparison.locator("tr", has_text="Harbour towns")).to_contain_text(
        "Not shown: fewer than 5 respondents"
    )
    expect(facilitator.locator("table.did").first).to_contain_text("Not shown")

    facilitator.goto(live_server.url + "/initiatives/1/members")
    facilitator.get_by_label("Email").fill("envoy@example.org")
    facilitator.get_by_role("button", name="Add").click()  # observer is the default role
    envoy = contexts().new_page()
    sign_in(envoy, live_server, "envoy@example.org")
    envoy.goto(survey_url + "/results")
    observed = envoy.locator("table.change[data-scale=thermometer][data-group=Participants]")
    expect(observed.locator("tr", has_text="Hill villages")).to_contain_text("+10.0")
    assert re.search(r"P-[2-9A-Z]{6}", envoy.content()) is None
    response = envoy.goto(survey_url + "/export.csv")
    assert response is not None and response.status == 403
