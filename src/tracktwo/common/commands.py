"""What every `tracktwo` command shares: one-line failures, the platform, the unit of work.

The top-level command (tracktwo.cli) and each part's command group (a part's ``cli.py``)
use these, so every command fails the same way: one line starting ``tracktwo:`` on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tracktwo.kernel.errors import TracktwoError
from tracktwo.kernel.parsing import MAX_ID

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracktwo.store.platform import Platform

__all__ = [
    "MAX_ID",
    "TracktwoGroup",
    "check_brief_path",
    "fail",
    "open_platform",
    "ready",
    "unit_of_work",
]


def _say(message: str) -> None:
    # One line, whatever the message holds: a newline or a control character in what
    # someone typed must not start a second line or move the terminal's cursor.
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in message).split())
    click.echo(f"tracktwo: {line}", err=True)


class TracktwoGroup(click.Group):
    """The top-level command: whatever goes wrong ends in one line on stderr, never a traceback.

    Bad input (our errors, Click's usage errors, files that cannot be read) is exit code 2;
    an interruption 130; anything else is a bug: exit code 1 and one line that says so.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _say(exc.format_message().rstrip(".") + "." + hint)
            raise SystemExit(2) from None
        except click.Abort:
            _say("stopped.")
            raise SystemExit(1) from None
        except click.ClickException as exc:
            _say(exc.format_message())
            raise SystemExit(exc.exit_code) from None
        except TracktwoError as exc:
            _say(exc.message)
            raise SystemExit(2) from None
        except RecursionError:
            _say("the input is nested too deeply to be read.")
            raise SystemExit(2) from None
        except MemoryError:
            _say("there is not enough memory for this input on this machine.")
            raise SystemExit(1) from None
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            _say(f"cannot use{where}: {exc.strerror or type(exc).__name__}.")
            raise SystemExit(2) from None
        except KeyboardInterrupt:
            _say("interrupted.")
            raise SystemExit(130) from None
        except Exception as exc:  # a bug: say so in one line, without a traceback
            _say(
                f"unexpected error ({type(exc).__name__}); this is a bug in tracktwo, please "
                "report it with the command you ran."
            )
            raise SystemExit(1) from None
        if standalone_mode:
            raise SystemExit(result if isinstance(result, int) else 0)
        return result


def fail(message: str) -> NoReturn:
    """Stop the command with one line on stderr and exit code 2 (bad input, not a bug)."""
    _say(message)
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
