"""Joining, voting and adding statements: the rules, and every bad input, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.parts.dialogues.helpers import SEEDS, join, make_world
from tracktwo.common.participation.actions import join as join_link
from tracktwo.common.participation.actions import participant_for_secret
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.parts.dialogues.actions.dialogues import regenerate_link, set_dialogue_state
from tracktwo.parts.dialogues.actions.participation import (
    cast_vote,
    choose_next_statement,
    progress_of,
    submit_statement,
)
from tracktwo.parts.dialogues.models import Dialogue, Statement, StatementState, Vote
from tracktwo.store.jobs import Job
from tracktwo.store.platform import Platform


def test_side_links_preset_the_side_and_can_be_overridden(platform: Platform) -> None:
    world = make_world(platform)
    hill, _ = join(world, "Hill")
    assert hill.side is not None and hill.side.name == "Hill"
    undeclared, _ = join(world, "Hill", side="undeclared")
    assert undeclared.side_id is None
    general, _ = join(world, "Everyone")
    assert general.side_id is None
    with platform.database.transaction() as db, pytest.raises(InvalidInput, match="Choose one"):
        join_link(db, world.links["Everyone"], side=987654)
    with platform.database.transaction() as db, pytest.raises(InvalidInput, match="languages"):
        join_link(db, world.links["Everyone"], language="xx")


def test_joining_again_with_the_cookie_keeps_the_identity(platform: Platform) -> None:
    world = make_world(platform)
    person, secret = join(world, "Harbour", language="ar")
    with platform.database.transaction() as db:
        again = join_link(db, world.links["Harbour"], secret=secret)
        assert again.new_secret is None and again.participant.id == person.id
        assert again.participant.language == "ar"
        assert participant_for_secret(db, secret).pseudonym == person.pseudonym  # type: ignore[union-attr]
    assert person.pseudonym.startswith("P-") and len(person.pseudonym) == 8


def test_vote_counts_and_the_next_statement_never_repeats(platform: Platform) -> None:
    world = make_world(platform)
    person, _ = join(world)
    seen = []
    with platform.database.transaction() as db:
        participant = db.merge(person)
        for _ in range(len(SEEDS)):
            statement = choose_next_statement(db, participant, world.dialogue_id)
            assert statement is not None and statement.id not in seen
            seen.append(statement.id)
            cast_vote(db, participant, world.dialogue_id, statement.id, 1)
        assert choose_next_statement(db, participant, world.dialogue_id) is None
        dialogue = db.get(Dialogue, world.dialogue_id)
        assert dialogue is not None
        progress = progress_of(db, participant, dialogue)
        assert (progress.seen, progress.remaining) == (len(SEEDS), 0)
        # a burst of votes leaves one waiting analysis job, not one per vote
        assert db.scalar(select(func.count(Job.id)).where(Job.state == "queued")) == 1


def _first_statement(platform: Platform, dialogue_id: int) -> int:
    with platform.database.transaction() as db:
        return db.scalars(select(Statement.id).where(Statement.dialogue_id == dialogue_id)).first()  # type: ignore[return-value]


@pytest.mark.parametrize("value", [2, -2, 5, True])
def test_vote_values_outside_minus_one_to_one_are_refused(platform: Platform, value: int) -> None:
    world = make_world(platform)
    person, _ = join(world)
    statement = _first_statement(platform, world.dialogue_id)
    with platform.database.transaction() as db, pytest.raises(InvalidInput, match="1 \\(agree\\)"):
        cast_vote(db, db.merge(person), world.dialogue_id, statement, value)
    with platform.database.transaction() as db:
        assert db.scalar(select(func.count(Vote.id))) == 0


def test_votes_on_closed_dialogues_and_unknown_statements(platform: Platform) -> None:
    world = make_world(platform)
    person, _ = join(world)
    with platform.database.transaction() as db, pytest.raises(NotFound, match="no statement 99999"):
        cast_vote(db, db.merge(person), world.dialogue_id, 99999, 1)
    with platform.database.transaction() as db:
        set_dialogue_state(db, world.facilitator, world.dialogue_id, "closed")
    statement = _first_statement(platform, world.dialogue_id)
    with platform.database.transaction() as db, pytest.raises(Conflict, match="closed"):
        cast_vote(db, db.merge(person), world.dialogue_id, statement, 1)


def test_a_revoked_link_no_longer_lets_anyone_join(platform: Platform) -> None:
    world = make_world(platform)
    with platform.database.transaction() as db:
        link_id = next(k.id for k in db.get(Dialogue, world.dialogue_id).links if k.side is None)  # type: ignore[union-attr]
        fresh = regenerate_link(db, world.facilitator, world.dialogue_id, link_id)
    with platform.database.transaction() as db, pytest.raises(NotFound, match="does not work"):
        join_link(db, world.links["Everyone"])
    with platform.database.transaction() as db:
        assert join_link(db, fresh.token).participant.side_id is None


def test_a_participant_of_one_dialogue_cannot_vote_in_another(platform: Platform) -> None:
    first = make_world(platform)
    person, _ = join(first)
    with platform.database.transaction() as db:
        from tracktwo.parts.dialogues.actions.dialogues import DialogueSettings, create_dialogue

        other = create_dialogue(
            db,
            first.facilitator,
            first.initiative_id,
            DialogueSettings(topic="Other"),
            seed_statements=["Something."],
        )
        set_dialogue_state(db, first.facilitator, other.id, "open")
        other_statement = db.scalars(
            select(Statement.id).where(Statement.dialogue_id == other.id)
        ).one()
    with (
        platform.database.transaction() as db,
        pytest.raises(PermissionDenied, match="not joined this dialogue"),
    ):
        cast_vote(db, db.merge(person), other.id, other_statement, 1)


def test_a_retried_vote_with_the_same_key_counts_once(platform: Platform) -> None:
    world = make_world(platform)
    person, _ = join(world)
    statement = _first_statement(platform, world.dialogue_id)
    with platform.database.transaction() as db:
        first = cast_vote(
            db, db.merge(person), world.dialogue_id, statement, 1, idempotency_key="k-1"
        )
    with platform.database.transaction() as db:
        again = cast_vote(
            db, db.merge(person), world.dialogue_id, statement, 1, idempotency_key="k-1"
        )
        assert again.duplicate and again.vote_id == first.vote_id
        with pytest.raises(Conflict, match="different vote"):
            cast_vote(db, db.merge(person), world.dialogue_id, statement, -1, idempotency_key="k-1")
    with platform.database.transaction() as db:
        assert db.scalar(select(func.count(Vote.id))) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("   \n ", "empty"), ("x" * 281, "too long \\(281 characters; at most 280\\)")],
)
def test_bad_statements_are_refused(platform: Platform, text: str, message: str) -> None:
    world = make_world(platform)
    person, _ = join(world)
    with platform.database.transaction() as db, pytest.raises(InvalidInput, match=message):
        submit_statement(db, db.merge(person), world.dialogue_id, text)
    with platform.database.transaction() as db:
        assert db.scalar(select(func.count(Statement.id))) == len(SEEDS)


def test_statements_are_stored_as_typed_and_agreed_by_their_author(platform: Platform) -> None:
    world = make_world(platform, statement_limit=2)
    person, _ = join(world, "Hill")
    markup = "<script>alert('x')</script> Wells   need\u202e fixing"
    with platform.database.transaction() as db:
        statement = submit_statement(db, db.merge(person), world.dialogue_id, markup)
        # The override becomes an isolate, closed at the end: it can reorder nothing outside.
        assert statement.text == "<script>alert('x')</script> Wells need\u2067 fixing\u2069"
        assert statement.state == StatementState.PENDING
        vote = db.scalars(select(Vote).where(Vote.statement_id == statement.id)).one()
        assert vote.value == 1 and vote.participant_id == person.id
    with platform.database.transaction() as db, pytest.raises(Conflict, match="already in"):
        submit_statement(db, db.merge(person), world.dialogue_id, SEEDS[0].upper())
    with platform.database.transaction() as db:
        submit_statement(db, db.merge(person), world.dialogue_id, "Another point entirely.")
    with platform.database.transaction() as db, pytest.raises(Conflict, match="the most"):
        submit_statement(db, db.merge(person), world.dialogue_id, "A third point.")


def test_near_duplicates_are_flagged_for_moderators(platform: Platform) -> None:
    world = make_world(platform)
    person, _ = join(world)
    with platform.database.transaction() as db:
        statement = submit_statement(
            db,
            db.merge(person),
            world.dialogue_id,
            "Leaking pipes should be repaired first of all!",
        )
        original = db.scalars(select(Statement).where(Statement.text == SEEDS[2])).one()
        assert statement.similar_to_id == original.id
        assert statement.similarity is not None and statement.similarity > 0.5
        unrelated = submit_statement(
            db, db.merge(person), world.dialogue_id, "Tourists should visit the mountain villages."
        )
        assert unrelated.similar_to_id is None


def test_statements_are_not_allowed_when_switched_off(platform: Platform) -> None:
    world = make_world(platform, allow_statements=False)
    person, _ = join(world)
    with platform.database.transaction() as db, pytest.raises(Conflict, match="do not add them"):
        submit_statement(db, db.merge(person), world.dialogue_id, "A point.")


def test_a_draft_dialogue_cannot_be_joined(platform: Platform) -> None:
    world = make_world(platform, state="draft")
    with platform.database.transaction() as db, pytest.raises(Conflict, match="not opened yet"):
        join_link(db, world.links["Everyone"])
