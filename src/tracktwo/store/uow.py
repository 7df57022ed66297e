"""The unit of work: one transaction around one request, one command or one job.

Web pages, the JSON API and the CLI all open one :class:`UnitOfWork` per request or command
(tracktwo.web.context, tracktwo.common.commands); routes and commands never commit or roll
back themselves. The work commits when it ends normally - before the response or the
command's output says that anything was saved - and is rolled back when it raises.

A form that is shown again with its error wraps the action in :meth:`UnitOfWork.attempt`:
if the action raises, everything it did is undone and the error is re-raised for the page to
show; the unit then goes on (and commits nothing of the failed attempt).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy.orm import Session

from tracktwo.store.db import Database

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """A session that commits when the work ends normally and rolls back otherwise."""

    def __init__(self, database: Database) -> None:
        self.session: Session = database.session()

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Undo everything done so far if the block raises, then re-raise."""
        try:
            yield
        except BaseException:
            self.session.rollback()
            raise
