"""Uploaded and imported files, received, unpacked, read and stored within fixed bounds.

A file someone sends must never be able to fill the server's memory or stall other people's
votes. Every import (the Polis .zip, the survey answers CSV, the corpus files of the media
part) goes through the same five steps, in this order:

1. **Permission first.** The caller checks that the actor may import *before* a byte of the
   body is read (``tracktwo.web.uploads`` streams the body only after that check).
2. **Streamed to disk** through :class:`CappedWriter`, which refuses the file as soon as it
   passes :attr:`UploadLimits.max_bytes` (HTTP 413), never after.
3. **Unpacked within limits** by :func:`extract_members`: the number of entries is read from
   the zip's last record before Python's ``zipfile`` parses the directory; only the members
   asked for are read, by name at any depth; each is inflated in chunks while the total is
   counted against :attr:`UploadLimits.max_unpacked_bytes` (a zip bomb stops there, whatever
   its headers claim); a bad checksum, an encrypted member or an unusual compression method
   is a one-sentence 4xx.
4. **Parsed in bounded memory** by :func:`csv_rows`: one physical line at a time, each at most
   ``max_line_characters`` long, so a file with no line ends cannot be read whole.
5. **Written in batches** by :class:`BatchWriter`: short transactions of at most
   ``batch_rows`` rows, with a pause after each on SQLite so that the votes and sign-ins
   waiting for its single write lock get in between. The caller keeps the imported rows out
   of sight until the last batch (e.g. a dialogue created as an unfinished import) and
   removes them if the import fails.

Messages name the file as the person sent it ("votes.csv"), never a path on the server.
"""

from __future__ import annotations

import csv
import io
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from tracktwo.kernel.errors import InvalidInput
from tracktwo.store.db import Database

__all__ = [
    "CHUNK_BYTES",
    "BatchWriter",
    "CappedWriter",
    "UploadLimits",
    "UploadTooLarge",
    "csv_rows",
    "extract_members",
    "text_lines",
    "zip_entry_count",
]

CHUNK_BYTES = 64 * 1024
# The zip's central directory is read into memory by zipfile: keep it small. A thousand
# entries with ordinary names take well under 100 kB.
MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
MEGABYTE = 1024 * 1024


def _size_text(size: int) -> str:
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.0f} MB"
    return f"{max(1, size // 1024)} kB"


class UploadTooLarge(InvalidInput):
    """The file, or what it unpacks to, is larger than allowed (HTTP 413)."""

    status_code = 413


@dataclass(frozen=True)
class UploadLimits:
    """How large one kind of import may be.

    Attributes
    ----------
    what
        What the file is, for messages: ``"Polis export"``, ``"answers file"``.
    max_bytes
        The file as sent (for a zip: compressed).
    max_unpacked_bytes
        The members read from an archive, together.
    max_entries
        Entries an archive may list (files and folders, wanted or not).
    max_line_characters
        The longest physical line of a text file.
    """

    what: str
    max_bytes: int
    max_unpacked_bytes: int = 0
    max_entries: int = 1000
    max_line_characters: int = 1_000_000

    def too_large_message(self) -> str:
        return f"The {self.what} is too large; at most {_size_text(self.max_bytes)} is accepted."

    def describe(self) -> str:
        """The limits in words, for documentation and the OpenAPI description."""
        text = f"at most {_size_text(self.max_bytes)}"
        if self.max_unpacked_bytes:
            text += (
                f", {_size_text(self.max_unpacked_bytes)} unpacked and {self.max_entries} entries"
            )
        return text


class CappedWriter:
    """A binary file that refuses to grow past ``limit`` bytes (:class:`UploadTooLarge`)."""

    def __init__(self, target: BinaryIO, limit: int, message: str) -> None:
        self._target = target
        self._limit = limit
        self._message = message
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise UploadTooLarge(self._message)
        self._target.write(data)


def _read_tail(handle: BinaryIO, size: int, length: int) -> bytes:
    start = max(0, size - length)
    handle.seek(start)
    return handle.read(size - start)


