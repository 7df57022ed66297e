"""Surveys through the JSON API: the report for facilitators and observers, answering with a
participant token. SQLite only: the actions underneath are tested on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import WebClient, api_token, create_account, make_client
from tests.parts.surveys.helpers import SurveyWorld, answers_for, make_survey_world, open_wave_named
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.models import Membership, Role
from tracktwo.parts.surveys.actions.data import survey_report
from tracktwo.parts.surveys.models import Survey
from tracktwo.store.platform import Platform


@pytest.fixture
def world(sqlite_platform: Platform) -> SurveyWorld:
    return make_survey_world(sqlite_platform)


def _client(platform: Platform, token: str | None = None) -> WebClient:
    client = make_client(platform)
    if token:
        client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture
def staff(world: SurveyWorld) -> Iterator[dict[str, WebClient]]:
    platform = world.platform
    create_account(platform, "envoy@example.org", "Envoy")
    with platform.database.transaction() as db:
        envoy = db.query(User).filter_by(email="envoy@example.org").one()
        db.add(Membership(initiative_id=world.initiative_id, user_id=envoy.id, role=Role.OBSERVER))
    clients = {
        "facilitator": _client(platform, api_token(platform, "fac@example.org")),
        "observer": _client(platform, api_token(platform, "envoy@example.org")),
    }
    yield clients
    for client in clients.values():
        client.close()


def _join(world: SurveyWorld, link: str, **extra: object) -> tuple[WebClient, dict[str, object]]:
    client = _client(world.platform)
    joined = client.post(
        f"/api/v1/surveys/{world.survey_id}/join", json={"link": world.links[link], **extra}
    )
    assert joined.status_code == 201, joined.text
    client.headers["Authorization"] = f"Bearer {joined.json()['participant_token']}"
    return client, joined.json()


def test_answering_through_the_api(world: SurveyWorld) -> None:
    person, info = _join(world, "Harbour", language="ar")
    assert (info["side"], info["language"]) == ("Harbour", "ar")
    path = f"/api/v1/surveys/{world.survey_id}"
    questions = person.get(path + "/questions").json()
    assert questions["wave"] == "pre" and questions["accepting"] is True
    keys = [q["key"] for q in questions["questions"]]
    hill = world.sides["Hill"]
    assert keys[0] == f"thermometer.warmth@side:{hill}" and len(keys) == 5
    assert questions["questions"][0]["language"] == "en"  # no Arabic wording entered yet
    answers = answers_for(world, "Harbour", 130, [4, 4, 4, 4])
    refused = person.post(path + "/responses", json={"answers": answers})
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        f"The answer 130.0 to question 1 (thermometer.warmth@side:{hill}) is outside the range "
        "0 to 100."
    )
    missing = dict(answers_for(world, "Harbour", 50, [4, 4, 4, 4]))
    missing[f"outgroup_trust.trust4@side:{hill}"] = None  # type: ignore[assignment]
    assert (
        "has no answer; it is required"
        in person.post(path + "/responses", json={"answers": missing}).json()["detail"]
    )
    typed = person.post(path + "/responses", json={"answers": {"thermometer.warmth": "50"}})
    assert typed.status_code == 422  # numbers only, no silent coercion
    good = answers_for(world, "Harbour", 50, [4, 4, 4, 4])
    wrong_wave = person.post(path + "/responses", json={"answers": good, "wave": "post"})
    assert wrong_wave.status_code == 409  # pre is open, not post
    first = person.post(path + "/responses", json={"answers": good, "wave": "pre"})
    assert first.status_code == 201 and first.json()["replaced"] is False
    second = person.post(
        path + "/responses", json={"answers": answers_for(world, "Harbour", 55, [5, 4, 4, 4])}
    )
    assert second.json()["replaced"] is True
    assert person.get(path + "/questions").json()["questions"][0]["current"] == 55
    with world.platform.database.transaction() as db:
        from tracktwo.parts.surveys.actions.surveys import set_wave_state

        set_wave_state(db, world.facilitator, world.survey_id, world.waves["pre"], "closed")
    closed = person.post(path + "/responses", json={"answers": answers})
    assert closed.status_code == 409
    assert (
        _client(world.platform).post(path + "/responses", json={"answers": {}}).status_code == 401
    )
    person.close()


def test_a_dialogue_token_enters_the_survey_as_the_same_person(world: SurveyWorld) -> None:
    from tracktwo.parts.dialogues.actions.dialogues import (
        DialogueSettings,
        create_dialogue,
        set_dialogue_state,
    )

    with world.platform.database.transaction() as db:
        dialogue = create_dialogue(
            db, world.facilitator, world.initiative_id, DialogueSettings(topic="Water")
        )
        set_dialogue_state(db, world.facilitator, dialogue.id, "open")
        token = next(link.token for link in dialogue.links if link.side is None)
    client = _client(world.platform)
    joined = client.post(f"/api/v1/dialogues/{dialogue.id}/join", json={"link": token})
    client.headers["Authorization"] = f"Bearer {joined.json()['participant_token']}"
    entered = client.post(
        f"/api/v1/surveys/{world.survey_id}/join", json={"link": world.links["Everyone"]}
    )
    assert entered.status_code == 201
    assert entered.json()["participant_token"] is None
    assert entered.json()["pseudonym"] == joined.json()["pseudonym"]
    other = client.post(f"/api/v1/surveys/{world.survey_id + 1}/join", json={"link": token})
    assert other.status_code == 404  # a dialogue link is not a survey link
    client.close()


def test_results_are_the_report_for_facilitators_and_observers(
    world: SurveyWorld, staff: dict[str, WebClient]
) -> None:
    path = f"/api/v1/surveys/{world.survey_id}/results"
    assert staff["facilitator"].get(path).status_code == 204
    # five of each side take part; two Harbour people answer as the comparison group
    people = []
    for index, link in enumerate(["Hill"] * 5 + ["Harbour"] * 5 + ["Comparison"] * 2):
        side = "Hill" if link == "Hill" else "Harbour"
        extra = {"side_id": world.sides["Harbour"]} if link == "Comparison" else {}
        person, _ = _join(world, link, **extra)
        people.append((person, side, index % 5))
    for wave in ("pre", "post"):
        if wave == "post":
            open_wave_named(world, "post")
        for person, side, index in people:
            warmth = 40 + 3 * index + (8 + index if wave == "post" else 0)
            answers = answers_for(world, side, warmth, [3, 4, 4, 3])
            response = person.post(
                f"/api/v1/surveys/{world.survey_id}/responses", json={"answers": answers}
            )
            assert response.status_code == 201, response.text
    for person, _, _ in people:
        person.close()
    report = staff["facilitator"].get(path).json()
    with world.platform.database.transaction() as db:
        survey = db.get(Survey, world.survey_id)
        assert survey is not None
        assert report == survey_report(db, survey, min_cell=5)
    assert staff["observer"].get(path).json() == report
    hill = report["scales"]["thermometer"]["sides"][str(world.sides["Hill"])]
    assert hill["n"] == 5 and hill["diff"] == pytest.approx(10.0)  # 8 + mean of 0..4
    assert report["scales"]["thermometer"]["sides"][str(world.sides["Harbour"])]["n"] == 5
    # the comparison group has two people: none of its figures is shown
    comparison = report["scales"]["thermometer"]["comparison"]["sides"][str(world.sides["Harbour"])]
    assert comparison["suppressed"] is True and comparison["diff"] is None
    assert comparison["n"] == "<5"
    did = report["scales"]["thermometer"]["did"]["post"]["overall"]["complete_cases"]
    assert did["suppressed"] is True and did["estimate"] is None
    listed = staff["observer"].get(f"/api/v1/initiatives/{world.initiative_id}/surveys").json()
    assert listed[0]["links"] is None and listed[0]["instruments"] == [
        "thermometer",
        "outgroup_trust",
    ]
    assert len(staff["facilitator"].get(f"/api/v1/surveys/{world.survey_id}").json()["links"]) == 4
