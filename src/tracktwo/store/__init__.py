"""Storage: the database connection, the Base model and column types, the migration runner,
the job queue and worker, the unit of work, and the Platform every surface builds.

It imports only the kernel and the list of parts (never a part's code): the models live with
their parts, the actions use them, and the pure engines never import this package.
"""

from tracktwo.store.db import Database, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]
