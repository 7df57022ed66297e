"""Initiatives - the top-level Track Two process - with their declared sides and members."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracktwo.store.base import Base, JsonDocument, utcnow

if TYPE_CHECKING:
    from tracktwo.common.accounts.models import User

__all__ = ["Initiative", "Membership", "Role", "Side"]


class Role(enum.StrEnum):
    """What a facilitator account may do in one initiative. Ordered from least to most."""

    OBSERVER = "observer"  # read results and briefs: the Track One role
    FACILITATOR = "facilitator"  # run dialogues, workshops and surveys; moderate
    OWNER = "owner"  # also edit the initiative and manage its members

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class Initiative(Base):
    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Language codes participants may choose from, in the order offered; the first is the
    # default for new participants.
    languages: Mapped[list[str]] = mapped_column(JsonDocument, default=lambda: ["en"])
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sides: Mapped[list[Side]] = relationship(
        back_populates="initiative",
        cascade="all, delete-orphan",
        order_by="Side.position",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="initiative", cascade="all, delete-orphan"
    )


class Side(Base):
    """A declared party to the conflict. Participants may belong to one, or to none."""

    __tablename__ = "sides"
    __table_args__ = (UniqueConstraint("initiative_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    colour: Mapped[str] = mapped_column(String(7))  # #rrggbb
    position: Mapped[int] = mapped_column(default=0)

    initiative: Mapped[Initiative] = relationship(back_populates="sides")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("initiative_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
