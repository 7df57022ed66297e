"""Dialogues: creating and running them, their invitation links, and their seed statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor, initiative_for
from tracktwo.common.initiatives.models import Role, Side
from tracktwo.common.participation import actions as kernel
from tracktwo.common.participation.actions import create_links
from tracktwo.common.participation.models import JoinLink, Participant, PartMembership
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound
from tracktwo.kernel.i18n import N_
from tracktwo.kernel.text import clean_statement_text, clean_text
from tracktwo.parts.dialogues.models import (
    Dialogue,
    DialogueState,
    Moderation,
    Statement,
    StatementState,
    Vote,
)
from tracktwo.store.base import utcnow

PART = "dialogues"  # this part\'s name in the participation kernel

__all__ = [
    "DialogueSettings",
    "DialogueSummary",
    "accepting_or_refuse",
    "active_links",
    "add_seed_statements",
    "create_dialogue",
    "dialogue_for",
    "dialogue_summary",
    "is_accepting",
    "list_dialogues",
    "regenerate_link",
    "require_membership",
    "set_dialogue_state",
    "update_dialogue",
]

MAX_TOPIC = 200
MAX_PROMPT = 2000
MAX_SEEDS = 500


@dataclass(frozen=True)
class DialogueSettings:
    """Everything a facilitator sets on a dialogue."""

    topic: str
    prompt: str = ""
    allow_statements: bool = True
    moderation: Moderation | str = Moderation.STRICT
    statement_limit: int = 5
    max_length: int = 280
    prioritize_seed: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass(frozen=True)
class DialogueSummary:
    """Counts for the facilitator's dashboard."""

    participants_by_side: dict[str, int]  # side name (or "Undeclared") -> people who joined
    participants: int
    statements: int
    pending: int
    votes: int


def dialogue_for(
    db: Session, actor: Actor, dialogue_id: int, *, at_least: Role = Role.OBSERVER
) -> Dialogue:
    """The dialogue, if ``actor`` holds at least the given role in its initiative."""
    dialogue = db.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(f"There is no dialogue with id {dialogue_id}.")
    initiative_for(db, actor, dialogue.initiative_id, at_least=at_least)
    return dialogue


def _validated(settings: DialogueSettings) -> dict[str, object]:
    try:
        moderation = Moderation(settings.moderation)
    except ValueError:
        raise InvalidInput("Moderation must be 'strict' or 'loose'.") from None
    if not 0 <= settings.statement_limit <= 1000:
        raise InvalidInput("The statement limit per participant must be between 0 and 1000.")
    if not 20 <= settings.max_length <= 1000:
        raise InvalidInput("The longest statement allowed must be between 20 and 1000 characters.")
    for moment in (settings.opens_at, settings.closes_at):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("Opening and closing times need a time zone.")
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise InvalidInput("The closing time must come after the opening time.")
    return {
        "topic": clean_text(settings.topic, "topic", MAX_TOPIC),
        "prompt": clean_text(settings.prompt, "prompt", MAX_PROMPT, required=False),
        "allow_statements": settings.allow_statements,
        "moderation": moderation,
        "statement_limit": settings.statement_limit,
        "max_length": settings.max_length,
        "prioritize_seed": settings.prioritize_seed,
        "opens_at": settings.opens_at,
        "closes_at": settings.closes_at,
    }


def create_dialogue(
    db: Session,
    actor: Actor,
    initiative_id: int,
    settings: DialogueSettings,
    *,
    seed_statements: Sequence[str] = (),
    language: str | None = None,
) -> Dialogue:
    """A new dialogue in draft, with a general link, one link per side and its seeds."""
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.FACILITATOR)
    dialogue = Dialogue(initiative=initiative, **_validated(settings))
    db.add(dialogue)
    db.flush()
    create_links(db, PART, dialogue.id, initiative)
    add_seed_statements(
        db, actor, dialogue.id, seed_statements, language=language or initiative.languages[0]
    )
    return dialogue


def update_dialogue(
    db: Session, actor: Actor, dialogue_id: int, settings: DialogueSettings
) -> Dialogue:
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    for name, value in _validated(settings).items():
        setattr(dialogue, name, value)
    return dialogue


def set_dialogue_state(
    db: Session, actor: Actor, dialogue_id: int, state: DialogueState | str
) -> Dialogue:
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    try:
        new_state = DialogueState(state)
    except ValueError:
        raise InvalidInput("A dialogue is 'draft', 'open' or 'closed'.") from None
    if new_state == DialogueState.OPEN:
        visible = db.scalar(
            select(func.count(Statement.id)).where(
                Statement.dialogue_id == dialogue.id, Statement.state == StatementState.ACCEPTED
            )
        )
        if not visible and not dialogue.allow_statements:
            raise Conflict(
                "This dialogue has no statements and participants may not add any; add seed "
                "statements before opening it."
            )
    dialogue.state = new_state
    return dialogue


