"""Dialogues: statements, votes, invitation links, translations and analysis snapshots.

Votes are kept as an append-only history (one row per vote event, as in Polis's votes.csv):
the latest vote of a participant on a statement is their answer, earlier ones stay for the
record. Nothing a participant submitted is ever updated in place or deleted by the platform.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.models import JoinLink, Participant
from tracktwo.store.base import Base, JsonDocument, utcnow

__all__ = [
    "AnalysisSnapshot",
    "Dialogue",
    "DialogueState",
    "Moderation",
    "Statement",
    "StatementState",
    "StatementTranslation",
    "Vote",
]


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class DialogueState(enum.StrEnum):
    DRAFT = "draft"  # being prepared: links do not work yet
    OPEN = "open"  # participants vote and add statements
    CLOSED = "closed"  # read-only; results stay available


class Moderation(enum.StrEnum):
    STRICT = "strict"  # a participant's statement is shown only once accepted
    LOOSE = "loose"  # shown at once, unless a moderator rejects it


class StatementState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Dialogue(Base):
    __tablename__ = "dialogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[DialogueState] = mapped_column(_enum(DialogueState), default=DialogueState.DRAFT)
    allow_statements: Mapped[bool] = mapped_column(default=True)
    moderation: Mapped[Moderation] = mapped_column(_enum(Moderation), default=Moderation.STRICT)
    statement_limit: Mapped[int] = mapped_column(Integer, default=5)  # per participant
    max_length: Mapped[int] = mapped_column(Integer, default=280)
    prioritize_seed: Mapped[bool] = mapped_column(default=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the dialogue came from a Polis export (the folder's topic), for the record.
    imported_from: Mapped[str | None] = mapped_column(String(200))

    initiative: Mapped[Initiative] = relationship()
    # Its invitation links, from the participation kernel's one table (written through
    # tracktwo.common.participation.actions, read here).
    links: Mapped[list[JoinLink]] = relationship(
        primaryjoin=(
            "and_(JoinLink.part == 'dialogues', foreign(JoinLink.target_id) == Dialogue.id)"
        ),
        viewonly=True,
        order_by="JoinLink.id",
    )


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (Index("ix_statements_dialogue_state", "dialogue_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), default="en")
    # Null for statements written by the facilitators (seed statements) or imported.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    is_seed: Mapped[bool] = mapped_column(default=False)
    is_meta: Mapped[bool] = mapped_column(default=False)
    state: Mapped[StatementState] = mapped_column(
        _enum(StatementState), default=StatementState.PENDING
    )
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Near-duplicate flag computed on submission: the most similar earlier statement.
    similar_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL")
    )
    similarity: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Participant | None] = relationship()
    translations: Mapped[list[StatementTranslation]] = relationship(
        back_populates="statement", cascade="all, delete-orphan"
    )


class StatementTranslation(Base):
    __tablename__ = "statement_translations"
    __table_args__ = (UniqueConstraint("statement_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    translated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    statement: Mapped[Statement] = relationship(back_populates="translations")


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint("value IN (-1, 0, 1)", name="value_is_a_vote"),
        # A client-supplied key makes a retried vote count once.
        UniqueConstraint("participant_id", "idempotency_key"),
        Index("ix_votes_dialogue_id_id", "dialogue_id", "id"),
        Index("ix_votes_participant_statement", "participant_id", "statement_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(SmallInteger)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnalysisSnapshot(Base):
    """A stored result of the opinion engine, with the engine's state for the next warm start.

    ``result`` is the JSON of `tracktwo analyze` (participants by pseudonym only); ``state``
    lets groups stay where they were across updates and restarts.
    """

    __tablename__ = "analysis_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    last_vote_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    n_votes: Mapped[int]
    result: Mapped[dict[str, object]] = mapped_column(JsonDocument)
    state: Mapped[dict[str, object]] = mapped_column(JsonDocument)
    computed_in_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
