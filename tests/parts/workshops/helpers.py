"""Building blocks for workshop tests: an initiative with two sides, a workshop, participants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracktwo.common.accounts.actions import create_user
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.actions import create_initiative
from tracktwo.common.participation.actions import join as join_link
from tracktwo.common.participation.models import Participant
from tracktwo.parts.workshops.actions.ideas import cast_preferences, submit_idea
from tracktwo.parts.workshops.actions.workshops import (
    WorkshopSettings,
    create_workshop,
    set_step,
)
from tracktwo.parts.workshops.models import Idea
from tracktwo.store.platform import Platform

IDEAS = [
    "Nobody trusts the water figures the other side publishes.",
    "The old pipes lose a third of the water before it arrives.",
    "Farmers fear losing their land if they share the spring.",
    "Hotels at the harbour take water in the dry months.",
]


@dataclass
class World:
    platform: Platform
    facilitator: User
    initiative_id: int
    workshop_id: int
    links: dict[str, str]  # "Hill", "Harbour", "Everyone" -> token


def make_world(
    platform: Platform, *, languages: Sequence[str] = ("en", "ar"), **settings: object
) -> World:
    with platform.database.transaction() as db:
        facilitator = create_user(db, email="fac@example.org", password="a long password")
        initiative = create_initiative(
            db, facilitator, name="Kelmar", sides=["Hill", "Harbour"], languages=list(languages)
        )
        options: dict[str, object] = {
            "title": "Obstacles to sharing the water",
            "question": "What obstacles must we deal with to share the water of Kelmar?",
            **settings,
        }
        workshop = create_workshop(db, facilitator, initiative.id, WorkshopSettings(**options))  # type: ignore[arg-type]
        links = {(k.side.name if k.side else "Everyone"): k.token for k in workshop.links}
        return World(platform, facilitator, initiative.id, workshop.id, links)


def join(world: World, link: str = "Everyone", **options: object) -> Participant:
    with world.platform.database.transaction() as db:
        joined = join_link(db, world.links[link], **options)  # type: ignore[arg-type]
        _ = joined.participant.side  # loaded now, for tests that look at it later
        return joined.participant


def add_ideas(world: World, author: Participant, texts: list[str]) -> list[int]:
    with world.platform.database.transaction() as db:
        person = db.merge(author)
        return [submit_idea(db, person, world.workshop_id, text).id for text in texts]


def step(world: World, *steps: str, **options: bool) -> None:
    with world.platform.database.transaction() as db:
        for name in steps:
            set_step(db, world.facilitator, world.workshop_id, name, **options)


def vote(world: World, person: Participant, idea_ids: list[int]) -> None:
    with world.platform.database.transaction() as db:
        cast_preferences(db, db.merge(person), world.workshop_id, idea_ids)


def mapping_world(
    platform: Platform, **settings: object
) -> tuple[World, dict[str, Participant], list[int]]:
    """A workshop in its mapping step: four ideas, all voted, two people per side.

    Votes make the map's element order the ideas' order (idea 0 most voted).
    """
    world = make_world(platform, **settings)
    people = {
        "hill1": join(world, "Hill"),
        "hill2": join(world, "Hill"),
        "harbour1": join(world, "Harbour"),
        "harbour2": join(world, "Harbour"),
    }
    ideas = add_ideas(world, people["hill1"], IDEAS)
    step(world, "clarification", "clustering", "voting")
    vote(world, people["hill1"], ideas)
    vote(world, people["hill2"], ideas[:3])
    vote(world, people["harbour1"], ideas[:2])
    vote(world, people["harbour2"], ideas[:1])
    step(world, "mapping")
    return world, people, ideas


def idea(db: object, idea_id: int) -> Idea:
    from sqlalchemy.orm import Session

    assert isinstance(db, Session)
    found = db.get(Idea, idea_id)
    assert found is not None
    return found
