"""Evaluation surveys: instruments chosen per survey, waves, links, respondents and answers.

A survey belongs to an initiative. Its respondents are the initiative's pseudonymous
participants (the same identity as in its dialogues, so waves link without names), people
of a comparison group who came through the survey's comparison link, and identities that
arrived with an imported CSV file. An answer set is never changed or deleted: answering a
wave again marks the earlier set as superseded and adds a new one, so the history stays.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracktwo.common.initiatives.models import Initiative, Side
from tracktwo.common.participation.models import JoinLink, Participant
from tracktwo.store.base import Base, JsonDocument, utcnow

__all__ = [
    "Survey",
    "SurveyReport",
    "SurveyRespondent",
    "SurveyResponse",
    "SurveyTranslation",
    "SurveyWave",
    "WaveState",
]

_LARGE_ID = BigInteger().with_variant(Integer, "sqlite")


class WaveState(enum.StrEnum):
    DRAFT = "draft"  # planned: its links do not take answers yet
    OPEN = "open"  # taking answers (within its dates, if it has any)
    CLOSED = "closed"  # answers kept; no more taken


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # The survey's own copies of its instruments, in the order they are asked, as the JSON of
    # tracktwo.parts.surveys.evaluation.Instrument: wording edits and custom items live here, so a
    # later change
    # to the shipped library never changes what an existing survey asks.
    instruments: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    initiative: Mapped[Initiative] = relationship()
    waves: Mapped[list[SurveyWave]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyWave.position"
    )
    # Its invitation links, from the participation kernel's one table (written through
    # tracktwo.common.participation.actions, read here).
    links: Mapped[list[JoinLink]] = relationship(
        primaryjoin=("and_(JoinLink.part == 'surveys', foreign(JoinLink.target_id) == Survey.id)"),
        viewonly=True,
        order_by="JoinLink.id",
    )


class SurveyWave(Base):
    """One round of answers: ``pre``, ``post``, ``followup``, ``followup2`` ..."""

    __tablename__ = "survey_waves"
    __table_args__ = (
        UniqueConstraint("survey_id", "name"),
        # At most one wave of a survey takes answers at a time, so a link always knows which.
        Index(
            "uq_survey_waves_one_open",
            "survey_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(default=0)  # order in time (pre 0, post 1, ...)
    state: Mapped[WaveState] = mapped_column(
        Enum(
            WaveState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=WaveState.DRAFT,
    )
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship(back_populates="waves")


class SurveyRespondent(Base):
    """Someone who answers a survey: a participant of the initiative, or an imported identity.

    ``side_id`` is the side declared when the respondent first entered the survey; it stays
    fixed for this survey so that every wave of one person is analysed on one side.
    """

    __tablename__ = "survey_respondents"
    __table_args__ = (
        UniqueConstraint("survey_id", "participant_id"),
        UniqueConstraint("survey_id", "external_id"),
        CheckConstraint("(participant_id IS NULL) <> (external_id IS NULL)", name="one_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    # The pseudonymous id an imported file gave someone who is not a participant here.
    external_id: Mapped[str | None] = mapped_column(String(100))
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="RESTRICT"))
    comparison: Mapped[bool] = mapped_column(default=False)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("join_links.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant | None] = relationship()
    side: Mapped[Side | None] = relationship()

    @property
    def pseudonym(self) -> str:
        """The id this respondent has in exports and analyses: never a name."""
        if self.participant is not None:
            return self.participant.pseudonym
        return str(self.external_id)


class SurveyResponse(Base):
    """One answer set of one respondent in one wave. Later sets supersede earlier ones."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        # One current answer set per respondent and wave; superseded ones are the history.
        Index(
            "uq_survey_responses_one_current",
            "respondent_id",
            "wave_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        Index("ix_survey_responses_survey_current", "survey_id", "superseded_at"),
    )

    id: Mapped[int] = mapped_column(_LARGE_ID, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("survey_respondents.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, float]] = mapped_column(JsonDocument)
    language: Mapped[str] = mapped_column(String(16), default="en")
    source: Mapped[str] = mapped_column(String(16), default="web")  # web, api or import
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]

    wave: Mapped[SurveyWave] = relationship()
    respondent: Mapped[SurveyRespondent] = relationship()


class SurveyTranslation(Base):
    """A facilitator's translation of one text of an instrument into one language.

    ``part`` names the text as :func:`tracktwo.parts.surveys.evaluation.missing_translations` does:
    ``instructions``, ``item:<item id>`` or ``label:<item id>:<value>``. Translations are
    kept apart from the wording so that translating a verified item does not relabel its
    original wording as adapted.
    """

    __tablename__ = "survey_translations"
    __table_args__ = (UniqueConstraint("survey_id", "instrument_id", "part", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    translated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SurveyReport(Base):
    """A computed evaluation report, kept until the answers or the survey change.

    ``fingerprint`` covers everything the report depends on (instruments, sides, the current
    answer sets, the cell threshold and the tracktwo version), so a stored report is reused
    only when recomputing would give the same result.
    """

    __tablename__ = "survey_reports"
    __table_args__ = (UniqueConstraint("survey_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    min_cell: Mapped[int]
    report: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    computed_in_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