def is_accepting(dialogue: Dialogue, now: datetime | None = None) -> str | None:
    """``None`` when participants may vote now; otherwise the reason they may not."""
    now = now or utcnow()
    if dialogue.state == DialogueState.DRAFT:
        return N_("This dialogue has not opened yet.")
    if dialogue.state == DialogueState.CLOSED:
        return N_("This dialogue is closed; thank you for taking part.")
    if dialogue.opens_at and now < dialogue.opens_at:
        return "This dialogue opens on " + dialogue.opens_at.strftime("%d %B %Y at %H:%M UTC") + "."
    if dialogue.closes_at and now >= dialogue.closes_at:
        return N_("This dialogue is closed; thank you for taking part.")
    return None


def add_seed_statements(
    db: Session, actor: Actor, dialogue_id: int, texts: Sequence[str], *, language: str
) -> list[Statement]:
    """Statements written by the facilitators: accepted at once and marked as seeds."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    lines = [line for line in texts if line.strip()]
    if len(lines) > MAX_SEEDS:
        raise InvalidInput(f"At most {MAX_SEEDS} seed statements can be added at once.")
    added = []
    for number, line in enumerate(lines, start=1):
        try:
            text = clean_statement_text(line, dialogue.max_length)
        except InvalidInput as exc:
            raise InvalidInput(f"Seed statement {number}: {exc.message}") from None
        statement = Statement(
            dialogue_id=dialogue.id,
            text=text,
            language=language,
            is_seed=True,
            state=StatementState.ACCEPTED,
            moderated_at=utcnow(),
            moderated_by_id=actor.id if actor is not None else None,
        )
        db.add(statement)
        added.append(statement)
    db.flush()
    return added


def active_links(db: Session, dialogue: Dialogue) -> list[JoinLink]:
    return kernel.active_links(db, PART, dialogue.id)


def regenerate_link(db: Session, actor: Actor, dialogue_id: int, link_id: int) -> JoinLink:
    """Revoke a link and make a new one for the same side (for when a link leaked)."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    try:
        return kernel.regenerate_link(db, PART, dialogue.id, link_id)
    except NotFound:
        raise NotFound(f"This dialogue has no active link {link_id}.") from None


def list_dialogues(db: Session, actor: Actor, initiative_id: int) -> list[Dialogue]:
    initiative_for(db, actor, initiative_id)
    return list(
        db.scalars(
            select(Dialogue)
            .where(Dialogue.initiative_id == initiative_id)
            .order_by(Dialogue.created_at.desc(), Dialogue.id.desc())
        )
    )


def dialogue_summary(db: Session, dialogue: Dialogue) -> DialogueSummary:
    by_side = dict(
        db.execute(
            select(Side.name, func.count(PartMembership.id))
            .select_from(PartMembership)
            .join(Participant, Participant.id == PartMembership.participant_id)
            .outerjoin(Side, Side.id == Participant.side_id)
            .where(PartMembership.part == PART, PartMembership.target_id == dialogue.id)
            .group_by(Side.name)
        ).all()
    )
    counts = {side.name: int(by_side.get(side.name, 0)) for side in dialogue.initiative.sides}
    counts["Undeclared"] = int(by_side.get(None, 0))  # type: ignore[call-overload]
    statements = dict(
        db.execute(
            select(Statement.state, func.count(Statement.id))
            .where(Statement.dialogue_id == dialogue.id)
            .group_by(Statement.state)
        ).all()
    )
    votes = db.scalar(select(func.count(Vote.id)).where(Vote.dialogue_id == dialogue.id)) or 0
    return DialogueSummary(
        participants_by_side=counts,
        participants=sum(counts.values()),
        statements=sum(statements.values()),
        pending=int(statements.get(StatementState.PENDING, 0)),
        votes=int(votes),
    )


def require_membership(db: Session, participant: Participant | None, dialogue_id: int) -> Dialogue:
    """The dialogue, if this participant joined it; a clear refusal otherwise."""
    dialogue = db.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(f"There is no dialogue with id {dialogue_id}.")
    kernel.require_member(db, participant, PART, dialogue_id, dialogue.initiative_id)
    return dialogue


def accepting_or_refuse(dialogue: Dialogue) -> None:
    reason = is_accepting(dialogue)
    if reason is not None:
        raise Conflict(reason)


def get_dialogue(db: Session, dialogue_id: int) -> Dialogue | None:
    """The dialogue, or None (no access check: for finding whose participant is asking)."""
    return db.get(Dialogue, dialogue_id)
