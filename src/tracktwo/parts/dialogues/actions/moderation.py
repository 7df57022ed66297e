"""Moderation and translation of statements, by the facilitators of a dialogue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tracktwo.common.initiatives.access import Actor
from tracktwo.common.initiatives.models import Role, Side
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import InvalidInput, NotFound
from tracktwo.kernel.parsing import parse_id
from tracktwo.kernel.text import clean_statement_text
from tracktwo.parts.dialogues.actions.analysis import request_analysis
from tracktwo.parts.dialogues.actions.dialogues import dialogue_for
from tracktwo.parts.dialogues.models import Statement, StatementState, StatementTranslation
from tracktwo.store.base import utcnow

__all__ = [
    "REJECTION_REASONS",
    "QueueEntry",
    "QueuePage",
    "moderate",
    "moderation_queue",
    "set_translation",
    "translation_queue",
]

PER_PAGE = 50
UNDECLARED = "undeclared"
REJECTION_REASONS = [
    "Duplicate of another statement",
    "Off topic",
    "Attacks or insults people",
    "Could identify a person",
    "More than one point: please split it",
    "Not understandable",
]


@dataclass(frozen=True)
class QueueEntry:
    statement: Statement
    author_side: str | None  # the author's declared side; None for facilitators' statements
    similar_text: str | None  # the earlier statement this one looks like, if any


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    total: int
    page: int
    pages: int


def moderation_queue(
    db: Session,
    actor: Actor,
    dialogue_id: int,
    *,
    state: str = "pending",
    side: str = "",
    query: str = "",
    page: int = 1,
) -> QueuePage:
    """Statements to moderate, newest first, filtered and paginated."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    similar = aliased(Statement)
    conditions = [Statement.dialogue_id == dialogue.id]
    if state in {s.value for s in StatementState}:
        conditions.append(Statement.state == StatementState(state))
    elif state not in ("", "all"):
        raise InvalidInput("Filter by state: pending, accepted, rejected or all.")
    if side == UNDECLARED:
        conditions += [Statement.author_id.is_not(None), Participant.side_id.is_(None)]
    elif side == "facilitators":
        conditions.append(Statement.author_id.is_(None))
    elif side:
        try:
            side_id = parse_id(side, "side")
        except InvalidInput:
            raise InvalidInput("Filter by one of the sides.") from None
        conditions.append(Participant.side_id == side_id)
    if query.strip():
        conditions.append(
            Statement.text.ilike("%" + _escape_like(query.strip()) + "%", escape="\\")
        )
    base = (
        select(Statement, Side.name, similar.text)
        .outerjoin(Participant, Participant.id == Statement.author_id)
        .outerjoin(Side, Side.id == Participant.side_id)
        .outerjoin(similar, similar.id == Statement.similar_to_id)
        .where(*conditions)
    )
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = db.execute(
        base.order_by(Statement.created_at.desc(), Statement.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    entries = [
        QueueEntry(
            statement=statement,
            author_side=(side_name or "Undeclared") if statement.author_id else None,
            similar_text=similar_text,
        )
        for statement, side_name, similar_text in rows
    ]
    return QueuePage(entries=entries, total=total, page=page, pages=pages)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def moderate(
    db: Session,
    actor: Actor,
    dialogue_id: int,
    statement_ids: Sequence[int],
    decision: str,
    *,
    reason: str = "",
    analysis_delay: float = 2.0,
) -> int:
    """Accept or reject statements (one or many); returns how many changed."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    if decision not in ("accept", "reject"):
        raise InvalidInput("Choose whether to accept or reject the statements.")
    if not statement_ids:
        raise InvalidInput("Select at least one statement first.")
    reason = reason.strip()
    if decision == "reject" and not reason:
        raise InvalidInput("Give a reason for rejecting; it helps the team stay consistent.")
    if len(reason) > 500:
        raise InvalidInput("The reason is too long (at most 500 characters).")
    statements = list(
        db.scalars(
            select(Statement).where(
                Statement.dialogue_id == dialogue.id, Statement.id.in_(list(statement_ids))
            )
        )
    )
    if len(statements) != len(set(statement_ids)):
        raise NotFound("Some of those statements are not in this dialogue; reload the page.")
    new_state = StatementState.ACCEPTED if decision == "accept" else StatementState.REJECTED
    for statement in statements:
        statement.state = new_state
        statement.moderation_reason = reason or None
        statement.moderated_at = utcnow()
        statement.moderated_by_id = actor.id if actor is not None else None
    request_analysis(db, dialogue.id, delay_seconds=analysis_delay)
    return len(statements)


def translation_queue(
    db: Session, actor: Actor, dialogue_id: int, language: str
) -> list[Statement]:
    """Statements participants can see that have no translation into ``language`` yet."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    if language not in dialogue.initiative.languages:
        raise InvalidInput(f"{language} is not one of this initiative's languages.")
    translated = select(StatementTranslation.statement_id).where(
        StatementTranslation.language == language
    )
    return list(
        db.scalars(
            select(Statement)
            .where(
                Statement.dialogue_id == dialogue.id,
                Statement.state != StatementState.REJECTED,
                Statement.language != language,
                Statement.id.not_in(translated),
            )
            .order_by(Statement.id)
        )
    )


def set_translation(
    db: Session, actor: Actor, dialogue_id: int, statement_id: int, language: str, text: str
) -> StatementTranslation | None:
    """Enter, change or (with an empty text) remove one statement's translation."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    statement = db.get(Statement, statement_id)
    if statement is None or statement.dialogue_id != dialogue.id:
        raise NotFound(f"This dialogue has no statement {statement_id}.")
    if language not in dialogue.initiative.languages:
        raise InvalidInput(f"{language} is not one of this initiative's languages.")
    if language == statement.language:
        raise InvalidInput("The statement is already written in that language.")
    existing = next((t for t in statement.translations if t.language == language), None)
    if not text.strip():
        if existing is not None:
            statement.translations.remove(existing)
        return None
    # Translations may run a little longer than the original (some languages need more).
    cleaned = clean_statement_text(text, dialogue.max_length * 2)
    if existing is None:
        existing = StatementTranslation(language=language, text=cleaned)
        statement.translations.append(existing)
    else:
        existing.text = cleaned
    existing.translated_by_id = actor.id if actor is not None else None
    db.flush()
    return existing


def statement_in(db: Session, dialogue_id: int, statement_id: int) -> Statement:
    """One statement of the dialogue (the caller has checked who may see it)."""
    statement = db.get(Statement, statement_id)
    if statement is None or statement.dialogue_id != dialogue_id:
        raise NotFound(f"This dialogue has no statement {statement_id}.")
    return statement
