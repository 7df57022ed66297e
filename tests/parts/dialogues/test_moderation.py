"""The moderation queue and the translation queue, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.parts.dialogues.helpers import SEEDS, join, make_world
from tracktwo.common.initiatives.models import Side
from tracktwo.kernel.errors import InvalidInput, NotFound, PermissionDenied
from tracktwo.parts.dialogues.actions.moderation import (
    moderate,
    moderation_queue,
    set_translation,
    translation_queue,
)
from tracktwo.parts.dialogues.actions.participation import choose_next_statement, submit_statement
from tracktwo.parts.dialogues.models import Statement, StatementState
from tracktwo.store.platform import Platform


def _submitted(platform: Platform, world, side: str, text: str) -> int:  # type: ignore[no-untyped-def]
    person, _ = join(world, side)
    with platform.database.transaction() as db:
        return submit_statement(db, db.merge(person), world.dialogue_id, text).id


def test_queue_filters_search_and_bulk_decisions(platform: Platform) -> None:
    world = make_world(platform)
    hill = _submitted(platform, world, "Hill", "Shepherds need water for their flocks.")
    harbour = _submitted(platform, world, "Harbour", "Fishing families need fresh water too.")
    with platform.database.transaction() as db:
        pending = moderation_queue(db, world.facilitator, world.dialogue_id)
        assert {e.statement.id for e in pending.entries} == {hill, harbour}
        assert {e.author_side for e in pending.entries} == {"Hill", "Harbour"}
        hill_side = db.scalars(select(Side.id).where(Side.name == "Hill")).one()
        only_hill = moderation_queue(db, world.facilitator, world.dialogue_id, side=str(hill_side))
        assert [e.statement.id for e in only_hill.entries] == [hill]
        found = moderation_queue(
            db, world.facilitator, world.dialogue_id, state="all", query="fishing"
        )
        assert [e.statement.id for e in found.entries] == [harbour]
        seeds = moderation_queue(
            db, world.facilitator, world.dialogue_id, state="accepted", side="facilitators"
        )
        assert seeds.total == len(SEEDS)
        with pytest.raises(InvalidInput, match="reason"):
            moderate(db, world.facilitator, world.dialogue_id, [hill], "reject")
        assert (
            moderate(
                db,
                world.facilitator,
                world.dialogue_id,
                [hill, harbour],
                "reject",
                reason="Off topic",
            )
            == 2
        )
    with platform.database.transaction() as db:
        states = set(db.scalars(select(Statement.state).where(Statement.id.in_([hill, harbour]))))
        assert states == {StatementState.REJECTED}
        with pytest.raises(NotFound):
            moderate(db, world.facilitator, world.dialogue_id, [424242], "accept")
        with pytest.raises(InvalidInput, match="state"):
            moderation_queue(db, world.facilitator, world.dialogue_id, state="nonsense")


def test_strict_moderation_hides_until_accepted(platform: Platform) -> None:
    world = make_world(platform, seeds=[])
    new = _submitted(platform, world, "Hill", "A statement from the hills.")
    reader, _ = join(world, "Harbour")
    with platform.database.transaction() as db:
        assert choose_next_statement(db, db.merge(reader), world.dialogue_id) is None
        moderate(db, world.facilitator, world.dialogue_id, [new], "accept")
    with platform.database.transaction() as db:
        shown = choose_next_statement(db, db.merge(reader), world.dialogue_id)
        assert shown is not None and shown.id == new


def test_loose_moderation_shows_until_rejected(platform: Platform) -> None:
    world = make_world(platform, moderation="loose", seeds=[])
    new = _submitted(platform, world, "Hill", "A statement from the hills.")
    reader, _ = join(world, "Harbour")
    with platform.database.transaction() as db:
        shown = choose_next_statement(db, db.merge(reader), world.dialogue_id)
        assert shown is not None and shown.id == new
        moderate(db, world.facilitator, world.dialogue_id, [new], "reject", reason="Off topic")
    with platform.database.transaction() as db:
        assert choose_next_statement(db, db.merge(reader), world.dialogue_id) is None


def test_observers_cannot_moderate(platform: Platform) -> None:
    from tracktwo.common.accounts.actions import create_user
    from tracktwo.common.initiatives.actions import add_member

    world = make_world(platform)
    with platform.database.transaction() as db:
        observer = create_user(db, email="envoy@example.org", password="a long password")
        add_member(
            db, world.facilitator, world.initiative_id, email=observer.email, role="observer"
        )
    with platform.database.transaction() as db, pytest.raises(PermissionDenied, match="observer"):
        moderation_queue(db, observer, world.dialogue_id)


def test_translation_queue_lists_what_is_missing(platform: Platform) -> None:
    world = make_world(platform)
    with platform.database.transaction() as db:
        missing = translation_queue(db, world.facilitator, world.dialogue_id, "ar")
        assert len(missing) == len(SEEDS)
        set_translation(
            db,
            world.facilitator,
            world.dialogue_id,
            missing[0].id,
            "ar",
            "النبع ملك للجميع على الجزيرة.",
        )
    with platform.database.transaction() as db:
        assert (
            len(translation_queue(db, world.facilitator, world.dialogue_id, "ar")) == len(SEEDS) - 1
        )
        assert translation_queue(db, world.facilitator, world.dialogue_id, "en") == []
        with pytest.raises(InvalidInput, match="not one of this initiative's languages"):
            translation_queue(db, world.facilitator, world.dialogue_id, "de")
        with pytest.raises(InvalidInput, match="already written in that language"):
            set_translation(db, world.facilitator, world.dialogue_id, missing[1].id, "en", "x")
        set_translation(db, world.facilitator, world.dialogue_id, missing[0].id, "ar", "")
    with platform.database.transaction() as db:
        assert len(translation_queue(db, world.facilitator, world.dialogue_id, "ar")) == len(SEEDS)
