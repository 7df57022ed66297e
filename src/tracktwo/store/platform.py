"""The one object every surface builds: settings, the database, and background services.

The web app, the CLI and the tests all create a :class:`Platform` and hand it to the same
actions (the Datasette pattern), so nothing behaves differently depending on where a request
came from.
"""

from __future__ import annotations

from tracktwo.kernel.config import Settings
from tracktwo.kernel.i18n import use_catalogues
from tracktwo.parts import load_models, locale_folders
from tracktwo.store.db import Database, DatabaseUnavailable
from tracktwo.store.migrate import current_revisions, head_revisions

__all__ = ["Platform"]


class Platform:
    def __init__(self, settings: Settings | None = None, *, database: Database | None = None):
        load_models()  # every part's models, so every relationship resolves on every surface
        use_catalogues(locale_folders())  # and every part's messages, merged
        self.settings = settings or Settings()
        self.database = database or Database(self.settings.resolved_database_url)

    def check_ready(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless the database answers and is up to date."""
        self.database.check_connection()
        current, heads = current_revisions(self.database), head_revisions()
        if not current:
            raise DatabaseUnavailable(
                f"The database at {self.database.describe()} has no tracktwo tables yet; run "
                "`tracktwo db upgrade` first."
            )
        if current != heads:
            raise DatabaseUnavailable(
                f"The database at {self.database.describe()} needs upgrading to this version "
                "of tracktwo; run `tracktwo db upgrade`."
            )

    def close(self) -> None:
        self.database.dispose()
