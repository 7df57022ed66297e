"""Participants: pseudonymous people taking part in an initiative, without accounts.

A participant is one identity per initiative, shared by its dialogues, workshops and surveys
(so survey waves link without names). We keep no name, email or address: only a random
pseudonym, the declared side (or none), the chosen language, and the hash of the secret in
their cookie and private resume link.

Every part invites people the same way: a :class:`JoinLink` to one of its dialogues,
workshops or surveys, and a :class:`PartMembership` once someone has joined through it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracktwo.common.initiatives.models import Initiative, Side
from tracktwo.store.base import Base, utcnow

__all__ = ["JoinLink", "PartMembership", "Participant"]


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("initiative_id", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    # RESTRICT: a side people have joined cannot silently disappear from under them.
    side_id: Mapped[int | None] = mapped_column(
        ForeignKey("sides.id", ondelete="RESTRICT"), index=True
    )
    pseudonym: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative: Mapped[Initiative] = relationship()
    side: Mapped[Side | None] = relationship()


class JoinLink(Base):
    """An invitation link to one thing a part runs (a dialogue, a workshop, a survey ...).

    One table for every part: ``part`` names the part and ``target_id`` the dialogue,
    workshop or survey, so a new part invites people without a table of its own. A link is
    general (no side) or for one side, which presets the join form. ``comparison`` marks the
    link of an evaluation's comparison group (people outside the programme). The token is
    kept in clear: a join link is meant to be shared widely and shown to facilitators again;
    revoking it is the protection.
    """

    __tablename__ = "join_links"
    __table_args__ = (Index("ix_join_links_part_target", "part", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    part: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int]
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="CASCADE"))
    comparison: Mapped[bool] = mapped_column(default=False)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    initiative: Mapped[Initiative] = relationship()
    side: Mapped[Side | None] = relationship()


class PartMembership(Base):
    """That a participant joined one thing a part runs (and through which link)."""

    __tablename__ = "part_memberships"
    __table_args__ = (UniqueConstraint("part", "target_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int]
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    link_id: Mapped[int | None] = mapped_column(ForeignKey("join_links.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship()
    link: Mapped[JoinLink | None] = relationship()
