"""A database made by the previous release upgrades cleanly, on SQLite and on PostgreSQL.

``tests/data/previous-release.sqlite.gz`` is the database ``tracktwo demo --no-serve`` made at
commit 6bae930, the last commit before the move to one folder per part (schema 0006: the demo
initiative with its dialogue, votes, two workshops and a survey). A committed file rather than
one rebuilt from that commit's migrations: the test must run in a fresh clone without git
history, and real rows made by the old code are what the upgrade has to carry. On PostgreSQL
the same rows are copied into a database migrated to 0006 first, so both engines upgrade the
same data.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, select, text

from tests.conftest import ENGINES, WebClient
from tests.harness.postgres import PostgresServer
from tracktwo.common.accounts.actions import set_password
from tracktwo.common.accounts.models import User
from tracktwo.common.participation.models import JoinLink, PartMembership
from tracktwo.kernel.config import Settings
from tracktwo.store.base import Base
from tracktwo.store.db import Database
from tracktwo.store.migrate import alembic_config, current_revisions, head_revisions, upgrade
from tracktwo.store.platform import Platform
from tracktwo.web.app import create_app

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "previous-release.sqlite.gz"
RELEASE = "0006_workshop_translations"
PASSWORD = "a new password for the upgraded demo"


def _unpacked(tmp_path: Path) -> Path:
    path = tmp_path / "previous.db"
    with gzip.open(FIXTURE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _copy_rows(source: Database, target: Database) -> None:
    """Every row of the old database into ``target`` (migrated to the same revision)."""
    old = MetaData()
    old.reflect(source.engine)
    new = MetaData()
    new.reflect(target.engine)
    with source.engine.connect() as reading, target.engine.begin() as writing:
        # rows that point at rows of their own table (merged ideas) arrive in one statement
        writing.execute(text("SET session_replication_role = replica"))
        for table in old.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(row._mapping) for row in reading.execute(select(table))]
            if rows:
                writing.execute(new.tables[table.name].insert(), rows)
            if "id" in table.columns:
                writing.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    )
                )


@pytest.fixture(params=ENGINES)
def previous(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """(the untouched old file, the database to upgrade: that file, or a PostgreSQL copy)."""
    original = Database(f"sqlite:///{_unpacked(tmp_path)}")
    if request.param == "sqlite":
        copy = tmp_path / "upgraded.db"
        shutil.copy(tmp_path / "previous.db", copy)
        database = Database(f"sqlite:///{copy}")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        database = Database(server.create_database())
        command.upgrade(alembic_config(database), RELEASE)
        _copy_rows(original, database)
    yield original, database
    database.dispose()
    original.dispose()


def _old(database: Database, query: str) -> set[tuple[object, ...]]:
    with database.engine.connect() as connection:
        return {tuple(row) for row in connection.execute(text(query))}


def test_the_previous_release_upgrades_and_keeps_every_link_and_member(
    previous: tuple[Database, Database],
) -> None:
    original, database = previous
    assert current_revisions(database) == {RELEASE}
    upgrade(database)
    assert current_revisions(database) == head_revisions()
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "the upgraded schema differs from the models: " + repr(differences)
    if database.is_sqlite:  # SQLite rebuilt the tables whose link moved: the check survived
        kept = _old(database, "SELECT sql FROM sqlite_master WHERE name = 'survey_respondents'")
        assert "one_identity" in next(iter(kept))[0]

    links = {
        (part, *row)
        for part, query in (
            ("dialogues", "SELECT dialogue_id, side_id, 0, token, revoked_at IS NULL "),
            ("workshops", "SELECT workshop_id, side_id, 0, token, revoked_at IS NULL "),
            ("surveys", "SELECT survey_id, side_id, comparison, token, revoked_at IS NULL "),
        )
        for row in _old(
            original,
            query
            + "FROM "
            + {
                "dialogues": "invitation_links",
                "workshops": "workshop_links",
                "surveys": "survey_links",
            }[part],
        )
    }
    members = {
        (part, *row)
        for part, query in (
            ("dialogues", "SELECT dialogue_id, participant_id FROM dialogue_memberships"),
            ("workshops", "SELECT workshop_id, participant_id FROM workshop_members"),
            (
                "surveys",
                "SELECT survey_id, participant_id FROM survey_respondents "
                "WHERE participant_id IS NOT NULL",
            ),
        )
        for row in _old(original, query)
    }
    # which token each survey respondent and workshop assignment came through
    came_through = _old(
        original,
        "SELECT 'r', r.id, l.token FROM survey_respondents r JOIN survey_links l "
        "ON l.id = r.link_id UNION SELECT 'a', a.id, l.token FROM workshop_assignments a "
        "JOIN workshop_links l ON l.id = a.link_id",
    )
    assert links and members and came_through, "the fixture should hold links and members"
    with database.session() as db:
        now = {
            (k.part, k.target_id, k.side_id, int(k.comparison), k.token, int(k.revoked_at is None))
            for k in db.scalars(select(JoinLink))
        }
        assert now == {(p, t, s, int(c), token, int(a)) for p, t, s, c, token, a in links}
        assert {
            (m.part, m.target_id, m.participant_id) for m in db.scalars(select(PartMembership))
        } == members
        tokens = {link.id: link.token for link in db.scalars(select(JoinLink))}
        moved = {
            ("r", row[0], tokens[row[1]])
            for row in db.execute(
                text("SELECT id, link_id FROM survey_respondents WHERE link_id IS NOT NULL")
            )
        } | {
            ("a", row[0], tokens[row[1]])
            for row in db.execute(
                text("SELECT id, link_id FROM workshop_assignments WHERE link_id IS NOT NULL")
            )
        }
        assert moved == came_through


def test_the_upgraded_platform_serves_the_old_links(
    previous: tuple[Database, Database], tmp_path: Path
) -> None:
    original, database = previous
    upgrade(database)
    platform = Platform(
        Settings(data_dir=tmp_path / "data", database_url=database.url, in_process_worker=False)
    )
    old_links = _old(original, "SELECT '/j/', token FROM invitation_links") | _old(
        original, "SELECT '/wj/', token FROM workshop_links"
    )
    with platform.database.transaction() as db:
        facilitator = db.scalars(select(User).order_by(User.id)).first()
        assert facilitator is not None
        set_password(db, facilitator, PASSWORD)
        email = facilitator.email
    with WebClient(create_app(platform)) as client:
        for prefix, token in old_links:  # the addresses participants were given still work
            assert client.get(f"{prefix}{token}").status_code == 200, (prefix, token)
        joined = client.submit(
            f"/j/{next(token for prefix, token in old_links if prefix == '/j/')}",
            {"language": "en", "side": "undeclared", "consent": "yes"},
        )
        assert joined.status_code == 200 and "/r/" in joined.text  # a new participant, welcomed
        client.login(email, PASSWORD)
        assert client.get("/initiatives/1").status_code == 200
        assert client.get("/dialogues/1").status_code == 200
    platform.close()


def test_the_previous_release_downgrades_back_to_it(previous: tuple[Database, Database]) -> None:
    original, database = previous
    upgrade(database)
    command.downgrade(alembic_config(database), RELEASE)
    assert current_revisions(database) == {RELEASE}
    # Link ids were renumbered on the way up (the three tables became one), so the rows are
    # compared by what identifies them: tokens, targets, sides and who joined through which.
    for table, target in (
        ("invitation_links", "dialogue_id"),
        ("workshop_links", "workshop_id"),
        ("survey_links", "survey_id"),
    ):
        query = f"SELECT {target}, side_id, token, revoked_at IS NULL FROM {table}"
        assert _old(database, query) == _old(original, query), table
    for table, target, links in (
        ("dialogue_memberships", "dialogue_id", "invitation_links"),
        ("workshop_members", "workshop_id", "workshop_links"),
        ("survey_respondents", "survey_id", "survey_links"),
        ("workshop_assignments", "workshop_id", "workshop_links"),
    ):
        query = (
            f"SELECT m.{target}, m.participant_id, l.token FROM {table} m "
            f"LEFT JOIN {links} l ON l.id = m.link_id"
        )
        assert _old(database, query) == _old(original, query), table
