"""Alembic, driven from Python: ``tracktwo db upgrade`` and the server's start-up check.

The migration scripts live in ``migrations/versions`` inside the package, so an installed
tracktwo can upgrade its database without an ``alembic.ini`` in the working directory.
Each part of the platform owns a branch of migrations that starts from the foundation;
``upgrade`` therefore goes to all *heads*.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracktwo.store.db import Database

__all__ = ["alembic_config", "current_revisions", "head_revisions", "is_up_to_date", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Percent signs in passwords would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def current_revisions(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_up_to_date(database: Database) -> bool:
    return current_revisions(database) == head_revisions()


def upgrade(database: Database) -> None:
    """Create or upgrade the schema to the newest revision of every branch."""
    command.upgrade(alembic_config(database), "heads")
