"""Survey pages through HTTP (no browser): the builder, respondents, results, import/export."""

from __future__ import annotations

import re

import pytest

from tests.conftest import WebClient, create_account, make_client
from tracktwo.store.platform import Platform

PSEUDONYM = re.compile(r"P-[2-9A-Z]{6}")


@pytest.fixture
def facilitator(web: WebClient, sqlite_platform: Platform) -> WebClient:
    create_account(sqlite_platform, "fac@example.org", "Facilitator")
    web.login("fac@example.org")
    web.submit(
        "/initiatives",
        {
            "name": "Kelmar",
            "side_id": ["", ""],
            "side_name": ["Hill", "Harbour"],
            "side_colour": ["#0072b2", "#d55e00"],
            "languages": ["en", "ar"],
        },
    )
    return web


def _new_survey(
    web: WebClient, instruments: tuple[str, ...] = ("thermometer", "outgroup_trust")
) -> str:
    response = web.submit(
        "/initiatives/1/surveys",
        {
            "title": "Before and after",
            "instrument": list(instruments),
            "wave": ["pre", "post"],
            "pre_opens": "",
            "pre_closes": "",
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
    return {name.split(" (")[0].strip(): path for name, path in found}


def _open(web: WebClient, location: str, wave: str) -> None:
    page = web.get(location).text
    wave_id = re.search(
        rf'/waves/(\d+)/state"[^>]*>\s*<input[^>]*>\s*<button[^>]*aria-label="Open {wave}"', page
    )
    assert wave_id, f"no Open button for {wave}"
    opened = web.submit(f"{location}/waves/{wave_id.group(1)}/state", {"state": "open"})
    assert f"The wave {wave} is now open." in opened.text


def _answers(page: str, warmth: str, trust: str) -> dict[str, str]:
    keys = re.findall(r'name="([a-z_]+\.[a-z0-9_]+@side:\d+)"', page)
    assert keys, "no questions on the page"
    return {key: (warmth if key.startswith("thermometer") else trust) for key in keys}


def test_builder_form_keeps_what_was_typed(facilitator: WebClient) -> None:
    form = facilitator.get("/initiatives/1/surveys/new").text
    assert "Feeling thermometer" in form and "verified" in form and "adapted" in form
    refused = facilitator.submit(
        "/initiatives/1/surveys", {"title": "My survey", "wave": ["pre", "post"]}
    )
    assert refused.status_code == 400
    assert "Choose at least one instrument" in refused.text and "My survey" in refused.text
    no_pre = facilitator.submit(
        "/initiatives/1/surveys",
        {"title": "T", "instrument": ["thermometer"], "wave": ["post"]},
    )
    assert no_pre.status_code == 400 and "needs a pre wave" in no_pre.text


def test_build_answer_and_read_results(facilitator: WebClient, sqlite_platform: Platform) -> None:
    location = _new_survey(facilitator)
    assert "Evaluation surveys" in facilitator.get("/initiatives/1").text
    links = _links(facilitator, location)
    assert set(links) == {"Everyone", "Hill", "Harbour", "Comparison group"}
    _open(facilitator, location, "pre")
    with make_client(sqlite_platform) as phone:
        join_page = phone.get(links["Hill"])
        assert join_page.status_code == 200 and 'value="1" checked' in join_page.text
        welcome = phone.submit(links["Hill"], {"language": "en", "side": "1", "consent": "yes"})
        assert "/r/tp_" in welcome.text and "/q/1" in welcome.text
        resume = re.search(r"http://127\.0\.0\.1:8000(/r/tp_[\w-]+)", welcome.text)
        assert resume
        with make_client(sqlite_platform) as other_phone:  # the private link, on another device
            moved = other_phone.get(resume.group(1), follow_redirects=False)
            assert moved.headers["location"] == "/q/1"
        page = phone.get("/q/1").text
        # a member of Hill is asked about Harbour, not about Hill
        assert "1. Harbour" in page and "Most Harbour can be trusted." in page
        assert "Most Hill" not in page
        answers = _answers(page, "120", "4")
        too_warm = phone.submit("/q/1", answers)
        assert too_warm.status_code == 400
        assert "Question 1 (“Harbour”): please give a whole number from 0 to 100." in too_warm.text
        assert 'value="120"' in too_warm.text  # what they typed is kept
        missing = dict(answers, **{"thermometer.warmth@side:2": "35"})
        missing["outgroup_trust.trust2@side:2"] = ""
        refused = phone.submit("/q/1", missing)
        assert refused.status_code == 400
        assert (
            "Please answer question 3: “I could rely on Harbour to keep their word.”"
            in refused.text
        )
        done = phone.submit("/q/1", dict(answers, **{"thermometer.warmth@side:2": "35"}))
        assert "Thank you. Your answers have been saved." in done.text
        assert "You have answered this round" in done.text
        again = phone.get("/q/1?edit=1").text
        assert 'value="35"' in again  # shown again to change
        # the same link again goes straight to the questionnaire
        assert phone.get(links["Hill"], follow_redirects=False).headers["location"] == "/q/1"
    with make_client(sqlite_platform) as phone:
        phone.submit(links["Harbour"], {"language": "ar", "side": "2", "consent": "yes"})
        arabic = phone.get("/q/1").text
        assert 'dir="rtl"' in arabic and "1. Hill" in arabic
        assert "أرسل إجاباتي" in arabic  # "Send my answers", in the participant's language
    counts = facilitator.get(location).text
    assert re.search(r"<th scope=\"row\">pre</th><td>1</td><td>0</td>", counts)
    results = facilitator.get(location + "/results").text
    assert "Feeling thermometer" in results and "Not shown: fewer than 5 respondents" in results
    assert PSEUDONYM.search(results) is None
    exported = facilitator.get(location + "/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert (
        PSEUDONYM.search(exported.text)
        and ",1,pre,treatment,thermometer.warmth@side:2,35," in exported.text
    )


def test_observers_see_suppressed_results_only(
    facilitator: WebClient, sqlite_platform: Platform
) -> None:
    location = _new_survey(facilitator)
    _open(facilitator, location, "pre")
    links = _links(facilitator, location)
    # six Hill, three Harbour and two undeclared participants answer pre and post
    people = [("Hill", "1")] * 6 + [("Harbour", "2")] * 3 + [("Everyone", "undeclared")] * 2
    phones = []
    for link, side in people:
        phone = make_client(sqlite_platform).__enter__()
        phone.submit(links[link], {"language": "en", "side": side, "consent": "yes"})
        phones.append(phone)
    for wave in ("pre", "post"):
        if wave == "post":
            _open(facilitator, location, "post")
        for index, phone in enumerate(phones):
            page = phone.get("/q/1").text
            # changes of +9, +10 and +11 in turn: a mean change of exactly +10 for Hill
            warmth = 40 + index + (10 + index % 3 - 1 if wave == "post" else 0)
            response = phone.submit("/q/1", _answers(page, str(warmth), str(3 + index % 3)))
            assert "have been saved" in response.text
    for phone in phones:
        phone.__exit__(None, None, None)
    create_account(sqlite_platform, "envoy@example.org", "Envoy")
    facilitator.submit("/initiatives/1/members", {"email": "envoy@example.org", "role": "observer"})
    with make_client(sqlite_platform) as envoy:
        envoy.login("envoy@example.org")
        assert envoy.get(location, follow_redirects=False).headers["location"].endswith("/results")
        page = envoy.get(location + "/results").text
        assert PSEUDONYM.search(page) is None
        # Hill's change is shown; Harbour (3) and the undeclared (2) are not, and together
        # they are 5, so the total does not give them away
        change = re.search(
            r"<th scope=\"row\">Hill</th>\s*<td>6</td>.*?<strong>([^<]+)</strong>", page, re.S
        )
        assert change and change.group(1) == "+10.0"
        for hidden in ("Harbour", "No side declared"):
            assert re.search(
                rf"<th scope=\"row\">{hidden}</th>\s*<td colspan=\"9\" class=\"suppressed\">"
                "Not shown: fewer than 5 respondents",
                page,
            ), hidden
        assert re.search(r"<th scope=\"row\">All</th>\s*<td>11</td>", page)
        assert "<svg" in page
        for private in ("/export.csv", "/import", "/questions", "/translations"):
            assert envoy.get(location + private).status_code == 403, private
        assert envoy.submit(location + "/waves", {"name": "followup"}).status_code == 403
        assert envoy.get("/api/v1/surveys/1/results").status_code == 401  # a token is needed


def test_questions_wording_custom_items_and_translations(facilitator: WebClient) -> None:
    location = _new_survey(facilitator)
    renamed = facilitator.submit(location + "/title", {"title": "Attitudes, spring 2026"})
    assert "The title was saved." in renamed.text and "Attitudes, spring 2026" in renamed.text
    empty = facilitator.submit(location + "/title", {"title": "  "})
    assert empty.status_code == 400 and "The survey title must not be empty." in empty.text
    questions = facilitator.get(location + "/questions").text
    assert "Most {side} can be trusted." in questions and "adapted" in questions
    saved = facilitator.submit(
        location + "/wording",
        {"instrument": "thermometer", "item": "warmth", "text": "{side} people"},
    )
    assert "now labelled adapted" in saved.text
    bad = facilitator.submit(
        location + "/custom",
        {"kind": "likert5", "name": "Hope", "texts": "Things will improve with {side}."},
    )
    assert bad.status_code == 400 and "not about a side" in bad.text
    assert "Things will improve with {side}." in bad.text  # kept
    added = facilitator.submit(
        location + "/custom",
        {
            "kind": "likert5",
            "name": "Hope",
            "texts": "Things will improve with {side}.\nI fear {side}.",
            "reverse": "2",
            "about_other_side": "on",
        },
    )
    assert "Your questions were added." in added.text and "hope.q2" in added.text
    page = facilitator.get(location + "/translations?language=ar").text
    missing = int(re.search(r"\((\d+) missing\)", page).group(1))  # type: ignore[union-attr]
    facilitator.submit(
        location + "/translations",
        {"language": "ar", "t:hope|item:q1": "ستتحسن الأمور مع {side}."},
    )
    after = facilitator.get(location + "/translations?language=ar").text
    assert f"({missing - 1} missing)" in after and "ستتحسن الأمور مع {side}." in after
    refused = facilitator.submit(
        location + "/translations", {"language": "ar", "t:hope|item:q2": "أخاف."}
    )
    assert refused.status_code == 400 and "{side}" in refused.text


def test_import_page_imports_all_or_nothing(facilitator: WebClient) -> None:
    location = _new_survey(facilitator, ("thermometer",))
    form = facilitator.get(location + "/import").text
    assert "<code>1</code> = Hill" in form and "thermometer.warmth@side:2" in form

    def upload(text: str):  # type: ignore[no-untyped-def]
        return facilitator.post(
            location + "/import",
            data={"csrf_token": facilitator.csrf},
            files={"upload": ("answers.csv", text.encode(), "text/csv")},
        )

    bad = upload(
        "respondent,side,wave,item,value\n"
        "a1,1,pre,thermometer.warmth@side:2,40\n"
        "a2,2,pre,thermometer.warmth@side:1,140\n"
    )
    assert bad.status_code == 400
    assert (
        "Line 3, column value: the answer 140 to thermometer.warmth@side:1 is outside the range "
        "0 to 100." in bad.text
    )
    unknown = upload("respondent,wave,item,value,email\na1,pre,thermometer.warmth@side:2,40,x@y\n")
    assert unknown.status_code == 400 and "unknown column &#39;email&#39;" in unknown.text
    assert "a1," not in facilitator.get(location + "/export.csv").text
    good = upload(
        "respondent,side,wave,item,value\n"
        "a1,1,pre,thermometer.warmth@side:2,40\n"
        "a2,2,pre,thermometer.warmth@side:1,60\n"
    )
    assert (
        "Imported 2 answer sets from 2 respondents (0 recognised as participants, 2 new"
        in good.text
    )
    exported = facilitator.get(location + "/export.csv").text
    assert "a1,1,pre,treatment,thermometer.warmth@side:2,40," in exported


def test_results_with_a_comparison_group_and_three_waves(sqlite_platform: Platform) -> None:
    from tests.parts.surveys.helpers import (
        answer,
        answers_for,
        enrol,
        make_survey_world,
        open_wave_named,
    )

    world = make_survey_world(sqlite_platform, waves=("pre", "post", "followup"))
    people = [(enrol(world, side)[0], side) for side in ["Hill"] * 5 + ["Harbour"] * 5]
    people += [(enrol(world, "Comparison", side=world.sides["Hill"])[0], "Hill") for _ in range(5)]
    for step, wave in enumerate(("pre", "post", "followup")):
        if step:
            open_wave_named(world, wave)
        for index, (person, side) in enumerate(people):
            gain = 0 if index >= 10 else 4 * step + index % 3  # the comparison group stays put
            answer(world, person, answers_for(world, side, 40 + index + gain, [4, 3, 4, 4]))
    create_account(sqlite_platform, "fac2@example.org")
    with make_client(sqlite_platform) as web:
        from tracktwo.common.accounts.models import User
        from tracktwo.common.initiatives.models import Membership, Role

        with sqlite_platform.database.transaction() as db:
            user = db.query(User).filter_by(email="fac2@example.org").one()
            db.add(
                Membership(initiative_id=world.initiative_id, user_id=user.id, role=Role.OBSERVER)
            )
        web.login("fac2@example.org")
        page = web.get(f"/surveys/{world.survey_id}/results").text
    did = re.search(r'<table class="stats did" data-scale="thermometer">.*?</table>', page, re.S)
    assert did and "complete cases" in did.group(0) and "all available" in did.group(0)
    assert re.search(r"<td>followup</td>\s*<td>complete cases</td>\s*<td><strong>\+", did.group(0))
    mixed = re.search(
        r'<table class="stats mixed" data-scale="thermometer">.*?</table>', page, re.S
    )
    assert mixed and "followup − pre" in mixed.group(0)
    assert "Comparison group: change from pre to followup" in page
    assert PSEUDONYM.search(page) is None


def test_answers_for_a_wave_that_closed_meanwhile_are_not_filed_under_the_next(
    sqlite_platform: Platform,
) -> None:
    from tests.parts.surveys.helpers import make_survey_world, open_wave_named

    world = make_survey_world(sqlite_platform)
    with make_client(sqlite_platform) as phone:
        link = f"/s/{world.links['Hill']}"
        phone.submit(link, {"language": "en", "side": str(world.sides["Hill"]), "consent": "yes"})
        form = phone.get(f"/q/{world.survey_id}").text
        assert 'name="wave" value="pre"' in form
        open_wave_named(world, "post")  # while the form was open on the phone
        late = phone.submit(f"/q/{world.survey_id}", {"wave": "pre", **_answers(form, "50", "4")})
        assert late.status_code == 409
        assert "This questionnaire has changed; please answer it again." in late.text
        assert 'name="wave" value="post"' in late.text and 'value="50"' not in late.text
        with sqlite_platform.database.transaction() as db:
            from sqlalchemy import func, select

            from tracktwo.parts.surveys.models import SurveyResponse

            assert db.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_sliders_are_number_fields_that_work_without_javascript(
    sqlite_platform: Platform,
) -> None:
    from tests.parts.surveys.helpers import make_survey_world

    world = make_survey_world(sqlite_platform, instruments=("ascent_of_man", "thermometer"))
    hill, harbour = world.sides["Hill"], world.sides["Harbour"]
    with make_client(sqlite_platform) as phone:
        link = f"/s/{world.links['Hill']}"
        phone.submit(link, {"language": "en", "side": str(hill), "consent": "yes"})
        page = phone.get(f"/q/{world.survey_id}").text
        fields = re.findall(r'<input class="answer-number" type="number" name="([^"]+)"', page)
        # the own side for the ingroup slider, the other side for the outgroup one
        assert fields == [
            "ascent_of_man.ingroup",
            f"ascent_of_man.outgroup@side:{harbour}",
            f"thermometer.warmth@side:{harbour}",
        ]
        assert "Hill, your own side (the average person)" in page
        assert 'type="range"' not in page  # an untouched range would send its middle value
        answers = dict.fromkeys(fields, "80") | {"ascent_of_man.ingroup": ""}
        refused = phone.submit(f"/q/{world.survey_id}", answers)
        assert refused.status_code == 400
        assert (
            "Please answer question 1: “Hill, your own side (the average person)”" in refused.text
        )
        answers["ascent_of_man.ingroup"] = "95"
        saved = phone.submit(f"/q/{world.survey_id}", answers)
        assert "Your answers have been saved." in saved.text
