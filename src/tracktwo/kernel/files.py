"""Files people name (on the command line, in an export folder): checked before they are opened.

Opening what is not a regular file goes wrong in ways that have nothing to do with its
content: a FIFO called ``votes.csv`` blocks the reader for ever, a folder raises
``IsADirectoryError``, a symlink loop ``ELOOP``. These checks look at the path (``stat``, which
never blocks) and answer in one sentence naming the file as the person wrote it. Engines use
them for the files they read, the command line for the files it writes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tracktwo.kernel.errors import InvalidInput

__all__ = ["readable_file", "readable_folder", "writable_file"]


def _stat(path: Path, name: str) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InvalidInput(f"{name} is a symbolic link that points to itself.") from None
        if error.errno == errno.ENOTDIR:
            return None
        raise InvalidInput(f"{name} cannot be read ({error.strerror}).") from None


def readable_file(path: Path, name: str | None = None, *, required: bool = True) -> Path | None:
    """``path`` if it is a regular file; None if it is missing and not ``required``."""
    name = name or str(path)
    found = _stat(path, name)
    if found is None:
        if required:
            raise InvalidInput(f"{name} does not exist.")
        return None
    if stat.S_ISDIR(found.st_mode):
        raise InvalidInput(f"{name} is a folder, not a file.")
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(f"{name} is not a regular file (a pipe or a device cannot be read).")
    return path


def readable_folder(path: Path, name: str | None = None) -> Path:
    """``path`` if it is a folder."""
    name = name or str(path)
    found = _stat(path, name)
    if found is None:
        raise InvalidInput(f"{name} is not a folder: it does not exist.")
    if not stat.S_ISDIR(found.st_mode):
        raise InvalidInput(f"{name} is not a folder.")
    return path


def writable_file(path: Path, name: str | None = None) -> Path:
    """``path`` if a regular file may be written there (new, or replacing a regular file)."""
    name = name or str(path)
    found = _stat(path, name)
    if found is not None:
        if stat.S_ISDIR(found.st_mode):
            raise InvalidInput(f"Cannot write {name}: it is a folder; give a file name.")
        if not stat.S_ISREG(found.st_mode):
            raise InvalidInput(f"Cannot write {name}: it is not a regular file.")
        return path
    parent = path.parent
    parent_stat = _stat(parent, str(parent))
    if parent_stat is None:
        raise InvalidInput(f"Cannot write {name}: the folder {parent} does not exist.")
    if not stat.S_ISDIR(parent_stat.st_mode):
        raise InvalidInput(f"Cannot write {name}: {parent} is not a folder.")
    return path
