"""Workshop pages through HTTP (no browser): the facilitator's console step by step, the
participants' phone screens, the presenter, observers, exports and every bad input."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import WebClient, create_account, make_client
from tracktwo.store.platform import Platform

PSEUDONYM = re.compile(r"\bP-[2-9A-Z]{6}\b")


@pytest.fixture
def facilitator(web: WebClient, sqlite_platform: Platform) -> WebClient:
    """A signed-in facilitator who owns initiative 1 (sides Hill and Harbour; en, ar)."""
    from tracktwo.common.accounts.models import User
    from tracktwo.common.initiatives.actions import create_initiative

    create_account(sqlite_platform, "fac@example.org", "Facilitator")
    with sqlite_platform.database.transaction() as db:
        owner = db.query(User).one()
        create_initiative(
            db, owner, name="Kelmar", sides=["Hill", "Harbour"], languages=["en", "ar"]
        )
    web.login("fac@example.org")
    return web


def _create(web: WebClient, **extra: str) -> str:
    response = web.submit(
        "/initiatives/1/workshops",
        {
            "title": "Obstacles",
            "question": "What obstacles must we deal with to share the water?",
            "votes_per_participant": "3",
            "decision_rule": "simple_majority",
            "qualified_fraction": "2/3",
            "mode": "hybrid",
            "max_length": "200",
            **extra,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _links(web: WebClient, location: str) -> dict[str, str]:
    page = web.get(location).text
    found = re.findall(
        r"<td>([^<]+)</td>\s*<td><code[^>]*>http://127\.0\.0\.1:8000(/j/[\w-]+)</code>", page
    )
    return {name.strip(): path for name, path in found}


def _participant(platform: Platform, link: str, language: str = "en") -> WebClient:
    client = make_client(platform)
    page = client.get(link)
    assert page.status_code == 200 and "Which community do you belong to?" in page.text
    side = re.search(r'name="side" value="(\w+)" checked', page.text)
    assert side is not None
    welcome = client.submit(link, {"language": language, "side": side.group(1), "consent": "yes"})
    assert welcome.status_code == 200 and "/wr/" in welcome.text
    return client


def _step(web: WebClient, location: str, step: str, **extra: str) -> str:
    response = web.submit(location + "/step", {"step": step, **extra})
    assert response.status_code == 200, response.text
    return response.text


def _ids(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


def test_a_whole_workshop_through_the_pages(
    facilitator: WebClient, sqlite_platform: Platform
) -> None:
    location = _create(facilitator)
    assert location == "/workshops/1"
    links = _links(facilitator, location)
    assert set(links) == {"Everyone (side chosen on joining)", "Hill", "Harbour"}
    hill = _participant(sqlite_platform, links["Hill"])
    harbour = _participant(sqlite_platform, links["Harbour"], "ar")

    # Ideas: from phones, and one typed in by the facilitator for a participant.
    screen = hill.get("/w/1")
    assert screen.status_code == 200 and "Your idea" in screen.text
    for text in ["Nobody trusts the other side's water figures.", "The old pipes leak."]:
        assert hill.submit("/w/1/ideas", {"text": text}).status_code == 200
    assert 'dir="rtl"' in harbour.get("/w/1").text
    harbour.submit("/w/1/ideas", {"text": "Farmers fear losing their land."})
    empty = hill.submit("/w/1/ideas", {"text": "   "})
    assert empty.status_code == 400 and "The idea is empty" in empty.text
    facilitator.submit(location + "/ideas", {"text": "Hotels take water in summer."})
    assert "Hotels take water in summer." in facilitator.get(location + "/present").text
    console = facilitator.get(location).text
    assert "Hotels take water in summer." in console and PSEUDONYM.search(console)

    # Clarification: a question from the other side, answered by the author; a merge.
    clarification = _step(facilitator, location, "clarification")
    assert "Merge ideas" in clarification
    late = hill.submit("/w/1/ideas", {"text": "Too late."})
    assert late.status_code == 409
    harbour.submit("/w/1/ideas/1/ask", {"question": "Which figures?"})
    page = hill.get("/w/1").text
    assert "Which figures?" in page and "Send answer" in page
    hill.submit("/w/1/questions/1/answer", {"answer": "The reservoir levels."})
    assert "The reservoir levels." in facilitator.get(location).text
    merged = facilitator.submit(
        location + "/ideas/merge",
        {"idea_id": ["1", "2"], "merged_text": "Figures are doubted and pipes leak."},
    )
    assert "merged into idea 5" in merged.text
    history = facilitator.get(location + "/ideas/1").text
    assert "merged into" in history and "idea 5" in history

    # Clustering: a proposal, then the plain-form fallback (a select per idea).
    _step(facilitator, location, "clustering")
    facilitator.submit(location + "/clusters", {"name": "Land and water"})
    board = facilitator.get(location).text
    selects = _ids(board, r'name="cluster_for_(\d+)"')
    assert sorted(selects) == ["3", "4", "5"]
    cluster = re.search(r'<option value="(\d+)">Land and water</option>', board)
    assert cluster is not None
    saved = facilitator.submit(
        location + "/clusters/assign",
        {"cluster_for_3": cluster.group(1), "cluster_for_4": cluster.group(1), "cluster_for_5": ""},
    )
    assert "2 ideas moved." in saved.text
    assert "Land and water" in facilitator.get(location + "/present").text

    # Voting on phones; tallies by side for the facilitator.
    _step(facilitator, location, "voting")
    too_many = hill.submit("/w/1/preferences", {"idea_id": ["3", "4", "5", "3"]})
    assert too_many.status_code == 200  # a repeated idea counts once: three ideas
    hill.submit("/w/1/preferences", {"idea_id": ["3", "5"]})
    harbour.submit("/w/1/preferences", {"idea_id": ["3", "4"]})
    tallies = facilitator.get(location).text
    assert re.search(r"3\. Farmers fear losing their land\..*?<strong>2</strong>", tallies, re.S)

    # Mapping: the phones answer the current question; the facilitator closes it.
    assert "Choose the 3 ideas" in facilitator.get(location + "/present").text
    mapping = _step(facilitator, location, "mapping")
    assert "significantly help progress on" in facilitator.get(location + "/present").text
    assert "Does making progress on" in mapping and "People in the room without a device" in mapping
    phone = hill.get("/w/1").text
    number = re.search(r'name="question_number" value="(\d+)"', phone)
    pair = re.findall(r'name="(?:from|to)_idea" value="(\d+)"', phone)
    assert number is not None and len(pair) == 2
    answer = {"question_number": number.group(1), "from_idea": pair[0], "to_idea": pair[1]}
    assert "You answered yes" in hill.submit("/w/1/answer", {**answer, "answer": "yes"}).text
    harbour.submit("/w/1/answer", {**answer, "answer": "no"})
    live = facilitator.get(location).text
    assert re.search(r"<td>Hill</td><td>1</td><td>0</td>", live)
    closed = facilitator.submit(
        location + "/map/close",
        {"question_number": number.group(1), "room_yes_1": "2", "room_no_1": "0"},
    )
    assert "Yes: A simple majority said yes (3 yes, 1 no)." in closed.text
    stale = harbour.submit("/w/1/answer", {**answer, "answer": "yes"})
    assert stale.status_code == 409 and "لم يعد هذا السؤال مفتوحًا" in stale.text  # in Arabic

    # Finish the map by entering answers, then the plan.
    for _ in range(10):
        console = facilitator.get(location).text
        if "the map is complete" in console:
            break
        number = re.search(r'name="question_number" value="(\d+)"', console)
        assert number is not None
        facilitator.submit(
            location + "/map/close", {"question_number": number.group(1), "room_no_0": "1"}
        )
    assert "the map is complete" in facilitator.get(location).text
    plan = _step(facilitator, location, "action_plan")
    assert "Influence tree" in plan and "<svg" in plan and "Root drivers" in plan
    driver = re.search(r'name="driver" value="(\d+)"', plan)
    assert driver is not None
    facilitator.submit(
        location + "/plan",
        {
            "option": "Publish the reservoir level every week.",
            "owner": "Joint water council",
            "track": "9",
            "status": "agreed",
            "driver": driver.group(1),
        },
    )
    done = facilitator.get(location + "/results").text
    assert "Publish the reservoir level every week." in done
    assert "9. Communications and the media" in done
    presenter = facilitator.get(location + "/present").text
    assert "Influence tree" in presenter and PSEUDONYM.search(presenter) is None
    assert "root drivers" in hill.get("/w/1").text.lower()

    svg = facilitator.get(location + "/tree.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text
    png = facilitator.get(location + "/tree.png")
    assert png.content.startswith(b"\x89PNG")
    csv = facilitator.get(location + "/relations.csv").text
    assert csv.splitlines()[0].startswith("from,to,from_label,to_label,relation")
    everything = facilitator.get(location + "/export.json").json()
    assert everything["workshop"]["triggering_question"].startswith("What obstacles")


def test_observers_see_the_finished_map_without_authors(
    facilitator: WebClient, sqlite_platform: Platform
) -> None:
    location = _create(facilitator, mode="in_room")
    create_account(sqlite_platform, "envoy@example.org", "Envoy")
    facilitator.submit("/initiatives/1/members", {"email": "envoy@example.org", "role": "observer"})
    links = _links(facilitator, location)
    hill = _participant(sqlite_platform, links["Hill"])
    for text in ["Figures are doubted.", "Pipes leak."]:
        hill.submit("/w/1/ideas", {"text": text})
    for step in ("clarification", "clustering", "voting"):
        _step(facilitator, location, step)
    hill.submit("/w/1/preferences", {"idea_id": ["1", "2"]})
    _step(facilitator, location, "mapping")

    with make_client(sqlite_platform) as envoy:
        envoy.login("envoy@example.org")
        assert envoy.get(location, follow_redirects=False).headers["location"] == (
            location + "/results"
        )
        early = envoy.get(location + "/results").text
        assert "not finished yet" in early and "<svg" not in early
        assert envoy.get(location + "/tree.svg").status_code == 409
        assert envoy.get(location + "/present").status_code == 403
        refused = envoy.submit(location + "/map/dismiss", {})
        assert refused.status_code == 403 and "may not" in refused.text

        _step(facilitator, location, "action_plan", accept_incomplete="on")
        result = envoy.get(location + "/results").text
        assert "Influence tree" in result and "Figures are doubted." in result
        assert PSEUDONYM.search(result) is None
        assert envoy.get(location + "/relations.csv").status_code == 403
        exported = envoy.get(location + "/export.json").json()
        assert PSEUDONYM.search(json.dumps(exported)) is None
        assert envoy.get(location + "/tree.svg").status_code == 200


def test_bad_requests_get_one_sentence(facilitator: WebClient, sqlite_platform: Platform) -> None:
    bad = facilitator.submit("/initiatives/1/workshops", {"title": "", "question": "Q?"})
    assert bad.status_code == 400 and "The title must not be empty." in bad.text
    assert 'value="Q?"' not in bad.text and "Q?" in bad.text  # what was typed is kept
    location = _create(facilitator)
    rule = facilitator.submit(
        location + "/settings",
        {"title": "T", "question": "Q?", "qualified_fraction": "1/3", "votes_per_participant": "5"},
    )
    assert rule.status_code == 400 and "above 1/2" in rule.text
    wrong_step = facilitator.submit(location + "/step", {"step": "mapping"})
    assert wrong_step.status_code == 409 and "one step at a time" in wrong_step.text
    assert facilitator.submit(location + "/map/close", {"question_number": "x"}).status_code == 400
    assert facilitator.get("/workshops/999").status_code == 404
    stranger = make_client(sqlite_platform)
    with stranger:
        page = stranger.get("/w/1")
        assert page.status_code == 403 and "We do not know you in this workshop" in page.text
        assert stranger.get("/wj/not-a-token").status_code == 404
        links = _links(facilitator, location)
        refused = stranger.submit(links["Hill"], {"language": "en", "side": "", "consent": ""})
        assert refused.status_code == 400 and "Please confirm" in refused.text


def test_live_pages_hear_about_every_change(
    facilitator: WebClient, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tracktwo.parts.workshops.models import Workshop

    monkeypatch.setattr("tracktwo.web.live.STREAM_SECONDS", 0.6)
    monkeypatch.setattr("tracktwo.parts.workshops.pages.live.POLL_SECONDS", 0.1)
    location = _create(facilitator)

    def change() -> None:
        with sqlite_platform.database.transaction() as db:
            workshop = db.get(Workshop, 1)
            assert workshop is not None
            workshop.version += 1

    timer = threading.Timer(0.25, change)
    timer.start()
    with facilitator.stream("GET", location + "/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    timer.join()
    assert body.startswith("retry: 5000")
    assert body.count("event: change") == 1 and ": still here" in body
    with make_client(sqlite_platform) as stranger:
        assert stranger.get("/w/1/events").status_code == 403


def test_a_contradiction_is_shown_and_resolved_on_the_console(sqlite_platform: Platform) -> None:
    from tests.parts.workshops.helpers import mapping_world

    world, _, ideas = mapping_world(sqlite_platform)
    with make_client(sqlite_platform) as web:
        web.login("fac@example.org", "a long password")
        location = f"/workshops/{world.workshop_id}"

        def enter(i: int, j: int, answer: str) -> str:
            pair = {"from_idea": str(ideas[i]), "to_idea": str(ideas[j]), "answer": answer}
            response = web.submit(location + "/map/enter", pair)
            assert response.status_code == 200, response.text
            return response.text

        enter(0, 1, "yes")
        enter(1, 2, "yes")
        page = enter(0, 2, "no")
        assert "Contradiction: nothing was changed" in page
        panel = page[page.index('id="contradiction"') :]
        assert "because:" in panel and "Put back to the group" in panel
        assert panel.index("1. Nobody trusts") < panel.index("2. The old pipes")
        back = web.submit(
            location + "/map/withdraw", {"from_idea": str(ideas[1]), "to_idea": str(ideas[2])}
        )
        assert "the group is asked that question again" in back.text
        assert 'id="contradiction"' not in back.text
        question = back.text[back.text.index("Does making progress on") :]
        assert question.index("2. The old pipes") < question.index("3. Farmers fear")
        wrong = web.submit(location + "/map/enter", {"from_idea": str(ideas[0]), "to_idea": "x"})
        assert wrong.status_code == 400 and "second idea is missing" in wrong.text

        # To the end: the closed workshop still shows its map and plan.
        for step in ("action_plan", "closed"):
            web.submit(location + "/step", {"step": step, "accept_incomplete": "on"})
        closed = web.get(location).text
        assert "The workshop is closed" in closed and "<svg" in closed


def test_a_change_made_before_the_stream_opened_is_announced_at_once(
    facilitator: WebClient, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page says which version it was drawn from; a stream opened after a later change
    (or resumed by the browser with Last-Event-ID) announces it without waiting for another."""
    from tracktwo.parts.workshops.models import Workshop

    monkeypatch.setattr("tracktwo.web.live.STREAM_SECONDS", 0.3)
    monkeypatch.setattr("tracktwo.parts.workshops.pages.live.POLL_SECONDS", 0.1)
    location = _create(facilitator)
    page = facilitator.get(location + "/present").text
    drawn = re.search(r'events\?since=(\d+)"', page)
    assert drawn is not None
    with sqlite_platform.database.transaction() as db:
        workshop = db.get(Workshop, 1)
        assert workshop is not None
        workshop.version += 1
        now = workshop.version
    assert now > int(drawn.group(1))

    def first_event(url: str, headers: dict[str, str] | None = None) -> str:
        with facilitator.stream("GET", url, headers=headers or {}) as response:
            body = "".join(response.iter_text())
        return body.split("\n\n")[1]

    assert first_event(f"{location}/events?since={drawn.group(1)}").startswith(
        f"id: {now}\nevent: change"
    )
    # up to date: nothing to announce
    assert first_event(f"{location}/events?since={now}") == ": still here"
    # a reconnecting browser's Last-Event-ID wins over the page's old version
    resumed = first_event(f"{location}/events?since=0", {"last-event-id": str(now)})
    assert resumed == ": still here"
    assert facilitator.get(f"{location}/events?since=-1").status_code == 400
