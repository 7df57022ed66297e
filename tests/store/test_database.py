"""The database layer on both engines: settings that protect data, time zones, constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.models import Initiative, Side
from tracktwo.store.db import Database, DatabaseUnavailable
from tracktwo.store.platform import Platform


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    database.dispose()


def test_datetimes_come_back_as_the_same_utc_instant(platform: Platform) -> None:
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=3)))
    with platform.database.transaction() as db:
        user = User(email="t@example.org", display_name="t", password_hash="x", created_at=moment)
        db.add(user)
    with platform.database.transaction() as db:
        stored = db.get(User, user.id)
        assert stored is not None
        assert stored.created_at == moment
        assert stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset() == timedelta(0)


def test_foreign_keys_are_enforced(platform: Platform) -> None:
    with pytest.raises(IntegrityError), platform.database.transaction() as db:
        db.add(Side(initiative_id=999_999, name="nobody's", colour="#000000"))


def test_side_names_are_unique_within_an_initiative(platform: Platform) -> None:
    with pytest.raises(IntegrityError), platform.database.transaction() as db:
        initiative = Initiative(name="x", languages=["en"])
        initiative.sides.append(Side(name="A", colour="#000000"))
        initiative.sides.append(Side(name="A", colour="#ffffff", position=1))
        db.add(initiative)


def test_deleting_an_initiative_removes_its_sides(platform: Platform) -> None:
    with platform.database.transaction() as db:
        initiative = Initiative(name="x", languages=["en"])
        initiative.sides.append(Side(name="A", colour="#000000"))
        db.add(initiative)
    with platform.database.transaction() as db:
        db.delete(db.get(Initiative, initiative.id))
    with platform.database.transaction() as db:
        assert db.query(Side).count() == 0


def test_an_unreachable_postgres_server_is_one_clear_sentence() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable) as raised:
        database.check_connection()
    message = str(raised.value)
    assert message.startswith(
        "Cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1"
    )
    assert "\n" not in message


def test_naive_datetimes_are_refused(platform: Platform) -> None:
    with pytest.raises(Exception, match="naive datetime"), platform.database.transaction() as db:
        db.add(
            User(
                email="n@example.org",
                display_name="n",
                password_hash="x",
                created_at=datetime(2026, 1, 1),
            )
        )
    assert datetime.now(UTC)  # the clock itself is fine