def zip_entry_count(path: Path, what: str = "upload") -> int:
    """The number of entries a zip lists, read from its end record without parsing it.

    Raises :class:`InvalidInput` when the file is not a zip or its directory is larger than
    :data:`MAX_DIRECTORY_BYTES`.
    """
    not_zip = InvalidInput(f"The {what} is not a .zip file; choose the .zip you downloaded.")
    with path.open("rb") as handle:
        size = handle.seek(0, io.SEEK_END)
        # The end record is the last 22 bytes, or further back by a comment of < 64 kB.
        tail = _read_tail(handle, size, _EOCD_SIZE + 0xFFFF)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < _EOCD_SIZE:
            raise not_zip
        (_, _, _, _, entries, directory_bytes, _, _) = struct.unpack(
            "<4s4H2LH", tail[at : at + _EOCD_SIZE]
        )
        if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # the counts are in a zip64 record
            locator = tail[at - 20 : at] if at >= 20 else b""
            if len(locator) != 20 or not locator.startswith(_ZIP64_LOCATOR):
                raise not_zip
            (_, _, record_offset, _) = struct.unpack("<4sLQL", locator)
            if record_offset + 56 > size:
                raise not_zip
            handle.seek(record_offset)
            record = handle.read(56)
            if not record.startswith(_ZIP64_EOCD):
                raise not_zip
            (_, _, _, _, _, _, _, entries, directory_bytes, _) = struct.unpack("<4sQ2H2L4Q", record)
    if directory_bytes > MAX_DIRECTORY_BYTES:
        raise InvalidInput(
            f"The {what} lists too many files (its directory is over "
            f"{_size_text(MAX_DIRECTORY_BYTES)}); zip only the export folder."
        )
    return int(entries)


def _member_name(info: zipfile.ZipInfo) -> str:
    # Names may use either slash; only the last part counts, so no member can reach a
    # path outside the folder it is unpacked into.
    return PurePosixPath(info.filename.replace("\\", "/")).name


def extract_members(
    archive_path: Path, folder: Path, wanted: Collection[str], limits: UploadLimits
) -> dict[str, Path]:
    """Unpack the members named ``wanted`` (at any depth) into ``folder``, within ``limits``.

    Returns the name of each member found and the path it was written to. A name found twice
    is refused (which export would be meant?). Every failure is :class:`InvalidInput`
    (:class:`UploadTooLarge` for the limits) with one sentence.
    """
    entries = zip_entry_count(archive_path, limits.what)
    if entries > limits.max_entries:
        raise UploadTooLarge(
            f"The {limits.what} holds {entries} entries; at most {limits.max_entries} are "
            "accepted, so zip only the export folder."
        )
    damaged = f"The {limits.what} is damaged or not a .zip file; download it again."
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise InvalidInput(damaged) from None
    found: dict[str, Path] = {}
    unpacked = 0
    too_large = UploadTooLarge(
        f"The {limits.what} unpacks to more than {_size_text(limits.max_unpacked_bytes)}; "
        "split it, or ask the server's administrator about the limit."
    )
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        for info in members:
            name = _member_name(info)
            if name not in wanted:
                continue
            if name in found:
                raise InvalidInput(
                    f"The {limits.what} holds {name} twice; zip one export folder only."
                )
            if info.flag_bits & 0x1:
                raise InvalidInput(
                    f"{name} in the {limits.what} is encrypted; make the .zip without a password."
                )
            if info.compress_type not in _ALLOWED_METHODS:
                raise InvalidInput(
                    f"{name} in the {limits.what} uses an unusual compression method; make the "
                    ".zip again with your system's ordinary 'compress' command."
                )
            target = folder / name
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    while chunk := source.read(CHUNK_BYTES):
                        unpacked += len(chunk)
                        if unpacked > limits.max_unpacked_bytes:
                            raise too_large
                        sink.write(chunk)
            except InvalidInput:
                raise
            except zipfile.BadZipFile as error:
                if "CRC" in str(error):
                    raise InvalidInput(
                        f"{name} in the {limits.what} does not match its checksum (the .zip is "
                        "damaged); download it again."
                    ) from None
                raise InvalidInput(damaged) from None
            except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
                raise InvalidInput(damaged) from None
            found[name] = target
    return found


