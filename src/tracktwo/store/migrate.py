"""Alembic, driven from Python: ``tracktwo db upgrade`` and the server's start-up check.

The core and every part keep their revisions in their own folder (Alembic's
``version_locations``): ``tracktwo/common/migrations`` and ``tracktwo/parts/<part>/migrations``,
so an installed tracktwo can upgrade its database without an ``alembic.ini``. Parts built side
by side are branches of one revision graph; ``upgrade`` therefore goes to all *heads*. The
folders come from the one list of parts (:func:`tracktwo.parts.migration_locations`).
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracktwo.parts import migration_locations
from tracktwo.store.db import Database

__all__ = ["alembic_config", "current_revisions", "head_revisions", "is_up_to_date", "upgrade"]

ENVIRONMENT = Path(__file__).with_name("migrations")  # env.py and the template of new revisions


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(ENVIRONMENT))
    # Paths may hold spaces; Alembic splits version_locations on this separator only.
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(migration_locations()))
    return config


def alembic_config(database: Database) -> Config:
    config = _config()
    # Percent signs in passwords would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.attributes["engine"] = database.engine
    return config


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(_config()).get_heads())


def current_revisions(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_up_to_date(database: Database) -> bool:
    return current_revisions(database) == head_revisions()


def upgrade(database: Database) -> None:
    """Create or upgrade the schema to the newest revision of every branch."""
    command.upgrade(alembic_config(database), "heads")
