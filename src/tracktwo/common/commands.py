"""What every `tracktwo` command shares: one-line failures, the platform, the unit of work.

The top-level command (tracktwo.cli) and each part's command group (a part's ``cli.py``)
use these, so every command fails the same way: one line starting ``tracktwo:`` on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from tracktwo.kernel.parsing import MAX_ID

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracktwo.store.platform import Platform

__all__ = ["MAX_ID", "check_brief_path", "fail", "open_platform", "ready", "unit_of_work"]


def fail(message: str) -> NoReturn:
    """Stop the command with one line on stderr and exit code 2 (bad input, not a bug)."""
    click.echo(f"tracktwo: {message}", err=True)
    raise SystemExit(2)


def open_platform() -> Platform:
    from pydantic import ValidationError

    from tracktwo.kernel.config import Settings
    from tracktwo.store.db import DatabaseUnavailable
    from tracktwo.store.platform import Platform

    try:
        return Platform(Settings())
    except DatabaseUnavailable as exc:
        fail(str(exc))
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "TRACKTWO_" + "_".join(str(part) for part in error["loc"]).upper()
        reason = str(error["msg"]).removeprefix("Value error, ")
        fail(f"the setting {name} is not valid: {reason}.")


@contextmanager
def unit_of_work(platform: Platform) -> Iterator[Session]:
    """A committed unit of work; our errors become one line and exit code 2."""
    from tracktwo.kernel.errors import TracktwoError
    from tracktwo.store.db import DatabaseUnavailable

    try:
        platform.database.check_connection()
        with platform.database.transaction() as db:
            yield db
    except (TracktwoError, DatabaseUnavailable) as exc:
        fail(str(exc))


def ready(platform: Platform) -> None:
    """Stop unless the database answers and is at this version's schema."""
    from tracktwo.store.db import DatabaseUnavailable

    try:
        platform.check_ready()
    except DatabaseUnavailable as exc:
        fail(str(exc))


def check_brief_path(path: Path) -> None:
    """Refuse a brief path we could not write before any work is done."""
    from tracktwo.common.brief.render import brief_destination, brief_format
    from tracktwo.kernel.errors import TracktwoError

    try:
        brief_format(path)
        brief_destination(path)
    except TracktwoError as error:
        fail(str(error))
