"""Background jobs, kept in the database so that every server and worker shares one queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from tracktwo.store.base import Base, utcnow

__all__ = ["Job"]


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # At most one waiting job per (kind, key): more requests fold into it (debouncing).
        Index(
            "uq_jobs_one_queued_per_key",
            "kind",
            "key",
            unique=True,
            sqlite_where=text("state = 'queued'"),
            postgresql_where=text("state = 'queued'"),
        ),
        Index("ix_jobs_state_run_after", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))  # what it is about, e.g. "dialogue:12"
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued/running/done/failed
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
