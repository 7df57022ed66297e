"""The workshops section of the Track One brief, and the demo's workshops."""

from __future__ import annotations

import re

import networkx as nx

from tests.parts.workshops.helpers import mapping_world
from tracktwo.common.accounts.actions import create_user
from tracktwo.common.brief.registry import BriefScope, registered_sections
from tracktwo.common.initiatives.actions import SideInput, create_initiative
from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.models import Participant
from tracktwo.parts.workshops.actions.mapping import current_question, enter_answer, pair_tallies
from tracktwo.parts.workshops.actions.plan import ActionInput, add_action_item
from tracktwo.parts.workshops.actions.results import workshop_result
from tracktwo.parts.workshops.actions.translations import idea_text_for, question_text_for
from tracktwo.parts.workshops.actions.workshops import set_step
from tracktwo.parts.workshops.brief import workshops_section
from tracktwo.parts.workshops.demo import (
    IDEA_TRANSLATIONS,
    INFLUENCES,
    MERGED,
    OBSTACLES,
    QUESTION_TRANSLATIONS,
    seed_workshops,
)
from tracktwo.parts.workshops.models import Idea, IdeaState, Workshop, WorkshopStep
from tracktwo.store.platform import Platform


def _scope(db: object, initiative_id: int) -> BriefScope:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    initiative = db.get(Initiative, initiative_id)
    assert initiative is not None
    return BriefScope(db=db, initiative=initiative, dialogues=[], min_cell=5)


def test_the_section_is_registered_and_silent_without_workshops(
    sqlite_platform: Platform,
) -> None:
    assert any(key == "workshops" and order == 50 for order, key, _ in registered_sections())
    with sqlite_platform.database.transaction() as db:
        user = create_user(db, email="f@example.org", password="a long password")
        initiative = create_initiative(db, user, name="K", sides=["A", "B"])
        assert workshops_section(_scope(db, initiative.id)) is None


def test_the_brief_shows_the_finished_map_and_plan_without_authors(
    sqlite_platform: Platform,
) -> None:
    world, _, ideas = mapping_world(sqlite_platform)
    with sqlite_platform.database.transaction() as db:
        unfinished = workshops_section(_scope(db, world.initiative_id))
        assert unfinished is not None and "not finished its influence map" in unfinished.html
        assert "<svg" not in unfinished.html
        workshop = db.get(Workshop, world.workshop_id)
        while (question := current_question(db, workshop)) is not None:  # type: ignore[arg-type]
            i, j = question.pair  # a chain: every idea helps the ones after it
            enter_answer(db, world.facilitator, world.workshop_id, ideas[i], ideas[j], i < j)
        set_step(db, world.facilitator, world.workshop_id, "action_plan")
        add_action_item(
            db,
            world.facilitator,
            world.workshop_id,
            ActionInput(option="A water office <of both sides>", track=2, driver_ids=[ideas[0]]),
        )
        add_action_item(
            db,
            world.facilitator,
            world.workshop_id,
            ActionInput(option="Something dropped", status="dropped"),
        )
        section = workshops_section(_scope(db, world.initiative_id))
    assert section is not None and section.key == "workshops"
    html = str(section.html)
    assert "What obstacles must we deal with" in html and "<svg" in html
    assert "A water office &lt;of both sides&gt;" in html  # escaped
    assert "2. Nongovernment / professional" in html and "Something dropped" not in html
    assert "Nobody trusts the water figures" in section.summary  # idea 0 drives the chain
    assert re.search(r"\bP-[2-9A-Z]{6}\b", html) is None


def test_the_demo_workshops(sqlite_platform: Platform) -> None:
    with sqlite_platform.database.transaction() as db:
        user = create_user(db, email="f@example.org", password="a long password")
        initiative = create_initiative(
            db,
            user,
            name="Kelmar",
            sides=[SideInput(name="Hill villages"), SideInput(name="Harbour towns")],
            languages=["en", "ar", "el"],
        )
        seed_workshops(db, initiative, user)
        finished, in_progress = db.query(Workshop).order_by(Workshop.id).all()
        assert finished.step == WorkshopStep.ACTION_PLAN
        result = workshop_result(db, finished)
        assert result.overview is not None and result.overview.session.finished
        # The room voted by the hand-written map: the mapped ideas' relations are its closure.
        texts = [idea.text for idea in result.ideas]
        truth = nx.transitive_closure(nx.DiGraph(INFLUENCES), reflexive=False)
        for a, source in enumerate(texts):
            for b, target in enumerate(texts):
                if a != b:
                    expected = truth.has_edge(source, target)
                    assert result.overview.session.cell(a, b).value is expected, (source, target)
        roots = {idea.text for idea in result.root_drivers}
        assert roots == {OBSTACLES[9][1], OBSTACLES[2][1]}  # the independent body, a seat
        merged = db.query(Idea).filter(Idea.state == IdeaState.MERGED).all()
        assert len(merged) == 2 and MERGED in texts
        assert in_progress.step == WorkshopStep.MAPPING
        question = current_question(db, in_progress)
        assert question is not None
        assert sum(sum(v) for v in pair_tallies(db, in_progress, question.number).values()) == 3
        # The demo's ideas are written in English, and recorded as English even by the
        # people whose phones show Arabic.
        assert {idea.language for idea in db.query(Idea)} == {"en"}
        assert {p.language for p in db.query(Participant)} == {"en", "ar"}
        # The facilitators translated the question and a few ideas.
        for language in ("ar", "el"):
            shown = question_text_for(finished, language)
            assert shown == (QUESTION_TRANSLATIONS[language], language, True)
        translated = 0
        for original, texts in IDEA_TRANSLATIONS.items():
            found = db.query(Idea).filter(Idea.text == original).one()
            for language, text in texts.items():
                assert idea_text_for(found, language) == (text, language, True)
                translated += 1
        assert translated >= 6
