"""The opinion analysis of a dialogue: asked for after votes, computed in the background.

Votes never wait for the analysis: casting a vote only records a request (a queued job). A
worker then runs the opinion engine on the dialogue's votes, warm-started from the previous
snapshot's state so that groups stay where they were, and stores a new snapshot.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.models import Side
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import InvalidInput
from tracktwo.parts.dialogues.models import (
    AnalysisSnapshot,
    Dialogue,
    Moderation,
    Statement,
    StatementState,
    Vote,
)
from tracktwo.parts.dialogues.opinion import OpinionState, analyze
from tracktwo.parts.dialogues.opinion.findings import public_result
from tracktwo.store.platform import Platform
from tracktwo.store.queue import enqueue

ANALYSIS_JOB = "analyse-dialogue"  # its key is "dialogue:<id>"

__all__ = [
    "ANALYSIS_JOB",
    "analysis_key",
    "engine_input",
    "latest_snapshot",
    "participation_series",
    "public_result",
    "request_analysis",
    "run_analysis",
]

KEEP_SNAPSHOTS = 3
_MODERATED = {StatementState.ACCEPTED: 1, StatementState.PENDING: 0, StatementState.REJECTED: -1}


def analysis_key(dialogue_id: int) -> str:
    return f"dialogue:{dialogue_id}"


def request_analysis(db: Session, dialogue_id: int, *, delay_seconds: float) -> None:
    """Ask for a fresh analysis within ``delay_seconds`` (many requests fold into one)."""
    enqueue(db, ANALYSIS_JOB, analysis_key(dialogue_id), delay=timedelta(seconds=delay_seconds))


def engine_input(
    db: Session, dialogue: Dialogue
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, int]:
    """Votes (latest per participant and statement), sides and statements, as the engine
    takes them. Participants appear only by pseudonym."""
    latest = (
        select(func.max(Vote.id).label("id"))
        .where(Vote.dialogue_id == dialogue.id)
        .group_by(Vote.participant_id, Vote.statement_id)
        .subquery()
    )
    rows = db.execute(
        select(Vote.id, Participant.pseudonym, Vote.statement_id, Vote.value, Vote.created_at)
        .join(latest, latest.c.id == Vote.id)
        .join(Participant, Participant.id == Vote.participant_id)
        .order_by(Vote.id)
    ).all()
    votes = pd.DataFrame(
        [(p, s, v, int(t.timestamp() * 1000)) for _, p, s, v, t in rows],
        columns=["participant", "statement", "vote", "timestamp"],
    )
    last_vote_id = max((row[0] for row in rows), default=0)
    side_rows = db.execute(
        select(Participant.pseudonym, Side.name)
        .join(Side, Side.id == Participant.side_id)
        .where(Participant.initiative_id == dialogue.initiative_id)
    ).all()
    side_order = [side.name for side in dialogue.initiative.sides]
    sides = pd.Series(
        pd.Categorical([name for _, name in side_rows], categories=side_order),
        index=[pseudonym for pseudonym, _ in side_rows],
    )
    statement_rows = db.execute(
        select(Statement.id, Statement.text, Statement.state, Statement.is_meta, Statement.is_seed)
        .where(Statement.dialogue_id == dialogue.id)
        .order_by(Statement.id)
    ).all()
    statements = pd.DataFrame(
        [
            (
                sid,
                text,
                _MODERATED[state]
                if dialogue.moderation == Moderation.STRICT
                else (-1 if state == StatementState.REJECTED else 1),
                meta,
                seed,
            )
            for sid, text, state, meta, seed in statement_rows
        ],
        columns=["statement", "text", "moderated", "is_meta", "is_seed"],
    )
    return votes, sides, statements, last_vote_id


def latest_snapshot(db: Session, dialogue_id: int) -> AnalysisSnapshot | None:
    return db.scalar(
        select(AnalysisSnapshot)
        .where(AnalysisSnapshot.dialogue_id == dialogue_id)
        .order_by(AnalysisSnapshot.id.desc())
        .limit(1)
    )


def run_analysis(platform: Platform, dialogue_id: int) -> AnalysisSnapshot | None:
    """Analyse a dialogue now and store the snapshot; ``None`` while there is nothing to
    analyse yet (no votes) or when the last snapshot already includes every vote."""
    started = time.perf_counter()
    with platform.database.transaction() as db:
        dialogue = db.get(Dialogue, dialogue_id)
        if dialogue is None:
            return None
        votes, sides, statements, last_vote_id = engine_input(db, dialogue)
        previous = latest_snapshot(db, dialogue_id)
        if votes.empty:
            return None
        previous_state = OpinionState.from_dict(previous.state) if previous is not None else None
    try:
        result = analyze(
            votes,
            sides=sides if not sides.empty else None,
            previous=previous_state,
            statements=statements,
        )
    except InvalidInput:
        # Degenerate input (for example one participant with only passes): nothing to show.
        return None
    document = result.to_dict()
    document["participation"] = participation_series(votes)
    with platform.database.transaction() as db:
        snapshot = AnalysisSnapshot(
            dialogue_id=dialogue_id,
            last_vote_id=last_vote_id,
            n_votes=len(votes),
            result=document,
            state=result.state.to_dict(),
            computed_in_ms=int((time.perf_counter() - started) * 1000),
        )
        db.add(snapshot)
        db.flush()
        stale = (
            select(AnalysisSnapshot.id)
            .where(AnalysisSnapshot.dialogue_id == dialogue_id)
            .order_by(AnalysisSnapshot.id.desc())
            .offset(KEEP_SNAPSHOTS)
        )
        db.execute(delete(AnalysisSnapshot).where(AnalysisSnapshot.id.in_(stale.scalar_subquery())))
    return snapshot


def participation_series(votes: pd.DataFrame, points: int = 60) -> list[list[int]]:
    """Cumulative (time in ms, votes, participants) at up to ``points`` moments.

    Computed with the analysis, from the votes already in memory, so that a results page
    of a dialogue with millions of votes does not scan them again.
    """
    if votes.empty:
        return []
    times = np.sort(votes["timestamp"].to_numpy(dtype=np.int64))
    first_vote = np.sort(votes.groupby("participant")["timestamp"].min().to_numpy(np.int64))
    positions = np.unique(np.linspace(0, len(times) - 1, num=min(points, len(times))).astype(int))
    return [
        [int(times[i]), int(i + 1), int(np.searchsorted(first_vote, times[i], side="right"))]
        for i in positions
    ]


def analysis_version(db: Session, dialogue_id: int) -> tuple[int, int]:
    """What the live results page watches: the latest snapshot's id and the vote count."""
    latest = db.scalar(
        select(func.max(AnalysisSnapshot.id)).where(AnalysisSnapshot.dialogue_id == dialogue_id)
    )
    votes = db.scalar(select(func.count(Vote.id)).where(Vote.dialogue_id == dialogue_id))
    return int(latest or 0), int(votes or 0)
