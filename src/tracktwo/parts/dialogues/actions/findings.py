"""What a dialogue found, read from the database: the results page and the Track One brief.

The counts come from the database; what the analysis found is read by the pure
:func:`tracktwo.parts.dialogues.opinion.findings.with_analysis`, which the command line also uses
for Polis
exports. Everything here is safe to show to observers (see that module).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracktwo.parts.dialogues.actions.analysis import latest_snapshot
from tracktwo.parts.dialogues.actions.dialogues import dialogue_summary
from tracktwo.parts.dialogues.models import Dialogue, Statement, Vote
from tracktwo.parts.dialogues.opinion.findings import (
    TOP,
    Findings,
    GroupView,
    StatementId,
    StatementText,
    StatementView,
    with_analysis,
)

__all__ = ["DialogueFindings", "GroupView", "StatementView", "dialogue_findings"]


@dataclass(kw_only=True)
class DialogueFindings(Findings):
    dialogue: Dialogue


def _statement_texts(
    db: Session, dialogue: Dialogue, ids: Sequence[StatementId]
) -> Mapping[StatementId, StatementText]:
    if not ids:
        return {}
    rows = db.scalars(
        select(Statement)
        .where(Statement.dialogue_id == dialogue.id, Statement.id.in_(ids))
        .options(selectinload(Statement.translations))
    )
    return {
        s.id: StatementText(
            text=s.text,
            language=s.language,
            translations={t.language: t.text for t in s.translations},
        )
        for s in rows
    }


def dialogue_findings(
    db: Session,
    dialogue: Dialogue,
    *,
    min_cell: int,
    top: int = TOP,
    hide_small_sides: bool = False,
) -> DialogueFindings:
    """The dialogue's counts and what its latest analysis found (see ``with_analysis``)."""
    summary = dialogue_summary(db, dialogue)
    first, last = db.execute(
        select(func.min(Vote.created_at), func.max(Vote.created_at)).where(
            Vote.dialogue_id == dialogue.id
        )
    ).one()
    snapshot = latest_snapshot(db, dialogue.id)
    findings = DialogueFindings(
        dialogue=dialogue,
        topic=dialogue.topic,
        participants_by_side=summary.participants_by_side,
        participants=summary.participants,
        statements=summary.statements,
        votes=summary.votes,
        first_vote=first,
        last_vote=last,
        min_cell=min_cell,
        side_colours={side.name: side.colour for side in dialogue.initiative.sides},
        analysed_at=snapshot.created_at if snapshot else None,
    )
    if snapshot is None:
        return findings
    return with_analysis(
        findings,
        snapshot.result,
        partial(_statement_texts, db, dialogue),
        top=top,
        hide_small_sides=hide_small_sides,
    )
