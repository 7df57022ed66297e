"""Storage: SQLAlchemy models, the database connection, migrations and the job queue.

Only ``tracktwo.actions`` (and the CLI's database commands) use this package; the pure
analysis cores never import it and the web layer reaches it only through actions.
"""

from tracktwo.store.db import Database, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]
