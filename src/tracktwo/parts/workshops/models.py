"""Workshops: a structured dialogue from a triggering question to an influence map and a plan.

One workshop runs inside an initiative and takes its participants from the initiative's
pseudonymous :class:`Participant` identities. Everything the group produces is kept with its
history, because an influence map is only trusted if its making can be audited:

* ideas are never edited or deleted in place without a trace: every edit, merge and split
  leaves an :class:`IdeaRevision`, and merged or split ideas stay, pointing to what they became;
* preference votes and votes on influence questions are append-only (a replaced vote keeps
  its row);
* every decision on an influence question, with the tallies per side and the rule applied, is
  a :class:`PairDecision` row, including refused answers and their contradictions;
* the influence-mapping engine's state (:class:`tracktwo.parts.workshops.ism.ism.IsmSession`) is
one JSON
  document in :class:`WorkshopMap`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracktwo.common.initiatives.models import Initiative
from tracktwo.common.participation.models import JoinLink, Participant
from tracktwo.store.base import Base, JsonDocument, utcnow

__all__ = [
    "ActionItem",
    "ActionStatus",
    "DecisionRule",
    "Idea",
    "IdeaQuestion",
    "IdeaRevision",
    "IdeaState",
    "IdeaTranslation",
    "PairDecision",
    "PairVote",
    "PreferenceVote",
    "Workshop",
    "WorkshopAssignment",
    "WorkshopCluster",
    "WorkshopMap",
    "WorkshopMode",
    "WorkshopQuestionTranslation",
    "WorkshopStep",
]


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class WorkshopStep(enum.StrEnum):
    """The steps of Structured Dialogic Design, in order (reference §1.1)."""

    IDEAS = "ideas"
    CLARIFICATION = "clarification"
    CLUSTERING = "clustering"
    VOTING = "voting"
    MAPPING = "mapping"
    ACTION_PLAN = "action_plan"
    CLOSED = "closed"

    @property
    def position(self) -> int:
        return list(WorkshopStep).index(self)


class DecisionRule(enum.StrEnum):
    """How the votes on one influence question become the group's answer."""

    SIMPLE_MAJORITY = "simple_majority"
    QUALIFIED_MAJORITY = "qualified_majority"
    MAJORITY_WITHIN_EACH_SIDE = "majority_within_each_side"


class WorkshopMode(enum.StrEnum):
    IN_ROOM = "in_room"  # every participant votes on their own device
    HYBRID = "hybrid"  # device votes plus the facilitator's count of people without devices


class IdeaState(enum.StrEnum):
    ACTIVE = "active"
    MERGED = "merged"  # replaced by the idea in merged_into_id
    SPLIT = "split"  # replaced by the ideas whose split_from_id points here


class ActionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)  # the triggering question
    step: Mapped[WorkshopStep] = mapped_column(_enum(WorkshopStep), default=WorkshopStep.IDEAS)
    votes_per_participant: Mapped[int] = mapped_column(Integer, default=5)
    decision_rule: Mapped[DecisionRule] = mapped_column(
        Enum(
            DecisionRule,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=DecisionRule.SIMPLE_MAJORITY,
    )
    qualified_fraction: Mapped[float] = mapped_column(Float, default=2 / 3)
    mode: Mapped[WorkshopMode] = mapped_column(_enum(WorkshopMode), default=WorkshopMode.IN_ROOM)
    max_length: Mapped[int] = mapped_column(Integer, default=200)  # of one idea
    # Round-robin idea generation: whose turn it is, and which round the group is in.
    round_robin: Mapped[bool] = mapped_column(default=False)
    turn_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    round: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped by every change, so live pages need one indexed read to know they are stale;
    # public_version only by the changes participants' screens show (not by votes).
    version: Mapped[int] = mapped_column(Integer, default=0)
    public_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    initiative: Mapped[Initiative] = relationship()
    # Its invitation links, from the participation kernel's one table (written through
    # tracktwo.common.participation.actions, read here).
    links: Mapped[list[JoinLink]] = relationship(
        primaryjoin=(
            "and_(JoinLink.part == 'workshops', foreign(JoinLink.target_id) == Workshop.id)"
        ),
        viewonly=True,
        order_by="JoinLink.id",
    )
    turn_participant: Mapped[Participant | None] = relationship()
    question_translations: Mapped[list[WorkshopQuestionTranslation]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="WorkshopQuestionTranslation.id",
    )


class _TranslationColumns:
    """What every translation records: its language and text, who wrote it, and when."""

    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    translated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WorkshopQuestionTranslation(_TranslationColumns, Base):
    """The triggering question in another of the initiative's languages (a facilitator's)."""

    __tablename__ = "workshop_question_translations"
    __table_args__ = (UniqueConstraint("workshop_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))

    workshop: Mapped[Workshop] = relationship(back_populates="question_translations")


class WorkshopAssignment(Base):
    """The log of which side (group) a participant was counted in, and why (append-only).

    Evaluation needs to know who was in which group when; tallies by side use the
    participant's side at the time of the vote, and this log says when it changed.
    """

    __tablename__ = "workshop_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("join_links.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(32))  # "joined", "changed side"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopCluster(Base):
    __tablename__ = "workshop_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Idea(Base):
    """One short statement in answer to the triggering question."""

    __tablename__ = "ideas"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the workshop, as shown
    text: Mapped[str] = mapped_column(Text)
    clarification: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    # Null for ideas the facilitators wrote, merged ideas from several authors, or imports.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    # The facilitator who typed it in (round-robin in the room), if not the author.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    round: Mapped[int | None] = mapped_column(Integer)  # round-robin round, if any
    state: Mapped[IdeaState] = mapped_column(_enum(IdeaState), default=IdeaState.ACTIVE)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_clusters.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Participant | None] = relationship()
    cluster: Mapped[WorkshopCluster | None] = relationship()
    # Loaded with the ideas (one query per list): every screen that shows ideas shows them
    # in the reader's language.
    translations: Mapped[list[IdeaTranslation]] = relationship(
        back_populates="idea",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="IdeaTranslation.id",
    )


class IdeaTranslation(_TranslationColumns, Base):
    """An idea in another of the initiative's languages, entered by a facilitator."""

    __tablename__ = "idea_translations"
    __table_args__ = (UniqueConstraint("idea_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))

    idea: Mapped[Idea] = relationship(back_populates="translations")


class IdeaRevision(Base):
    """One change to an idea: an edit, a new clarification, a merge or a split (append-only)."""

    __tablename__ = "idea_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # edited, clarified, merged, split
    text_before: Mapped[str] = mapped_column(Text, default="")
    text_after: Mapped[str] = mapped_column(Text, default="")
    clarification_before: Mapped[str] = mapped_column(Text, default="")
    clarification_after: Mapped[str] = mapped_column(Text, default="")
    # Ideas on the other end of a merge or split.
    related: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaQuestion(Base):
    """A clarification question about an idea and its author's answer."""

    __tablename__ = "idea_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    asked_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    answered_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]


class PreferenceVote(Base):
    """One of a participant's top-N picks. A new ballot replaces the old rows, which stay."""

    __tablename__ = "preference_votes"
    __table_args__ = (
        Index("ix_preference_votes_workshop_participant", "workshop_id", "participant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_at: Mapped[datetime | None]


class WorkshopMap(Base):
    """The influence-mapping step: which ideas are mapped and the ISM engine's state.

    ``idea_ids[k]`` is the idea that is element ``k`` of the map (elements are in preference
    order, most voted first). ``question_number`` grows by one whenever a question is put to
    the group (again), so votes always belong to one showing of one question.
    """

    __tablename__ = "workshop_maps"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), unique=True
    )
    idea_ids: Mapped[list[int]] = mapped_column(JsonDocument)
    state: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    question_number: Mapped[int] = mapped_column(Integer, default=0)
    question_opened_at: Mapped[datetime | None]
    # A refused answer waiting for the facilitator: the clash and the answers to revisit.
    contradiction: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class PairVote(Base):
    """A participant's yes or no on one showing of an influence question (append-only)."""

    __tablename__ = "pair_votes"
    __table_args__ = (Index("ix_pair_votes_workshop_question", "workshop_id", "question_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    question_number: Mapped[int] = mapped_column(Integer)
    from_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    to_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    yes: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PairDecision(Base):
    """The audit trail of the map: every decision on a pair, applied or refused.

    ``kind`` is ``vote`` (the group's vote on the current question was closed), ``dispute``
    (the facilitator entered the group's view of another pair), ``revise``, ``withdraw``
    or ``defer``. ``outcome`` is yes, no, undecided, withdrawn or deferred. Tallies are
    ``{side: [yes, no]}``; ``room_tallies`` are the facilitator's typed count (hybrid mode).
    """

    __tablename__ = "pair_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    question_number: Mapped[int | None] = mapped_column(Integer)
    from_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    to_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    device_tallies: Mapped[dict[str, list[int]]] = mapped_column(JsonDocument, default=dict)
    room_tallies: Mapped[dict[str, list[int]]] = mapped_column(JsonDocument, default=dict)
    rule: Mapped[str] = mapped_column(String(32), default="")
    qualified_fraction: Mapped[float | None] = mapped_column(Float)
    applied: Mapped[bool] = mapped_column(default=True)
    inferred_cells: Mapped[int] = mapped_column(Integer, default=0)
    contradiction: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


action_item_drivers = Table(
    "action_item_drivers",
    Base.metadata,
    Column(
        "action_item_id",
        ForeignKey("action_items.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
)


class ActionItem(Base):
    """One option of the joint action plan, linked to the root drivers it works on."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    option: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    track: Mapped[int | None] = mapped_column(SmallInteger)  # 1-9, multi-track diplomacy
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus), default=ActionStatus.PROPOSED)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    drivers: Mapped[list[Idea]] = relationship(
        secondary=action_item_drivers, order_by="Idea.number"
    )
