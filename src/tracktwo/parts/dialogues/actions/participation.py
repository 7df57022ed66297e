"""What participants do in a dialogue: see the next statement, vote, add statements.

A vote is acknowledged only after the transaction that holds it commits (the caller commits
before answering), and the request for a fresh analysis is part of the same transaction, so
a vote is never recorded without being counted in the next analysis.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, TracktwoError
from tracktwo.kernel.i18n import N_
from tracktwo.kernel.text import clean_statement_text
from tracktwo.parts.dialogues.actions.analysis import latest_snapshot, request_analysis
from tracktwo.parts.dialogues.actions.dialogues import accepting_or_refuse, require_membership
from tracktwo.parts.dialogues.models import Dialogue, Moderation, Statement, StatementState, Vote
from tracktwo.parts.dialogues.opinion import next_statement, project_participant

__all__ = [
    "Progress",
    "Standing",
    "VoteOutcome",
    "cast_vote",
    "choose_next_statement",
    "progress_of",
    "standing_of",
    "submit_statement",
    "visible_statements",
]

VOTE_VALUES = {-1: "disagree", 0: "pass", 1: "agree"}
MAX_KEY = 64


@dataclass(frozen=True)
class VoteOutcome:
    vote_id: int
    duplicate: bool  # a retry of a vote already recorded under the same key


@dataclass(frozen=True)
class Standing:
    """Where a participant stands on the opinion map of the latest analysis."""

    result: dict[str, Any]  # the analysis the map is drawn from
    position: tuple[float, float] | None  # None until their votes can be placed


@dataclass(frozen=True)
class Progress:
    seen: int  # statements this participant has answered (agree, disagree or pass)
    remaining: int  # statements visible to them that they have not answered yet


def visible_statements(dialogue: Dialogue) -> ColumnElement[bool]:
    """The SQL condition for statements participants may see under the moderation rule."""
    if dialogue.moderation == Moderation.STRICT:
        return Statement.state == StatementState.ACCEPTED
    return Statement.state != StatementState.REJECTED


def _voted_ids(db: Session, participant: Participant, dialogue_id: int) -> set[int]:
    return set(
        db.scalars(
            select(Vote.statement_id)
            .where(Vote.participant_id == participant.id, Vote.dialogue_id == dialogue_id)
            .distinct()
        )
    )


def progress_of(db: Session, participant: Participant, dialogue: Dialogue) -> Progress:
    voted = _voted_ids(db, participant, dialogue.id)
    visible = set(
        db.scalars(
            select(Statement.id).where(
                Statement.dialogue_id == dialogue.id, visible_statements(dialogue)
            )
        )
    )
    return Progress(seen=len(voted), remaining=len(visible - voted))


def choose_next_statement(
    db: Session, participant: Participant, dialogue_id: int, *, rng: random.Random | None = None
) -> Statement | None:
    """The statement to show next (Polis's priority-weighted draw), or None when done."""
    dialogue = require_membership(db, participant, dialogue_id)
    candidates = list(
        db.execute(
            select(Statement.id, Statement.is_seed)
            .where(Statement.dialogue_id == dialogue.id, visible_statements(dialogue))
            .order_by(Statement.id)
            .limit(999)  # as Polis: the 999 oldest eligible statements
        ).all()
    )
    snapshot = latest_snapshot(db, dialogue.id)
    priorities: dict[int, float] = {}
    rows = snapshot.result.get("statements") if snapshot is not None else None
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("priority") is not None:
            priorities[int(row["id"])] = float(row["priority"])
    chosen = next_statement(
        priorities,
        [sid for sid, _ in candidates],
        _voted_ids(db, participant, dialogue.id),
        rng or random.Random(),
        seed_statements=[sid for sid, seed in candidates if seed],
        prioritize_seed=dialogue.prioritize_seed,
    )
    return db.get(Statement, chosen) if chosen is not None else None


def cast_vote(
    db: Session,
    participant: Participant,
    dialogue_id: int,
    statement_id: int,
    value: int,
    *,
    idempotency_key: str | None = None,
    analysis_delay: float = 2.0,
) -> VoteOutcome:
    """Record a vote (agree 1, disagree -1, pass 0). A later vote on the same statement
    replaces the earlier one in the results; both stay in the history."""
    if isinstance(value, bool) or value not in VOTE_VALUES:
        raise InvalidInput("A vote must be 1 (agree), -1 (disagree) or 0 (pass).")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_KEY:
        raise InvalidInput(f"The idempotency key must have 1 to {MAX_KEY} characters.")
    dialogue = require_membership(db, participant, dialogue_id)
    accepting_or_refuse(dialogue)
    if idempotency_key is not None:
        earlier = db.scalar(
            select(Vote).where(
                Vote.participant_id == participant.id, Vote.idempotency_key == idempotency_key
            )
        )
        if earlier is not None:
            return _retried(earlier, dialogue_id, statement_id, value)
    statement = db.scalar(
        select(Statement).where(
            Statement.id == statement_id,
            Statement.dialogue_id == dialogue.id,
            visible_statements(dialogue),
        )
    )
    if statement is None:
        raise NotFound(f"This dialogue has no statement {statement_id} to vote on.")
    vote = Vote(
        dialogue_id=dialogue.id,
        statement_id=statement.id,
        participant_id=participant.id,
        value=value,
        idempotency_key=idempotency_key,
    )
    try:
        with db.begin_nested():
            db.add(vote)
    except IntegrityError:
        # The same key arrived twice at once: the other request recorded it.
        earlier = db.scalar(
            select(Vote).where(
                Vote.participant_id == participant.id, Vote.idempotency_key == idempotency_key
            )
        )
        if earlier is None:
            raise
        return _retried(earlier, dialogue_id, statement_id, value)
    request_analysis(db, dialogue.id, delay_seconds=analysis_delay)
    return VoteOutcome(vote_id=vote.id, duplicate=False)


def _retried(earlier: Vote, dialogue_id: int, statement_id: int, value: int) -> VoteOutcome:
    if (earlier.dialogue_id, earlier.statement_id, earlier.value) != (
        dialogue_id,
        statement_id,
        value,
    ):
        raise Conflict(
            "This idempotency key was already used for a different vote; use a new key for "
            "each new vote."
        )
    return VoteOutcome(vote_id=earlier.id, duplicate=True)


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .!?")


def submit_statement(
    db: Session,
    participant: Participant,
    dialogue_id: int,
    text: str,
    *,
    analysis_delay: float = 2.0,
) -> Statement:
    """A participant's own statement: checked, queued for moderation, and agreed by its
    author (as in Polis, writing a statement counts as agreeing with it)."""
    dialogue = require_membership(db, participant, dialogue_id)
    accepting_or_refuse(dialogue)
    if not dialogue.allow_statements:
        raise Conflict(N_("In this dialogue participants vote on statements but do not add them."))
    text = clean_statement_text(text, dialogue.max_length)
    written = db.scalar(
        select(func.count(Statement.id)).where(
            Statement.dialogue_id == dialogue.id, Statement.author_id == participant.id
        )
    )
    if (written or 0) >= dialogue.statement_limit:
        raise Conflict(
            f"You have added {written} statements, the most this dialogue allows; thank you. "
            "You can still vote."
        )
    existing = [
        (statement_id, other)
        for statement_id, other in db.execute(
            select(Statement.id, Statement.text).where(
                Statement.dialogue_id == dialogue.id,
                or_(
                    Statement.state != StatementState.REJECTED,
                    Statement.author_id == participant.id,
                ),
            )
        )
    ]
    wanted = _normalised(text)
    if any(_normalised(other) == wanted for _, other in existing):
        raise Conflict(N_("This statement is already in the dialogue; you can vote on it instead."))
    statement = Statement(
        dialogue_id=dialogue.id,
        text=text,
        language=participant.language,
        author_id=participant.id,
        state=StatementState.PENDING,
    )
    flag_near_duplicate(statement, existing)
    db.add(statement)
    db.flush()
    db.add(
        Vote(
            dialogue_id=dialogue.id,
            statement_id=statement.id,
            participant_id=participant.id,
            value=1,
        )
    )
    request_analysis(db, dialogue.id, delay_seconds=analysis_delay)
    return statement


def flag_near_duplicate(statement: Statement, existing: list[tuple[int, str]]) -> None:
    """Mark the most similar earlier statement, so moderators see likely duplicates."""
    from tracktwo.kernel.text_similarity import find_near_duplicates

    if not existing:
        return
    matches = find_near_duplicates([statement.text], [text for _, text in existing])
    if matches:
        _, index, similarity = max(matches, key=lambda match: match[2])
        statement.similar_to_id = existing[index][0]
        statement.similarity = float(similarity)


def standing_of(db: Session, participant: Participant, dialogue_id: int) -> Standing | None:
    """This participant's place on the latest opinion map ("where I stand"), projected from
    their current votes; ``None`` before the first analysis."""
    require_membership(db, participant, dialogue_id)
    snapshot = latest_snapshot(db, dialogue_id)
    if snapshot is None:
        return None
    votes = db.execute(
        select(Vote.statement_id, Vote.value)
        .where(Vote.participant_id == participant.id, Vote.dialogue_id == dialogue_id)
        .order_by(Vote.id)
    ).all()
    latest = {statement_id: value for statement_id, value in votes}  # the last vote counts
    try:
        position = project_participant(snapshot.state, list(latest.items()))
    except TracktwoError:
        position = None
    return Standing(result=snapshot.result, position=position)
