"""The database connection: one engine per process, short sessions per request or job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracktwo.kernel.errors import TracktwoError

__all__ = ["Database", "DatabaseUnavailable"]


class DatabaseUnavailable(TracktwoError):
    """The database cannot be reached or is not set up; the message says what to do."""

    status_code = 503


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web server read while the analysis worker writes; the busy timeout makes
    # a writer wait for the other instead of failing; SQLite enforces foreign keys only when
    # asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # synchronous=FULL: an acknowledged vote must survive a power cut, not just a crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise DatabaseUnavailable(f"The database URL {url!r} is not a valid URL.") from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        engine_args: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine_args["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            engine_args.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        try:
            self.engine: Engine = create_engine(url, **engine_args)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            hint = (
                " Install the PostgreSQL extra: pip install 'tracktwo[pg]'."
                if (self.dialect == "postgresql")
                else ""
            )
            raise DatabaseUnavailable(
                f"No database driver for {parsed.drivername!r}.{hint}"
            ) from exc
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _configure_sqlite)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def describe(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    def check_connection(self) -> None:
        """Raise :class:`DatabaseUnavailable` with one sentence if the server cannot be reached."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
            raise DatabaseUnavailable(
                f"Cannot reach the database at {self.describe()} ({reason})."
            ) from exc

    def has_table(self, name: str) -> bool:
        return inspect(self.engine).has_table(name)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
