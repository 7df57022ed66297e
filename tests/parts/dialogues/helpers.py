"""Building blocks for dialogue tests: an initiative with two sides, a dialogue, participants."""

from __future__ import annotations

from dataclasses import dataclass

from tracktwo.common.accounts.actions import create_user
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.actions import create_initiative
from tracktwo.common.participation.actions import join as join_link
from tracktwo.common.participation.models import Participant
from tracktwo.parts.dialogues.actions.dialogues import (
    DialogueSettings,
    create_dialogue,
    set_dialogue_state,
)
from tracktwo.store.platform import Platform

SEEDS = [
    "The spring belongs to everyone on the island.",
    "A joint council should manage the reservoir.",
    "Leaking pipes should be repaired first.",
    "Water should cost the same everywhere.",
]


@dataclass
class World:
    platform: Platform
    facilitator: User
    initiative_id: int
    dialogue_id: int
    links: dict[str, str]  # "Hill", "Harbour", "Everyone" -> token


def make_world(
    platform: Platform,
    *,
    moderation: str = "strict",
    state: str = "open",
    seeds: list[str] | None = None,
    **settings: object,
) -> World:
    with platform.database.transaction() as db:
        facilitator = create_user(db, email="fac@example.org", password="a long password")
        initiative = create_initiative(
            db, facilitator, name="Kelmar", sides=["Hill", "Harbour"], languages=["en", "ar"]
        )
        dialogue = create_dialogue(
            db,
            facilitator,
            initiative.id,
            DialogueSettings(topic="Water", moderation=moderation, **settings),  # type: ignore[arg-type]
            seed_statements=SEEDS if seeds is None else seeds,
        )
        if state != "draft":
            set_dialogue_state(db, facilitator, dialogue.id, state)
        links = {(k.side.name if k.side else "Everyone"): k.token for k in dialogue.links}
        return World(platform, facilitator, initiative.id, dialogue.id, links)


def join(world: World, link: str = "Everyone", **options: object) -> tuple[Participant, str]:
    """A new participant through a link; returns it and its secret."""
    with world.platform.database.transaction() as db:
        joined = join_link(db, world.links[link], **options)  # type: ignore[arg-type]
        assert joined.new_secret is not None
        _ = joined.participant.side  # loaded now, for tests that look at it later
        return joined.participant, joined.new_secret
