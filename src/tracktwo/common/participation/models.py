"""Participants: pseudonymous people taking part in an initiative, without accounts.

A participant is one identity per initiative, shared by its dialogues, workshops and surveys
(so survey waves link without names). We keep no name, email or address: only a random
pseudonym, the declared side (or none), the chosen language, and the hash of the secret in
their cookie and private resume link.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracktwo.common.initiatives.models import Initiative, Side
from tracktwo.store.base import Base, utcnow

__all__ = ["Participant"]


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
