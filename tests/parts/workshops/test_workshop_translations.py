"""Translations of workshop ideas and of the triggering question: the actions on both engines,
the facilitators' page, the phones, the presenter screen, the export and the brief."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.conftest import WebClient, create_account, make_client
from tests.parts.workshops.helpers import (
    IDEAS,
    World,
    add_ideas,
    idea,
    join,
    make_world,
    mapping_world,
)
from tracktwo.common.accounts.actions import create_user
from tracktwo.common.accounts.models import User
from tracktwo.common.brief.registry import BriefScope
from tracktwo.common.initiatives.actions import add_member
from tracktwo.common.initiatives.models import Initiative
from tracktwo.kernel.errors import InvalidInput, NotFound, PermissionDenied
from tracktwo.parts.workshops.actions.ideas import edit_idea
from tracktwo.parts.workshops.actions.mapping import current_question, enter_answer
from tracktwo.parts.workshops.actions.results import export_json
from tracktwo.parts.workshops.actions.translations import (
    idea_text_for,
    question_text_for,
    set_idea_translation,
    set_question_translation,
    translations_in,
)
from tracktwo.parts.workshops.actions.workshops import WorkshopSettings, set_step, update_workshop
from tracktwo.parts.workshops.brief import workshops_section
from tracktwo.parts.workshops.models import IdeaTranslation, Workshop
from tracktwo.store.platform import Platform

HELPER_PASSWORD = "a long password"  # the facilitator of tests.parts.workshops.helpers
GREEK = "Κανείς δεν εμπιστεύεται τα στοιχεία για το νερό που δημοσιεύει η άλλη πλευρά."
ARABIC = "لا أحد يثق بأرقام المياه التي ينشرها الطرف الآخر."
GREEK_QUESTION = "Ποια εμπόδια πρέπει να αντιμετωπίσουμε για να μοιραστούμε το νερό;"


def _world_with_ideas(platform: Platform) -> tuple[World, list[int]]:
    world = make_world(platform, languages=("en", "ar", "el"))
    author = join(world, "Hill", language="en")
    return world, add_ideas(world, author, IDEAS[:2])


def _versions(db: object, workshop_id: int) -> tuple[int, int]:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    workshop = db.get(Workshop, workshop_id)
    assert workshop is not None
    db.refresh(workshop)
    return workshop.version, workshop.public_version


# --- actions --------------------------------------------------------------------------------


def test_a_facilitator_enters_changes_and_removes_an_idea_translation(
    platform: Platform,
) -> None:
    world, ideas = _world_with_ideas(platform)
    with platform.database.transaction() as db:
        fac, wid = world.facilitator, world.workshop_id
        before = _versions(db, wid)
        saved = set_idea_translation(db, fac, wid, ideas[0], "el", GREEK)
        assert saved is not None and saved.translated_by_id == fac.id
        after = _versions(db, world.workshop_id)
        # Phones show translations, so both versions move and live pages refresh.
        assert after[0] > before[0] and after[1] > before[1]
        first = idea(db, ideas[0])
        assert idea_text_for(first, "el") == (GREEK, "el", True)
        assert idea_text_for(first, "en") == (IDEAS[0], "en", False)
        assert idea_text_for(first, "ar") == (IDEAS[0], "en", False)  # none yet: the original

        set_idea_translation(db, fac, wid, ideas[0], "el", " Νέο  κείμενο ")
        set_idea_translation(db, fac, wid, ideas[0], "ar", ARABIC)
        db.refresh(first)
        assert idea_text_for(first, "el") == ("Νέο κείμενο", "el", True)  # spaces folded
        assert translations_in(first.translations, "en", ["en", "ar", "el"]) == [
            ("ar", ARABIC),
            ("el", "Νέο κείμενο"),
        ]

        assert set_idea_translation(db, fac, wid, ideas[0], "el", "  ") is None
        db.refresh(first)
        assert [t.language for t in first.translations] == ["ar"]
        assert idea_text_for(first, "el") == (IDEAS[0], "en", False)
        # The other idea never had one.
        assert idea(db, ideas[1]).translations == []


def test_bad_idea_translations_are_refused_with_a_reason(platform: Platform) -> None:
    world, ideas = _world_with_ideas(platform)
    other = make_world_in_same_initiative(platform, world)
    with platform.database.transaction() as db:
        fac, wid = world.facilitator, world.workshop_id
        with pytest.raises(InvalidInput, match="fr is not one of this initiative's languages"):
            set_idea_translation(db, fac, wid, ideas[0], "fr", "Personne ne croit les chiffres.")
        with pytest.raises(InvalidInput, match="already written in that language"):
            set_idea_translation(db, fac, wid, ideas[0], "en", "Nobody believes the figures.")
        with pytest.raises(InvalidInput, match="too long"):
            set_idea_translation(db, fac, wid, ideas[0], "el", "λ" * 401)  # twice 200, plus one
        with pytest.raises(NotFound, match="no idea"):
            set_idea_translation(db, fac, other, ideas[0], "el", GREEK)
        with pytest.raises(NotFound, match="no idea"):
            set_idea_translation(db, fac, wid, 999_999, "el", GREEK)
        with pytest.raises(NotFound, match="no workshop"):
            set_idea_translation(db, fac, 999_999, ideas[0], "el", GREEK)
        assert db.scalar(select(func.count(IdeaTranslation.id))) == 0


def make_world_in_same_initiative(platform: Platform, world: World) -> int:
    """A second workshop of the same initiative (its ideas are not the first one's)."""
    from tracktwo.parts.workshops.actions.workshops import create_workshop

    with platform.database.transaction() as db:
        facilitator = db.merge(world.facilitator)
        return create_workshop(
            db,
            facilitator,
            world.initiative_id,
            WorkshopSettings(title="Another", question="What else stands in the way?"),
        ).id


def test_observers_and_strangers_cannot_translate(platform: Platform) -> None:
    world, ideas = _world_with_ideas(platform)
    with platform.database.transaction() as db:
        observer = create_user(db, email="envoy@example.org", password="a long password")
        stranger = create_user(db, email="other@example.org", password="a long password")
        fac = world.facilitator
        add_member(db, fac, world.initiative_id, email=observer.email, role="observer")
    with platform.database.transaction() as db:
        for user in (db.merge(observer), db.merge(stranger)):
            with pytest.raises((PermissionDenied, NotFound)):
                set_idea_translation(db, user, world.workshop_id, ideas[0], "el", GREEK)
            with pytest.raises((PermissionDenied, NotFound)):
                set_question_translation(db, user, world.workshop_id, "el", GREEK_QUESTION)
        with pytest.raises(PermissionDenied):
            set_idea_translation(db, db.merge(observer), world.workshop_id, ideas[0], "el", GREEK)
        assert db.scalar(select(func.count(IdeaTranslation.id))) == 0


def test_the_triggering_question_is_translated_and_cleared_when_it_changes(
    platform: Platform,
) -> None:
    world, _ = _world_with_ideas(platform)
    with platform.database.transaction() as db:
        fac, wid = world.facilitator, world.workshop_id
        with pytest.raises(InvalidInput, match="already written in that language"):
            set_question_translation(db, fac, wid, "en", "What stands in the way?")
        with pytest.raises(InvalidInput, match="not one of this initiative's languages"):
            set_question_translation(db, fac, wid, "", GREEK_QUESTION)
        before = _versions(db, wid)
        set_question_translation(db, fac, wid, "el", GREEK_QUESTION)
        assert _versions(db, wid)[1] > before[1]
        workshop = db.get(Workshop, wid)
        assert workshop is not None
        assert question_text_for(workshop, "el") == (GREEK_QUESTION, "el", True)
        assert question_text_for(workshop, "ar") == (workshop.question, "en", False)

        # The same question with other settings keeps its translation ...
        same = WorkshopSettings(title="Renamed", question=workshop.question)
        update_workshop(db, fac, wid, same)
        db.flush()
        db.refresh(workshop)
        assert question_text_for(workshop, "el")[2] is True
        # ... a new question drops it: it translated the old one.
        update_workshop(db, fac, wid, WorkshopSettings(title="Renamed", question="What now?"))
        db.flush()
        db.refresh(workshop)
        assert workshop.question_translations == []
        assert question_text_for(workshop, "el") == ("What now?", "en", False)

        set_question_translation(db, fac, wid, "el", GREEK_QUESTION)
        assert set_question_translation(db, fac, wid, "el", "") is None
        db.refresh(workshop)
        assert workshop.question_translations == []


def test_rewording_an_idea_drops_its_translations(platform: Platform) -> None:
    world, ideas = _world_with_ideas(platform)
    with platform.database.transaction() as db:
        fac, wid = world.facilitator, world.workshop_id
        set_idea_translation(db, fac, wid, ideas[0], "el", GREEK)
        edit_idea(db, fac, ideas[0], IDEAS[0], "Only the clarification changes.")
        assert idea_text_for(idea(db, ideas[0]), "el")[2] is True
        edit_idea(db, fac, ideas[0], "Nobody trusts anybody's water figures.")
        db.refresh(idea(db, ideas[0]))
        assert idea(db, ideas[0]).translations == []


def test_the_json_export_carries_the_translations(platform: Platform) -> None:
    world, ideas = _world_with_ideas(platform)
    with platform.database.transaction() as db:
        set_idea_translation(db, world.facilitator, world.workshop_id, ideas[0], "el", GREEK)
        set_question_translation(db, world.facilitator, world.workshop_id, "el", GREEK_QUESTION)
    with platform.database.transaction() as db:
        data = export_json(db, db.merge(world.facilitator), world.workshop_id)
    by_number = {row["number"]: row for row in data["ideas"]}
    assert by_number[1]["translations"] == {"el": GREEK}
    assert by_number[2]["translations"] == {}
    assert data["workshop"]["question_translations"] == {"el": GREEK_QUESTION}
    assert data["workshop"]["question_language"] == "en"


def test_the_brief_shows_translations_under_the_originals(sqlite_platform: Platform) -> None:
    world, _, ideas = mapping_world(sqlite_platform)  # languages en and ar
    with sqlite_platform.database.transaction() as db:
        fac, wid = world.facilitator, world.workshop_id
        set_question_translation(db, fac, wid, "ar", "ما العقبات أمام تقاسم المياه؟")
        set_idea_translation(db, fac, wid, ideas[0], "ar", ARABIC)
        workshop = db.get(Workshop, wid)
        while (question := current_question(db, workshop)) is not None:  # type: ignore[arg-type]
            i, j = question.pair  # a chain: idea 0 helps every other, so it is the root driver
            enter_answer(db, fac, wid, ideas[i], ideas[j], i < j)
        set_step(db, fac, wid, "action_plan")
        initiative = db.get(Initiative, world.initiative_id)
        assert initiative is not None
        scope = BriefScope(db=db, initiative=initiative, dialogues=[], min_cell=5)
        section = workshops_section(scope)
    assert section is not None
    html = str(section.html)
    drivers = html[html.index("<h4>Root drivers</h4>") :]
    assert drivers.index(IDEAS[0]) < drivers.index(ARABIC)  # the original first
    assert f'<li lang="ar" dir="rtl"><span class="language">العربية:</span> {ARABIC}</li>' in html
    assert "ما العقبات أمام تقاسم المياه؟" in html


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def room(sqlite_platform: Platform) -> tuple[World, list[int]]:
    """A workshop of an initiative in English, Arabic and Greek, with two English ideas."""
    return _world_with_ideas(sqlite_platform)


def _stored(platform: Platform) -> int:
    """How many idea translations the database holds."""
    with platform.database.transaction() as db:
        return int(db.scalar(select(func.count(IdeaTranslation.id))) or 0)


def _signed_in(platform: Platform, email: str, password: str | None = None) -> WebClient:
    client = make_client(platform)
    if password is None:
        client.login(email)
    else:
        client.login(email, password)
    return client


def _translate_first_idea_and_question(
    platform: Platform, world: World, ideas: list[int], texts: dict[str, str]
) -> None:
    """The first idea in ``texts``' languages, and the question in Greek."""
    with platform.database.transaction() as db:
        fac = db.merge(world.facilitator)
        for language, text in texts.items():
            set_idea_translation(db, fac, world.workshop_id, ideas[0], language, text)
        set_question_translation(db, fac, world.workshop_id, "el", GREEK_QUESTION)


def _join(platform: Platform, world: World, language: str) -> WebClient:
    client = make_client(platform)
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        token = next(link.token for link in workshop.links if link.side is None)
    side = next(iter(re.findall(r'name="side" value="(\w+)"', client.get(f"/wj/{token}").text)))
    welcome = client.submit(f"/wj/{token}", {"language": language, "side": side, "consent": "yes"})
    assert welcome.status_code == 200
    return client


def test_a_facilitator_translates_through_the_page(
    room: tuple[World, list[int]], sqlite_platform: Platform
) -> None:
    world, ideas = room
    web = _signed_in(sqlite_platform, "fac@example.org", HELPER_PASSWORD)
    base = f"/workshops/{world.workshop_id}/translations"
    page = web.get(base).text
    assert IDEAS[0] in page and 'name="csrf_token"' in page
    assert f'action="{base}/ideas/{ideas[0]}"' in page and f'action="{base}/question"' in page
    assert "4 idea translations missing" in page  # two ideas, into ar and el

    saved = web.submit(
        f"{base}/ideas/{ideas[0]}", {"language": "el", "text": GREEK}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#idea-{ideas[0]}")
    web.submit(f"{base}/question", {"language": "el", "text": GREEK_QUESTION})
    page = web.get(base).text
    assert GREEK in page and GREEK_QUESTION in page and "3 idea translations missing" in page

    refused = web.submit(f"{base}/ideas/{ideas[1]}", {"language": "fr", "text": "Les tuyaux."})
    assert refused.status_code == 400
    assert "fr is not one of this initiative" in unescape(refused.text)
    long = "Οι παλιοί σωλήνες χάνουν νερό. " * 14  # over twice the longest idea
    too_long = web.submit(f"{base}/ideas/{ideas[1]}", {"language": "el", "text": long})
    assert too_long.status_code == 400 and "too long" in too_long.text
    assert long.strip() in too_long.text  # what was typed is kept, in its form

    missing = web.submit(f"{base}/ideas/999999", {"language": "el", "text": GREEK})
    assert missing.status_code == 404

    # Without the CSRF token nothing is saved.
    forged = web.post(f"{base}/ideas/{ideas[1]}", data={"language": "ar", "text": ARABIC})
    assert forged.status_code == 403
    assert _stored(sqlite_platform) == 1


def test_an_observer_can_neither_see_nor_post_translations(
    room: tuple[World, list[int]], sqlite_platform: Platform
) -> None:
    world, ideas = room
    create_account(sqlite_platform, "envoy@example.org", "Envoy")
    with sqlite_platform.database.transaction() as db:
        owner = db.scalars(select(User).where(User.email == "fac@example.org")).one()
        add_member(db, owner, world.initiative_id, email="envoy@example.org", role="observer")
    envoy = _signed_in(sqlite_platform, "envoy@example.org")
    base = f"/workshops/{world.workshop_id}/translations"
    assert envoy.get(base).status_code == 403
    refused = envoy.submit(f"{base}/ideas/{ideas[0]}", {"language": "el", "text": GREEK})
    assert refused.status_code == 403
    assert envoy.submit(f"{base}/question", {"language": "el", "text": "x"}).status_code == 403
    assert _stored(sqlite_platform) == 0


def test_phones_show_the_participants_language_with_the_original(
    room: tuple[World, list[int]], sqlite_platform: Platform
) -> None:
    world, ideas = room
    _translate_first_idea_and_question(sqlite_platform, world, ideas, {"el": GREEK})
    greek = _join(sqlite_platform, world, "el")
    english = _join(sqlite_platform, world, "en")
    screen = f"/w/{world.workshop_id}"

    page = greek.get(screen).text
    assert f'<span dir="auto" lang="el">{GREEK}</span>' in page
    assert f'lang="el">{GREEK_QUESTION}</p>' in page
    # The originals one tap away, under the interface's own words for it (in Greek).
    assert page.count("Εμφάνιση του πρωτοτύπου") == 2
    assert f'<p lang="en" dir="auto">{IDEAS[0]}</p>' in page
    assert f'<span dir="auto" lang="en">{IDEAS[1]}</span>' in page  # not translated: original

    plain = english.get(screen).text
    assert GREEK not in plain and GREEK_QUESTION not in plain and IDEAS[0] in plain
    assert "Show the original" not in plain

    # Voting, then an influence question, on the Greek phone.
    with sqlite_platform.database.transaction() as db:
        for name in ("clarification", "clustering", "voting"):
            set_step(db, db.merge(world.facilitator), world.workshop_id, name)
    voting = greek.get(screen).text
    assert f'<span dir="auto" lang="el">1. {GREEK}</span>' in voting
    for client in (greek, english):
        client.submit(f"{screen}/preferences", {"idea_id": [str(i) for i in ideas]})
    with sqlite_platform.database.transaction() as db:
        set_step(db, db.merge(world.facilitator), world.workshop_id, "mapping")
    mapping = greek.get(screen).text
    assert 'name="from_idea"' in mapping
    assert f'<blockquote class="statement"><span dir="auto" lang="el">{GREEK}</span>' in mapping
    assert f'<blockquote class="statement"><span dir="auto" lang="en">{IDEAS[1]}' in mapping


def test_the_presenter_shows_the_original_with_its_translations(
    room: tuple[World, list[int]], sqlite_platform: Platform
) -> None:
    world, ideas = room
    _translate_first_idea_and_question(sqlite_platform, world, ideas, {"el": GREEK, "ar": ARABIC})
    web = _signed_in(sqlite_platform, "fac@example.org", HELPER_PASSWORD)
    page = web.get(f"/workshops/{world.workshop_id}/present").text
    original = page.index(IDEAS[0])
    # Under the original, in the initiative's order of languages (ar before el).
    assert original < page.index(ARABIC) < page.index(GREEK) < page.index(IDEAS[1])
    assert f'<li lang="ar" dir="rtl">{ARABIC}</li>' in page
    assert page.index("What obstacles must we deal with") < page.index(GREEK_QUESTION)


def test_phones_on_the_api_get_the_translations_of_the_question_ideas(
    sqlite_platform: Platform,
) -> None:
    world, _, _ = mapping_world(sqlite_platform)
    with sqlite_platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        question = current_question(db, workshop)
        assert question is not None
        source_id = question.source.id
        set_idea_translation(db, world.facilitator, world.workshop_id, source_id, "ar", ARABIC)
    with make_client(sqlite_platform) as phone:
        joined = phone.post(
            f"/api/v1/workshops/{world.workshop_id}/join", json={"link": world.links["Hill"]}
        )
        phone.headers["Authorization"] = "Bearer " + joined.json()["participant_token"]
        shown = phone.get(f"/api/v1/workshops/{world.workshop_id}/question").json()["question"]
    assert shown["source"]["id"] == source_id and shown["source"]["translations"] == {"ar": ARABIC}
    assert shown["target"]["translations"] == {}