def text_lines(path: Path, name: str, *, max_line_characters: int = 1_000_000) -> Iterator[str]:
    """The physical lines of a UTF-8 text file (a BOM is allowed), each at most
    ``max_line_characters`` long, read one at a time.

    ``name`` is the file as its sender knows it, used in every message. A longer line, invalid
    UTF-8 or a NUL byte is :class:`InvalidInput` naming the line.
    """
    line_number = 0
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline="") as handle:
            while True:
                line = handle.readline(max_line_characters + 1)
                if not line:
                    return
                line_number += 1
                if len(line) > max_line_characters:
                    raise InvalidInput(
                        f"{name}, line {line_number}, is longer than {max_line_characters} "
                        "characters; is it really a CSV file?"
                    )
                if "\x00" in line:
                    raise InvalidInput(
                        f"{name}, line {line_number}, contains a NUL character; is it really a "
                        "CSV file?"
                    )
                yield line
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{name} is not UTF-8 text (near line {line_number + 1}); save it as UTF-8 CSV."
        ) from None


def csv_rows(
    path: Path,
    name: str,
    *,
    max_line_characters: int = 1_000_000,
    max_rows: int | None = None,
) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV file, read through :func:`text_lines` (the same limits).

    More than ``max_rows`` rows or broken quoting is :class:`InvalidInput` naming the line.
    """
    reader = csv.reader(
        text_lines(path, name, max_line_characters=max_line_characters), strict=True
    )
    try:
        for rows, row in enumerate(reader, start=1):
            if max_rows is not None and rows > max_rows:
                raise UploadTooLarge(
                    f"{name} has more than {max_rows} rows; split it into smaller files."
                )
            yield row
    except csv.Error as error:
        reason = str(error).split(" - ")[0]
        raise InvalidInput(
            f"{name}, line {reader.line_num}, is not valid CSV ({reason})."
        ) from None


def _table(target: Table | type[Any]) -> Table:
    if isinstance(target, Table):
        return target
    table = target.__table__
    assert isinstance(table, Table)
    return table


class BatchWriter:
    """Inserts rows in short transactions so that no import holds the write lock for long.

    Rows are kept per table and written when ``batch_rows`` are waiting, tables in the order
    they were first used (parents before children). Each batch is one transaction of its
    own; on SQLite the writer then pauses for as long as the batch took (at least
    ``min_pause`` seconds), so that writers queued behind SQLite's single lock get their turn.
    """

    def __init__(
        self,
        database: Database,
        *,
        batch_rows: int = 2000,
        min_pause: float = 0.005,
        max_pause: float = 0.25,
    ) -> None:
        self._database = database
        self._batch_rows = batch_rows
        self._min_pause = min_pause
        self._max_pause = max_pause
        self._pending: dict[Table, list[Mapping[str, Any]]] = {}
        self._waiting = 0
        self.written = 0
        self.batches = 0
        self.longest_batch_seconds = 0.0

    def run(self, work: Callable[[Session], Any]) -> Any:
        """Run ``work`` in one short transaction of its own (then pause on SQLite)."""
        started = time.perf_counter()
        with self._database.transaction() as session:
            result = work(session)
        held = time.perf_counter() - started
        self.batches += 1
        self.longest_batch_seconds = max(self.longest_batch_seconds, held)
        if self._database.is_sqlite:
            time.sleep(min(self._max_pause, max(self._min_pause, held)))
        return result

    def insert_returning_ids(
        self, target: Table | type[Any], rows: Sequence[Mapping[str, Any]]
    ) -> list[int]:
        """Insert ``rows`` into a table (or a model's) in batches; their new ids, in order."""
        table = _table(target)
        ids: list[int] = []
        for start in range(0, len(rows), self._batch_rows):
            chunk = list(rows[start : start + self._batch_rows])

            def work(session: Session, chunk: list[Mapping[str, Any]] = chunk) -> list[int]:
                statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                return [row[0] for row in session.execute(statement, chunk)]

            ids.extend(self.run(work))
        return ids

    def add(self, target: Table | type[Any], row: Mapping[str, Any]) -> None:
        """Queue one row for a table (or a model's); a batch is written once ``batch_rows``
        rows are waiting."""
        self._pending.setdefault(_table(target), []).append(row)
        self._waiting += 1
        if self._waiting >= self._batch_rows:
            self.flush()

    def flush(self) -> None:
        """Write every waiting row now (one transaction)."""
        if not self._waiting:
            return
        pending, self._pending, count = self._pending, {}, self._waiting
        self._waiting = 0

        def work(session: Session) -> None:
            for table, rows in pending.items():
                if rows:
                    session.execute(insert(table), rows)

        self.run(work)
        self.written += count
