"""Migrations build the schema from empty, on SQLite and on a real PostgreSQL server, and the
schema they build is exactly what the models declare."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import ENGINES
from tests.harness.postgres import PostgresServer
from tracktwo.store.base import Base
from tracktwo.store.db import Database
from tracktwo.store.migrate import alembic_config, current_revisions, head_revisions, upgrade


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database()
    database = Database(url)
    request.addfinalizer(database.dispose)
    return database


def test_upgrade_from_empty_creates_every_table(empty_database: Database) -> None:
    assert current_revisions(empty_database) == set()
    upgrade(empty_database)
    assert current_revisions(empty_database) == head_revisions()
    tables = set(inspect(empty_database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrated_schema_matches_the_models(empty_database: Database) -> None:
    upgrade(empty_database)
    with empty_database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "a model changed without a migration: " + repr(differences[:3])


def test_upgrade_is_idempotent_and_downgrade_returns_to_empty(empty_database: Database) -> None:
    upgrade(empty_database)
    upgrade(empty_database)  # a second run changes nothing and does not fail
    command.downgrade(alembic_config(empty_database), "base")
    remaining = set(inspect(empty_database.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade(empty_database)
    assert current_revisions(empty_database) == head_revisions()
